import type { DecimalString, ExecutionMode, OrderType, Side, TimeInForce } from './common';

/** Manual order (API, Telegram, MCP, CSV replay): enters at risk like every other order. */
export interface SubmitManualOrderData {
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: DecimalString;
  readonly type: OrderType;
  /** Limit price for limit orders, trigger price for stop orders. */
  readonly price?: DecimalString;
  readonly stopLoss?: DecimalString;
  readonly takeProfit?: DecimalString;
  /**
   * GTC when absent (as every manual order was before the field existed, so older logs replay
   * unchanged). Risk refuses IOC and FOK on a stop order (INVALID_ORDER): a stop waits for its
   * trigger, and the paper broker would cancel it on its first bar. README, "Time in force".
   */
  readonly timeInForce?: TimeInForce;
  readonly requestedBy: string;
}

export interface ApproveOrderData {
  readonly approvalId: string;
  readonly by: string;
}

export interface RejectOrderData {
  readonly approvalId: string;
  readonly by: string;
  readonly reason: string;
}

export interface HaltTradingData {
  readonly by: string;
  readonly reason: string;
  /** Kill switch: also cancel every working order. */
  readonly cancelWorkingOrders: boolean;
}

export interface ResumeTradingData {
  readonly by: string;
  readonly reason: string;
  /** ACTIVE, or REDUCING to allow only position-reducing orders. */
  readonly state: 'ACTIVE' | 'REDUCING';
}

export interface SetExecutionModeData {
  readonly mode: ExecutionMode;
  /** Quality threshold 0–100 for quality_based. */
  readonly threshold?: number;
  readonly by: string;
}

export interface CancelOrderData {
  readonly orderId: string;
  readonly by: string;
}
