/**
 * Test and benchmark support only (not exported from the package): a small loader for the
 * shared CSV bar files and a builder for hand-made bar sequences. Reads files, so it must
 * never be imported by the decider.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { Timeframe } from '@tradeloop/kernel';
import type { BarClosedData, Message } from '@tradeloop/contracts';

export const SHARED_DATA = path.resolve(__dirname, '../../../../../shared/data');

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `2014-05-01T00:01:00Z` (optionally with fractional seconds) → epoch ms, without Date. */
export function parseIsoUtc(s: string): number {
  const y = +s.slice(0, 4);
  const mo = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  const h = +s.slice(11, 13);
  const mi = +s.slice(14, 16);
  const sec = parseFloat(s.slice(17).replace('Z', ''));
  const ms = daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000;
  if (!Number.isFinite(ms)) throw new RangeError(`bad timestamp "${s}"`);
  return Math.round(ms);
}

export interface LoadOptions {
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly barMs: number;
  /** Whether the file's timestamp marks the bar's open (Lean) or its close (nautilus). */
  readonly stamp: 'open' | 'close';
  readonly idPrefix?: string;
}

/** Loads a trade- or quote-bar CSV as BarClosed envelopes (ts = close time). */
export function loadBars(file: string, o: LoadOptions): Message<'BarClosed'>[] {
  const text = readFileSync(path.isAbsolute(file) ? file : path.join(SHARED_DATA, file), 'utf8');
  const lines = text.split('\n');
  const out: Message<'BarClosed'>[] = [];
  const prefix = o.idPrefix ?? `${o.venue}-${o.symbol}-${o.timeframe}`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const p = line.split(',');
    const t = parseIsoUtc(p[0]);
    const openTime = o.stamp === 'open' ? t : t - o.barMs;
    const data: BarClosedData = {
      venue: o.venue,
      symbol: o.symbol,
      timeframe: o.timeframe,
      openTime,
      open: +p[1],
      high: +p[2],
      low: +p[3],
      close: +p[4],
      volume: +p[5],
      ...(p.length >= 10 ? { askOpen: +p[6], askHigh: +p[7], askLow: +p[8], askClose: +p[9] } : {}),
    };
    out.push(barEnvelope(`${prefix}-${i}`, openTime + o.barMs, data));
  }
  return out;
}

export function barEnvelope(id: string, ts: number, data: BarClosedData): Message<'BarClosed'> {
  return { id, type: 'BarClosed', version: 1, ts, correlationId: id, causationId: id, account: 'paper', source: 'market-data', data };
}

export const EURUSD_OANDA_1M = 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv';
export const BTC_PERP_FTX_1M = 'crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv';

export function loadEurusdOanda1m(): Message<'BarClosed'>[] {
  return loadBars(EURUSD_OANDA_1M, { venue: 'oanda', symbol: 'EURUSD', timeframe: '1m', barMs: 60_000, stamp: 'open' });
}

export function loadBtcPerpFtx1m(): Message<'BarClosed'>[] {
  return loadBars(BTC_PERP_FTX_1M, { venue: 'ftx', symbol: 'BTC-PERP', timeframe: '1m', barMs: 60_000, stamp: 'close' });
}

/** One hand-made bar: [open, high, low, close]. */
export type Ohlc = readonly [number, number, number, number];

/**
 * Builds consecutive 1m bars for hand-made scenarios, starting at `startTs` (bar open).
 * Ids are `<prefix>-<n>` so a test can rebuild the identical sequence.
 */
export class BarScript {
  private readonly bars: Message<'BarClosed'>[] = [];
  private last = NaN;

  constructor(
    private readonly startTs: number,
    private readonly symbol = 'EURUSD',
    private readonly venue = 'oanda',
    private readonly timeframe: Timeframe = '1m',
    private readonly prefix = 'bar',
  ) {}

  get lastClose(): number {
    return this.last;
  }

  get length(): number {
    return this.bars.length;
  }

  /** The envelope a bar with these prices would get next (not appended). */
  peek([open, high, low, close]: Ohlc): Message<'BarClosed'> {
    const n = this.bars.length;
    const openTime = this.startTs + n * 60_000;
    return barEnvelope(`${this.prefix}-${n}`, openTime + 60_000, {
      venue: this.venue,
      symbol: this.symbol,
      timeframe: this.timeframe,
      openTime,
      open,
      high,
      low,
      close,
      volume: 0,
    });
  }

  ohlc(bar: Ohlc): this {
    this.bars.push(this.peek(bar));
    this.last = bar[3];
    return this;
  }

  /** Rounds to the 5-decimal price grid so hand-made prices stay exact-looking (no 1.2950000000000008). */
  static px(x: number): number {
    return Math.round(x * 1e5) / 1e5;
  }

  /** Bars moving from the last close by each step, with `wick` above and below the body. */
  steps(steps: readonly number[], wick: number): this {
    for (const st of steps) {
      const open = this.last;
      const close = BarScript.px(open + st);
      this.ohlc([open, BarScript.px(Math.max(open, close) + wick), BarScript.px(Math.min(open, close) - wick), close]);
    }
    return this;
  }

  start(price: number): this {
    this.last = price;
    return this;
  }

  /** `times` repetitions of the step pattern. */
  repeat(pattern: readonly number[], times: number, wick: number): this {
    for (let t = 0; t < times; t++) this.steps(pattern, wick);
    return this;
  }

  /** Next bar: opens at the last close. */
  next(high: number, low: number, close: number): Message<'BarClosed'> {
    return this.peek([this.last, BarScript.px(high), BarScript.px(low), BarScript.px(close)]);
  }

  /** Next bar as offsets from the last close: high, low and close, each in `unit`s. */
  nextBy(high: number, low: number, close: number, unit: number): Message<'BarClosed'> {
    const o = this.last;
    return this.next(o + high * unit, o + low * unit, o + close * unit);
  }

  all(): Message<'BarClosed'>[] {
    return this.bars.slice();
  }
}
