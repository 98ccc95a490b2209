import { dec, DeciderHost, type InstrumentOverrides } from '@tradeloop/kernel';
import type { ExecutionMode } from '@tradeloop/contracts';
import { createScanner, type ScannerConfigInput } from '@tradeloop/scanner';
import { createRlDecision, type RlDecisionConfigInput } from '@tradeloop/rl-decision';
import { createRisk, RiskConfig } from '@tradeloop/risk';
import { createGovernor, GovernorConfig } from '@tradeloop/governor';
import { createExecutor, ExecutorConfig, resolveInstrument } from '@tradeloop/executor';
import { createLearning, LearningConfig } from '@tradeloop/learning';
import { InProcessBus } from './bus';
import { validateInstruments, type InstrumentTable } from './instruments';

/** Everything that shapes a run's decisions. Two runs with equal configs and inputs are identical. */
export interface PipelineConfig {
  readonly account: string;
  readonly seed: number;
  readonly mode: ExecutionMode;
  readonly threshold: number;
  /** With false the governor forces display_only (the safety default for real brokers). */
  readonly autoExecute: boolean;
  readonly riskPerTrade: number;
  readonly startingCash: string;
  readonly currency: string;
  readonly feeBps: number;
  readonly slippageBps: number;
  /** false: manual orders only (replay of a trade log); no scanner or rl-decision. */
  readonly strategies: boolean;
  /** Settings over the scanner's defaults; groups (strategies, weights, …) merge one level deep. */
  readonly scanner?: ScannerConfigInput;
  /** Settings over rl-decision's defaults; weights merge over the default weights. */
  readonly rlDecision?: RlDecisionConfigInput;
  readonly risk?: Partial<RiskConfig>;
  readonly governor?: Partial<GovernorConfig>;
  readonly executor?: Partial<ExecutorConfig>;
  readonly learning?: Partial<LearningConfig>;
  /**
   * Instrument metadata by symbol over the built-in instruments (tick size, lot size, minimum
   * quantity, contract size, price tolerance, asset class, currencies): one setting for the
   * scanner, risk, the executor and learning (see sharedInstruments), as an instruments file
   * (`--instruments`, INSTRUMENTS_FILE, INSTRUMENTS) gives it. Absent when nothing is overridden,
   * so a run without one records what it always did.
   */
  readonly instruments?: InstrumentTable;
}

/**
 * A complete configuration from a few choices: fully automated paper trading with 1% risk on
 * 100 000 of the given currency, no fees or slippage, strategies on, seed 42.
 */
export function pipelineConfig(overrides: Partial<PipelineConfig> = {}): PipelineConfig {
  return {
    account: 'paper',
    seed: 42,
    mode: 'fully_automated',
    threshold: 70,
    autoExecute: true,
    riskPerTrade: 0.01,
    startingCash: '100000',
    currency: 'USD',
    feeBps: 0,
    slippageBps: 0,
    strategies: true,
    ...overrides,
  };
}

export interface Pipeline {
  readonly bus: InProcessBus;
  readonly hosts: {
    readonly scanner?: DeciderHost<any, any, any>;
    readonly rlDecision?: DeciderHost<any, any, any>;
    readonly risk: DeciderHost<any, any, any>;
    readonly governor: DeciderHost<any, any, any>;
    readonly executor: DeciderHost<any, any, any>;
    readonly learning: DeciderHost<any, any, any>;
  };
}

/** The pipeline's deciders, each configured from one PipelineConfig (in-process and distributed alike). */
export interface PipelineDeciders {
  readonly scanner: () => ReturnType<typeof createScanner>;
  readonly rlDecision: () => ReturnType<typeof createRlDecision>;
  readonly risk: () => ReturnType<typeof createRisk>;
  readonly governor: () => ReturnType<typeof createGovernor>;
  readonly executor: () => ReturnType<typeof createExecutor>;
  readonly learning: () => ReturnType<typeof createLearning>;
}

export function pipelineDeciders(cfg: PipelineConfig): PipelineDeciders {
  if (cfg.instruments !== undefined) validateInstruments(cfg.instruments, () => 'pipeline config: instruments: ');
  const instruments = sharedInstruments(cfg);
  const shared = instruments === undefined ? {} : { instruments };
  // The scanner reads an instrument's price tolerance, tick and asset class: the same instrument,
  // with its own section's settings (a priceTolerance, say) merged in and checked alike.
  const scannerInstruments = instruments === undefined ? undefined : mergeInstruments([...instrumentSections(cfg), ['scanner', cfg.scanner?.instruments]]);
  return {
    scanner: () => createScanner(scannerInstruments === undefined ? { ...cfg.scanner } : { ...cfg.scanner, instruments: scannerInstruments }),
    rlDecision: () => createRlDecision({ seed: cfg.seed, ...cfg.rlDecision }),
    risk: () => createRisk({ startingCash: cfg.startingCash, accountCurrency: cfg.currency, riskPerTrade: cfg.riskPerTrade, ...cfg.risk, ...shared }),
    governor: () => createGovernor({ mode: cfg.mode, threshold: cfg.threshold, autoExecute: cfg.autoExecute, ...cfg.governor }),
    executor: () =>
      createExecutor({
        startingCash: cfg.startingCash,
        currency: cfg.currency,
        takerFeeBps: cfg.feeBps,
        makerFeeBps: cfg.feeBps,
        slippageBps: cfg.slippageBps,
        ...cfg.executor,
        ...shared,
      }),
    learning: () => createLearning({ ...cfg.learning, contractSizes: learningContractSizes(cfg, instruments ?? {}) }),
  };
}

type Instruments = Readonly<Record<string, InstrumentOverrides>>;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Two settings of one field say the same: equal decimals ("100" and "100.0"), or equal values. */
function sameSetting(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    try {
      return dec(a).eq(dec(b));
    } catch {
      return a === b;
    }
  }
  return a === b;
}

/** The sections that set instruments for risk and the executor, by the name a message gives them. */
function instrumentSections(cfg: PipelineConfig): [string, unknown][] {
  return [
    ['instruments', cfg.instruments],
    ['executor.instruments', cfg.executor?.instruments],
    ['risk.instruments', cfg.risk?.instruments],
  ];
}

/**
 * One set of instrument overrides for risk and the executor: risk sizes an order with the same
 * lot size, minimum and contract size the executor fills and books it with. Before, each took
 * only its own section, so gold set to 100-ounce contracts for the executor alone was sized by
 * risk as 1-ounce units (a stopped-out trade lost 175× what risk meant to put at risk), and set
 * for risk alone was rejected by the executor (quantities off its lot grid). The pipeline's
 * `instruments` (an instruments file) and the two sections are merged field by field under the
 * upper-case symbol (how both look an instrument up); a field two of them set differently is
 * refused. Undefined when none sets any (or a section is not an object: the deciders' own
 * validation then names it).
 */
function sharedInstruments(cfg: PipelineConfig): Instruments | undefined {
  return mergeInstruments(instrumentSections(cfg));
}

function mergeInstruments(sections: [string, unknown][]): Instruments | undefined {
  if (sections.every(([, v]) => v === undefined)) return undefined;
  if (!sections.every(([, v]) => v === undefined || isPlainObject(v))) return undefined;
  const merged: Record<string, Record<string, unknown>> = {};
  const origin: Record<string, string> = {};
  for (const [section, overrides] of sections) {
    for (const [key, o] of Object.entries((overrides ?? {}) as Record<string, unknown>)) {
      if (!isPlainObject(o)) return undefined;
      const symbol = key.toUpperCase();
      const into = (merged[symbol] ??= {});
      for (const [field, value] of Object.entries(o)) {
        if (value === undefined) continue;
        const where = `${section}.${key}.${field}`;
        if (field in into && !sameSetting(into[field], value)) {
          throw new RangeError(
            `pipeline config: ${where} is ${String(value)} but ${origin[`${symbol}.${field}`]} is ${String(into[field])}: ` +
              `risk sizes orders with the instrument the executor fills and books them with, and the scanner reads the same; set it once, or the same in each`,
          );
        }
        if (!(field in into)) {
          into[field] = value;
          origin[`${symbol}.${field}`] = where;
        }
      }
    }
  }
  return merged as Instruments;
}

/**
 * The instrument overrides a pipeline trades with (its `instruments` and the executor's and
 * risk's, merged), for what reads an instrument outside the deciders: marking open positions,
 * the account currency, the quote currency of a report.
 */
export function pipelineInstruments(cfg: PipelineConfig): Instruments {
  return sharedInstruments(cfg) ?? {};
}

/** The contract size the executor books `symbol` with; undefined when it cannot trade it (it says why at start). */
function bookedContractSize(symbol: string, instruments: Instruments): string | undefined {
  try {
    return resolveInstrument(symbol, instruments).contractSize;
  } catch {
    return undefined;
  }
}

/**
 * Learning's contract sizes are the executor's: an R multiple divides the P&L the executor booked
 * (price move × quantity × contract size) by the money the stop put at risk, which only means
 * something counted with the same contract size, and so does the slippage cost. An instrument is
 * configured once, in `executor.instruments` or `risk.instruments` (shared, see
 * sharedInstruments); learning takes its contract sizes from there. `learning.contractSizes` may
 * still name a symbol, but only with the size the executor books it with: a different one is
 * refused rather than learned from.
 */
function learningContractSizes(cfg: PipelineConfig, instruments: Instruments): Readonly<Record<string, string>> {
  const sizes: Record<string, string> = {};
  for (const symbol of Object.keys(instruments)) {
    const size = bookedContractSize(symbol, instruments);
    if (size !== undefined) sizes[symbol] = size;
  }
  for (const [symbol, size] of Object.entries(cfg.learning?.contractSizes ?? {})) {
    const booked = bookedContractSize(symbol, instruments);
    if (booked !== undefined && !sameSetting(size, booked)) {
      const where = instruments[symbol.toUpperCase()]?.contractSize !== undefined ? `instruments.${symbol.toUpperCase()}.contractSize` : 'the built-in instrument';
      throw new RangeError(
        `pipeline config: learning.contractSizes.${symbol} is ${size} but the executor books ${symbol} with a contract size of ${booked} (${where}); ` +
          `learning takes the executor's contract sizes: set it once (an instruments file, executor.instruments or risk.instruments) and remove learning.contractSizes.${symbol}`,
      );
    }
    if (sizes[symbol] === undefined) sizes[symbol] = size;
  }
  return sizes;
}

/**
 * Wires the deciders as in DESIGN.md §1 on the in-process bus: scanner → rl-decision → risk →
 * governor → executor, learning closing the loop back into rl-decision. Registration order is
 * delivery order for a message with several consumers, so it is fixed here.
 */
export function createPipeline(cfg: PipelineConfig): Pipeline {
  const bus = new InProcessBus(cfg.account);
  const make = pipelineDeciders(cfg);
  const executor = new DeciderHost(make.executor());
  const risk = new DeciderHost(make.risk());
  const governor = new DeciderHost(make.governor());
  const learning = new DeciderHost(make.learning());
  let scanner: DeciderHost<any, any, any> | undefined;
  let rlDecision: DeciderHost<any, any, any> | undefined;
  // Executor first on a bar: fills from orders placed earlier happen before new signals.
  bus.register(executor);
  bus.register(risk);
  if (cfg.strategies) {
    scanner = new DeciderHost(make.scanner());
    rlDecision = new DeciderHost(make.rlDecision());
    bus.register(scanner);
    bus.register(rlDecision);
  }
  bus.register(governor);
  bus.register(learning);
  return { bus, hosts: { scanner, rlDecision, risk, governor, executor, learning } };
}
