import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeMarketData, decodeMessage, type FieldError, type Message } from '@tradeloop/contracts';
import { parseUtcTimestamp, readMarketDataFile } from '@tradeloop/market-data';
import type { Envelope } from '@tradeloop/kernel';
import { decodeBatch, DEFAULT_BATCH_BYTES, encodeBatch, encodeBatches } from './batch';

/*
 * Real bars and ticks from the shared data through the hand-written market-data decoder, the
 * class-validator one it copies, and decodeBatch: every one of them is valid, and all three
 * must say so.
 */

const DATA = path.resolve(__dirname, '../../../../shared/data');
const EURUSD_BARS = path.join(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
const BTCUSDT_BARS = path.join(DATA, 'crypto/binance_octobot/BTCUSDT_BINANCE_spot_1m_2018-04-28_2018-04-28.csv');
const EURUSD_QUOTES = path.join(DATA, 'ticks/EURUSD_OANDA_ticks_2014-05-06.csv');
const BTCUSDT_TRADES = path.join(DATA, 'trades/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv');

/** decodeMessage is ~100 µs a message: the ticks go through it in a sample of this many. */
const REFERENCE_SAMPLE = 1_000;

function envelope<T extends 'QuoteTick' | 'TradeTick'>(type: T, id: string, ts: number, data: Message<T>['data']): Message<T> {
  return { id, type, version: 1, ts, correlationId: id, causationId: id, account: 'paper', source: 'market-data', data } as Message<T>;
}

/** Data rows of a CSV with the expected header, split on commas (these files quote nothing). */
function rows(file: string, header: string): string[][] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines[0].trim()).toBe(header);
  return lines.slice(1).map((l) => l.trim().split(','));
}

function quotes(): Message<'QuoteTick'>[] {
  return rows(EURUSD_QUOTES, 'timestamp,bid,ask').map(([time, bid, ask], i) =>
    envelope('QuoteTick', `qt-EURUSD-${i}`, parseUtcTimestamp(time), { venue: 'OANDA', symbol: 'EURUSD', bid: Number(bid), ask: Number(ask) }),
  );
}

function trades(): Message<'TradeTick'>[] {
  return rows(BTCUSDT_TRADES, 'timestamp,price,size,side,trade_id,exchange_time').map(([time, price, size, side, tradeId]) =>
    envelope('TradeTick', `tt-BTCUSDT-${tradeId}`, parseUtcTimestamp(time), {
      venue: 'BINANCE',
      symbol: 'BTCUSDT',
      price: Number(price),
      size: Number(size),
      side: side as 'buy' | 'sell',
      tradeId,
    }),
  );
}

/** The first failure of `decode` over `messages`, or undefined if all pass. */
function firstRefused(messages: readonly unknown[], decode: (m: unknown) => { ok: boolean; error?: FieldError[] }): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const r = decode(messages[i]);
    if (!r.ok) return `message ${i}: ${JSON.stringify(r.error)}`;
  }
  return undefined;
}

/**
 * Round-trips `messages` through encodeBatch/decodeBatch in batches of `size`; the decoded
 * elements as JSON (comparing tens of thousands of objects with toEqual takes seconds).
 */
function throughBatches(messages: readonly Envelope[], size: number): string {
  const out: unknown[] = [];
  for (let i = 0; i < messages.length; i += size) {
    const r = decodeBatch(encodeBatch(messages.slice(i, i + size)));
    if (!r.ok) throw new Error(`batch at ${i}: ${JSON.stringify(r.error.slice(0, 5))}`);
    out.push(...r.value.messages);
  }
  return JSON.stringify(out);
}

describe('real market data through decodeMarketData, decodeMessage and decodeBatch', () => {
  it('eurusd_oanda_1m_quote_bars_when_decoded_then_every_bar_accepted_by_both_decoders_and_batches', () => {
    const { bars, rejected } = readMarketDataFile(EURUSD_BARS);
    expect(rejected).toEqual([]);
    expect(bars.length).toBeGreaterThan(10_000);
    expect(bars.every((b) => b.data.askClose !== undefined)).toBe(true);
    expect(firstRefused(bars, decodeMarketData)).toBeUndefined();
    expect(firstRefused(bars, decodeMessage)).toBeUndefined();
    expect(throughBatches(bars, 500)).toBe(JSON.stringify(bars));
  });

  it('btcusdt_binance_1m_trade_bars_when_decoded_then_every_bar_accepted_by_both_decoders', () => {
    const { bars } = readMarketDataFile(BTCUSDT_BARS);
    expect(bars.length).toBeGreaterThan(400);
    expect(bars.every((b) => b.data.askClose === undefined)).toBe(true);
    expect(firstRefused(bars, decodeMarketData)).toBeUndefined();
    expect(firstRefused(bars, decodeMessage)).toBeUndefined();
  });

  it('eurusd_oanda_quotes_and_btcusdt_binance_trades_when_decoded_then_all_accepted', () => {
    const q = quotes();
    const t = trades();
    expect(q.length).toBeGreaterThan(40_000);
    expect(t.length).toBeGreaterThan(19_000);
    expect(firstRefused(q, decodeMarketData)).toBeUndefined();
    expect(firstRefused(t, decodeMarketData)).toBeUndefined();
    expect(firstRefused(q.slice(0, REFERENCE_SAMPLE), decodeMessage)).toBeUndefined();
    expect(firstRefused(t.slice(0, REFERENCE_SAMPLE), decodeMessage)).toBeUndefined();
    expect(throughBatches(q, 2_000)).toBe(JSON.stringify(q));
    expect(throughBatches(t, 2_000)).toBe(JSON.stringify(t));
  });

  it('eurusd_oanda_quotes_in_runs_of_500_when_encoded_within_the_default_budget_then_each_fits_and_all_round_trip', () => {
    const q = quotes().slice(0, 20_000);
    const out: unknown[] = [];
    let batches = 0;
    for (let i = 0; i < q.length; i += 500) {
      const run = q.slice(i, i + 500);
      for (const b of encodeBatches(run)) {
        expect(b.bytes.length).toBeLessThanOrEqual(DEFAULT_BATCH_BYTES);
        const r = decodeBatch(b.bytes);
        if (!r.ok) throw new Error(JSON.stringify(r.error.slice(0, 5)));
        out.push(...r.value.messages);
        batches++;
      }
    }
    expect(JSON.stringify(out)).toBe(JSON.stringify(q));
    expect(batches).toBeGreaterThanOrEqual(q.length / 500);
  });

  it('real_bar_with_a_damaged_element_when_batch_decoded_then_error_names_the_element_and_field', () => {
    const bars = readMarketDataFile(BTCUSDT_BARS).bars.slice(0, 3);
    const raw = JSON.parse(new TextDecoder().decode(encodeBatch(bars))) as { messages: { data: Record<string, unknown> }[] };
    raw.messages[2].data['low'] = 'NaN';
    expect(decodeBatch(raw)).toEqual({ ok: false, error: [{ path: 'messages.2.data.low', message: 'must be a positive number' }] });
  });
});
