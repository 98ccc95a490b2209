import type { DecimalString, Direction, OrderOrigin, OrderType, Side, TimeInForce } from './common';
import type { StrategyId } from './scanner';

export type OrderRole = 'entry' | 'stop_loss' | 'take_profit' | 'close';
export type OrderStatus =
  | 'submitted'
  | 'accepted'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired';
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'rejected', 'expired'];
export type ExitReason = 'stop_loss' | 'take_profit' | 'manual' | 'kill_switch' | 'end_of_data' | 'reversal';

/** The envelope id is the order id. */
export interface OrderSubmittedData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly approvedOrderId: string;
  readonly riskApprovalId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: DecimalString;
  readonly limitPrice?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly timeInForce: TimeInForce;
  readonly role: OrderRole;
  readonly parentOrderId?: string;
  /** Orders in one OCO group cancel each other when one fills. */
  readonly ocoGroup?: string;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
}

export interface OrderAcceptedData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly brokerOrderId: string;
}

export interface OrderRejectedData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly reason: string;
}

export interface OrderCancelledData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly reason: string;
}

export interface OrderExpiredData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
}

export interface OrderFilledData {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly fillId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  /** Price the fill was measured against (bar open, limit, stop), for slippage analysis. */
  readonly referencePrice: DecimalString;
  /** Signed slippage in quote currency per unit (positive = worse for us). */
  readonly slippage: DecimalString;
  /** Ask minus bid at the fill, when known; negative when the quotes were crossed (ask < bid). */
  readonly spread?: DecimalString;
  readonly cumulativeQuantity: DecimalString;
  readonly leavesQuantity: DecimalString;
  readonly role: OrderRole;
  /**
   * The open time (epoch ms) of the bar whose prices the fill was matched on; the fill's event
   * time is that bar's close. A position's holding time runs from the open of its entry fill's
   * bar (PositionClosed.holdingMs). Absent on fills that name no bar (logs written before it).
   */
  readonly barOpenTime?: number;
  /**
   * Only on a fill whose fee currency (the instrument's quote currency) is not the account's
   * money (e.g. USDJPY in a USD account): what it did to the account. The account currency;
   * the rate used (account-currency units per unit of the fee currency, 10 significant digits:
   * from the fill price when the instrument itself links the two, else the last price of a
   * linking pair); this fill's realised P&L before fees and its fee, each converted at that
   * rate and rounded to the account currency's minor unit.
   */
  readonly accountCurrency?: string;
  readonly conversionRate?: DecimalString;
  readonly accountRealizedPnl?: DecimalString;
  readonly accountFee?: DecimalString;
}

export interface PositionOpenedData {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly quantity: DecimalString;
  readonly averagePrice: DecimalString;
  readonly openedAt: number;
  readonly entryOrderId: string;
  /**
   * The money of the position's prices and P&L: the instrument's quote currency (as
   * PositionClosed's `currency`). Absent in logs written before it was recorded.
   */
  readonly currency?: string;
}

export interface PositionChangedData {
  readonly positionId: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly quantity: DecimalString;
  readonly averagePrice: DecimalString;
  readonly realizedPnl: DecimalString;
}

export interface PositionClosedData {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  /** Largest absolute quantity held. */
  readonly quantity: DecimalString;
  readonly entryPrice: DecimalString;
  readonly exitPrice: DecimalString;
  /** Net of fees. */
  readonly realizedPnl: DecimalString;
  readonly grossPnl: DecimalString;
  readonly fees: DecimalString;
  readonly currency: string;
  /** Event times of the opening and the closing fill: the closes of their bars. */
  readonly openedAt: number;
  readonly closedAt: number;
  /**
   * How long the position was exposed: from the open of the bar its opening fill was matched
   * on (OrderFilled.barOpenTime; the fill's time when it names no bar) to closedAt. A position
   * opened and stopped out on one bar held that bar, not 0.
   */
  readonly holdingMs: number;
  readonly exitReason: ExitReason;
  /** Worst and best excursion against/for the position, in price units (≥ 0). */
  readonly maxAdverseExcursion: number;
  readonly maxFavorableExcursion: number;
  readonly entryOrderId: string;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
}

/**
 * Account balance after every fill (margin-style accounting: opening a position moves no
 * cash). realizedPnl and fees are cumulative; start + realizedPnl − fees = cash, exactly.
 */
export interface AccountUpdatedData {
  readonly currency: string;
  readonly cash: DecimalString;
  readonly realizedPnl: DecimalString;
  readonly fees: DecimalString;
  /**
   * The account's update count: 1 after its first fill, one more with every fill. Snapshots
   * are ordered by it, not by event time: with several markets in flight the executor handles
   * one market's batch before another's earlier bars, so a later snapshot can carry an earlier
   * time. Absent in logs written before it existed.
   */
  readonly sequence?: number;
}
