import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dec, DeciderHost, type Envelope } from '@tradeloop/kernel';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { flatPipelineConfig, pipelineConfigFromFlat } from '@tradeloop/runtime';
import { ConfigError, loadServiceEnv, redactUrl } from './config';
import { deciderFor, pipelineConfigFromEnv } from './definitions';

const T0 = Date.UTC(2014, 4, 5, 12, 0);

/** A RiskApproved the governor must ask a person about (quality 40, below any default threshold). */
function riskApproved(ts: number): Envelope {
  const sample = SAMPLE_MESSAGES.RiskApproved;
  return { ...sample, ts, data: { ...sample.data, quality: 40 } };
}
const timerAt = (at: number): Envelope => ({ id: `timer-${at}`, type: 'TimerFired', version: 1, ts: at, correlationId: 'timer', causationId: 'timer', account: 'paper', source: 'runner', data: { at } });

/** The governor as a service builds it from `env`: its ApprovalRequested's expiresAt, and what expires when. */
function approvalUnder(cfg: ReturnType<typeof pipelineConfigFromEnv>, ttl: number) {
  const host = new DeciderHost(deciderFor('governor', cfg));
  const [requested] = host.handle(riskApproved(T0) as never);
  return {
    requested,
    beforeDeadline: host.handle(timerAt(T0 + ttl - 1) as never).map((e) => e.type),
    atDeadline: host.handle(timerAt(T0 + ttl) as never).map((e) => e.type),
  };
}

describe('loadServiceEnv', () => {
  test('approvers_when_given_then_the_governor_takes_them_and_a_run_records_them_for_replays', () => {
    const cfg = pipelineConfigFromEnv(loadServiceEnv({ APPROVERS: 'alice,ops-desk,alice' }));
    expect(cfg.governor).toEqual({ approvers: ['alice', 'ops-desk'] });
    // What ServiceStarted records reads back to the same list (replay --service).
    expect(pipelineConfigFromFlat(flatPipelineConfig(cfg), (d) => new Error(d)).config.governor).toEqual({ approvers: ['alice', 'ops-desk'] });
    // The governor built from it answers anyone else NOT_AN_APPROVER, and applies a listed name.
    const manual = pipelineConfigFromEnv(loadServiceEnv({ APPROVERS: 'alice,ops-desk', EXECUTION_MODE: 'fully_manual' }));
    const decide = (by: string): Envelope[] => {
      const host = new DeciderHost(deciderFor('governor', manual));
      const requested = host.handle({ ...SAMPLE_MESSAGES.RiskApproved, account: manual.account } as Envelope).find((e) => e.type === 'ApprovalRequested')!;
      const approve = SAMPLE_MESSAGES.ApproveOrder as Envelope<'ApproveOrder', { approvalId: string; by: string }>;
      return [...host.handle({ ...approve, account: manual.account, data: { approvalId: requested.id, by } } as Envelope)];
    };
    expect(decide('mallory').map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([['CommandRejected', 'NOT_AN_APPROVER']]);
    expect(decide('ops-desk').map((e) => e.type)).toContain('ApprovalGranted');
    // Unset: no list, and nothing recorded (a deployment on the defaults records what it always did).
    expect(pipelineConfigFromEnv(loadServiceEnv({})).governor).toBeUndefined();
  });

  test('approvers_when_malformed_then_refused_naming_the_variable', () => {
    for (const bad of ['alice,', ',alice', 'alice, bob', 'al ice', '-x']) {
      expect(() => loadServiceEnv({ APPROVERS: bad })).toThrow(/APPROVERS must be comma-separated approver names/);
    }
  });

  test('env_when_empty_then_paper_defaults_on_local_nats_and_postgres', () => {
    const env = loadServiceEnv({});
    expect(env).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      EXECUTION_MODE: 'quality_based',
      AUTO_EXECUTE: true,
      RISK_PER_TRADE: 0.01,
      ACCOUNT: 'paper',
    });
  });

  test('env_when_strings_given_then_converted_to_numbers_and_booleans', () => {
    const env = loadServiceEnv({ HTTP_PORT: '3100', AUTO_EXECUTE: 'false', QUALITY_THRESHOLD: '80', RISK_PER_TRADE: '0.02', FEE_BPS: '1.5' });
    expect(env).toMatchObject({ HTTP_PORT: 3100, AUTO_EXECUTE: false, QUALITY_THRESHOLD: 80, RISK_PER_TRADE: 0.02, FEE_BPS: 1.5 });
    const cfg = pipelineConfigFromEnv(env);
    expect(cfg).toMatchObject({ autoExecute: false, threshold: 80, riskPerTrade: 0.02, feeBps: 1.5 });
  });

  test('env_when_several_variables_are_bad_then_one_error_names_each_of_them', () => {
    let error: unknown;
    try {
      loadServiceEnv({ HTTP_PORT: 'eighty', EXECUTION_MODE: 'yolo', RISK_PER_TRADE: '5', AUTO_EXECUTE: 'maybe', NATS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['AUTO_EXECUTE', 'EXECUTION_MODE', 'HTTP_PORT', 'NATS_URL', 'RISK_PER_TRADE']);
    expect((error as Error).message).toMatch(/EXECUTION_MODE must be one of fully_automated, quality_based, fully_manual, display_only \(got "yolo"\)/);
  });

  test('env_when_log_level_or_timer_clock_is_bad_then_the_error_names_the_variable_once_and_the_values_it_takes', () => {
    let error: unknown;
    try {
      loadServiceEnv({ LOG_LEVEL: 'loud', TIMER_CLOCK: 'sundial' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'invalid configuration: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "loud"); ' +
        'TIMER_CLOCK must be event (the newest event time in the inbox) or wall (the wall clock) (got "sundial")',
    );
    // No variable's problem repeats its name ("LOG_LEVEL LOG_LEVEL must be …").
    for (const p of (error as ConfigError).problems) expect(p.problem).not.toContain(p.variable);
  });

  test('env_when_process_nice_given_then_an_integer_from_minus_20_to_19_or_an_error_naming_it', () => {
    expect(loadServiceEnv({ PROCESS_NICE: '5' }).PROCESS_NICE).toBe(5);
    expect(loadServiceEnv({}).PROCESS_NICE).toBeUndefined();
    for (const bad of ['20', '-21', '2.5', 'low']) {
      expect(() => loadServiceEnv({ PROCESS_NICE: bad })).toThrow(/PROCESS_NICE must be an integer nice value from -20 to 19/);
    }
  });

  test('database_migrations_when_unset_then_apply_as_before_check_when_asked_and_anything_else_refused_naming_the_variable', () => {
    expect(loadServiceEnv({}).DATABASE_MIGRATIONS).toBe('apply');
    expect(loadServiceEnv({ DATABASE_MIGRATIONS: 'check' }).DATABASE_MIGRATIONS).toBe('check');
    for (const bad of ['false', 'skip', 'CHECK']) {
      expect(() => loadServiceEnv({ DATABASE_MIGRATIONS: bad })).toThrow(
        `DATABASE_MIGRATIONS must be apply (the service runs the migrations at start) or check (it only checks them: run \`tradeloop migrate\` first) (got "${bad}")`,
      );
    }
  });

  test('env_when_stream_replicas_given_then_an_integer_from_1_to_5_or_an_error_naming_it', () => {
    expect(loadServiceEnv({}).NATS_STREAM_REPLICAS).toBe(1);
    expect(loadServiceEnv({ NATS_STREAM_REPLICAS: '3' }).NATS_STREAM_REPLICAS).toBe(3);
    for (const bad of ['0', '6', '1.5', 'three']) {
      expect(() => loadServiceEnv({ NATS_STREAM_REPLICAS: bad })).toThrow(/NATS_STREAM_REPLICAS must be an integer from 1 to 5 \(stream replicas\)/);
    }
  });

  test('approval_ttl_when_unset_then_the_governors_300000_and_nothing_more_recorded_than_before', () => {
    const env = loadServiceEnv({ EXECUTION_MODE: 'fully_manual' });
    expect(env.APPROVAL_TTL_MS).toBe(300_000);
    const cfg = pipelineConfigFromEnv(env);
    // Live feeds: event time is wall time, 5 minutes to answer; the recorded configuration is
    // the one earlier versions recorded (no governor section), so run ids do not move.
    expect(cfg.governor).toBeUndefined();
    expect(flatPipelineConfig(cfg)).not.toHaveProperty('governor');
    const { requested, beforeDeadline, atDeadline } = approvalUnder(cfg, 300_000);
    expect(requested.type).toBe('ApprovalRequested');
    expect((requested.data as { expiresAt: number }).expiresAt).toBe(T0 + 300_000);
    expect(beforeDeadline).toEqual([]);
    expect(atDeadline).toEqual(['ApprovalExpired']);
  });

  test.each(['0', '-300000', '1.5', '5m', '300000ms', '31536000001', '1e20'])('approval_ttl_when_%s_then_an_error_naming_APPROVAL_TTL_MS_once', (bad) => {
    let error: unknown;
    try {
      loadServiceEnv({ APPROVAL_TTL_MS: bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['APPROVAL_TTL_MS']);
    // The rule said once, whichever of its checks (integer, at least 1, at most 365 days) failed.
    expect((error as Error).message).toMatch(/^invalid configuration: APPROVAL_TTL_MS must be a whole number of milliseconds from 1 to 31536000000 \(365 days\) \(got [^,]+\)$/);
  });

  test('approval_ttl_when_set_then_the_governor_decider_expires_requests_at_requested_ts_plus_it_and_the_ttl_is_recorded', () => {
    const env = loadServiceEnv({ APPROVAL_TTL_MS: '90000', EXECUTION_MODE: 'fully_manual' });
    expect(env.APPROVAL_TTL_MS).toBe(90_000);
    const cfg = pipelineConfigFromEnv(env);
    expect(cfg.governor).toEqual({ approvalTtlMs: 90_000 });
    const live = approvalUnder(cfg, 90_000);
    expect(live.requested.type).toBe('ApprovalRequested');
    expect((live.requested.data as { expiresAt: number }).expiresAt).toBe(T0 + 90_000);
    expect(live.beforeDeadline).toEqual([]);
    expect(live.atDeadline).toEqual(['ApprovalExpired']);

    // Recorded as ServiceStarted and RunStarted record the configuration, and a replay's
    // governor, built from that record, decides the same deadline (same outputs, byte for byte).
    const flat = flatPipelineConfig(cfg);
    expect(JSON.parse(flat.governor as string)).toEqual({ approvalTtlMs: 90_000 });
    const replayed = approvalUnder(pipelineConfigFromFlat(flat, (d) => new Error(d)).config, 90_000);
    expect(JSON.stringify(replayed)).toBe(JSON.stringify(live));
  });

  test('env_when_a_url_with_a_password_is_bad_then_the_message_does_not_echo_it', () => {
    expect(() => loadServiceEnv({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toThrow(ConfigError);
    try {
      loadServiceEnv({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    } catch (e) {
      expect((e as Error).message).toContain('DATABASE_URL must be a postgres:// URL');
      expect((e as Error).message).not.toContain('hunter2');
    }
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });

  test.each(['http://[hooks.example.com/T0/s3cret', 'https://hooks example.com/s3cret', 'ftp://hooks.example.com/s3cret', 'hooks.example.com/s3cret'])(
    'webhook_url_%s_when_it_does_not_parse_then_refused_at_start_without_echoing_it',
    (url) => {
      expect(() => loadServiceEnv({ NOTIFIER_WEBHOOK_URL: url })).toThrow(/NOTIFIER_WEBHOOK_URL must be an http\(s\) URL$/);
      expect(() => loadServiceEnv({ NOTIFIER_WEBHOOK_URL: url })).not.toThrow(/s3cret/);
    },
  );

  test.each([
    [{ STARTING_CASH: '0' }, 'STARTING_CASH must be a positive decimal such as 100000 (got "0")'],
    [{ STARTING_CASH: '0.00' }, 'STARTING_CASH must be a positive decimal such as 100000 (got "0.00")'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT must be an integer port from 0 to 65535 (got 70000)'],
    [{ HTTP_PORT: 'abc' }, 'HTTP_PORT must be an integer port from 0 to 65535 (got "abc")'],
    [{ FEE_BPS: '5000' }, 'FEE_BPS must be a number of basis points from 0 to 1000 (got 5000)'],
    [{ RISK_PER_TRADE: '0.5' }, 'RISK_PER_TRADE must be a number in (0, 0.1] (got 0.5)'],
  ])('%j_then_one_clear_problem', (env, problem) => {
    expect(() => loadServiceEnv(env)).toThrow(problem);
  });

  test('given_no_idempotency_key_ttl_when_loaded_then_24_hours_and_a_bad_one_is_named_with_its_range', () => {
    expect(loadServiceEnv({}).IDEMPOTENCY_KEY_TTL_MS).toBe(86_400_000);
    expect(loadServiceEnv({ IDEMPOTENCY_KEY_TTL_MS: '3600000' }).IDEMPOTENCY_KEY_TTL_MS).toBe(3_600_000);
    for (const bad of ['0', '59999', '1.5', 'a day', '-1', '31536000001']) {
      expect(() => loadServiceEnv({ IDEMPOTENCY_KEY_TTL_MS: bad })).toThrow(
        /^invalid configuration: IDEMPOTENCY_KEY_TTL_MS must be a whole number of milliseconds from 60000 \(1 minute\) to 31536000000 \(365 days\) \(got /,
      );
    }
  });

  test('risk_limits_when_set_then_validated_and_given_to_the_risk_decider_as_the_cli_options_are', () => {
    // Before, the risk service had no way to take its limits from the environment: only the CLI did.
    const env = loadServiceEnv({
      RISK_MAX_POSITION: '0.5',
      RISK_MAX_EXPOSURE: '2',
      RISK_DAILY_LOSS_LIMIT: '0.02',
      RISK_DAILY_TRADES: '1',
      RISK_LOSS_STREAK: '3',
      RISK_COOLDOWN_MS: '0',
      RISK_MAX_ORDER_VALUE: '250000',
      RISK_MAX_ORDER_QTY: '500000',
    });
    const cfg = pipelineConfigFromEnv(env);
    expect(cfg.risk).toEqual({
      maxPositionPct: 0.5,
      maxExposurePct: 2,
      dailyLossLimitPct: 0.02,
      dailyTradeLimit: 1,
      lossStreakLimit: 3,
      cooldownMs: 0,
      maxOrderValue: '250000',
      maxOrderQuantity: '500000',
    });
    // Recorded as a backtest records its options, and read back by a replay.
    expect(pipelineConfigFromFlat(flatPipelineConfig(cfg), (d) => new Error(d)).config.risk).toEqual(cfg.risk);
    // The risk service's decider applies them: one new order a day.
    const risk = new DeciderHost(deciderFor('risk', cfg));
    const bar = { ...SAMPLE_MESSAGES.BarClosed, ts: T0, data: { ...SAMPLE_MESSAGES.BarClosed.data, openTime: T0 - 60_000 } };
    risk.handle(bar as never);
    const order = (n: number): Envelope => ({ ...SAMPLE_MESSAGES.SubmitManualOrder, id: `cmd-${n}`, ts: T0 + n * 1000, data: { venue: bar.data.venue, symbol: bar.data.symbol, side: 'buy', type: 'market', quantity: '1000', requestedBy: 'alice' } });
    expect(risk.handle(order(1) as never).map((e) => e.type)).toEqual(['RiskApproved']);
    expect(risk.handle(order(2) as never).map((e) => (e.type === 'OrderDenied' ? (e.data as { reason: string }).reason : e.type))).toEqual(['DAILY_TRADE_LIMIT']);
    // Unset: risk's defaults, and no risk section (a deployment records what it always did).
    expect(pipelineConfigFromEnv(loadServiceEnv({})).risk).toBeUndefined();
  });

  test.each([
    ['RISK_MAX_POSITION', '0', 'must be a fraction of equity above 0, at most 100'],
    ['RISK_MAX_EXPOSURE', '101', 'must be a fraction of equity above 0, at most 100'],
    ['RISK_DAILY_LOSS_LIMIT', '1.5', 'must be a fraction of equity above 0, at most 1'],
    ['RISK_DAILY_TRADES', '2.5', 'must be a whole number from 0 to 1000000'],
    ['RISK_LOSS_STREAK', '0', 'must be a whole number from 1 to 1000000'],
    ['RISK_COOLDOWN_MS', '-1', 'must be a whole number of milliseconds from 0 to 31536000000 (365 days)'],
    ['RISK_MAX_ORDER_VALUE', '1e6', 'must be a positive decimal amount such as 1000000'],
    ['RISK_MAX_ORDER_QTY', '0', 'must be a positive decimal quantity such as 10000000'],
  ])('risk_limit_%s_when_%s_then_refused_at_start_naming_it', (variable, value, problem) => {
    expect(() => loadServiceEnv({ [variable]: value })).toThrow(`${variable} ${problem} (got `);
  });

  describe('instruments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-env-instruments-'));
    const write = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const GOLD = 'XAUUSD:\n  contractSize: 100\n  lotSize: 0.01\n  minQuantity: 0.01\n';

    /** What the risk service (or its replay) answers to a manual order of `quantity` gold. */
    function riskOn(cfg: ReturnType<typeof pipelineConfigFromEnv>, quantity: string) {
      const risk = new DeciderHost(deciderFor('risk', cfg));
      const b = SAMPLE_MESSAGES.BarClosed;
      const bar = { ...b, ts: T0, data: { ...b.data, symbol: 'XAUUSD', openTime: T0 - 60_000, open: 1290, high: 1291, low: 1289, close: 1290.5, askOpen: 1290.3, askHigh: 1291.3, askLow: 1289.3, askClose: 1290.8 } };
      risk.handle(bar as never);
      const order = { ...SAMPLE_MESSAGES.SubmitManualOrder, id: 'cmd-1', ts: T0 + 1000, data: { venue: b.data.venue, symbol: 'XAUUSD', side: 'buy', type: 'market', quantity, requestedBy: 'alice' } };
      return risk.handle(order as never)[0] as Envelope;
    }

    test('instruments_file_when_set_then_every_decider_trades_its_instruments_and_service_started_records_them_for_replay', () => {
      const env = loadServiceEnv({ INSTRUMENTS_FILE: write('gold.yaml', GOLD) });
      const cfg = pipelineConfigFromEnv(env);
      expect(cfg.instruments).toEqual({ XAUUSD: { lotSize: '0.01', minQuantity: '0.01', contractSize: '100' } });
      // What `tradeloop replay --service risk` builds from the ServiceStarted the service recorded.
      const replayed = pipelineConfigFromFlat(flatPipelineConfig(cfg), (d) => new Error(d)).config;
      expect(JSON.stringify(replayed)).toBe(JSON.stringify(cfg));
      for (const c of [cfg, replayed]) {
        const approved = riskOn(c, '0.05');
        expect(approved.type).toBe('RiskApproved');
        const data = approved.data as { notional: string; referencePrice: string };
        // 0.05 contracts of 100 ounces: 5 ounces' worth, not 0.05 of one.
        expect(data.notional).toBe(dec('0.05').mul(data.referencePrice).mul(100).toFixed(2));
      }
      // Without the file gold is in ounces: a hundredth of one is off the lot grid.
      expect(riskOn(pipelineConfigFromEnv(loadServiceEnv({})), '0.05').type).toBe('OrderDenied');
      // The same text inline is the same setting.
      expect(pipelineConfigFromEnv(loadServiceEnv({ INSTRUMENTS: JSON.stringify({ XAUUSD: { contractSize: 100, lotSize: '0.01', minQuantity: '0.01' } }) })).instruments).toEqual(cfg.instruments);
      // Unset: nothing recorded (a deployment records what it always did).
      expect(Object.keys(flatPipelineConfig(pipelineConfigFromEnv(loadServiceEnv({}))))).not.toContain('instruments');
    });

    test.each([
      ['a bad field in the file', () => ({ INSTRUMENTS_FILE: write('bad.yaml', 'XAUUSD:\n  lotSize: 0.01\n  contractSize: 0\n') }), () => `INSTRUMENTS_FILE ${join(dir, 'bad.yaml')}:3: XAUUSD.contractSize must be positive, got "0"`],
      ['a file that is not there', () => ({ INSTRUMENTS_FILE: join(dir, 'none.yaml') }), () => `INSTRUMENTS_FILE ${join(dir, 'none.yaml')}: cannot read the instruments file`],
      ['a bad field inline', () => ({ INSTRUMENTS: '{"XAUUSD": {"tickSize": "0.3"}}' }), () => 'INSTRUMENTS XAUUSD.tickSize must be a step that divides a power of ten'],
      ['an unknown field on line 2 inline', () => ({ INSTRUMENTS: 'XAUUSD:\n  size: 100\n' }), () => 'INSTRUMENTS line 2: XAUUSD.size is not an instrument field'],
      ['both', () => ({ INSTRUMENTS: '{}', INSTRUMENTS_FILE: write('gold2.yaml', GOLD) }), () => 'INSTRUMENTS and INSTRUMENTS_FILE are both set: give the instruments one way'],
    ])('%s_then_refused_at_start_naming_the_variable', (_what, env, message) => {
      let error: unknown;
      try {
        loadServiceEnv({ ...env(), RISK_PER_TRADE: '5' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      // Named together with any other bad variable.
      expect((error as ConfigError).problems.map((p) => p.variable)).toContain('RISK_PER_TRADE');
      expect((error as Error).message).toContain(message());
    });
  });

  test('starting_cash_when_positive_then_accepted', () => {
    expect(loadServiceEnv({ STARTING_CASH: '0.5' }).STARTING_CASH).toBe('0.5');
  });

  test('webhook_url_with_credentials_then_refused_at_start_without_echoing_them', () => {
    for (const url of ['http://hookuser:hookpass@127.0.0.1:3950/hooks/T0', 'https://token@hooks.example.com/x']) {
      expect(() => loadServiceEnv({ NOTIFIER_WEBHOOK_URL: url })).toThrow(/NOTIFIER_WEBHOOK_URL must not carry user:password@/);
      expect(() => loadServiceEnv({ NOTIFIER_WEBHOOK_URL: url })).not.toThrow(/hookpass|token@/);
    }
  });

  test('webhook_url_when_a_real_http_url_then_accepted_as_given', () => {
    for (const url of ['https://hooks.slack.com/services/T0/B0/s3cret', 'http://localhost:8080/hook', 'http://127.0.0.1:9000/x?token=abc']) {
      expect(loadServiceEnv({ NOTIFIER_WEBHOOK_URL: url }).NOTIFIER_WEBHOOK_URL).toBe(url);
    }
  });

  test('redactUrl_when_given_a_nats_server_list_with_passwords_and_tokens_then_hides_every_secret', () => {
    const list = 'nats://svc:pa55@n1:4222,nats://t0ken-abc@n2:4222,nats://n3:4222';
    const shown = redactUrl(list);
    expect(shown).toBe('nats://svc:***@n1:4222,nats://***@n2:4222,nats://n3:4222');
    expect(shown).not.toContain('pa55');
    expect(shown).not.toContain('t0ken-abc');
    expect(redactUrl('postgres://postgres@db:5432/x')).toBe('postgres://postgres@db:5432/x');
  });

  test.each([
    // Unencoded characters that ended the old pattern early, and secrets in the query.
    ['postgres://postgres:Pa,ss!w0rd@127.0.0.1:5432/test', 'postgres://postgres:***@127.0.0.1:5432/test', 'Pa,ss'],
    ['postgres://u:ab/cd@db:5432/x', 'postgres://u:***@db:5432/x', 'ab/cd'],
    ['postgres://u:s3c@ret@db:5432/x', 'postgres://u:***@db:5432/x', 's3c'],
    ['postgres://u:a:b@db/x', 'postgres://u:***@db/x', 'a:b'],
    ['postgres://db:5432/x?user=u&password=hunter2&sslmode=require', 'postgres://db:5432/x?user=***&password=***&sslmode=***', 'hunter2'],
    ['nats://svc:p,w@n1:4222,nats://n2:4222', 'nats://svc:***@n1:4222,nats://n2:4222', 'p,w'],
    ['https://hooks.example.com/T0/s3cret?token=abc', 'https://hooks.example.com/T0/s3cret?token=***', 'abc'],
  ])('redactUrl_%s_then_%s', (url, shown, secret) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain(secret);
  });
});
