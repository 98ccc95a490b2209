import { readFileSync } from 'node:fs';
import { CATALOG, Message, OrderType, Side, TIME_IN_FORCE, TimeInForce, timeInForceProblem } from '@tradeloop/contracts';
import { CsvError, parse } from 'csv-parse/sync';
import { isPositiveDecimalString, parseZonedTimestamp } from './fields';
import { baseName } from './file-name';
import { columnCountReason } from './parse-context';
import { MARKET_DATA_SOURCE, OrdersFileError, RejectedRow } from './rejection';

export interface OrdersFileOptions {
  /** Venue of an order whose symbol `venues` does not list (the file has no venue column). */
  readonly venue: string;
  /**
   * The venues that hold each symbol's data (upper case): an order goes to its symbol's venue.
   * A symbol held at two venues is ambiguous, and an order for it is a bad row.
   */
  readonly venues?: ReadonlyMap<string, readonly string[]>;
  readonly account?: string;
}

const BASE_COLUMNS = ['timestamp', 'symbol', 'side', 'quantity', 'type', 'price'];
const PROTECTION = ['stop_loss', 'take_profit'];
const TIME_IN_FORCE_COLUMN = 'time_in_force';
/** The headers an orders file may have: the base columns, then optionally the bracket, then optionally the time in force. */
const HEADERS: readonly (readonly string[])[] = [
  BASE_COLUMNS,
  [...BASE_COLUMNS, ...PROTECTION],
  [...BASE_COLUMNS, TIME_IN_FORCE_COLUMN],
  [...BASE_COLUMNS, ...PROTECTION, TIME_IN_FORCE_COLUMN],
];
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/**
 * A manual trade log for replay: `timestamp,symbol,side,quantity,type,price` with optional
 * trailing `stop_loss,take_profit` and then `time_in_force` (GTC, DAY, IOC, FOK; empty is GTC), as CSV (RFC 4180: quoted fields, `""` inside them, CRLF, a
 * BOM — what spreadsheets and trade-log exports write). Timestamps carry their zone (`Z` or an
 * offset) and become UTC. Quantities and prices stay decimal strings exactly as written.
 * Unlike market data this is not best-effort: any bad row fails the whole file, listing every
 * bad row, because half a trade log replayed gives positions nobody had.
 */
export function readOrdersFile(path: string, options: OrdersFileOptions): Message<'SubmitManualOrder'>[] {
  return parseOrders(readFileSync(path, 'utf8'), baseName(path), options);
}

/**
 * One physical line → its fields, or why its quoting is broken. Lines are split before the CSV
 * parser sees them: no field of an orders file can hold a line break, and a stray quote then
 * spoils its own line only, instead of swallowing every line after it into one field.
 */
function csvFields(line: string): { fields: string[]; problem?: undefined; at: number } | { fields?: undefined; problem: string; at: number } {
  try {
    const records = parse(line, { trim: true, relax_column_count: true }) as string[][];
    return { fields: records[0] ?? [], at: 0 };
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // The parser's context says which field it was in: the number of fields read so far.
    const at = typeof e['index'] === 'number' ? e['index'] : 0;
    switch (e.code) {
      case 'CSV_INVALID_CLOSING_QUOTE':
        return { problem: 'text after the closing quote of a quoted field (a quote inside a field is written "")', at };
      case 'INVALID_OPENING_QUOTE':
        return { problem: 'a quote inside an unquoted field (quote the whole field and write the quote as "")', at };
      case 'CSV_QUOTE_NOT_CLOSED':
        return { problem: 'a quoted field not closed on its line (no field of an orders file holds a line break)', at };
      default:
        return { problem: e.message, at };
    }
  }
}

const LINE_BREAK = /\r\n|\n|\r/;

export function parseOrders(text: string, fileName: string, options: OrdersFileOptions): Message<'SubmitManualOrder'>[] {
  const file = baseName(fileName);
  if (options.venue === undefined || options.venue === '') throw new RangeError(`${file}: orders need a venue`);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(LINE_BREAK);
  const rawHeader = lines[0] ?? '';
  const headerFields = csvFields(rawHeader).fields;
  const header = headerFields === undefined ? undefined : headerFields.map((c) => c.toLowerCase()).join(',');
  const columns = HEADERS.find((h) => h.join(',') === header);
  if (columns === undefined) {
    throw new OrdersFileError(file, [
      {
        file,
        line: 1,
        reason: `header must be "${BASE_COLUMNS.join(',')}" (optionally followed by ",${PROTECTION.join(',')}", then ",${TIME_IN_FORCE_COLUMN}"), got "${rawHeader}"`,
      },
    ]);
  }
  const stopLossAt = columns.indexOf('stop_loss');
  const takeProfitAt = columns.indexOf('take_profit');
  const timeInForceAt = columns.indexOf(TIME_IN_FORCE_COLUMN);
  const account = options.account ?? 'paper';
  const version = CATALOG.SubmitManualOrder.version;
  const problems: RejectedRow[] = [];
  const out: Message<'SubmitManualOrder'>[] = [];
  let latestTs = -Infinity;
  let latestLine = 0;

  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    // Spreadsheet exports end with blank lines (or rows of empty cells); they carry no order,
    // so they are not errors.
    if (line.trim() === '') continue;
    const unreadable = (field: string | undefined, reason: string): void => {
      problems.push(field === undefined ? { file, line: lineNo, reason } : { file, line: lineNo, field, reason });
    };
    const csv = csvFields(line);
    if (csv.problem !== undefined) {
      unreadable(columns[csv.at], csv.problem);
      continue;
    }
    const f = csv.fields;
    if (f.every((x) => x === '')) continue;
    if (f.length !== columns.length) {
      unreadable(undefined, columnCountReason(false, f.length, columns.length));
      continue;
    }
    // Every column is checked, so a row with several problems lists them all at once (as the
    // contracts' decoding names every bad field) instead of one per run of the replay.
    const wrong: { field: string; reason: string }[] = [];
    const bad = (field: string, reason: string): void => void wrong.push({ field, reason });
    const [rawTs, rawSymbol, rawSide, quantity, rawType, price] = f;
    const { ts, problem } = parseZonedTimestamp(rawTs);
    if (ts === undefined) {
      bad('timestamp', problem);
    } else if (ts < latestTs) {
      // Replay feeds orders in file order; a row earlier than one above it is more likely a typo
      // in the date than an intended reordering, so it is refused, not sorted. The row above
      // counts even when it is bad for another reason, so one pass lists both.
      bad('timestamp', `out of order: ${rawTs} is earlier than line ${latestLine}`);
    } else {
      latestTs = ts;
      latestLine = lineNo;
    }
    const symbolOk = SYMBOL.test(rawSymbol);
    if (!symbolOk) bad('symbol', rawSymbol === '' ? 'empty value' : `invalid symbol "${rawSymbol}"`);
    const side = rawSide.toLowerCase();
    if (side !== 'buy' && side !== 'sell') bad('side', `side must be buy or sell, got "${rawSide}"`);
    if (!isPositiveDecimalString(quantity)) bad('quantity', `quantity must be a positive decimal like 0.5, got "${quantity}"`);
    const type = rawType.toLowerCase();
    const typeOk = type === 'market' || type === 'limit' || type === 'stop';
    if (!typeOk) {
      bad('type', `type must be market, limit or stop, got "${rawType}"`);
    } else if (type === 'market' && price !== '') {
      bad('price', `market orders take no price, got "${price}"`);
    } else if (type !== 'market' && !isPositiveDecimalString(price)) {
      bad('price', price === '' ? `${type} orders need a price` : `price must be a positive decimal, got "${price}"`);
    }
    const stopLoss = stopLossAt < 0 ? '' : f[stopLossAt];
    const takeProfit = takeProfitAt < 0 ? '' : f[takeProfitAt];
    if (stopLoss !== '' && !isPositiveDecimalString(stopLoss)) bad('stop_loss', `stop_loss must be a positive decimal or empty, got "${stopLoss}"`);
    if (takeProfit !== '' && !isPositiveDecimalString(takeProfit)) bad('take_profit', `take_profit must be a positive decimal or empty, got "${takeProfit}"`);
    // Empty is GTC, and then the order carries no time in force at all: a file without the
    // column, or with it left empty, gives the very commands it gave before the column existed.
    const rawTif = timeInForceAt < 0 ? '' : f[timeInForceAt];
    const tif = rawTif.toUpperCase() as TimeInForce;
    if (rawTif !== '' && !TIME_IN_FORCE.includes(tif)) {
      bad(TIME_IN_FORCE_COLUMN, `time_in_force must be GTC, DAY, IOC or FOK (or empty for GTC), got "${rawTif}"`);
    } else if (typeOk) {
      const problem = timeInForceProblem(type as OrderType, tif);
      if (problem !== undefined) bad(TIME_IN_FORCE_COLUMN, problem);
    }
    const symbol = rawSymbol.toUpperCase();
    const held = options.venues?.get(symbol) ?? [];
    if (symbolOk && held.length > 1) bad('symbol', `${symbol} is in the data at ${held.join(' and ')}, and an orders file names no venue: trade one of them (--venue)`);
    // (ts undefined is among `wrong`.)
    if (wrong.length > 0 || ts === undefined) {
      // One row, one entry: with several problems, its columns, then each column with what is wrong.
      problems.push(
        wrong.length === 1
          ? { file, line: lineNo, field: wrong[0].field, reason: wrong[0].reason }
          : { file, line: lineNo, field: wrong.map((w) => w.field).join(', '), reason: wrong.map((w) => `${w.field}: ${w.reason}`).join('; ') },
      );
      continue;
    }
    const id = `cmd:orders:${file}:${lineNo}`;
    out.push({
      id,
      type: 'SubmitManualOrder',
      version,
      ts,
      correlationId: id,
      causationId: id,
      account,
      source: MARKET_DATA_SOURCE,
      data: {
        venue: held.length === 1 ? held[0] : options.venue,
        symbol,
        side: side as Side,
        quantity,
        type: type as OrderType,
        ...(type !== 'market' && { price }),
        ...(stopLoss !== '' && { stopLoss }),
        ...(takeProfit !== '' && { takeProfit }),
        ...(rawTif !== '' && { timeInForce: tif }),
        requestedBy: `csv:${file}`,
      },
    });
  }
  if (problems.length > 0) throw new OrdersFileError(file, problems);
  return out;
}
