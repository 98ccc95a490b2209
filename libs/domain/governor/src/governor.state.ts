import type { ExecutionMode, OrderSpec, TradingState } from '@tradeloop/contracts';
import { type GovernorConfig, startingMode } from './governor.config';

/** An ApprovalRequested still waiting for a person. */
export interface PendingApproval {
  readonly approvalId: string;
  readonly riskApprovalId: string;
  readonly order: OrderSpec;
  /** The mode that routed it to a person; carried onto the OrderApproved. */
  readonly mode: ExecutionMode;
  readonly expiresAt: number;
  /** The price risk priced the order at (absent in logs written before ApprovalRequested carried it). */
  readonly referencePrice?: string;
  /**
   * The trading state when it was requested. In REDUCING only approvals requested under
   * REDUCING were reduce-checked by risk, so only those may be granted then.
   */
  readonly requestedUnder: TradingState;
  /**
   * The chain the approval serves (the signal, or the manual command). Everything that
   * settles it — granted, rejected, expired, and the OrderApproved — stays on that chain, so
   * learning can join a person-approved trade to its signal rather than to the click.
   */
  readonly correlationId: string;
}

/** How an approval left `pending`: what an approve or reject arriving later is told. */
export interface DecidedApproval {
  readonly status: 'granted' | 'rejected' | 'expired';
  /** Who granted or rejected it (the governor when it refused it); absent when it expired. */
  readonly by?: string;
}

export interface GovernorState {
  mode: ExecutionMode;
  threshold: number;
  tradingState: TradingState;
  /** By approval id (the ApprovalRequested envelope id). Decided or expired approvals leave. */
  readonly pending: Map<string, PendingApproval>;
  /**
   * Approvals no longer pending, by approval id, so a late approve or reject is answered
   * "already granted by alice" rather than dropped. One small entry per approval ever requested.
   */
  readonly decided: Map<string, DecidedApproval>;
}

export function initialGovernorState(cfg: GovernorConfig): GovernorState {
  return { mode: startingMode(cfg), threshold: cfg.threshold, tradingState: 'ACTIVE', pending: new Map(), decided: new Map() };
}

/** Pending approvals due at `ts`, earliest expiry first, then by id (a stable replay order). */
export function dueApprovals(state: GovernorState, ts: number): PendingApproval[] {
  const due: PendingApproval[] = [];
  for (const p of state.pending.values()) if (p.expiresAt <= ts) due.push(p);
  return due.sort((a, b) => a.expiresAt - b.expiresAt || (a.approvalId < b.approvalId ? -1 : a.approvalId > b.approvalId ? 1 : 0));
}

export function earliestExpiry(state: GovernorState): number | undefined {
  let earliest: number | undefined;
  for (const p of state.pending.values()) if (earliest === undefined || p.expiresAt < earliest) earliest = p.expiresAt;
  return earliest;
}
