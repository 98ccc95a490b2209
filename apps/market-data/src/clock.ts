import type { FeedClock } from '@tradeloop/market-data';

/**
 * The wall clock for a live replay: monotonic `now` (immune to NTP steps, which would stall or
 * rush a paced feed) and timer sleeps that end early once `signal` aborts, so a shutdown does
 * not wait out a long quiet stretch of the data (a weekend at speed 1).
 */
export function systemClock(signal?: AbortSignal): FeedClock {
  return {
    now: () => performance.now(),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}

/**
 * A feed clock that shortens every wait longer than `maxSleepMs` to `maxSleepMs` and tells the
 * replay the full wait passed: within a session the pace is exact, and a quiet stretch (a
 * weekend) passes in `maxSleepMs`. Event times are untouched: only the wall-clock schedule skips
 * ahead. Infinity: no wait is shortened.
 */
export function skipQuietStretches(base: FeedClock, maxSleepMs: number): FeedClock {
  if (!(maxSleepMs > 0)) throw new RangeError(`skipQuietStretches: maxSleepMs must be positive, got ${maxSleepMs}`);
  if (maxSleepMs === Number.POSITIVE_INFINITY) return base;
  let skipped = 0;
  return {
    now: () => base.now() + skipped,
    sleep: (ms) => {
      if (ms <= maxSleepMs) return base.sleep(ms);
      skipped += ms - maxSleepMs;
      return base.sleep(maxSleepMs);
    },
  };
}

/**
 * The longest wall-clock wait of a feed at `speed` (event time per wall time) that waits out quiet
 * stretches of up to `maxQuietMs` of event time: `maxQuietMs / speed`, so a longer stretch passes
 * in the time one of `maxQuietMs` takes. Infinity (nothing shortened) when `maxQuietMs` is 0 or
 * the feed is not paced (speed 0).
 */
export function quietWaitMs(maxQuietMs: number, speed: number): number {
  return maxQuietMs > 0 && speed > 0 && speed < Infinity ? maxQuietMs / speed : Number.POSITIVE_INFINITY;
}
