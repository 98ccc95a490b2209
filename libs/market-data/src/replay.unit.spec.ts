import path from 'node:path';
import type { Message } from '@tradeloop/contracts';
import type { Envelope } from '@tradeloop/kernel';
import { mergeByTime, readMarketDataFile, replayFeed, syntheticFeed, toDataRejected, type FeedClock, type ReplayOptions } from './index';

const DATA = path.resolve(__dirname, '../../../../shared/data');
const EURUSD = readMarketDataFile(path.join(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv')).bars;
const XAUUSD = readMarketDataFile(path.join(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv')).bars;

/** Virtual time: sleeping moves the clock at once and is recorded. */
class FakeClock implements FeedClock {
  readonly sleeps: number[] = [];

  constructor(public t = 5_000) {}

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

interface Received<T> {
  readonly at: number;
  readonly batch: T[];
}

async function collect<T extends Envelope>(
  input: Iterable<T> | AsyncIterable<T>,
  options: ReplayOptions,
  onBatch?: (batch: T[]) => void,
): Promise<Received<T>[]> {
  const out: Received<T>[] = [];
  for await (const batch of replayFeed(input, options)) {
    out.push({ at: options.clock.now(), batch });
    onBatch?.(batch);
  }
  return out;
}

const seriesOf = (m: Envelope): string => {
  const d = m.data as { venue: string; symbol: string };
  return `${d.venue}/${d.symbol}`;
};

function quotes(count: number, intervalMs: number, symbols = ['EURUSD']): Message<'QuoteTick'>[] {
  return [...syntheticFeed({ symbols, venue: 'SIM', start: 1_700_000_000_000, intervalMs, seed: 3, kind: 'quote', count })];
}

describe('replayFeed pacing', () => {
  test('replay_at_speed_60_of_1m_bars_then_each_bar_leaves_at_its_event_time_over_60', async () => {
    const bars = EURUSD.slice(0, 120);
    const clock = new FakeClock();
    const got = await collect(bars, { speed: 60, clock, maxBatchDelayMs: 100 });

    // 100 ms of batching budget is less than the 1 s between bars: one bar per batch.
    expect(got.map((g) => g.batch.length)).toEqual(bars.map(() => 1));
    expect(got.map((g) => g.batch[0].id)).toEqual(bars.map((b) => b.id));
    for (const g of got) expect(g.at).toBe(5_000 + (g.batch[0].ts - bars[0].ts) / 60);
    // Consecutive minutes are a second apart; the file's quiet minutes make longer waits.
    const gaps = bars.slice(1).map((b, i) => (b.ts - bars[i].ts) / 60);
    expect(clock.sleeps).toEqual(gaps);
    expect(clock.sleeps.filter((s) => s === 1_000).length).toBeGreaterThan(bars.length / 2);
  });

  test('batch_spanning_exactly_the_delay_budget_then_the_same_boundaries_whatever_the_clock_reads_at_the_start', async () => {
    // 60 000×: a minute of event time per ms, so 20 ms of budget is 20 bars' minutes. A batch
    // whose last bar is exactly 20 minutes after its first stays whole: boundaries come from
    // event times alone, not from sums with the clock's start (which round differently).
    const bars = EURUSD.slice(1_000, 1_300);
    const boundaries = async (start: number): Promise<string[]> =>
      (await collect(bars, { speed: 60_000, clock: new FakeClock(start), maxBatch: 2_000, maxBatchDelayMs: 20 })).map((g) => `${g.batch[0].id}…${g.batch[g.batch.length - 1].id}`);
    const reference = await boundaries(5_000);
    for (const start of [1_000.1507, 1_000.1644, 123_456.789, 0.1]) expect(await boundaries(start)).toEqual(reference);
    const spans = (await collect(bars, { speed: 60_000, clock: new FakeClock(1_000.1507), maxBatch: 2_000, maxBatchDelayMs: 20 })).map(
      (g) => (g.batch[g.batch.length - 1].ts - g.batch[0].ts) / 60_000,
    );
    expect(Math.max(...spans)).toBe(20);
  });

  test('replay_at_speed_0_or_infinity_then_never_sleeps_and_batches_by_size_only', async () => {
    const bars = EURUSD.slice(0, 1_000);
    for (const speed of [0, Infinity]) {
      const clock = new FakeClock();
      const got = await collect(bars, { speed, clock, maxBatch: 300, maxBatchDelayMs: 0 });
      expect(clock.sleeps).toEqual([]);
      expect(got.map((g) => g.batch.length)).toEqual([300, 300, 300, 100]);
      expect(got.flatMap((g) => g.batch)).toEqual(bars);
    }
  });

  test('replay_when_ticks_come_faster_than_the_delay_budget_then_batches_span_at_most_the_budget', async () => {
    const ticks = quotes(1_000, 10); // one quote every 10 ms of event time
    const clock = new FakeClock();
    const got = await collect(ticks, { speed: 1, clock, maxBatch: 500, maxBatchDelayMs: 45 });

    // Due at 0, 10, 20, 30, 40 ms; the one due at 50 ms would make the first wait 50 > 45 ms.
    expect(got.map((g) => g.batch.length)).toEqual(Array.from({ length: 200 }, () => 5));
    for (const g of got) {
      const firstDue = 5_000 + (g.batch[0].ts - ticks[0].ts);
      expect(g.at - firstDue).toBeLessThanOrEqual(45);
      expect(g.at).toBeGreaterThanOrEqual(5_000 + (g.batch[g.batch.length - 1].ts - ticks[0].ts));
    }
    expect(got.flatMap((g) => g.batch)).toEqual(ticks);
  });

  test('replay_when_a_batch_fills_before_its_delay_runs_out_then_it_leaves_full', async () => {
    const ticks = quotes(100, 10);
    const clock = new FakeClock();
    const got = await collect(ticks, { speed: 1, clock, maxBatch: 7, maxBatchDelayMs: 10_000 });
    expect(got.map((g) => g.batch.length)).toEqual([...Array.from({ length: 14 }, () => 7), 2]);
    // A full batch leaves as soon as its last message is due.
    for (const g of got.slice(0, -1)) expect(g.at).toBe(5_000 + (g.batch[6].ts - ticks[0].ts));
  });

  test('replay_when_the_consumer_falls_behind_then_overdue_batches_come_back_to_back_without_sleeping', async () => {
    const bars = EURUSD.slice(0, 50);
    const clock = new FakeClock();
    // The consumer spends 5 s per batch; at speed 60 bars are due every ~1 s.
    const got = await collect(bars, { speed: 60, clock, maxBatchDelayMs: 100 }, () => (clock.t += 5_000));
    expect(clock.sleeps).toEqual([]);
    expect(got.flatMap((g) => g.batch)).toEqual(bars);
  });

  test('replay_when_aborted_during_a_wait_then_stops_without_handing_on_more', async () => {
    const bars = EURUSD.slice(0, 50);
    const controller = new AbortController();
    const clock = new FakeClock();
    const got = await collect(bars, { speed: 60, clock, maxBatchDelayMs: 100, signal: controller.signal }, (b) => {
      if (b[0].id === bars[9].id) controller.abort();
    });
    expect(got.map((g) => g.batch[0].id)).toEqual(bars.slice(0, 10).map((b) => b.id));
  });
});

describe('replayFeed batches per series', () => {
  test('replay_of_two_merged_symbols_then_every_batch_holds_one_series_and_each_series_keeps_its_order', async () => {
    const eur = EURUSD.slice(0, 2_000);
    const xau = XAUUSD.slice(0, 2_000);
    const merged = mergeByTime(eur, xau);
    const got = await collect(merged, { speed: 0, clock: new FakeClock(), maxBatch: 64 });

    for (const { batch } of got) expect(new Set(batch.map(seriesOf)).size).toBe(1);
    const replayed = got.flatMap((g) => g.batch);
    expect(replayed).toHaveLength(merged.length);
    expect(replayed.filter((m) => m.data.symbol === 'EURUSD')).toEqual(eur);
    expect(replayed.filter((m) => m.data.symbol === 'XAUUSD')).toEqual(xau);
    expect(got.every((g) => g.batch.length <= 64)).toBe(true);
    for (let i = 1; i < got.length; i++) expect(got[i].batch[0].ts).toBeGreaterThanOrEqual(got[i - 1].batch[0].ts);
  });

  test('replay_when_one_series_is_much_busier_then_batches_still_leave_in_first_message_order', async () => {
    // Ticks of three symbols every ms plus one 1m bar series: the bar batch opens first and
    // must leave before any tick batch that opened after it.
    const start = 1_700_000_040_000;
    const ticks = [...syntheticFeed({ symbols: ['BTCUSD', 'ETHUSD', 'EURUSD'], venue: 'SIM', start, intervalMs: 1, seed: 9, kind: 'quote', count: 30_000 })];
    const bars = [...syntheticFeed({ symbols: ['XAUUSD'], venue: 'SIM', start: start - 60_000, intervalMs: 60_000, seed: 9, kind: 'bar', count: 3 })];
    const merged = mergeByTime<Envelope>(bars, ticks);
    const got = await collect(merged, { speed: 0, clock: new FakeClock(), maxBatch: 500 });

    for (let i = 1; i < got.length; i++) expect(got[i].batch[0].ts).toBeGreaterThanOrEqual(got[i - 1].batch[0].ts);
    const replayed = got.flatMap((g) => g.batch);
    for (const s of ['SIM/BTCUSD', 'SIM/ETHUSD', 'SIM/EURUSD', 'SIM/XAUUSD']) {
      expect(replayed.filter((m) => seriesOf(m) === s)).toEqual(merged.filter((m) => seriesOf(m) === s));
    }
    expect(got.find((g) => seriesOf(g.batch[0]) === 'SIM/XAUUSD')?.batch).toHaveLength(1);
  });

  test('replay_with_from_and_to_then_only_that_event_time_window_is_paced_and_the_input_is_not_read_past_to', async () => {
    const bars = EURUSD.slice(0, 600);
    const from = bars[100].ts;
    const to = bars[200].ts;
    let pulled = 0;
    function* counted(): Generator<Message<'BarClosed'>> {
      for (const b of bars) {
        pulled++;
        yield b;
      }
    }
    const clock = new FakeClock();
    const got = await collect(counted(), { speed: 60, clock, from, to, maxBatchDelayMs: 100 });
    const replayed = got.flatMap((g) => g.batch);
    expect(replayed).toEqual(bars.slice(100, 200));
    expect(pulled).toBe(201);
    // The first message of the window is due at once; the rest relative to it.
    expect(got[0].at).toBe(5_000);
    expect(got[got.length - 1].at).toBe(5_000 + (bars[199].ts - from) / 60);
  });

  test('replay_of_an_async_source_then_the_same_batches_as_from_an_array_and_the_source_is_closed_at_to', async () => {
    const bars = mergeByTime(EURUSD.slice(0, 400), XAUUSD.slice(0, 400));
    const to = bars[600].ts;
    let closed = false;
    async function* source(): AsyncGenerator<Message<'BarClosed'>> {
      try {
        for (const b of bars) yield b;
      } finally {
        closed = true;
      }
    }
    const options = { speed: 60, maxBatch: 5, maxBatchDelayMs: 1_500, to };
    const fromAsync = await collect(source(), { ...options, clock: new FakeClock() });
    const fromArray = await collect(bars, { ...options, clock: new FakeClock() });
    expect(closed).toBe(true);
    expect(fromAsync).toEqual(fromArray);
    expect(fromAsync.flatMap((g) => g.batch)).toHaveLength(bars.filter((b) => b.ts < to).length);
  });

  test('replay_of_an_endless_feed_with_to_then_it_ends', async () => {
    const feed = syntheticFeed({ symbols: ['EURUSD', 'USDJPY'], venue: 'SIM', start: 0, intervalMs: 60_000, seed: 1, kind: 'bar', count: Infinity });
    const got = await collect(feed, { speed: 0, clock: new FakeClock(), to: 60_000 * 101 });
    expect(got.flatMap((g) => g.batch)).toHaveLength(200);
  });
});

describe('replayFeed input errors', () => {
  test('replay_of_unordered_input_then_rejects_naming_the_message', async () => {
    const bars = [EURUSD[0], EURUSD[2], EURUSD[1]];
    await expect(collect(bars, { speed: 0, clock: new FakeClock() })).rejects.toThrow(
      new RegExp(`message 2 \\(${EURUSD[1].id}\\) has ts ${EURUSD[1].ts}, earlier than the previous message \\(${EURUSD[2].id}`),
    );
  });

  test('replay_of_a_message_without_venue_and_symbol_then_rejects_it_as_not_market_data', async () => {
    const rejected = toDataRejected({ file: 'x.csv', line: 3, reason: 'bad' }, EURUSD[0].ts);
    await expect(collect<Envelope>([EURUSD[0], rejected], { speed: 0, clock: new FakeClock() })).rejects.toThrow(
      'message 1 (md:rejected:x.csv:3, DataRejected) is not market data',
    );
  });

  test('replay_with_bad_options_then_throws_naming_the_option', async () => {
    const clock = new FakeClock();
    await expect(collect(EURUSD.slice(0, 1), { speed: -1, clock })).rejects.toThrow('speed must be a number ≥ 0');
    await expect(collect(EURUSD.slice(0, 1), { speed: NaN, clock })).rejects.toThrow('speed must be a number ≥ 0');
    await expect(collect(EURUSD.slice(0, 1), { speed: 1, clock, maxBatch: 0 })).rejects.toThrow('maxBatch must be a positive integer');
    await expect(collect(EURUSD.slice(0, 1), { speed: 1, clock, maxBatchDelayMs: -5 })).rejects.toThrow('maxBatchDelayMs must be');
    await expect(collect(EURUSD.slice(0, 1), { speed: 1, clock, from: 10, to: 10 })).rejects.toThrow('empty or invalid time window');
  });
});
