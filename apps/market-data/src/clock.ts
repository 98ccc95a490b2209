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
