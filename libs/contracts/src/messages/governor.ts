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
