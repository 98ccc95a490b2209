import { resolve } from 'node:path';
import { defaultGovernorConfig } from '@tradeloop/governor';
import { ConfigError, loadServiceEnv, ServiceEnv } from '@tradeloop/nest-service';
import { DEFAULT_MAX_QUIET_MS } from '@tradeloop/market-data-app';

/** The repository root (apps/quickstart/src → ../../..). */
export const REPO_ROOT = resolve(__dirname, '../../..');
/** Real data shipped in the repository (data/README.md: source and licence). */
export const BUNDLED_DATA_FILE = resolve(REPO_ROOT, 'data/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
/** Where the quickstart keeps its API key file, log and embedded database. */
export const DEFAULT_STATE_DIR = resolve(REPO_ROOT, '.tradeloop');

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_SPEED = 600;
export const DEFAULT_HTTP_PORT = 3000;

/**
 * Wall time a person has to answer an approval request in the quickstart when APPROVAL_TTL_MS is
 * not set: one minute — long enough to read the request and answer it, short enough that an
 * unattended demo is not held up (see defaultApprovalTtlMs).
 */
export const APPROVAL_WALL_MS = 60_000;

/**
 * The quickstart's APPROVAL_TTL_MS when it is not set: APPROVAL_WALL_MS of wall time at the replay
 * pace `speed` (event time per wall time).
 *
 * Why scale: the governor's TTL is event time, and the quickstart replays at 600× by default, so
 * the governor's 300 000 ms would close a request after 0.5 s of wall time — nobody could answer
 * it (GET /v1/approvals?status=requested polled every 100 ms never saw one). At 600× a request
 * now lasts 36 000 000 ms of event time (10 hours of market), a minute of wall time; shorter
 * when a quiet stretch (a weekend, passed in 1 s) falls inside it. Why a minute and not the
 * governor's live 5: an unanswered request keeps its risk reservation until it expires, so risk
 * denies the same market's next signals (POSITION_ALREADY_OPEN) meanwhile — measured over the
 * bundled file with nobody answering, 53 closed trades at 300 000 ms, 54 at 36 000 000 (a
 * minute), 35 at 180 000 000 (5 minutes). APPROVAL_TTL_MS=300000 gives the backtest's behaviour
 * back; EXECUTION_MODE=fully_automated asks for no approvals at all.
 *
 * At speed 0 (as fast as the pipeline goes) nobody can answer in time whatever the TTL, so it is
 * the governor's default, as in `tradeloop backtest`. Rounded to whole ms, and at most the
 * longest TTL the services accept (an absurd pace would otherwise overflow it).
 */
export function defaultApprovalTtlMs(speed: number): number {
  if (speed === 0) return defaultGovernorConfig.approvalTtlMs;
  const { min, max } = ServiceEnv.APPROVAL_TTL_MS_RANGE;
  return Math.min(max, Math.max(min, Math.round(APPROVAL_WALL_MS * speed)));
}

export interface QuickstartSettings {
  /** The services' variables, validated by the same rules (EXECUTION_MODE, RISK_PER_TRADE, …). */
  readonly env: ServiceEnv;
  /** NATS_URL / DATABASE_URL given in the environment: then they must answer (no fallback). */
  readonly natsExplicit: boolean;
  readonly databaseExplicit: boolean;
  /** Event time per wall time: 600 = a 1m bar every 100 ms; 0 = as fast as the pipeline goes. */
  readonly speed: number;
  /**
   * MARKET_DATA_MAX_QUIET_MS, as for the market-data service: a stretch without data longer than
   * this much event time (a weekend) passes in the wall time this much takes at `speed` (1 s at
   * 600×). 0: every stretch is waited out.
   */
  readonly maxQuietMs: number;
  /** APPROVAL_TTL_MS was set: `env.APPROVAL_TTL_MS` is it, not defaultApprovalTtlMs(speed). */
  readonly approvalTtlExplicit: boolean;
  readonly exitWhenDone: boolean;
  readonly httpHost: string;
  readonly httpPort: number;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * Reads and validates the quickstart's environment once, at start: the services' variables
 * (loadServiceEnv) plus MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS, QUICKSTART_EXIT_WHEN_DONE and
 * QUICKSTART_HTTP_HOST.
 * APPROVAL_TTL_MS, when not set, is defaultApprovalTtlMs(speed) rather than the services' default;
 * `env` carries it, so both engines (pipelineConfigFromEnv) run and record the governor with it.
 * Every bad variable is named in one ConfigError; URLs are never echoed.
 */
export function loadQuickstartSettings(raw: Record<string, string | undefined>): QuickstartSettings {
  const problems: { variable: string; problem: string }[] = [];
  // A variable set to blanks (`NATS_URL= npm start`) counts as unset, not as a bad URL.
  const set = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const given = (name: string): string | undefined => {
    const v = raw[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const speedText = given('MARKET_DATA_SPEED');
  const speed = speedText === undefined ? DEFAULT_SPEED : Number(speedText);
  const speedOk = Number.isFinite(speed) && speed >= 0;
  const quietText = given('MARKET_DATA_MAX_QUIET_MS');
  const maxQuietMs = quietText === undefined ? DEFAULT_MAX_QUIET_MS : Number(quietText);
  if (!Number.isSafeInteger(maxQuietMs) || maxQuietMs < 0) {
    problems.push({
      variable: 'MARKET_DATA_MAX_QUIET_MS',
      problem: `must be an integer ≥ 0: the longest stretch without data, in ms of market, waited out at the replay pace (0 = every one) (got ${JSON.stringify(quietText)})`,
    });
  }
  const approvalTtlExplicit = given('APPROVAL_TTL_MS') !== undefined;
  // Validated with the services' variables, as if it had been set (a bad pace leaves the services' default).
  if (!approvalTtlExplicit && speedOk) set.APPROVAL_TTL_MS = String(defaultApprovalTtlMs(speed));
  let env: ServiceEnv | undefined;
  try {
    env = loadServiceEnv(set);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }

  if (!speedOk) {
    problems.push({ variable: 'MARKET_DATA_SPEED', problem: `must be a number ≥ 0 (600 = a 1m bar every 100 ms, 0 = as fast as possible) (got ${JSON.stringify(speedText)})` });
  }

  const exitText = given('QUICKSTART_EXIT_WHEN_DONE')?.toLowerCase();
  let exitWhenDone = false;
  if (exitText !== undefined) {
    if (TRUE.includes(exitText)) exitWhenDone = true;
    else if (!FALSE.includes(exitText)) problems.push({ variable: 'QUICKSTART_EXIT_WHEN_DONE', problem: `must be true or false (got ${JSON.stringify(exitText)})` });
  }

  const httpHost = given('QUICKSTART_HTTP_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(httpHost)) problems.push({ variable: 'QUICKSTART_HTTP_HOST', problem: `must be a host name or IP address (got ${JSON.stringify(httpHost)})` });

  if (problems.length > 0 || env === undefined) throw new ConfigError(problems);
  return {
    env,
    natsExplicit: given('NATS_URL') !== undefined,
    databaseExplicit: given('DATABASE_URL') !== undefined,
    speed,
    maxQuietMs,
    approvalTtlExplicit,
    exitWhenDone,
    httpHost,
    httpPort: env.HTTP_PORT ?? DEFAULT_HTTP_PORT,
  };
}
