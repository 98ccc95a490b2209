import type { FeedClock } from '@tradeloop/market-data';

/**
 * A feed clock that shortens long waits to `maxSleepMs` and tells the replay the full wait
 * passed. Within a session the pace is exact (600×: a 1m bar every 100 ms); a weekend, which
 * at 600× would be almost five minutes of silence, passes in `maxSleepMs`. Event times are
 * untouched: only the wall-clock schedule skips ahead.
 */
export function skipQuietStretches(base: FeedClock, maxSleepMs: number): FeedClock {
  if (!(maxSleepMs > 0)) throw new RangeError(`skipQuietStretches: maxSleepMs must be positive, got ${maxSleepMs}`);
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
