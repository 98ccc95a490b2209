/**
 * Test support only (not exported from the package): builders for bars and approved orders
 * on a one-minute grid starting at T0.
 */
import { Decider, DeciderHost, Draft, Envelope } from '@tradeloop/kernel';
import { msg } from '@tradeloop/testing';
import type { Message, OrderSpec } from '@tradeloop/contracts';

/** 2024-01-02 10:00 UTC, a Tuesday. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0);
export const MIN = 60_000;

/** Close time (= envelope ts) of bar `i`; an order approved then may fill from bar i + 1. */
export function closeOf(i: number): number {
  return T0 + (i + 1) * MIN;
}

export function tradeBar(i: number, o: number, h: number, l: number, c: number, symbol = 'BTCUSD'): Message<'BarClosed'> {
  return msg(
    'BarClosed',
    { venue: 'TEST', symbol, timeframe: '1m', openTime: T0 + i * MIN, open: o, high: h, low: l, close: c, volume: 1 },
    { id: `bar-${symbol}-${i}`, ts: closeOf(i) },
  );
}

/** A quote bar: bid OHLC and ask OHLC. */
export function quoteBar(
  i: number,
  bid: readonly [number, number, number, number],
  ask: readonly [number, number, number, number],
  symbol = 'EURUSD',
): Message<'BarClosed'> {
  return msg(
    'BarClosed',
    {
      venue: 'TEST',
      symbol,
      timeframe: '1m',
      openTime: T0 + i * MIN,
      open: bid[0],
      high: bid[1],
      low: bid[2],
      close: bid[3],
      volume: 0,
      askOpen: ask[0],
      askHigh: ask[1],
      askLow: ask[2],
      askClose: ask[3],
    },
    { id: `bar-${symbol}-${i}`, ts: closeOf(i) },
  );
}

export type SpecInput = Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'quantity'>;

/** An OrderApproved for `spec` (market GTC BTCUSD by default), approved at `ts`. */
export function approved(spec: SpecInput, id: string, ts: number): Message<'OrderApproved'> {
  const order: OrderSpec = {
    venue: 'TEST',
    symbol: 'BTCUSD',
    type: 'market',
    timeInForce: 'GTC',
    origin: 'strategy',
    strategy: 'structure_break',
    ...spec,
  };
  return msg('OrderApproved', { riskApprovalId: `risk-${id}`, order, mode: 'fully_automated', approvedBy: 'auto' }, { id, ts, correlationId: `sig-${id}` });
}

/**
 * Runs `inputs` live and returns the whole log (each input followed by its outputs): pass it
 * to `given(...)` as the past, which folds it exactly as a restart would.
 */
export function logOf<S, I extends Envelope, O extends Draft>(decider: Decider<S, I, O>, inputs: readonly I[]): Envelope[] {
  const host = new DeciderHost(decider);
  const log: Envelope[] = [];
  for (const i of inputs) {
    log.push(i);
    log.push(...host.handle(i));
  }
  return log;
}
