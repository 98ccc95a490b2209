import { type Decider, type Envelope, MS_PER_DAY, NO_OUTPUTS, utcDayStart } from '@tradeloop/kernel';
import {
  draft,
  type DraftOf,
  EXECUTION_MODES,
  type ExecutionModeChangedData,
  type Message,
  type OrderApprovedData,
  type OrderDisplayedData,
  type TradingStateChangedData,
  type ApprovalRequestedData,
  type CommandRejectedData,
  type OrderSpec,
} from '@tradeloop/contracts';
import { type GovernorConfig, isThreshold, resolveGovernorConfig } from './governor.config';
import { dueApprovals, earliestExpiry, type GovernorState, initialGovernorState } from './governor.state';

export const GOVERNOR_CONSUMES = [
  'RiskApproved',
  'ApproveOrder',
  'RejectOrder',
  'HaltTrading',
  'ResumeTrading',
  'SetExecutionMode',
  'TimerFired',
] as const;

export type GovernorInput = Message<(typeof GOVERNOR_CONSUMES)[number]>;
export type GovernorOutput = DraftOf<
  | 'OrderApproved'
  | 'ApprovalRequested'
  | 'ApprovalGranted'
  | 'ApprovalRejected'
  | 'ApprovalExpired'
  | 'OrderDisplayed'
  | 'TradingStateChanged'
  | 'ExecutionModeChanged'
  | 'CommandRejected'
>;

/**
 * When a person's answer comes too late. A DAY order is good for the UTC day it was asked for
 * on: granted after midnight it would be placed, and live, for the next day (the paper broker's
 * DAY runs to the end of the day it places the order on). So its request expires at the end of
 * its day, or earlier by the TTL.
 */
function approvalDeadline(order: OrderSpec, requestedAt: number, ttlMs: number): number {
  const byTtl = requestedAt + ttlMs;
  return order.timeInForce === 'DAY' ? Math.min(byTtl, utcDayStart(requestedAt) + MS_PER_DAY) : byTtl;
}

// Read once: a property read through the package's re-export getter on every message showed in profiles.
const NONE: readonly never[] = NO_OUTPUTS;

/** `by` on approvals the governor itself refuses (halted, display-only, reduce-only). */
export const GOVERNOR_ACTOR = 'governor';

/**
 * Governor: the execution mode and the kill switch between risk and the executor. It owns
 * ACTIVE / REDUCING / HALTED, and its OrderApproved is the only message the executor acts on.
 *
 * State changes only through the governor's own outputs, so folding its log rebuilds it.
 * Every command is answered: one it does not apply (an approver not on the allow-list, an
 * unknown, already decided or expired approval, a resume to the state in force, an invalid
 * mode or threshold) gets a CommandRejected with a reason code and a sentence, and changes
 * nothing. The gateway validates what it can before sending, but only the governor knows what
 * it did with a command that raced another.
 */
export function createGovernor(config: Partial<GovernorConfig> = {}): Decider<GovernorState, GovernorInput, GovernorOutput> {
  const cfg = resolveGovernorConfig(config);
  const allowed = (by: string) => cfg.approvers.length === 0 || cfg.approvers.includes(by);

  function decide(input: GovernorInput, state: GovernorState): readonly GovernorOutput[] {
    const out: GovernorOutput[] = [];
    // Expiry first, on any input at or past the deadline: a late timer must not let an
    // approval slip through after its time.
    // Nothing pending (every automated mode): nothing can expire, and nothing to collect and sort.
    if (state.pending.size !== 0) {
      for (const p of dueApprovals(state, input.ts)) {
        out.push(draft('ApprovalExpired', { approvalId: p.approvalId, riskApprovalId: p.riskApprovalId }, { correlationId: p.correlationId }));
      }
    }
    const live = (id: string) => {
      const p = state.pending.get(id);
      return p !== undefined && p.expiresAt > input.ts ? p : undefined;
    };
    const rejectCommand = (
      commandType: CommandRejectedData['commandType'],
      by: string,
      reason: CommandRejectedData['reason'],
      detail: string,
      approvalId?: string,
    ) => {
      const data: CommandRejectedData = { commandId: input.id, commandType, by, reason, detail };
      out.push(draft('CommandRejected', approvalId === undefined ? data : { ...data, approvalId }));
    };
    /** An approve or reject of an approval that is not live: why it has no effect. */
    const notLive = (commandType: 'ApproveOrder' | 'RejectOrder', approvalId: string, by: string) => {
      if (!allowed(by)) return rejectCommand(commandType, by, 'NOT_AN_APPROVER', `${by} is not an approver`, approvalId);
      // Expired by this very input (the expiry above), or earlier.
      if (state.pending.has(approvalId)) return rejectCommand(commandType, by, 'APPROVAL_EXPIRED', 'approval already expired', approvalId);
      const d = state.decided.get(approvalId);
      if (d === undefined) return rejectCommand(commandType, by, 'UNKNOWN_APPROVAL', `no approval ${approvalId} is known`, approvalId);
      if (d.status === 'expired') return rejectCommand(commandType, by, 'APPROVAL_EXPIRED', 'approval already expired', approvalId);
      const code = d.status === 'granted' ? 'APPROVAL_ALREADY_GRANTED' : 'APPROVAL_ALREADY_REJECTED';
      return rejectCommand(commandType, by, code, `approval already ${d.status}${d.by === undefined ? '' : ` by ${d.by}`}`, approvalId);
    };

    switch (input.type) {
      case 'TimerFired':
        break;

      case 'RiskApproved': {
        const d = input.data;
        const display = (reason: OrderDisplayedData['reason']) =>
          out.push(draft('OrderDisplayed', { riskApprovalId: input.id, order: d.order, reason }));
        if (state.tradingState === 'HALTED') display('TRADING_HALTED');
        // Risk approved it under another state (it was in flight when REDUCING began), so
        // nobody checked that it only reduces.
        else if (state.tradingState === 'REDUCING' && d.tradingState !== 'REDUCING') display('REDUCE_ONLY');
        else if (state.mode === 'display_only') display('DISPLAY_ONLY');
        else if (state.mode === 'fully_automated' || (state.mode === 'quality_based' && d.quality >= state.threshold)) {
          out.push(draft('OrderApproved', { riskApprovalId: input.id, order: d.order, mode: state.mode, approvedBy: 'auto', referencePrice: d.referencePrice }));
        } else {
          const request: ApprovalRequestedData = {
            riskApprovalId: input.id,
            order: d.order,
            quality: d.quality,
            threshold: state.threshold,
            mode: state.mode,
            expiresAt: approvalDeadline(d.order, input.ts, cfg.approvalTtlMs),
            referencePrice: d.referencePrice,
          };
          out.push(draft('ApprovalRequested', request));
        }
        break;
      }

      case 'ApproveOrder': {
        const { approvalId, by } = input.data;
        const p = allowed(by) ? live(approvalId) : undefined;
        if (p === undefined) {
          notLive('ApproveOrder', approvalId, by);
          break;
        }
        const chain = { correlationId: p.correlationId };
        const refuse = (reason: string) =>
          out.push(draft('ApprovalRejected', { approvalId, riskApprovalId: p.riskApprovalId, by: GOVERNOR_ACTOR, reason }, chain));
        // Refusing (rather than ignoring) closes the approval: the person hears why, risk
        // releases the reserved exposure, and no stale approval can be granted after a resume.
        if (state.tradingState === 'HALTED') refuse(`TRADING_HALTED: approval by ${by} refused while trading is halted`);
        else if (state.mode === 'display_only') refuse(`DISPLAY_ONLY: approval by ${by} refused, the governor only displays orders`);
        else if (state.tradingState === 'REDUCING' && p.requestedUnder !== 'REDUCING') {
          refuse(`REDUCE_ONLY: approval by ${by} refused, trading is REDUCING and this order was not checked as reduce-only`);
        } else {
          out.push(draft('ApprovalGranted', { approvalId, riskApprovalId: p.riskApprovalId, by }, chain));
          // The executor re-checks it against the market when it places it (a grant can come
          // long after risk priced the order): p.referencePrice is what risk priced it at.
          const approved: OrderApprovedData = { riskApprovalId: p.riskApprovalId, order: p.order, mode: p.mode, approvedBy: by, approvalId };
          out.push(draft('OrderApproved', p.referencePrice === undefined ? approved : { ...approved, referencePrice: p.referencePrice }, chain));
        }
        break;
      }

      case 'RejectOrder': {
        const { approvalId, by, reason } = input.data;
        const p = allowed(by) ? live(approvalId) : undefined;
        if (p !== undefined) {
          out.push(draft('ApprovalRejected', { approvalId, riskApprovalId: p.riskApprovalId, by, reason }, { correlationId: p.correlationId }));
        } else notLive('RejectOrder', approvalId, by);
        break;
      }

      case 'HaltTrading': {
        // Always answered, even when already halted: pressing the kill switch again must
        // cancel whatever is still working.
        const d = input.data;
        const changed: TradingStateChangedData = {
          state: 'HALTED',
          previous: state.tradingState,
          reason: d.reason,
          by: d.by,
          cancelWorkingOrders: d.cancelWorkingOrders === true,
        };
        out.push(draft('TradingStateChanged', changed));
        break;
      }

      case 'ResumeTrading': {
        const d = input.data;
        if (d.state !== 'ACTIVE' && d.state !== 'REDUCING') {
          rejectCommand('ResumeTrading', d.by, 'INVALID_STATE', `cannot resume to ${String(d.state)}: only ACTIVE or REDUCING`);
        } else if (d.state === state.tradingState) {
          const why = state.tradingState === 'ACTIVE' ? 'not halted: trading is already ACTIVE' : 'trading is already REDUCING';
          rejectCommand('ResumeTrading', d.by, 'ALREADY_IN_STATE', why);
        } else {
          out.push(
            draft('TradingStateChanged', { state: d.state, previous: state.tradingState, reason: d.reason, by: d.by, cancelWorkingOrders: false }),
          );
        }
        break;
      }

      case 'SetExecutionMode': {
        const d = input.data;
        if (!EXECUTION_MODES.includes(d.mode)) {
          rejectCommand('SetExecutionMode', d.by, 'INVALID_MODE', `unknown execution mode ${JSON.stringify(d.mode)}: one of ${EXECUTION_MODES.join(', ')}`);
          break;
        }
        if (d.threshold !== undefined && !isThreshold(d.threshold)) {
          rejectCommand('SetExecutionMode', d.by, 'INVALID_THRESHOLD', `threshold ${String(d.threshold)} is not a number in [0, 100]`);
          break;
        }
        const changed: ExecutionModeChangedData = {
          mode: d.mode,
          previous: state.mode,
          threshold: d.threshold ?? state.threshold,
          by: d.by,
        };
        out.push(draft('ExecutionModeChanged', changed));
        break;
      }

      default: {
        const _exhaustive: never = input;
        break;
      }
    }
    return out.length === 0 ? NONE : out;
  }

  return {
    name: 'governor',
    consumes: GOVERNOR_CONSUMES,
    initialState: () => initialGovernorState(cfg),
    evolve: evolveGovernor,
    decide,
    wakeAt: earliestExpiry,
  };
}

/** Only the governor's own outputs change its state; inputs are folded as no-ops. */
export function evolveGovernor(state: GovernorState, m: Envelope): GovernorState {
  switch (m.type) {
    case 'ApprovalRequested': {
      const d = m.data as ApprovalRequestedData;
      state.pending.set(m.id, {
        approvalId: m.id,
        riskApprovalId: d.riskApprovalId,
        order: d.order,
        mode: d.mode,
        expiresAt: d.expiresAt,
        ...(d.referencePrice === undefined ? {} : { referencePrice: d.referencePrice }),
        requestedUnder: state.tradingState,
        correlationId: m.correlationId,
      });
      return state;
    }
    case 'ApprovalGranted':
    case 'ApprovalRejected': {
      const d = m.data as { approvalId: string; by: string };
      state.pending.delete(d.approvalId);
      state.decided.set(d.approvalId, { status: m.type === 'ApprovalGranted' ? 'granted' : 'rejected', by: d.by });
      return state;
    }
    case 'ApprovalExpired': {
      const id = (m.data as { approvalId: string }).approvalId;
      state.pending.delete(id);
      state.decided.set(id, { status: 'expired' });
      return state;
    }
    case 'TradingStateChanged':
      state.tradingState = (m.data as TradingStateChangedData).state;
      return state;
    case 'ExecutionModeChanged': {
      const d = m.data as ExecutionModeChangedData;
      state.mode = d.mode;
      state.threshold = d.threshold;
      return state;
    }
    default:
      return state;
  }
}
