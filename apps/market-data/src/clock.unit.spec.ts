import { join } from 'node:path';
import { readMarketDataFile, replayFeed, type FeedClock } from '@tradeloop/market-data';
import { quietWaitMs, skipQuietStretches } from './clock';
import { DATA, EURUSD_FILE } from './market-data.test-support';

/** A clock that only moves when slept on; it records every sleep. */
function fakeClock(): FeedClock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

// The last hour before the weekend of 3-4 May 2014 and the first after it: 48 h without a bar.
const WEEKEND = readMarketDataFile(join(DATA, EURUSD_FILE)).bars.slice(2525, 2645);
const SPAN = WEEKEND[WEEKEND.length - 1].ts - WEEKEND[0].ts;
const GAP = WEEKEND[60].ts - WEEKEND[59].ts;

describe('quiet stretches of a paced feed', () => {
  test('weekend_at_speed_60_with_the_default_ten_minutes_then_the_session_keeps_its_pace_and_the_weekend_passes_in_10_s', async () => {
    expect(GAP).toBe(48 * 3_600_000 + 60_000);
    const base = fakeClock();
    const out = [];
    for await (const batch of replayFeed(WEEKEND, { speed: 60, clock: skipQuietStretches(base, quietWaitMs(600_000, 60)) })) out.push(...batch);
    // Event times untouched; a minute a second within each session (two where a minute has no
    // bar), and ten seconds for the weekend.
    expect(out).toEqual(WEEKEND);
    expect(base.slept.filter((ms) => ms > 5_000)).toEqual([10_000]);
    expect(base.now()).toBe((SPAN - GAP) / 60 + 10_000);
  });

  test('weekend_with_max_quiet_0_then_it_is_waited_out_at_the_replay_speed', async () => {
    const base = fakeClock();
    expect(quietWaitMs(0, 60)).toBe(Number.POSITIVE_INFINITY);
    for await (const _batch of replayFeed(WEEKEND, { speed: 60, clock: skipQuietStretches(base, quietWaitMs(0, 60)) }));
    expect(base.now()).toBe(SPAN / 60);
  });

  test('quiet_wait_scales_with_the_speed_and_an_unpaced_feed_shortens_nothing', () => {
    expect(quietWaitMs(600_000, 600)).toBe(1_000); // the quickstart's 1 s at its 600×
    expect(quietWaitMs(600_000, 1)).toBe(600_000);
    expect(quietWaitMs(600_000, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(() => skipQuietStretches(fakeClock(), 0)).toThrow(/maxSleepMs must be positive/);
  });
});
