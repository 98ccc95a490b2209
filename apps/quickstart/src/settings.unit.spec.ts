import { ConfigError } from '@tradeloop/nest-service';
import { DEFAULT_SPEED, loadQuickstartSettings } from './settings';
import { skipQuietStretches } from './clock';

describe('loadQuickstartSettings', () => {
  test('settings_when_env_is_empty_then_paper_quality_based_at_600x_with_fallbacks_allowed', () => {
    const s = loadQuickstartSettings({});
    expect(s).toMatchObject({ speed: DEFAULT_SPEED, exitWhenDone: false, natsExplicit: false, databaseExplicit: false, httpPort: 3000, httpHost: '127.0.0.1' });
    expect(s.env).toMatchObject({ EXECUTION_MODE: 'quality_based', AUTO_EXECUTE: true, NATS_NAMESPACE: '' });
  });

  test('settings_when_urls_are_set_then_they_are_explicit_and_other_variables_are_read', () => {
    const s = loadQuickstartSettings({ NATS_URL: 'nats://10.0.0.1:4222', DATABASE_URL: 'postgres://a@db/x', MARKET_DATA_SPEED: '0', QUICKSTART_EXIT_WHEN_DONE: 'true', HTTP_PORT: '0' });
    expect(s).toMatchObject({ natsExplicit: true, databaseExplicit: true, speed: 0, exitWhenDone: true, httpPort: 0 });
    expect(loadQuickstartSettings({ NATS_URL: '  ' }).natsExplicit).toBe(false);
  });

  test('settings_when_several_are_bad_then_one_error_names_each_without_echoing_urls', () => {
    let error: unknown;
    try {
      loadQuickstartSettings({ MARKET_DATA_SPEED: 'fast', QUICKSTART_EXIT_WHEN_DONE: 'maybe', EXECUTION_MODE: 'yolo', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'EXECUTION_MODE', 'MARKET_DATA_SPEED', 'QUICKSTART_EXIT_WHEN_DONE']);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('skipQuietStretches', () => {
  function fakeClock(): { now(): number; sleep(ms: number): Promise<void>; slept: number[] } {
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

  test('clock_when_a_wait_is_longer_than_the_cap_then_sleeps_the_cap_and_reports_the_full_wait', async () => {
    const base = fakeClock();
    const clock = skipQuietStretches(base, 1_000);
    await clock.sleep(100);
    await clock.sleep(288_000); // a weekend at 600×
    await clock.sleep(100);
    expect(base.slept).toEqual([100, 1_000, 100]);
    expect(clock.now()).toBe(288_200);
  });

  test('clock_when_cap_is_not_positive_then_refuses', () => {
    expect(() => skipQuietStretches(fakeClock(), 0)).toThrow(/maxSleepMs must be positive/);
  });
});
