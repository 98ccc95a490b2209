import type { DecisionAction, ExitReason, OrderRole } from '../messages';
import type * as M from '../messages';

/* Unions the payload interfaces spell inline, named so their value lists can be checked. */
type ApprovedRiskLevel = M.RiskApprovedData['riskLevel'];
type DisplayReason = M.OrderDisplayedData['reason'];
type ResumeState = M.ResumeTradingData['state'];
type Liquidity = M.OrderFilledData['liquidity'];
type RunMode = M.RunStartedData['mode'];
type RejectedCommandType = M.CommandRejectedData['commandType'];
type CommandRejectionReason = M.CommandRejectedData['reason'];

/**
 * Value lists for the string unions that messages/*.ts declare only as types. Built from
 * a `Record<Union, true>` so the compiler rejects a list that misses or invents a member:
 * adding a value to a union without updating its schema fails the typecheck.
 */
function membersOf<T extends string>(record: Record<T, true>): readonly T[] {
  return Object.keys(record) as T[];
}

export const DECISION_ACTIONS = membersOf<DecisionAction>({ take: true, skip: true });
export const APPROVED_RISK_LEVELS = membersOf<ApprovedRiskLevel>({ LOW: true, MEDIUM: true, HIGH: true });
export const BLOCKED_RISK_LEVELS = membersOf<'BLOCKED'>({ BLOCKED: true });
export const DISPLAY_REASONS = membersOf<DisplayReason>({ DISPLAY_ONLY: true, TRADING_HALTED: true, REDUCE_ONLY: true });
export const RESUME_STATES = membersOf<ResumeState>({ ACTIVE: true, REDUCING: true });
export const ORDER_ROLES = membersOf<OrderRole>({ entry: true, stop_loss: true, take_profit: true, close: true });
export const LIQUIDITIES = membersOf<Liquidity>({ maker: true, taker: true });
export const EXIT_REASONS = membersOf<ExitReason>({
  stop_loss: true,
  take_profit: true,
  manual: true,
  kill_switch: true,
  end_of_data: true,
  reversal: true,
});
export const RUN_MODES = membersOf<RunMode>({ backtest: true, paper: true, replay: true, live: true });
export const REJECTED_COMMAND_TYPES = membersOf<RejectedCommandType>({
  ApproveOrder: true,
  RejectOrder: true,
  HaltTrading: true,
  ResumeTrading: true,
  SetExecutionMode: true,
});
export const COMMAND_REJECTION_REASONS = membersOf<CommandRejectionReason>({
  NOT_AN_APPROVER: true,
  UNKNOWN_APPROVAL: true,
  APPROVAL_ALREADY_GRANTED: true,
  APPROVAL_ALREADY_REJECTED: true,
  APPROVAL_EXPIRED: true,
  ALREADY_IN_STATE: true,
  INVALID_STATE: true,
  INVALID_MODE: true,
  INVALID_THRESHOLD: true,
});
