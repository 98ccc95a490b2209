import { resolve } from 'node:path';
import { ConfigError, loadServiceEnv, type ServiceEnv } from '@tradeloop/nest-service';

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

export interface QuickstartSettings {
  /** The services' variables, validated by the same rules (EXECUTION_MODE, RISK_PER_TRADE, …). */
  readonly env: ServiceEnv;
  /** NATS_URL / DATABASE_URL given in the environment: then they must answer (no fallback). */
  readonly natsExplicit: boolean;
  readonly databaseExplicit: boolean;
  /** Event time per wall time: 600 = a 1m bar every 100 ms; 0 = as fast as the pipeline goes. */
  readonly speed: number;
  readonly exitWhenDone: boolean;
  readonly httpHost: string;
  readonly httpPort: number;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * Reads and validates the quickstart's environment once, at start: the services' variables
 * (loadServiceEnv) plus MARKET_DATA_SPEED, QUICKSTART_EXIT_WHEN_DONE and QUICKSTART_HTTP_HOST.
 * Every bad variable is named in one ConfigError; URLs are never echoed.
 */
export function loadQuickstartSettings(raw: Record<string, string | undefined>): QuickstartSettings {
  const problems: { variable: string; problem: string }[] = [];
  // A variable set to blanks (`NATS_URL= npm start`) counts as unset, not as a bad URL.
  const set = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  let env: ServiceEnv | undefined;
  try {
    env = loadServiceEnv(set);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  const given = (name: string): string | undefined => {
    const v = raw[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const speedText = given('MARKET_DATA_SPEED');
  const speed = speedText === undefined ? DEFAULT_SPEED : Number(speedText);
  if (!Number.isFinite(speed) || speed < 0) {
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
    exitWhenDone,
    httpHost,
    httpPort: env.HTTP_PORT ?? DEFAULT_HTTP_PORT,
  };
}
