import { decodeMessage, formatFieldErrors, type Message } from '@tradeloop/contracts';
import { instrumentFor, stepDecimals } from '@tradeloop/kernel';
import { formatUtc } from './fields';
import { parseMarketData, syntheticFeed, type SyntheticFeedOptions } from './index';

const MINUTE = 60_000;
const START = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const SYMBOLS = ['XAUUSD', 'EURUSD', 'BTCUSD', 'USDJPY'];

function barsOf(o: Partial<SyntheticFeedOptions<'bar'>> = {}): Message<'BarClosed'>[] {
  return [...syntheticFeed({ symbols: SYMBOLS, venue: 'SIM', start: START, intervalMs: MINUTE, seed: 42, count: 20_000, ...o, kind: 'bar' })];
}

function quotesOf(o: Partial<SyntheticFeedOptions<'quote'>> = {}): Message<'QuoteTick'>[] {
  return [...syntheticFeed({ symbols: SYMBOLS, venue: 'SIM', start: START, intervalMs: 250, seed: 42, count: 20_000, ...o, kind: 'quote' })];
}

const decimalsOf = (x: number): number => {
  const s = String(x);
  const dot = s.indexOf('.');
  return s.includes('e') ? Infinity : dot < 0 ? 0 : s.length - dot - 1;
};

describe('syntheticFeed determinism', () => {
  test('same_options_and_seed_then_identical_messages_ids_included', () => {
    // Compared as JSON: the bytes that go on the wire, and far quicker than a deep equal of 20k objects.
    const bars = JSON.stringify(barsOf());
    expect(JSON.stringify(barsOf())).toBe(bars);
    expect(JSON.stringify(quotesOf())).toBe(JSON.stringify(quotesOf()));
    expect(bars.length).toBeGreaterThan(20_000 * 200);
  });

  test('another_seed_then_other_prices_and_other_ids', () => {
    for (const [a, b] of [
      [barsOf({ seed: 1 }), barsOf({ seed: 2 })],
      [quotesOf({ seed: 1 }), quotesOf({ seed: 2 })],
    ] as const) {
      expect(a).toHaveLength(b.length);
      const idsA = new Set(a.map((m) => m.id));
      expect(b.some((m) => idsA.has(m.id))).toBe(false);
      const prices = (l: readonly Message[]): string => JSON.stringify(l.map((m) => m.data));
      expect(prices(a)).not.toEqual(prices(b));
    }
  });

  test('a_shorter_run_is_a_prefix_of_a_longer_one', () => {
    expect(JSON.stringify(barsOf({ count: 5_003 }))).toBe(JSON.stringify(barsOf().slice(0, 5_003)));
  });

  test('ids_are_unique_within_a_run', () => {
    const all = [...barsOf(), ...quotesOf()];
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
  });
});

describe('syntheticFeed validity', () => {
  test('every_sampled_message_passes_decodeMessage', () => {
    const all: Message[] = [...barsOf(), ...quotesOf()];
    for (let i = 0; i < all.length; i += 37) {
      const r = decodeMessage(JSON.stringify(all[i]));
      if (!r.ok) throw new Error(`${all[i].id}: ${formatFieldErrors(r.error)}`);
      expect(r.value).toEqual(all[i]);
    }
  });

  test('bars_are_consistent_ohlc_on_the_tick_grid_and_chain_open_to_previous_close', () => {
    const bars = barsOf();
    const tickDecimals = new Map(SYMBOLS.map((s) => [s, stepDecimals(instrumentFor(s).tickSize)]));
    const last = new Map<string, Message<'BarClosed'>>();
    const bad: string[] = [];
    for (const b of bars) {
      const d = b.data;
      const problem = (what: string): number => bad.push(`${b.id}: ${what} ${JSON.stringify(d)}`);
      if (!(d.low > 0)) problem('low ≤ 0');
      if (d.low > Math.min(d.open, d.close)) problem('low above open or close');
      if (d.high < Math.max(d.open, d.close)) problem('high below open or close');
      if (!(d.volume > 0)) problem('volume ≤ 0');
      for (const p of [d.open, d.high, d.low, d.close]) if (decimalsOf(p) > tickDecimals.get(d.symbol)!) problem(`${p} off the tick grid`);
      if (d.timeframe !== '1m' || d.openTime % MINUTE !== 0 || b.ts !== d.openTime + MINUTE) problem('not a 1m bar on its grid');
      const prev = last.get(d.symbol);
      if (prev !== undefined && d.open !== prev.data.close) problem(`open is not the previous close ${prev.data.close}`);
      if (prev !== undefined && d.openTime !== prev.data.openTime + MINUTE) problem('not the next minute');
      last.set(d.symbol, b);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect([...last.keys()].sort()).toEqual([...SYMBOLS].sort());
    // The walk moves: not every bar is flat.
    expect(bars.filter((b) => b.data.high > b.data.low).length).toBeGreaterThan(bars.length * 0.9);
  });

  test('quotes_are_never_crossed_or_locked_and_sit_on_the_tick_grid', () => {
    const tickDecimals = new Map(SYMBOLS.map((s) => [s, stepDecimals(instrumentFor(s).tickSize)]));
    const bad: string[] = [];
    for (const q of quotesOf()) {
      const d = q.data;
      const places = tickDecimals.get(d.symbol)!;
      if (!(d.bid > 0) || !(d.ask > d.bid)) bad.push(`${q.id}: crossed, locked or non-positive ${JSON.stringify(d)}`);
      if (decimalsOf(d.bid) > places || decimalsOf(d.ask) > places) bad.push(`${q.id}: off the tick grid ${JSON.stringify(d)}`);
      if (!(d.bidSize! > 0) || !(d.askSize! > 0)) bad.push(`${q.id}: size ≤ 0 ${JSON.stringify(d)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  test('bars_written_as_a_csv_then_the_file_reader_accepts_every_row_unchanged', () => {
    const bars = barsOf({ symbols: ['XAUUSD'], count: 5_000 });
    const csv = ['timestamp,open,high,low,close,volume', ...bars.map((b) => [formatUtc(b.data.openTime), b.data.open, b.data.high, b.data.low, b.data.close, b.data.volume].join(','))];
    const file = parseMarketData(csv.join('\n'), 'XAUUSD_SIM_1m_synthetic.csv');
    expect(file.rejected).toEqual([]);
    expect(file.bars.map((b) => b.data)).toEqual(bars.map((b) => b.data));
    expect(file.bars.map((b) => b.ts)).toEqual(bars.map((b) => b.ts));
  });

  test('quotes_written_as_a_csv_then_the_file_reader_accepts_every_row_and_counts_none_crossed', () => {
    const quotes = quotesOf({ symbols: ['EURUSD'], count: 5_000 });
    const csv = ['timestamp,bid,ask,bid_size,ask_size', ...quotes.map((q) => [formatUtc(q.ts), q.data.bid, q.data.ask, q.data.bidSize, q.data.askSize].join(','))];
    const file = parseMarketData(csv.join('\n'), 'EURUSD_SIM_quotes.csv');
    expect(file.rejected).toEqual([]);
    expect(file.info.accepted).toBe(5_000);
    expect(file.info.crossedQuotes).toBe(0);
  });

  test('a_week_of_1m_bars_stays_near_the_start_prices', () => {
    const week = 7 * 24 * 60;
    const bars = barsOf({ symbols: ['EURUSD', 'XAUUSD', 'BTCUSD'], count: 3 * week });
    const band: Record<string, [number, number]> = { EURUSD: [1.1, 0.05], XAUUSD: [1900, 0.1], BTCUSD: [40_000, 0.35] };
    const moved = new Map<string, number>();
    for (const b of bars) {
      const p0 = band[b.data.symbol][0];
      const dev = Math.max(Math.abs(b.data.high / p0 - 1), Math.abs(b.data.low / p0 - 1));
      moved.set(b.data.symbol, Math.max(moved.get(b.data.symbol) ?? 0, dev));
    }
    expect([...moved.keys()].sort()).toEqual(Object.keys(band).sort());
    for (const [symbol, dev] of moved) expect(dev).toBeLessThan(band[symbol][1]);
    // …and it does move: at least a tenth of its band over a week.
    for (const [symbol, dev] of moved) expect(dev).toBeGreaterThan(band[symbol][1] / 10);
  });
});

describe('syntheticFeed order and laziness', () => {
  test('messages_come_in_time_order_symbols_ascending_within_a_step', () => {
    for (const list of [barsOf(), quotesOf()] as readonly Message[][]) {
      const symbol = (m: Message): string => (m.data as { symbol: string }).symbol;
      const unordered = list.filter((b, i) => i > 0 && !(b.ts > list[i - 1].ts || (b.ts === list[i - 1].ts && symbol(b) > symbol(list[i - 1]))));
      expect(unordered.map((m) => m.id)).toEqual([]);
    }
    const q = quotesOf({ count: 8 });
    expect(q.map((m) => [m.ts - START, m.data.symbol])).toEqual([
      [0, 'BTCUSD'],
      [0, 'EURUSD'],
      [0, 'USDJPY'],
      [0, 'XAUUSD'],
      [250, 'BTCUSD'],
      [250, 'EURUSD'],
      [250, 'USDJPY'],
      [250, 'XAUUSD'],
    ]);
  });

  test('count_is_the_total_over_all_symbols_and_an_endless_feed_is_lazy', () => {
    expect(barsOf({ count: 0 })).toEqual([]);
    expect(barsOf({ count: 7 })).toHaveLength(7);
    const endless = syntheticFeed({ symbols: ['EURUSD'], venue: 'SIM', start: START, intervalMs: 1, seed: 5, kind: 'quote', count: Infinity });
    const first: Message<'QuoteTick'>[] = [];
    for (const m of endless) {
      first.push(m);
      if (first.length === 3) break;
    }
    expect(first.map((m) => m.ts - START)).toEqual([0, 1, 2]);
  });

  test('unknown_symbols_take_start_price_and_instrument_from_the_options', () => {
    const bars = barsOf({ symbols: ['ACME'], count: 200, startPrices: { ACME: 125.5 }, instruments: { ACME: { tickSize: '0.05', assetClass: 'equity' } } });
    expect(bars[0].data.open).toBe(125.5);
    const prices = bars.flatMap((b) => [b.data.open, b.data.high, b.data.low, b.data.close]);
    expect(prices.filter((p) => Math.round(p * 100) % 5 !== 0 || decimalsOf(p) > 2)).toEqual([]);
    expect(new Set(prices).size).toBeGreaterThan(5);
  });
});

describe('syntheticFeed option errors', () => {
  const base: SyntheticFeedOptions = { symbols: ['EURUSD'], venue: 'SIM', start: START, intervalMs: MINUTE, seed: 1, kind: 'bar', count: 10 };
  test.each<[string, Partial<SyntheticFeedOptions>, string]>([
    ['no symbols', { symbols: [] }, 'symbols must be a non-empty array'],
    ['a symbol twice', { symbols: ['EURUSD', 'EURUSD'] }, 'symbol EURUSD is listed twice'],
    ['no venue', { venue: '' }, 'venue must be a non-empty string'],
    ['bars off the grid', { start: START + 1_000 }, 'bars need start on the 1m grid'],
    ['bars of no timeframe', { intervalMs: 7_000 }, 'bars need intervalMs of a supported timeframe'],
    ['fractional interval', { kind: 'quote', intervalMs: 0.5 }, 'intervalMs must be a positive integer'],
    ['negative count', { count: -1 }, 'count must be an integer ≥ 0 or Infinity'],
    ['unknown symbol', { symbols: ['ACME'] }, 'unknown instrument "ACME"'],
    ['no start price', { symbols: ['CADCHF'] }, 'no default start price for CADCHF; pass startPrices.CADCHF'],
    ['bad start price', { startPrices: { EURUSD: -1 } }, 'startPrices.EURUSD must be a positive finite number'],
  ])('%s_then_throws_naming_it', (_name, patch, message) => {
    expect(() => syntheticFeed({ ...base, ...patch } as SyntheticFeedOptions)).toThrow(message);
  });
});
