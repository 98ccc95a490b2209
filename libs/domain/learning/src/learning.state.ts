import type {
  DecimalString,
  Direction,
  ExecutionMode,
  ExperienceFill,
  ExperienceRecordedData,
  LearnedParametersPublishedData,
  OrderOrigin,
  OrderType,
  RiskLevel,
  Session,
  SignalDetectedData,
  TimeInForce,
} from '@tradeloop/contracts';
import { BoundedSet, type Decimal } from '@tradeloop/kernel';
import type { LearningConfig } from './learning.config';
import type { KeyStats } from './learning.parameters';

/**
 * Everything known about one trade idea, from the signal (or manual command) to its fills,
 * keyed by correlationId. Filled in whatever order the messages arrive; every part optional
 * because learning may start mid-chain or miss a message and must still record the outcome.
 */
export interface Chain {
  readonly correlationId: string;
  signalId?: string;
  origin?: OrderOrigin;
  strategy?: string;
  venue?: string;
  symbol?: string;
  direction?: Direction;
  session?: Session;
  signalQuality?: number;
  /** The signal itself, for its levels, bar size, confidence and reason (absent when learning missed it). */
  signal?: SignalDetectedData;
  features?: Readonly<Record<string, number>>;
  /** The signal's stop, used for the R multiple when risk's exact stop is unknown. */
  signalStop?: number;
  decision?: { confidence: number; sizeMultiplier: number; sampledWinRate: number; paramsVersion: number; reasons: readonly string[] };
  risk?: { level: RiskLevel; riskAmount: DecimalString; quantity: DecimalString; stopLoss?: DecimalString; takeProfit?: DecimalString };
  /** The protective stop risk sized the order with (exact). */
  initialStop?: DecimalString;
  approval?: { mode: ExecutionMode; approvedBy: string };
  orderType?: OrderType;
  timeInForce?: TimeInForce;
  fills: ExperienceFill[];
  spreadAtEntry?: DecimalString;
  /** The market key (kernel's marketKey) of the position the chain's fills opened. */
  market?: string;
  /** Index entries to remove when the chain is dropped. */
  readonly orderIds: string[];
  readonly riskApprovalIds: string[];
}

/** The chain holding a market's position; net 0 once flat, until the chain's close drops it. */
export interface Holder {
  readonly correlationId: string;
  /** Signed: positive long, negative short. */
  net: Decimal;
}

/** The outputs of the PositionClosed being handled, computed in evolve so a fold rebuilds them. */
export interface Outbox {
  readonly causeId: string;
  readonly experience: ExperienceRecordedData;
  readonly parameters: LearnedParametersPublishedData;
}

export interface LearningState {
  /** Chains without a fill yet, oldest first (Map iteration is insertion order). */
  readonly pending: Map<string, Chain>;
  /** Chains with at least one fill: an open or closing position. */
  readonly live: Map<string, Chain>;
  /** orderId → correlationId, so fills are joined even when their envelope is correlated elsewhere. */
  readonly orders: Map<string, string>;
  /** RiskApproved id → correlationId, for approvals and orders correlated with a command. */
  readonly riskApprovals: Map<string, string>;
  /**
   * Market (venue and symbol) → the chain whose position is open there and its signed net
   * quantity, from the fills: a fill of another order on that market (a kill-switch exit, a
   * manual order closing, adding to or reversing the position) belongs to that position.
   */
  readonly holders: Map<string, Holder>;
  readonly stats: Map<string, KeyStats>;
  /** The stats rows sorted by (strategy, symbol, direction): the published table's order. */
  readonly table: KeyStats[];
  paramsVersion: number;
  /**
   * Event time of the newest close folded (0 before the first): the table's `asOf`. Closes of
   * several markets can arrive out of time order, so it is a maximum, never moved back.
   */
  asOf: number;
  readonly recordedPositions: BoundedSet;
  outbox: Outbox | undefined;
}

export function initialLearningState(config: LearningConfig): LearningState {
  return {
    pending: new Map(),
    live: new Map(),
    orders: new Map(),
    riskApprovals: new Map(),
    holders: new Map(),
    stats: new Map(),
    table: [],
    paramsVersion: 0,
    asOf: 0,
    recordedPositions: new BoundedSet(config.dedupeWindow),
    outbox: undefined,
  };
}

export function findChain(state: LearningState, correlationId: string | undefined): Chain | undefined {
  if (correlationId === undefined) return undefined;
  return state.live.get(correlationId) ?? state.pending.get(correlationId);
}

export function openChain(state: LearningState, correlationId: string, maxOpenChains: number): Chain {
  const found = findChain(state, correlationId);
  if (found) return found;
  // Every field declared up front: chains are filled in over several messages, and one shape
  // from the start saves a hidden-class transition and a property-store growth per field.
  const chain: Chain = {
    correlationId,
    signalId: undefined,
    origin: undefined,
    strategy: undefined,
    venue: undefined,
    symbol: undefined,
    direction: undefined,
    session: undefined,
    signalQuality: undefined,
    signal: undefined,
    features: undefined,
    signalStop: undefined,
    decision: undefined,
    risk: undefined,
    initialStop: undefined,
    approval: undefined,
    orderType: undefined,
    timeInForce: undefined,
    fills: [],
    spreadAtEntry: undefined,
    market: undefined,
    orderIds: [],
    riskApprovalIds: [],
  };
  state.pending.set(correlationId, chain);
  if (state.pending.size > maxOpenChains) {
    const oldest = state.pending.keys().next().value as string;
    dropChain(state, oldest);
  }
  return chain;
}

/** A first fill turns a pending chain live: it now has a position to close, so it must not be evicted with never-traded ones. */
export function markLive(state: LearningState, chain: Chain, maxOpenChains: number): void {
  if (state.live.has(chain.correlationId)) return;
  state.pending.delete(chain.correlationId);
  state.live.set(chain.correlationId, chain);
  if (state.live.size > maxOpenChains) {
    const oldest = state.live.keys().next().value as string;
    dropChain(state, oldest);
  }
}

export function dropChain(state: LearningState, correlationId: string): void {
  const chain = findChain(state, correlationId);
  if (!chain) return;
  state.pending.delete(correlationId);
  state.live.delete(correlationId);
  for (const id of chain.orderIds) if (state.orders.get(id) === correlationId) state.orders.delete(id);
  for (const id of chain.riskApprovalIds) if (state.riskApprovals.get(id) === correlationId) state.riskApprovals.delete(id);
  if (chain.market !== undefined && state.holders.get(chain.market)?.correlationId === correlationId) {
    state.holders.delete(chain.market);
  }
}
