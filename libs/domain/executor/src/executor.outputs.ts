import { draft, DraftOf, Message } from '@tradeloop/contracts';
import type { OrderRecord } from './executor.state';

export const EXECUTOR_NAME = 'executor';

export type ExecutorInput = Message<'OrderApproved' | 'BarClosed' | 'TradingStateChanged' | 'CancelOrder'>;
export type ExecutorOutputType =
  | 'OrderSubmitted'
  | 'OrderAccepted'
  | 'OrderRejected'
  | 'OrderFilled'
  | 'OrderCancelled'
  | 'OrderExpired'
  | 'PositionOpened'
  | 'PositionChanged'
  | 'PositionClosed'
  | 'AccountUpdated';
export type ExecutorOutput = DraftOf<ExecutorOutputType>;

/** Reasons on OrderCancelled. */
export const CANCEL_REASONS = {
  oco: 'oco',
  killSwitch: 'kill_switch',
  manual: 'manual',
  positionClosed: 'position_closed',
  reduceOnly: 'reduce_only',
  iocUnfilled: 'ioc_unfilled',
  fokUnfilled: 'fok_unfilled',
} as const;

/** The paper broker's order id for a client order id: deterministic, so a replay reproduces it. */
export function brokerOrderIdFor(clientOrderId: string): string {
  return `PB-${clientOrderId}`;
}

/** Outputs about an order travel in that order's chain and account, whatever input caused them. */
export function meta(o: OrderRecord): { correlationId: string; account: string } {
  return { correlationId: o.correlationId, account: o.account };
}

export function cancelDraft(o: OrderRecord, reason: string): ExecutorOutput {
  return draft('OrderCancelled', { orderId: o.orderId, clientOrderId: o.clientOrderId, symbol: o.symbol, reason }, meta(o));
}
