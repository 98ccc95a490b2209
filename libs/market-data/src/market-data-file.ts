import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Message } from '@tradeloop/contracts';
import { isTimeframe, Timeframe, TIMEFRAMES, timeframeMs } from '@tradeloop/kernel';
import { parseBars, inferBarTimeframe, resampleBars } from './bars';
import { parseBooks } from './books';
import { baseName, inferFromFileName, INVERSE_MARKETS } from './file-name';
import { detectFormat, KNOWN_HEADERS, MarketDataFormat } from './formats';
import { CsvCursor } from './csv-cursor';
import { OUT_OF_ORDER, ParseOutcome, ParseSettings } from './parse-context';
import { MarketDataFileError, RejectedRow } from './rejection';
import { parseQuotes, parseTrades, topOfBookBars } from './ticks';

export type BarTimestamp = 'open' | 'close';

export interface MarketDataOptions {
  /** Defaults to the file name's first token. */
  readonly symbol?: string;
  /** Defaults to the file name's second token. */
  readonly venue?: string;
  /** Bar files: defaults to the file name's timeframe token, else the most common timestamp step. */
  readonly timeframe?: Timeframe;
  /**
   * What a bar file's timestamp marks. Lean and OctoBot files mark the open; the
   * nautilus_trader files (FXCM GBPUSD/USDJPY, FTX BTC-PERP) mark the close.
   */
  readonly barTimestamp?: BarTimestamp;
  /** Keep bars whose open time (snapshots whose time) is ≥ from (epoch ms). */
  readonly from?: number;
  /** … and < to (epoch ms). */
  readonly to?: number;
  readonly account?: string;
  /**
   * Bar timeframe built from quotes and trades (default `timeframe`, then 1m) and from books' top
   * of book (default 1m); bar files are resampled to it when it is coarser than theirs.
   */
  readonly aggregate?: Timeframe;
}

export interface MarketDataFileInfo {
  /** Base name of the file. */
  readonly file: string;
  /** Of the raw bytes, as read. */
  readonly sha256: string;
  /** Data rows in the file (header excluded). */
  readonly rows: number;
  /** Rows that passed validation (for books: rows of valid snapshots). */
  readonly accepted: number;
  readonly format: MarketDataFormat;
  readonly venue: string;
  readonly symbol: string;
  /** The emitted bars' timeframe (for books: the name's cadence token, else the aggregate). */
  readonly timeframe: Timeframe;
  /** How the source timestamps were read; tick-built bars are always keyed by their open. */
  readonly barTimestamp: BarTimestamp;
  /** Quotes (or quote-bar closes) with ask < bid: real in FXCM data, so counted, not rejected. */
  readonly crossedQuotes: number;
  /**
   * Present when the file's name says a coin-margined (inverse) contract (`coinmperp`,
   * `inverseperp`): its P&L is in the coin, not in the quote currency its prices are in.
   */
  readonly inverse?: true;
}

export interface MarketDataFile {
  /** Bars; for a books file, quote bars of its top of book (best bid and ask) at `aggregate`. */
  readonly bars: Message<'BarClosed'>[];
  /** Book snapshots (books files only; empty otherwise). */
  readonly books: Message<'BookSnapshot'>[];
  readonly rejected: RejectedRow[];
  readonly info: MarketDataFileInfo;
}

/** Reads, validates and converts one shared-data CSV. Synchronous: files are at most ~15 MB. */
export function readMarketDataFile(path: string, options: MarketDataOptions = {}): MarketDataFile {
  return parseMarketData(readBytes(path), baseName(path), options);
}

/** The file's bytes; a read that fails says which path (Node's EISDIR and EACCES messages do not). */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new MarketDataFileError(baseName(path), `${path} is a directory, not a market-data file: pass the files in it (${path.replace(/\/+$/, '')}/*.csv)`);
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new MarketDataFileError(baseName(path), message.includes(path) ? message : `${path}: ${message}`);
  }
}

/**
 * The same from bytes already in memory (an upload, a test fixture). `fileName` supplies the
 * symbol/venue/timeframe hints and names the file in rejections and errors.
 */
export function parseMarketData(content: Buffer | string, fileName: string, options: MarketDataOptions = {}): MarketDataFile {
  const file = baseName(fileName);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const packed = compressedFormat(bytes);
  if (packed !== undefined) {
    throw new MarketDataFileError(file, `${file}: a ${packed} file, not CSV text; decompress it first and pass the .csv`);
  }
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const cur = new CsvCursor(text);
  if (!cur.next()) throw new MarketDataFileError(file, `${file}: empty file (no header)`);
  const header = cur.line();
  const spec = detectFormat(header);
  if (spec === undefined) {
    // JSON quoting shows control characters and stray bytes as escapes instead of sending them to the terminal.
    throw new MarketDataFileError(
      file,
      `${file}: unknown header ${JSON.stringify(header.slice(0, 200))}; expected one of:\n  ${KNOWN_HEADERS.join('\n  ')}`,
    );
  }
  const settings = resolveSettings(file, text, spec.format, options);
  // Bar files at a coarser `aggregate` are resampled (1m → 5m; every Timeframe is a whole
  // multiple of each finer one); a finer one cannot be made from them, and their bars are used.
  // The window then applies to the resampled bars' open times, as it does to bars built from
  // ticks: resampling the windowed 1m bars made a 00:00 hour out of 00:30–00:59 for --from 00:30.
  const isBarFile = spec.format === 'trade-bars' || spec.format === 'quote-bars';
  const resampleTo = isBarFile && options.aggregate !== undefined && timeframeMs(options.aggregate) > timeframeMs(settings.timeframe) ? options.aggregate : undefined;
  let outcome: ParseOutcome<Message<'BarClosed'>> | ParseOutcome<Message<'BookSnapshot'>>;
  switch (spec.format) {
    case 'trade-bars':
    case 'quote-bars':
      outcome = parseBars(cur, spec.columns, resampleTo === undefined ? settings : { ...settings, from: -Infinity, to: Infinity });
      break;
    case 'quotes':
      outcome = parseQuotes(cur, spec.columns, settings);
      break;
    case 'trades':
      outcome = parseTrades(cur, spec.columns, settings);
      break;
    case 'books':
      outcome = parseBooks(cur, spec.columns, settings);
      break;
    default: {
      const exhaustive: never = spec.format;
      throw new Error(`unhandled format ${String(exhaustive)}`);
    }
  }
  const rows = cur.lineNo - 1;
  if (rows === 0) throw new MarketDataFileError(file, `${file}: no data rows (header only)`);
  if (outcome.accepted === 0) {
    throw new MarketDataFileError(file, `${file}: no valid rows (${rows} rejected); first reasons:`, outcome.rejected);
  }
  // A file newest first (a common export order) keeps its first row and refuses every other one
  // as out of order: not a run on one bar, but a file to sort.
  const backwards = outcome.rejected.reduce((n, r) => (r.reason.startsWith(OUT_OF_ORDER) ? n + 1 : n), 0);
  if (backwards > outcome.accepted) {
    throw new MarketDataFileError(
      file,
      `${file}: not in time order: ${backwards} of its ${rows} rows are earlier than a row before them, more than the ${outcome.accepted} in order ` +
        `(newest first?); sort it oldest first`,
    );
  }
  const isBooks = spec.format === 'books';
  // A book file also yields quote bars of its top of book (at `aggregate`, default 1m), so a
  // backtest can trade it like a quotes file; its snapshots stay in `books`.
  let bars = isBooks
    ? topOfBookBars(outcome.items as Message<'BookSnapshot'>[], { ...settings, timeframe: options.aggregate ?? '1m' })
    : (outcome.items as Message<'BarClosed'>[]);
  let timeframe = settings.timeframe;
  if (resampleTo !== undefined) {
    bars = resampleBars(bars, settings, resampleTo).filter((b) => b.data.openTime >= settings.from && b.data.openTime < settings.to);
    timeframe = resampleTo;
  }
  return {
    bars,
    books: isBooks ? (outcome.items as Message<'BookSnapshot'>[]) : [],
    // Snapshot-level rejections are found after their rows; report in file order.
    rejected: outcome.rejected.sort((a, b) => a.line - b.line),
    info: {
      file,
      sha256,
      rows,
      accepted: outcome.accepted,
      format: spec.format,
      venue: settings.venue,
      symbol: settings.symbol,
      timeframe,
      barTimestamp: settings.barTimestamp,
      crossedQuotes: outcome.crossedQuotes,
      ...(isInverse(file) && { inverse: true as const }),
    },
  };
}

/** Archives users bring market data in (by their magic bytes), which would otherwise be read as one garbled header. */
const COMPRESSED: readonly (readonly [string, readonly number[]])[] = [
  ['gzip-compressed', [0x1f, 0x8b]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['bzip2-compressed', [0x42, 0x5a, 0x68]],
  ['xz-compressed', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd-compressed', [0x28, 0xb5, 0x2f, 0xfd]],
];

function compressedFormat(bytes: Buffer): string | undefined {
  return COMPRESSED.find(([, magic]) => magic.length <= bytes.length && magic.every((b, i) => bytes[i] === b))?.[0];
}

function resolveSettings(file: string, text: string, format: MarketDataFormat, o: MarketDataOptions): ParseSettings {
  const hints = inferFromFileName(file);
  const symbol = o.symbol ?? hints.symbol;
  const venue = o.venue ?? hints.venue;
  if (symbol === undefined || symbol === '' || venue === undefined || venue === '') {
    throw new MarketDataFileError(
      file,
      `${file}: cannot infer symbol and venue from the file name (expected SYMBOL_VENUE_…); pass them explicitly`,
    );
  }
  for (const [name, tf] of [['timeframe', o.timeframe], ['aggregate', o.aggregate]] as const) {
    if (tf !== undefined && !isTimeframe(tf)) throw new RangeError(`${file}: unsupported ${name} "${String(tf)}"`);
  }
  const from = o.from ?? -Infinity;
  const to = o.to ?? Infinity;
  if (from !== from || to !== to || from >= to) throw new RangeError(`${file}: empty or invalid time window from=${o.from} to=${o.to}`);

  const isBarFile = format === 'trade-bars' || format === 'quote-bars';
  let timeframe: Timeframe;
  if (isBarFile) {
    timeframe = o.timeframe ?? hints.timeframe ?? inferredTimeframe(file, text);
  } else if (format === 'books') {
    timeframe = hints.timeframe ?? o.aggregate ?? o.timeframe ?? '1m';
  } else {
    timeframe = o.aggregate ?? o.timeframe ?? '1m';
  }
  return {
    file,
    venue,
    symbol,
    timeframe,
    barTimestamp: isBarFile ? (o.barTimestamp ?? 'open') : 'open',
    account: o.account ?? 'paper',
    from,
    to,
  };
}

/**
 * The bars' timeframe from their timestamps, for a file whose name does not say it. When they do
 * not tell, the file name is the way to say it: the backtest and the market-data service have
 * no timeframe setting for bar files (--aggregate builds bars from ticks or resamples).
 */
function inferredTimeframe(file: string, text: string): Timeframe {
  const { timeframe, stepMs } = inferBarTimeframe(text);
  if (timeframe === undefined) {
    const supported = TIMEFRAMES.join(', ');
    throw new MarketDataFileError(
      file,
      stepMs === undefined
        ? `${file}: cannot tell the bars' timeframe from fewer than two valid timestamps; say it in the file name, as in EURUSD_OANDA_1m_….csv (${supported})`
        : `${file}: most common timestamp step is ${stepMs} ms, not a bar timeframe that can be read (${supported}); resample the bars to one of them, ` +
            `or say it in the file name (EURUSD_OANDA_1h_….csv) if gaps make the step mislead`,
    );
  }
  return timeframe;
}

function isInverse(file: string): boolean {
  const market = inferFromFileName(file).market;
  return market !== undefined && INVERSE_MARKETS.has(market);
}
