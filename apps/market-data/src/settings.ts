import { resolve } from 'node:path';
import { ConfigError } from '@tradeloop/nest-service';
import { fileSource, syntheticSource, type FeedSource } from './sources';

/** What the market-data service plays: recorded files, or the seeded synthetic generator. */
export interface FeedSettings {
  readonly speed: number;
  source(account: string): FeedSource;
}

const KINDS = ['bar', 'quote'] as const;

/**
 * Reads the service's own variables. Files (MARKET_DATA_FILES, relative to MARKET_DATA_DIR) or,
 * for load tests, the synthetic generator (MARKET_DATA_SYNTHETIC = its symbols, on venue SIM; a
 * seeded random walk, so the same settings publish the same messages):
 * MARKET_DATA_SYNTHETIC_KIND bar|quote (default bar), _INTERVAL_MS (default 60000 for bars, 1000
 * for quotes), _COUNT (messages in all; default endless), _SEED (default 7) and _START (ISO time
 * of the first message, default 2024-01-02T00:00:00Z). Every bad variable is named in one error.
 */
export function feedSettings(env: NodeJS.ProcessEnv, defaultDataDir: string): FeedSettings {
  const problems: { variable: string; problem: string }[] = [];
  const list = (name: string): string[] => (env[name] ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
  const files = list('MARKET_DATA_FILES');
  const symbols = list('MARKET_DATA_SYNTHETIC').map((s) => s.toUpperCase());
  if (files.length === 0 && symbols.length === 0) {
    problems.push({ variable: 'MARKET_DATA_FILES', problem: 'must list at least one data file (comma-separated, relative to MARKET_DATA_DIR), or set MARKET_DATA_SYNTHETIC' });
  }
  if (files.length > 0 && symbols.length > 0) {
    problems.push({ variable: 'MARKET_DATA_SYNTHETIC', problem: 'cannot be set together with MARKET_DATA_FILES: the feed is one or the other' });
  }
  const speed = Number(env['MARKET_DATA_SPEED'] ?? '60');
  if (!Number.isFinite(speed) || speed < 0) problems.push({ variable: 'MARKET_DATA_SPEED', problem: `must be a number ≥ 0 (got ${JSON.stringify(env['MARKET_DATA_SPEED'])})` });
  const barTimestamp = env['MARKET_DATA_BAR_TIMESTAMP'] ?? 'open';
  if (barTimestamp !== 'open' && barTimestamp !== 'close') problems.push({ variable: 'MARKET_DATA_BAR_TIMESTAMP', problem: `must be open or close (got ${JSON.stringify(barTimestamp)})` });

  const kind = (env['MARKET_DATA_SYNTHETIC_KIND'] ?? 'bar') as (typeof KINDS)[number];
  if (!KINDS.includes(kind)) problems.push({ variable: 'MARKET_DATA_SYNTHETIC_KIND', problem: `must be bar or quote (got ${JSON.stringify(kind)})` });
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) problems.push({ variable: name, problem: `must be an integer ≥ ${min} (got ${JSON.stringify(raw)})` });
    return n;
  };
  const intervalMs = integer('MARKET_DATA_SYNTHETIC_INTERVAL_MS', kind === 'quote' ? 1_000 : 60_000, 1);
  const count = integer('MARKET_DATA_SYNTHETIC_COUNT', Number.POSITIVE_INFINITY, 1);
  const seed = integer('MARKET_DATA_SYNTHETIC_SEED', 7, 0);
  const startText = env['MARKET_DATA_SYNTHETIC_START'] ?? '2024-01-02T00:00:00Z';
  const start = Date.parse(startText);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(startText) || !Number.isFinite(start)) {
    problems.push({ variable: 'MARKET_DATA_SYNTHETIC_START', problem: `must be an ISO time such as 2024-01-02T00:00:00Z (got ${JSON.stringify(startText)})` });
  }
  let synthetic: ((account: string) => FeedSource) | undefined;
  if (symbols.length > 0 && problems.length === 0) {
    const options = { symbols, venue: 'SIM', start, intervalMs, seed, kind, count };
    try {
      syntheticSource(options); // bad options (a symbol without a start price) fail at start
    } catch (e) {
      problems.push({ variable: 'MARKET_DATA_SYNTHETIC', problem: e instanceof Error ? e.message : String(e) });
    }
    synthetic = (account) => syntheticSource({ ...options, account });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = resolve(env['MARKET_DATA_DIR'] ?? defaultDataDir);
  return {
    speed,
    source: synthetic ?? ((account) => fileSource(files, { dataDir, barTimestamp: barTimestamp as 'open' | 'close', account })),
  };
}
