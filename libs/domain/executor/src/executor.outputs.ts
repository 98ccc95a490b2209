import { CATALOG, DraftOf, Message, MessageDataMap } from '@tradeloop/contracts';
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

/**
 * A payload under construction, filled in wire order by branches: object literals with
 * conditional spreads in the middle are several times slower on V8.
 */
export type Building<T> = { -readonly [K in keyof T]?: T[K] };

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

/**
 * A draft about order `o`. Outputs about an order travel in that order's chain and account,
 * whatever input caused them. The same draft as `draft(type, data, { correlationId, account })`,
 * built in one literal (drafts are made for every output on the fill path).
 */
export function draftFor<T extends ExecutorOutputType>(
  type: T,
  data: MessageDataMap[T],
  o: { readonly correlationId: string; readonly account: string },
): DraftOf<T> {
  return { type, version: CATALOG[type].version, data, correlationId: o.correlationId, account: o.account } as unknown as DraftOf<T>;
}

export function cancelDraft(o: OrderRecord, reason: string): ExecutorOutput {
  return draftFor('OrderCancelled', { orderId: o.orderId, clientOrderId: o.clientOrderId, symbol: o.symbol, reason }, o);
}
