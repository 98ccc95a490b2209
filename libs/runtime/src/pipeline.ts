import { dec, DeciderHost, type InstrumentOverrides } from '@tradeloop/kernel';
import type { ExecutionMode } from '@tradeloop/contracts';
import { createScanner, type ScannerConfigInput } from '@tradeloop/scanner';
import { createRlDecision, type RlDecisionConfigInput } from '@tradeloop/rl-decision';
import { createRisk, RiskConfig } from '@tradeloop/risk';
import { createGovernor, GovernorConfig } from '@tradeloop/governor';
import { createExecutor, ExecutorConfig, resolveInstrument } from '@tradeloop/executor';
import { createLearning, LearningConfig } from '@tradeloop/learning';
import { InProcessBus } from './bus';

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
  return {
    scanner: () => createScanner({ ...cfg.scanner }),
    rlDecision: () => createRlDecision({ seed: cfg.seed, ...cfg.rlDecision }),
    risk: () => createRisk({ startingCash: cfg.startingCash, accountCurrency: cfg.currency, riskPerTrade: cfg.riskPerTrade, ...cfg.risk }),
    governor: () => createGovernor({ mode: cfg.mode, threshold: cfg.threshold, autoExecute: cfg.autoExecute, ...cfg.governor }),
    executor: () =>
      createExecutor({
        startingCash: cfg.startingCash,
        currency: cfg.currency,
        takerFeeBps: cfg.feeBps,
        makerFeeBps: cfg.feeBps,
        slippageBps: cfg.slippageBps,
        ...cfg.executor,
      }),
    learning: () => createLearning({ ...cfg.learning, contractSizes: learningContractSizes(cfg) }),
  };
}

/** The contract size the executor books `symbol` with; undefined when it cannot trade it (it says why at start). */
function bookedContractSize(symbol: string, instruments: Readonly<Record<string, InstrumentOverrides>>): string | undefined {
  try {
    return resolveInstrument(symbol, instruments).contractSize;
  } catch {
    return undefined;
  }
}

function sameSize(a: string, b: string): boolean {
  try {
    return dec(a).eq(dec(b));
  } catch {
    // Not a decimal: learning's own validation names it.
    return true;
  }
}

/**
 * Learning's contract sizes are the executor's: an R multiple divides the P&L the executor booked
 * (price move × quantity × contract size) by the money the stop put at risk, which only means
 * something counted with the same contract size, and so does the slippage cost. An instrument is
 * configured once, in `executor.instruments` (and, equal, in `risk.instruments`); learning takes
 * its contract sizes from there. `learning.contractSizes` may still name a symbol, but only with
 * the size the executor books it with: a different one is refused rather than learned from.
 */
function learningContractSizes(cfg: PipelineConfig): Readonly<Record<string, string>> {
  const instruments = cfg.executor?.instruments ?? {};
  const sizes: Record<string, string> = {};
  for (const key of Object.keys(instruments)) {
    // Positions carry the canonical (upper-case) symbol, which is also the executor's lookup.
    const symbol = key.toUpperCase();
    const size = bookedContractSize(symbol, instruments);
    if (size !== undefined) sizes[symbol] = size;
  }
  for (const [symbol, size] of Object.entries(cfg.learning?.contractSizes ?? {})) {
    const booked = bookedContractSize(symbol, instruments);
    if (booked !== undefined && !sameSize(size, booked)) {
      const where = Object.keys(instruments).some((k) => k.toUpperCase() === symbol.toUpperCase())
        ? `executor.instruments.${symbol}.contractSize`
        : 'the built-in instrument';
      throw new RangeError(
        `pipeline config: learning.contractSizes.${symbol} is ${size} but the executor books ${symbol} with a contract size of ${booked} (${where}); ` +
          `learning takes the executor's contract sizes: set it once in executor.instruments (and risk.instruments) and remove learning.contractSizes.${symbol}`,
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
