import { DeciderHost } from '@tradeloop/kernel';
import type { ExecutionMode } from '@tradeloop/contracts';
import { createScanner, type ScannerConfigInput } from '@tradeloop/scanner';
import { createRlDecision, type RlDecisionConfigInput } from '@tradeloop/rl-decision';
import { createRisk, RiskConfig } from '@tradeloop/risk';
import { createGovernor, GovernorConfig } from '@tradeloop/governor';
import { createExecutor, ExecutorConfig } from '@tradeloop/executor';
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
    learning: () => createLearning({ ...cfg.learning }),
  };
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
