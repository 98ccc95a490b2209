import { resolve } from 'node:path';
import { inferFromFileName, MARKET_SYMBOL, MARKET_VENUE, unnamedFilesText } from '@tradeloop/market-data';
import { ConfigError } from '@tradeloop/nest-service';
import { fileSource, syntheticSource, type FeedSource, type FileSpec } from './sources';

/** What the market-data service plays: recorded files, or the seeded synthetic generator. */
export interface FeedSettings {
  readonly speed: number;
  /**
   * The longest stretch without data (event-time ms) the feed waits out at `speed`; a longer one
   * (a weekend) passes in the wall time this one takes. 0: every stretch is waited out.
   */
  readonly maxQuietMs: number;
  source(account: string): FeedSource;
  /** Files of MARKET_DATA_FILES that MARKET_DATA_SYMBOL / _VENUE passed over, as `file (SYMBOL@VENUE)`. */
  readonly passedOver: readonly string[];
}

const KINDS = ['bar', 'quote'] as const;

/**
 * MARKET_DATA_MAX_QUIET_MS when not set: ten minutes of market. A weekend then passes in 10 s at
 * the default speed of 60 (instead of 48 minutes) and in 1 s at 600, as in the quickstart, while
 * the bars of a session — a minute apart, or a few minutes where nothing traded — keep their pace
 * at any speed.
 */
export const DEFAULT_MAX_QUIET_MS = 600_000;

interface FileChoice {
  readonly specs: FileSpec[];
  readonly passedOver: string[];
}

/**
 * Which files to play, and under which market, as `tradeloop backtest --symbol/--venue` reads
 * them: a file's name says its symbol and venue (EURUSD_OANDA_…); MARKET_DATA_SYMBOL and
 * MARKET_DATA_VENUE name them for a file whose name does not (`mydata.csv`), and for a named file
 * only choose (a file of another symbol or venue is passed over), never rename it, so EURUSD
 * prices are never published as another instrument.
 */
function chooseFiles(files: readonly string[], symbol: string | undefined, venue: string | undefined, problems: { variable: string; problem: string }[]): FileChoice {
  const specs: FileSpec[] = [];
  const passedOver: string[] = [];
  const unnamed: string[] = [];
  for (const file of files) {
    const named = inferFromFileName(file);
    if (named.symbol === undefined || named.venue === undefined) {
      unnamed.push(file);
      specs.push({ path: file, symbol, venue });
    } else if ((symbol === undefined || named.symbol === symbol) && (venue === undefined || named.venue === venue)) {
      specs.push(file);
    } else {
      passedOver.push(`${file} (${named.symbol}@${named.venue})`);
    }
  }
  if (unnamed.length > 0) {
    const why = unnamedFilesText(unnamed);
    if (symbol === undefined && venue === undefined) {
      problems.push({ variable: 'MARKET_DATA_FILES', problem: `${why}: set MARKET_DATA_SYMBOL and MARKET_DATA_VENUE to name them, or rename the file` });
    } else if (symbol === undefined) {
      problems.push({ variable: 'MARKET_DATA_SYMBOL', problem: `must be set: ${why}` });
    } else if (venue === undefined) {
      problems.push({ variable: 'MARKET_DATA_VENUE', problem: `must be set: ${why}` });
    }
  }
  if (specs.length === 0 && passedOver.length > 0) {
    // Named once, by the ConfigError: `MARKET_DATA_SYMBOL EURUSD (with MARKET_DATA_VENUE OANDA) matches none …`.
    const wanted = symbol === undefined ? venue : venue === undefined ? symbol : `${symbol} (with MARKET_DATA_VENUE ${venue})`;
    problems.push({
      variable: symbol !== undefined ? 'MARKET_DATA_SYMBOL' : 'MARKET_DATA_VENUE',
      problem:
        `${wanted} matches none of MARKET_DATA_FILES: ${passedOver.join(', ')}. A file's name says its symbol and venue; ` +
        'MARKET_DATA_SYMBOL and MARKET_DATA_VENUE name them only for a file whose name does not, and otherwise choose among the files',
    });
  }
  return { specs, passedOver };
}

/**
 * Reads the service's own variables. Files (MARKET_DATA_FILES, relative to MARKET_DATA_DIR) or,
 * for load tests, the synthetic generator (MARKET_DATA_SYNTHETIC = its symbols, on venue SIM; a
 * seeded random walk, so the same settings publish the same messages):
 * MARKET_DATA_SYNTHETIC_KIND bar|quote (default bar), _INTERVAL_MS (default 60000 for bars, 1000
 * for quotes), _COUNT (messages in all; default endless), _SEED (default 7) and _START (ISO time
 * of the first message, default 2024-01-02T00:00:00Z). MARKET_DATA_SYMBOL and MARKET_DATA_VENUE
 * name the market of a file whose name does not say it, and choose among named files (see
 * chooseFiles). MARKET_DATA_MAX_QUIET_MS: see FeedSettings.maxQuietMs. Every bad variable is named
 * in one error.
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
  let marketsOk = true;
  const market = (name: string, pattern: RegExp, rule: string): string | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    if (!pattern.test(raw)) {
      problems.push({ variable: name, problem: `${rule} (got ${JSON.stringify(env[name])})` });
      marketsOk = false;
    } else if (symbols.length > 0) {
      problems.push({ variable: name, problem: 'applies to MARKET_DATA_FILES only: the synthetic generator publishes the symbols of MARKET_DATA_SYNTHETIC on venue SIM' });
    }
    return raw.toUpperCase();
  };
  const symbol = market('MARKET_DATA_SYMBOL', MARKET_SYMBOL.pattern, `must be ${MARKET_SYMBOL.rule}`);
  const venue = market('MARKET_DATA_VENUE', MARKET_VENUE.pattern, `must be ${MARKET_VENUE.rule}`);
  const chosen = symbols.length === 0 && marketsOk ? chooseFiles(files, symbol, venue, problems) : { specs: [], passedOver: [] };
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
  const maxQuietMs = integer('MARKET_DATA_MAX_QUIET_MS', DEFAULT_MAX_QUIET_MS, 0);
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
    maxQuietMs,
    source: synthetic ?? ((account) => fileSource(chosen.specs, { dataDir, barTimestamp: barTimestamp as 'open' | 'close', account })),
    passedOver: chosen.passedOver,
  };
}
