import type { DecimalString, OrderOrigin, OrderType, RiskLevel, Side, TimeInForce, TradingState } from './common';
import type { StrategyId } from './scanner';

export const DENIAL_REASONS = [
  'TRADING_HALTED',
  'REDUCE_ONLY',
  'DAILY_TRADE_LIMIT',
  'DAILY_LOSS_LIMIT',
  'LOSS_STREAK',
  'COOLDOWN',
  'MAX_ORDER_VALUE',
  'MAX_ORDER_QUANTITY',
  'MAX_POSITION',
  'EXPOSURE_LIMIT',
  'POSITION_ALREADY_OPEN',
  'STALE_PRICE',
  'NO_MARKET_PRICE',
  'PRICE_COLLAR',
  'INVALID_STOP',
  'QUANTITY_BELOW_MINIMUM',
  'INSUFFICIENT_CASH',
  'MESSAGE_RATE',
  'UNKNOWN_INSTRUMENT',
  /**
   * Malformed request: bad number, quantity off the lot grid, price missing or off the tick grid,
   * a time in force the order type cannot take (IOC or FOK on a stop).
   */
  'INVALID_ORDER',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/** The order as risk sized it; copied forward by the governor and placed by the executor. */
export interface OrderSpec {
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: DecimalString;
  /** For limit orders. */
  readonly limitPrice?: DecimalString;
  /** For stop orders (trigger price). */
  readonly stopPrice?: DecimalString;
  readonly timeInForce: TimeInForce;
  /** Protective bracket, attached as OCO children once the entry fills. */
  readonly stopLoss?: DecimalString;
  readonly takeProfit?: DecimalString;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
}

export interface RiskApprovedData {
  /** The DecisionMade or SubmitManualOrder id this approval answers. */
  readonly requestId: string;
  readonly order: OrderSpec;
  readonly riskLevel: Exclude<RiskLevel, 'BLOCKED'>;
  /** Money at risk if the stop is hit (quote currency). */
  readonly riskAmount: DecimalString;
  /** Quantity × reference price × contract size (quote currency). */
  readonly notional: DecimalString;
  /** Reference price used for sizing and collars. */
  readonly referencePrice: DecimalString;
  /** Signal quality 0–100 (100 for manual orders), used by the governor's threshold. */
  readonly quality: number;
  /**
   * The trading state risk checked the order under. The governor passes an approval in
   * REDUCING only if risk already saw REDUCING (and so applied its reduce-only check): an
   * approval issued under ACTIVE that was in flight when the state changed is not placed.
   */
  readonly tradingState?: TradingState;
}

export interface OrderDeniedData {
  readonly requestId: string;
  readonly symbol: string;
  readonly reason: DenialReason;
  readonly detail: string;
  readonly riskLevel: 'BLOCKED';
  readonly origin: OrderOrigin;
}
