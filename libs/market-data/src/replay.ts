import type { Envelope } from '@tradeloop/kernel';

/**
 * Time as the replay sees it. The caller supplies it (a wall clock in the service, a fake
 * one in tests), so pacing is testable without waiting and the library never reads a clock.
 */
export interface FeedClock {
  /** Milliseconds on any monotonic scale (only differences matter). */
  now(): number;
  /** Resolves after about `ms` milliseconds (early is fine, e.g. on shutdown). */
  sleep(ms: number): Promise<void>;
}

export interface ReplayOptions {
  /**
   * Event time per wall time: 1 = real time, 60 = a 1m bar per second. 0 or Infinity = as
   * fast as the consumer takes batches (no sleeping at all).
   */
  readonly speed: number;
  /** A batch is handed on when it holds this many messages. Default 500. */
  readonly maxBatch?: number;
  /**
   * A batch is handed on once the next message is due more than this many wall-clock ms after
   * the batch's first message, so a paced feed delays no message by more than this. Default 100.
   */
  readonly maxBatchDelayMs?: number;
  readonly clock: FeedClock;
  /** Keep messages whose event time (`ts`) is ≥ from. */
  readonly from?: number;
  /** … and < to; the input is not read past the first message at or after `to`. */
  readonly to?: number;
  /** Stops the replay (after the current sleep); open batches are dropped, not handed on. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_MAX_BATCH = 500;
export const DEFAULT_MAX_BATCH_DELAY_MS = 100;

/**
 * Waits shorter than this are not slept: a timer cannot wait a fraction of a millisecond, and
 * a tick feed at 100k/s would otherwise pay a timer per tick and fall ever further behind.
 */
const MIN_SLEEP_MS = 1;

/** An open batch of one (venue, symbol). */
interface OpenBatch<T> {
  readonly venue: string;
  readonly symbol: string;
  /**
   * When its first message was due, as an offset from the start of the replay: (ts − t0) / speed.
   * Offsets, not clock times, so that batch boundaries are a function of event times alone: a
   * sum with the clock's start would round differently from run to run, and a batch spanning
   * exactly the delay budget would sometimes close one message early.
   */
  readonly firstOffset: number;
  readonly messages: T[];
}

/**
 * Replays time-ordered market-data envelopes (bars, ticks, book snapshots of any number of
 * series, e.g. `mergeByTime` output or `syntheticFeed`) as a live feed: batches of one
 * (venue, symbol) each, paced by event time. With speed S the message with event time t is
 * due at `start + (t − t0) / S` on the injected clock (t0: the first message replayed, start:
 * the clock when it was read). A batch is handed on when it is full, when the next message is
 * due more than `maxBatchDelayMs` after the batch's first, or at the end of the input.
 *
 * Order: within a series messages keep their input order; batches come out in the order of
 * their first messages (handing one on first hands on every batch opened before it), so a
 * reader of the batches sees each series in order and the series interleaved by time.
 *
 * The schedule is fixed at the start: a consumer that falls behind gets the overdue batches
 * back to back until it has caught up, instead of shifting the rest of the replay.
 */
export async function* replayFeed<T extends Envelope>(
  messages: Iterable<T> | AsyncIterable<T>,
  options: ReplayOptions,
): AsyncGenerator<T[], void, undefined> {
  const { clock, signal } = options;
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const maxDelay = options.maxBatchDelayMs ?? DEFAULT_MAX_BATCH_DELAY_MS;
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  checkOptions(options.speed, maxBatch, maxDelay, from, to);
  // Speed 0 and Infinity both mean "no pacing": every message is due at once.
  const speed = options.speed;
  const paced = speed > 0 && speed < Infinity;

  // Open batches in the order they were opened (= the order of their first messages), and
  // the same batches by venue then symbol for the per-message lookup.
  const open: OpenBatch<T>[] = [];
  const byKey = new Map<string, Map<string, OpenBatch<T>>>();
  const close = (upTo: number): T[][] => {
    const out: T[][] = new Array(upTo);
    for (let i = 0; i < upTo; i++) {
      const b = open[i];
      byKey.get(b.venue)?.delete(b.symbol);
      out[i] = b.messages;
    }
    open.splice(0, upTo);
    return out;
  };

  let t0 = NaN;
  let start = 0;
  let prevTs = -Infinity;
  let prevId = '';
  let index = -1;
  // A synchronous source (an array, syntheticFeed) is read without a promise per message:
  // `for await` would cost a microtask each, a third of the time at 100k+ messages/s.
  const sync = Symbol.asyncIterator in messages ? undefined : (messages as Iterable<T>)[Symbol.iterator]();
  const async = sync === undefined ? (messages as AsyncIterable<T>)[Symbol.asyncIterator]() : undefined;
  let done = false;
  try {
    for (;;) {
      const r = sync !== undefined ? sync.next() : await async!.next();
      if (r.done === true) {
        done = true;
        break;
      }
      const m = r.value;
      index++;
      const ts = m.ts;
      if (!(ts >= prevTs)) {
        throw new RangeError(
          `replayFeed: message ${index} (${m.id}) has ts ${ts}, earlier than the previous message (${prevId}, ts ${prevTs}); ` +
            'the input must be ordered by time (see mergeByTime)',
        );
      }
      prevTs = ts;
      prevId = m.id;
      if (ts < from) continue;
      if (ts >= to) break;
      const { venue, symbol } = seriesOf(m, index);

      let offset = 0;
      if (paced) {
        if (t0 !== t0) {
          t0 = ts;
          start = clock.now();
        }
        offset = (ts - t0) / speed;
        // Batches whose latency budget this message would exceed leave before the wait. They
        // were opened first, so they form a prefix of `open`.
        let expired = 0;
        while (expired < open.length && offset - open[expired].firstOffset > maxDelay) expired++;
        if (expired > 0) yield* close(expired);
        const wait = start + offset - clock.now();
        if (wait >= MIN_SLEEP_MS) {
          await clock.sleep(wait);
          if (signal?.aborted) return;
        }
      }
      if (signal?.aborted) return;

      let bySymbol = byKey.get(venue);
      if (bySymbol === undefined) byKey.set(venue, (bySymbol = new Map()));
      let batch = bySymbol.get(symbol);
      if (batch === undefined) {
        batch = { venue, symbol, firstOffset: offset, messages: [] };
        bySymbol.set(symbol, batch);
        open.push(batch);
      }
      batch.messages.push(m);
      if (batch.messages.length >= maxBatch) yield* close(open.indexOf(batch) + 1);
    }
  } finally {
    // Stopped early (to, abort, an error, the consumer gone): let the source clean up.
    if (!done) await (sync ?? async)?.return?.();
  }
  if (open.length > 0 && !signal?.aborted) yield* close(open.length);
}

function checkOptions(speed: number, maxBatch: number, maxDelay: number, from: number, to: number): void {
  if (typeof speed !== 'number' || !(speed >= 0)) {
    throw new RangeError(`replayFeed: speed must be a number ≥ 0 (0 or Infinity = as fast as possible), got ${speed}`);
  }
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError(`replayFeed: maxBatch must be a positive integer, got ${maxBatch}`);
  if (typeof maxDelay !== 'number' || !(maxDelay >= 0) || maxDelay === Infinity) {
    throw new RangeError(`replayFeed: maxBatchDelayMs must be a finite number ≥ 0, got ${maxDelay}`);
  }
  if (from !== from || to !== to || from >= to) throw new RangeError(`replayFeed: empty or invalid time window from=${from} to=${to}`);
}

/** Batches are per series: every replayed message must name its venue and symbol. */
function seriesOf(m: Envelope, index: number): { venue: string; symbol: string } {
  const d = m.data as { venue?: unknown; symbol?: unknown } | null;
  if (d === null || typeof d !== 'object' || typeof d.venue !== 'string' || typeof d.symbol !== 'string' || d.venue === '' || d.symbol === '') {
    throw new TypeError(`replayFeed: message ${index} (${m.id}, ${m.type}) is not market data: data.venue and data.symbol are required`);
  }
  return { venue: d.venue, symbol: d.symbol };
}
