import type { Decider } from '@tradeloop/kernel';
import { defaultGovernorConfig } from '@tradeloop/governor';
import type { RiskConfig } from '@tradeloop/risk';
import { pipelineConfig, pipelineDeciders, type PipelineConfig } from '@tradeloop/runtime';
import { ExecutorEffects, GovernorEffects, projectionEffects, type ServiceEffects, type ServiceLogger } from '@tradeloop/service';
import type { DataSource } from 'typeorm';
import type { ServiceEnv } from './config';

/** The services that host a decider of the pipeline over JetStream. */
export const DECIDER_SERVICES = ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning'] as const;
export type DeciderService = (typeof DECIDER_SERVICES)[number];
export type ServiceName = DeciderService | 'market-data' | 'notifier' | 'gateway';

/** Default HTTP ports (/health, /metrics; the gateway's API). HTTP_PORT overrides. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 3000,
  'market-data': 3001,
  scanner: 3002,
  'rl-decision': 3003,
  risk: 3004,
  governor: 3005,
  executor: 3006,
  notifier: 3007,
  learning: 3008,
};

/**
 * Default CPU priority (nice) per service. Learning and the notifier are off the order path
 * (DESIGN §1: they react to what already happened), so where services share cores they yield
 * to it: a signal's hops do not wait for the CPU while learning digests the same signal.
 * PROCESS_NICE overrides.
 */
export const DEFAULT_NICE: Readonly<Record<ServiceName, number>> = {
  gateway: 0,
  'market-data': 0,
  scanner: 0,
  'rl-decision': 0,
  risk: 0,
  governor: 0,
  executor: 0,
  notifier: 10,
  learning: 10,
};

/**
 * One configuration for every service of a deployment, so distributed = in-process.
 *
 * INSTRUMENTS_FILE / INSTRUMENTS give the pipeline's `instruments` (recorded the same way), so
 * `tradeloop replay --service` applies the instruments a service traded with.
 *
 * APPROVAL_TTL_MS and APPROVERS go into the governor's section, which RunStarted and ServiceStarted record
 * (flatPipelineConfig, as JSON) and replays read back (pipelineConfigFromFlat): a run or a
 * service segment replays under the TTL it decided with. Like every section setting it is
 * there only when it is not the governor's default, so a deployment on the default (and a
 * quickstart at MARKET_DATA_SPEED=0) records the same configuration, and run id, as earlier
 * versions did and as `tradeloop backtest` does.
 */
export function pipelineConfigFromEnv(env: ServiceEnv): PipelineConfig {
  // `??`: a ServiceEnv put together by hand (tests, tools) may not have it.
  const approvalTtlMs = env.APPROVAL_TTL_MS ?? defaultGovernorConfig.approvalTtlMs;
  const approvers = env.APPROVERS === undefined ? [] : [...new Set(env.APPROVERS.split(','))];
  const governor = {
    ...(approvalTtlMs !== defaultGovernorConfig.approvalTtlMs && { approvalTtlMs }),
    ...(approvers.length > 0 && { approvers }),
  };
  const risk = riskLimitsFromEnv(env);
  return pipelineConfig({
    account: env.ACCOUNT,
    seed: env.SEED,
    mode: env.EXECUTION_MODE,
    threshold: env.QUALITY_THRESHOLD,
    autoExecute: env.AUTO_EXECUTE,
    riskPerTrade: env.RISK_PER_TRADE,
    startingCash: env.STARTING_CASH,
    currency: env.ACCOUNT_CURRENCY,
    feeBps: env.FEE_BPS,
    slippageBps: env.SLIPPAGE_BPS,
    ...(Object.keys(risk).length > 0 && { risk }),
    ...(Object.keys(governor).length > 0 && { governor }),
    // As `tradeloop backtest --instruments` records it: only when set, last.
    ...(env.instruments !== undefined && { instruments: env.instruments }),
  });
}

/**
 * Risk's limits the RISK_* variables set, by RiskConfig field, in the order `tradeloop backtest`
 * records its options: only those set, so a deployment on the defaults records (ServiceStarted)
 * the configuration, and run id, it always did.
 */
function riskLimitsFromEnv(env: ServiceEnv): Partial<RiskConfig> {
  const set: [keyof RiskConfig, number | string | undefined][] = [
    ['maxPositionPct', env.RISK_MAX_POSITION],
    ['maxExposurePct', env.RISK_MAX_EXPOSURE],
    ['dailyLossLimitPct', env.RISK_DAILY_LOSS_LIMIT],
    ['dailyTradeLimit', env.RISK_DAILY_TRADES],
    ['lossStreakLimit', env.RISK_LOSS_STREAK],
    ['cooldownMs', env.RISK_COOLDOWN_MS],
    ['maxOrderValue', env.RISK_MAX_ORDER_VALUE],
    ['maxOrderQuantity', env.RISK_MAX_ORDER_QTY],
  ];
  return Object.fromEntries(set.filter(([, v]) => v !== undefined)) as Partial<RiskConfig>;
}

export function deciderFor(service: DeciderService, cfg: PipelineConfig): Decider<any, any, any> {
  const make = pipelineDeciders(cfg);
  switch (service) {
    case 'scanner':
      return make.scanner();
    case 'rl-decision':
      return make.rlDecision();
    case 'risk':
      return make.risk();
    case 'governor':
      return make.governor();
    case 'executor':
      return make.executor();
    case 'learning':
      return make.learning();
  }
}

/** Services whose outputs feed read models or the experience store write to PostgreSQL (risk: its denials and approvals). */
export function writesReadModels(service: ServiceName): boolean {
  return service === 'executor' || service === 'governor' || service === 'learning' || service === 'risk' || service === 'gateway';
}

export function effectsFor(service: DeciderService, ds: DataSource | undefined, account = 'paper', log?: ServiceLogger): ServiceEffects | undefined {
  if (!ds || !writesReadModels(service)) return undefined;
  if (service === 'executor') return new ExecutorEffects(ds, account, log);
  // At start, also what the governor runs in (governor_starts): it publishes nothing about it.
  if (service === 'governor') return new GovernorEffects(ds, account, log);
  return projectionEffects(ds, service);
}
