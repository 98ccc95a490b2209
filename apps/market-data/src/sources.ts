import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Message } from '@tradeloop/contracts';
import { marketKey, type Timeframe } from '@tradeloop/kernel';
import {
  MarketCoverage,
  mergeByTime,
  inverseContractText,
  readMarketDataFile,
  syntheticFeed,
  toDataRejected,
  type BarTimestamp,
  type MarketDataFileInfo,
  type MarketDataOptions,
  type RejectedRow,
  type SyntheticFeedOptions,
} from '@tradeloop/market-data';
import type { MarketDataMessage } from '@tradeloop/transport-nats';

/** Where a feed's messages come from; the replay and the publisher do not care which. */
export interface FeedSource {
  /** For logs: the files, or the synthetic settings. */
  readonly description: string;
  /**
   * The market data in time order (ties: file order, then symbol). A new iteration each call,
   * so a source can be replayed again; synthetic sources are lazy and may be endless.
   */
  readonly messages: () => Iterable<MarketDataMessage>;
  /** One DataRejected per refused row (published on md.rejected.*, never traded on). */
  readonly rejected: readonly Message<'DataRejected'>[];
  readonly files: readonly MarketDataFileInfo[];
  /** The markets (venue, symbol) the messages belong to, each once: one series each. */
  readonly markets: readonly Market[];
}

export interface Market {
  readonly venue: string;
  readonly symbol: string;
}

/** What a single file may override (the rest comes from its name and the source options). */
export type FileOverrides = Pick<MarketDataOptions, 'symbol' | 'venue' | 'timeframe' | 'barTimestamp' | 'aggregate'>;

/** A path, or a path with per-file settings (e.g. `barTimestamp: 'close'` for the nautilus_trader files). */
export type FileSpec = string | ({ readonly path: string } & FileOverrides);

export interface FileSourceOptions {
  /** Relative paths are read from here (e.g. `../shared/data`); default: the working directory. */
  readonly dataDir?: string;
  /** Bar timeframe built from tick (quotes) and trade files; default 1m. */
  readonly aggregate?: Timeframe;
  /** Default for bar files without their own setting; default 'open'. */
  readonly barTimestamp?: BarTimestamp;
  /** Keep bars whose open time (snapshots whose time) is in [from, to), epoch ms. */
  readonly from?: number;
  readonly to?: number;
  readonly account?: string;
  /**
   * Event time of the DataRejected events. Default: the first bar's (its close), as a backtest of
   * the same files stamps them, so a replay of 2014 does not publish events of today's date.
   */
  readonly rejectedAt?: number;
}

/**
 * Reads and validates the given shared-data files (bars, quote bars — resampled when
 * `aggregate` is coarser than theirs; tick quotes and trades aggregated into bars of `aggregate`; book snapshots with the quote bars of their top of book)
 * and merges them into one time-ordered
 * feed. Refused rows become DataRejected events; a file with no valid row, a missing file or a
 * file listed twice is an error naming it, and so are two files that hold the same market
 * (venue and symbol) at the same time, as `tradeloop backtest` refuses them (MarketCoverage).
 */
export function fileSource(paths: readonly FileSpec[], options: FileSourceOptions = {}): FeedSource {
  if (paths.length === 0) throw new RangeError('fileSource: no files given');
  const seen = new Set<string>();
  const lists: MarketDataMessage[][] = [];
  const rows: RejectedRow[] = [];
  const files: MarketDataFileInfo[] = [];
  const coverage = new MarketCoverage('list one of them in MARKET_DATA_FILES');
  for (const spec of paths) {
    const { path: given, ...overrides } = typeof spec === 'string' ? { path: spec } : spec;
    const path = isAbsolute(given) ? given : resolve(options.dataDir ?? '.', given);
    if (seen.has(path)) throw new RangeError(`fileSource: ${path} is listed twice (its messages would be published twice)`);
    seen.add(path);
    if (!existsSync(path)) throw new RangeError(`fileSource: market-data file not found: ${path}${given !== path ? ` (given as ${given})` : ''}`);
    const file = readMarketDataFile(path, {
      ...(options.from !== undefined && { from: options.from }),
      ...(options.to !== undefined && { to: options.to }),
      ...(options.account !== undefined && { account: options.account }),
      ...(options.aggregate !== undefined && { aggregate: options.aggregate }),
      ...(options.barTimestamp !== undefined && { barTimestamp: options.barTimestamp }),
      ...definedOnly(overrides),
    });
    if (file.info.inverse === true) {
      throw new RangeError(`fileSource: ${inverseContractText(file.info.file, file.info.symbol, file.info.venue, 'Leave it out of MARKET_DATA_FILES')}`);
    }
    coverage.add(given, file.bars);
    // A book file: its snapshots and the quote bars of its top of book (what the scanner, risk
    // and the paper broker trade on), as a backtest of the same file reads it.
    lists.push(file.books.length > 0 ? mergeByTime<MarketDataMessage>(file.books, file.bars) : file.bars);
    rows.push(...file.rejected);
    files.push(file.info);
  }
  const merged = mergeByTime<MarketDataMessage>(...lists);
  // Stamped with event time, as everything else in the MD stream: a wall-clock DataRejected
  // there was the newest time a deployment on event time (TIMER_CLOCK=event) could read.
  const firstBar = merged.find((m) => m.type === 'BarClosed') ?? merged[0];
  const rejectedAt = options.rejectedAt ?? firstBar?.ts ?? options.from ?? 0;
  const rejected = rows.map((row) => toDataRejected(row, rejectedAt, options.account));
  return {
    description: `files ${files.map((f) => f.file).join(', ')}`,
    messages: () => merged,
    rejected,
    files,
    markets: marketsOf(merged),
  };
}

function marketsOf(messages: readonly MarketDataMessage[]): Market[] {
  const seen = new Map<string, Market>();
  for (const m of messages) {
    const { venue, symbol } = m.data;
    const key = marketKey(venue, symbol);
    if (!seen.has(key)) seen.set(key, { venue, symbol });
  }
  return [...seen.values()];
}

/** `{ barTimestamp: undefined }` must not undo the source-wide default. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A seeded random walk (see syntheticFeed): the same options replay the same messages. */
export function syntheticSource(options: SyntheticFeedOptions): FeedSource {
  // Built once here so bad options fail now, not at the first replay.
  syntheticFeed(options);
  return {
    description: `synthetic ${options.kind}s of ${options.symbols.join(', ')} on ${options.venue}, seed ${options.seed}, every ${options.intervalMs} ms, ${options.count} messages`,
    messages: () => syntheticFeed(options),
    rejected: [],
    files: [],
    markets: options.symbols.map((symbol) => ({ venue: options.venue, symbol })),
  };
}

/** The service's feed setting: replayed files or a synthetic generator. */
export type FeedConfig =
  | { readonly source: 'files'; readonly files: readonly FileSpec[]; readonly options?: FileSourceOptions }
  | ({ readonly source: 'synthetic' } & SyntheticFeedOptions);

export function sourceFor(config: FeedConfig): FeedSource {
  switch (config.source) {
    case 'files':
      return fileSource(config.files, config.options);
    case 'synthetic': {
      const { source: _source, ...options } = config;
      return syntheticSource(options);
    }
    default: {
      const unknown: never = config;
      throw new RangeError(`unknown feed source ${JSON.stringify((unknown as { source?: unknown }).source)}: expected "files" or "synthetic"`);
    }
  }
}
