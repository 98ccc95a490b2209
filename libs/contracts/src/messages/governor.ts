import type { DecimalString, ExecutionMode, TradingState } from './common';
import type { OrderSpec } from './risk';

/** The one message the executor acts on: an order cleared by risk and the governor. */
export interface OrderApprovedData {
  readonly riskApprovalId: string;
  readonly order: OrderSpec;
  readonly mode: ExecutionMode;
  /** 'auto' or the person who approved. */
  readonly approvedBy: string;
  readonly approvalId?: string;
  /**
   * The price risk sized and checked the order at (RiskApproved.referencePrice). The executor
   * re-checks the order against the market when it places it: an approval granted after the
   * market moved is refused rather than placed with a stale bracket. Absent in logs written
   * before it existed.
   */
  readonly referencePrice?: DecimalString;
}

/** The envelope id is the approval id. */
export interface ApprovalRequestedData {
  readonly riskApprovalId: string;
  readonly order: OrderSpec;
  readonly quality: number;
  readonly threshold: number;
  readonly mode: ExecutionMode;
  readonly expiresAt: number;
  /** The price risk sized and checked the order at, for the person deciding and for the re-check at placement. */
  readonly referencePrice?: DecimalString;
}

export interface ApprovalGrantedData {
  readonly approvalId: string;
  readonly riskApprovalId: string;
  readonly by: string;
}

export interface ApprovalRejectedData {
  readonly approvalId: string;
  readonly riskApprovalId: string;
  readonly by: string;
  readonly reason: string;
}

export interface ApprovalExpiredData {
  readonly approvalId: string;
  readonly riskApprovalId: string;
}

/** display_only: the order was detected and reported but will not be placed. */
export interface OrderDisplayedData {
  readonly riskApprovalId: string;
  readonly order: OrderSpec;
  readonly reason: 'DISPLAY_ONLY' | 'TRADING_HALTED' | 'REDUCE_ONLY';
}

export interface TradingStateChangedData {
  readonly state: TradingState;
  readonly previous: TradingState;
  readonly reason: string;
  readonly by: string;
  /** Kill switch: the executor cancels every working order. */
  readonly cancelWorkingOrders: boolean;
}

export interface ExecutionModeChangedData {
  readonly mode: ExecutionMode;
  readonly previous: ExecutionMode;
  readonly threshold: number;
  readonly by: string;
}

/** The commands a CommandRejected may answer. */
export type RejectedCommandType = 'ApproveOrder' | 'RejectOrder' | 'HaltTrading' | 'ResumeTrading' | 'SetExecutionMode';

/**
 * Why a command was not applied. The ALREADY_/EXPIRED/IN_STATE codes mean the command came too
 * late to matter (ignored: the approval was decided, trading already is in that state); the
 * others that it was not allowed or not valid (refused).
 */
export type CommandRejectionReason =
  | 'NOT_AN_APPROVER'
  | 'UNKNOWN_APPROVAL'
  | 'APPROVAL_ALREADY_GRANTED'
  | 'APPROVAL_ALREADY_REJECTED'
  | 'APPROVAL_EXPIRED'
  | 'ALREADY_IN_STATE'
  | 'INVALID_STATE'
  | 'INVALID_MODE'
  | 'INVALID_THRESHOLD';

/** ignored: it came too late to have an effect; refused: it was not allowed or not valid. */
export type CommandRejectionKind = 'ignored' | 'refused';

export const COMMAND_REJECTION_KINDS: Readonly<Record<CommandRejectionReason, CommandRejectionKind>> = {
  NOT_AN_APPROVER: 'refused',
  UNKNOWN_APPROVAL: 'refused',
  APPROVAL_ALREADY_GRANTED: 'ignored',
  APPROVAL_ALREADY_REJECTED: 'ignored',
  APPROVAL_EXPIRED: 'ignored',
  ALREADY_IN_STATE: 'ignored',
  INVALID_STATE: 'refused',
  INVALID_MODE: 'refused',
  INVALID_THRESHOLD: 'refused',
};

/**
 * A command the governor did not apply, and why: every command gets an answer (the envelope's
 * causationId is the command's id too). Changes no state.
 */
export interface CommandRejectedData {
  /** The command's envelope id (what the gateway answered as commandId). */
  readonly commandId: string;
  readonly commandType: RejectedCommandType;
  /** Who sent it (the command's `by`). */
  readonly by: string;
  readonly reason: CommandRejectionReason;
  /** One sentence for a person: `approval already granted by alice`. */
  readonly detail: string;
  /** The approval an approve or reject named. */
  readonly approvalId?: string;
}
