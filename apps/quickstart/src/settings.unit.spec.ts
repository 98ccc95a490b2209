import { DeciderHost, type Envelope } from '@tradeloop/kernel';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { flatPipelineConfig } from '@tradeloop/runtime';
import { ConfigError, deciderFor, pipelineConfigFromEnv } from '@tradeloop/nest-service';
import { DEFAULT_SPEED, defaultApprovalTtlMs, loadQuickstartSettings } from './settings';
import { approvalLine, paceText } from './quickstart';

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

describe('APPROVAL_TTL_MS in the quickstart', () => {
  const T0 = Date.UTC(2014, 4, 5, 12, 0);
  /** expiresAt of the ApprovalRequested the governor of `env`'s pipeline (both engines build it so) asks for at T0. */
  function expiresAtUnder(env: Record<string, string>): number {
    const settings = loadQuickstartSettings({ EXECUTION_MODE: 'fully_manual', ...env });
    const host = new DeciderHost(deciderFor('governor', pipelineConfigFromEnv(settings.env)));
    const sample = SAMPLE_MESSAGES.RiskApproved;
    const riskApproved: Envelope = { ...sample, ts: T0, data: { ...sample.data, quality: 40 } };
    const [requested] = host.handle(riskApproved as never);
    expect(requested.type).toBe('ApprovalRequested');
    return (requested.data as { expiresAt: number }).expiresAt - T0;
  }

  test('approval_ttl_when_unset_at_the_default_600x_then_a_minute_of_wall_time_reaches_the_governor_and_is_recorded', () => {
    const s = loadQuickstartSettings({});
    expect(s.approvalTtlExplicit).toBe(false);
    // 300 000 ms of event time would be 0.5 s of wall time at 600×: nobody could answer.
    expect(s.env.APPROVAL_TTL_MS).toBe(60_000 * 600);
    expect(expiresAtUnder({})).toBe(36_000_000);
    // In RunStarted (in-process) and every ServiceStarted (NATS), so the run replays identically.
    expect(JSON.parse(flatPipelineConfig(pipelineConfigFromEnv(s.env)).governor as string)).toEqual({ approvalTtlMs: 36_000_000 });
    expect(approvalLine(s.env.APPROVAL_TTL_MS, s)).toBe(
      '  approvals  open 1 min (10 h of market at 600×; APPROVAL_TTL_MS=36000000, scaled with the pace): GET /v1/approvals?status=requested, then POST /v1/approvals/<id>/approve or /reject',
    );
  });

  test('approval_ttl_when_unset_then_scaled_with_MARKET_DATA_SPEED_and_the_governors_default_at_full_speed', () => {
    expect(expiresAtUnder({ MARKET_DATA_SPEED: '1200' })).toBe(72_000_000);
    expect(expiresAtUnder({ MARKET_DATA_SPEED: '1' })).toBe(60_000);
    expect(expiresAtUnder({ MARKET_DATA_SPEED: '0.5' })).toBe(30_000);
    // As fast as the pipeline goes: nobody can answer anyway; the run stays `tradeloop backtest`'s.
    expect(expiresAtUnder({ MARKET_DATA_SPEED: '0' })).toBe(300_000);
    expect(pipelineConfigFromEnv(loadQuickstartSettings({ MARKET_DATA_SPEED: '0' }).env).governor).toBeUndefined();
    // Whole milliseconds, and never past what the services accept.
    expect(defaultApprovalTtlMs(0.0000001)).toBe(1);
    expect(defaultApprovalTtlMs(1.0000001)).toBe(60_000);
    expect(defaultApprovalTtlMs(1e12)).toBe(365 * 24 * 3_600_000);
    expect(loadQuickstartSettings({ MARKET_DATA_SPEED: '1e12' }).env.APPROVAL_TTL_MS).toBe(365 * 24 * 3_600_000);
  });

  test('approval_ttl_when_set_then_used_as_given_whatever_the_pace', () => {
    const s = loadQuickstartSettings({ APPROVAL_TTL_MS: '600000', MARKET_DATA_SPEED: '600' });
    expect(s).toMatchObject({ approvalTtlExplicit: true, speed: 600 });
    expect(s.env.APPROVAL_TTL_MS).toBe(600_000);
    expect(expiresAtUnder({ APPROVAL_TTL_MS: '600000' })).toBe(600_000);
    expect(expiresAtUnder({ APPROVAL_TTL_MS: '300000', MARKET_DATA_SPEED: '9000' })).toBe(300_000);
    expect(approvalLine(s.env.APPROVAL_TTL_MS, s)).toMatch(/^ {2}approvals {2}open 1 s \(10 min of market at 600×; APPROVAL_TTL_MS=600000\): GET/);
  });

  test('approval_ttl_when_bad_then_one_error_names_it_with_the_other_bad_variables', () => {
    let error: unknown;
    try {
      loadQuickstartSettings({ APPROVAL_TTL_MS: '5 minutes', MARKET_DATA_SPEED: 'fast' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['APPROVAL_TTL_MS', 'MARKET_DATA_SPEED']);
    expect((error as Error).message).toMatch(/APPROVAL_TTL_MS must be a whole number of milliseconds from 1 to 31536000000 \(365 days\) \(got "5 minutes"\)/);
    // A bad pace alone names only the pace: the TTL derived from it is not the user's mistake.
    expect(() => loadQuickstartSettings({ MARKET_DATA_SPEED: '-1' })).toThrow(/^invalid configuration: MARKET_DATA_SPEED must be a number ≥ 0/);
    expect(() => loadQuickstartSettings({ APPROVAL_TTL_MS: '0' })).toThrow(/APPROVAL_TTL_MS must be a whole number/);
  });
});

describe('the pace of quiet stretches (MARKET_DATA_MAX_QUIET_MS, the market-data service\'s rule)', () => {
  test('settings_when_max_quiet_is_not_set_then_ten_minutes_of_market_as_for_the_market_data_service', () => {
    expect(loadQuickstartSettings({}).maxQuietMs).toBe(600_000);
    expect(loadQuickstartSettings({ MARKET_DATA_MAX_QUIET_MS: '0' }).maxQuietMs).toBe(0);
    expect(loadQuickstartSettings({ MARKET_DATA_MAX_QUIET_MS: ' 3600000 ' }).maxQuietMs).toBe(3_600_000);
  });

  test('settings_when_max_quiet_is_not_a_whole_number_of_ms_then_refuses_naming_it', () => {
    for (const bad of ['-1', '1.5', 'weekend']) {
      expect(() => loadQuickstartSettings({ MARKET_DATA_MAX_QUIET_MS: bad })).toThrow(
        new RegExp(`^invalid configuration: MARKET_DATA_MAX_QUIET_MS must be an integer ≥ 0: .* \\(got "${bad}"\\)`),
      );
    }
  });

  test('pace_line_at_the_default_speed_then_a_weekend_passes_in_1_s', () => {
    expect(paceText(DEFAULT_SPEED, 600_000)).toBe(
      '600× (a 1m bar every 100 ms; a stretch without data longer than 10 min of market, such as a weekend, passes in 1 s; MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS to change)',
    );
  });

  test('pace_line_at_other_speeds_then_the_quiet_wait_scales_with_the_pace', () => {
    expect(paceText(6, 600_000)).toBe(
      '6× (a 1m bar every 10 s; a stretch without data longer than 10 min of market, such as a weekend, passes in 100 s; MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS to change)',
    );
    expect(paceText(20_000, 600_000)).toMatch(/^20000× \(a 1m bar every 3 ms; .* passes in 30 ms;/);
    expect(paceText(600, 0)).toBe('600× (a 1m bar every 100 ms; every stretch without data waited out at that pace (MARKET_DATA_MAX_QUIET_MS=0); MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS to change)');
    expect(paceText(0, 600_000)).toBe('as fast as the pipeline goes (MARKET_DATA_SPEED=0)');
  });
});
