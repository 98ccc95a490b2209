import { BookLevel, CATALOG, Message } from '@tradeloop/contracts';
import { CsvCursor } from './csv-cursor';
import { isUtcTimestampAt, numberProblem, parseNumberAt, parseUtcTimestampAt } from './fields';
import { columnCountReason, OUT_OF_ORDER, ParseOutcome, ParseSettings, Rejections, timestampReason } from './parse-context';
import { MARKET_DATA_SOURCE } from './rejection';

interface Level extends BookLevel {
  readonly level: number;
}

interface Snapshot {
  readonly ts: number;
  readonly raw: string;
  readonly firstLine: number;
  readonly bids: Level[];
  readonly asks: Level[];
  rows: number;
  /** First rejected row that belongs to this snapshot, if any. */
  taintedBy: number;
}

/**
 * `timestamp,side,price,size,level[,exchange_time]`, long format: consecutive rows with one
 * timestamp form one snapshot. A snapshot is all or nothing: a book missing a level would
 * show a wrong best price or thinner depth, so one bad row rejects its whole snapshot, as do
 * duplicate prices, level numbers that disagree with price order, and a crossed or locked top.
 */
export function parseBooks(cur: CsvCursor, columns: readonly string[], s: ParseSettings): ParseOutcome<Message<'BookSnapshot'>> {
  const width = columns.length;
  const hasExchangeTime = width >= 6;
  const version = CATALOG.BookSnapshot.version;
  const idPrefix = `md:${s.venue}:${s.symbol}:book:`;
  const rej = new Rejections(s.file);
  const out: Message<'BookSnapshot'>[] = [];
  const { text, starts, ends } = cur;
  let snap: Snapshot | undefined;
  let acceptedRows = 0;

  const flush = (done: Snapshot): void => {
    const problem = snapshotProblem(done);
    if (problem !== undefined) {
      // A snapshot whose own first row was bad already has a rejection on that line: say there
      // that the snapshot went with it. A second one would give the line two DataRejected events
      // of one id in a backtest's log (its ids are file and line) and count the row twice.
      if (done.taintedBy === done.firstLine) rej.amend(done.firstLine, `; snapshot ${done.raw} rejected with it`);
      else rej.add(done.firstLine, 'snapshot', problem);
      return;
    }
    acceptedRows += done.rows;
    if (done.ts < s.from || done.ts >= s.to) return;
    const id = idPrefix + done.ts;
    out.push({
      id,
      type: 'BookSnapshot',
      version,
      ts: done.ts,
      correlationId: id,
      causationId: id,
      account: s.account,
      source: MARKET_DATA_SOURCE,
      data: {
        venue: s.venue,
        symbol: s.symbol,
        bids: done.bids.map((l) => ({ price: l.price, size: l.size })),
        asks: done.asks.map((l) => ({ price: l.price, size: l.size })),
      },
    });
  };

  while (cur.next()) {
    const lineNo = cur.lineNo;
    const ts = parseUtcTimestampAt(text, starts[0], ends[0]);
    if (ts === ts && (snap === undefined || ts > snap.ts)) {
      if (snap !== undefined) flush(snap);
      snap = { ts, raw: cur.field(0), firstLine: lineNo, bids: [], asks: [], rows: 0, taintedBy: 0 };
    }
    const problem = rowProblem(cur, ts, width, hasExchangeTime, snap);
    if (problem !== undefined) {
      rej.add(lineNo, problem[0], problem[1]);
      // A row we cannot place (bad timestamp, out of order) may be a level of the snapshot
      // being built, so that snapshot is not trusted either.
      if (snap !== undefined && snap.taintedBy === 0) snap.taintedBy = lineNo;
      continue;
    }
    const into = snap as Snapshot;
    (cur.fieldIs(1, 'bid') ? into.bids : into.asks).push({
      price: parseNumberAt(text, starts[2], ends[2]),
      size: parseNumberAt(text, starts[3], ends[3]),
      level: parseNumberAt(text, starts[4], ends[4]),
    });
    into.rows++;
  }
  if (snap !== undefined) flush(snap);
  return { items: out, rejected: rej.rows, accepted: acceptedRows, crossedQuotes: 0 };
}

function rowProblem(
  cur: CsvCursor,
  ts: number,
  width: number,
  hasExchangeTime: boolean,
  snap: Snapshot | undefined,
): [string | undefined, string] | undefined {
  const { text, starts, ends } = cur;
  if (cur.count !== width) return [undefined, columnCountReason(cur.lineEnd === cur.lineStart, cur.count, width)];
  if (ts !== ts) return ['timestamp', timestampReason(cur.field(0))];
  if (snap === undefined || ts < snap.ts) {
    return ['timestamp', `${OUT_OF_ORDER}${cur.field(0)} is earlier than the snapshot being read (${snap?.raw})`];
  }
  const isBid = cur.fieldIs(1, 'bid');
  if (!isBid && !cur.fieldIs(1, 'ask')) return ['side', `side must be bid or ask, got "${cur.field(1)}"`];
  const price = parseNumberAt(text, starts[2], ends[2]);
  if (price !== price) return ['price', numberProblem(cur.field(2))];
  if (price <= 0) return ['price', `non-positive price: ${cur.field(2)}`];
  const size = parseNumberAt(text, starts[3], ends[3]);
  if (size !== size) return ['size', numberProblem(cur.field(3))];
  if (size < 0) return ['size', `negative size: ${cur.field(3)}`];
  const level = parseNumberAt(text, starts[4], ends[4]);
  if (level !== level) return ['level', numberProblem(cur.field(4))];
  if (!Number.isInteger(level) || level < 1) return ['level', `level must be a positive integer, got ${cur.field(4)}`];
  if (hasExchangeTime && !isUtcTimestampAt(text, starts[5], ends[5])) return ['exchange_time', timestampReason(cur.field(5))];
  const side = isBid ? snap.bids : snap.asks;
  for (let k = 0; k < side.length; k++) {
    if (side[k].level === level) return ['level', `duplicate ${isBid ? 'bid' : 'ask'} level ${level} in snapshot ${snap.raw}`];
  }
  return undefined;
}

function snapshotProblem(snap: Snapshot): string | undefined {
  if (snap.taintedBy !== 0) return `snapshot ${snap.raw} rejected: its row at line ${snap.taintedBy} was rejected`;
  if (snap.rows === 0) return `snapshot ${snap.raw} has no valid levels`;
  snap.bids.sort((a, b) => b.price - a.price);
  snap.asks.sort((a, b) => a.price - b.price);
  for (const [name, side] of [['bid', snap.bids], ['ask', snap.asks]] as const) {
    for (let k = 1; k < side.length; k++) {
      if (side[k].price === side[k - 1].price) return `snapshot ${snap.raw}: duplicate ${name} price ${side[k].price}`;
      if (side[k].level <= side[k - 1].level) {
        return `snapshot ${snap.raw}: ${name} level numbers disagree with price order (level ${side[k].level} at ${side[k].price})`;
      }
    }
  }
  if (snap.bids.length > 0 && snap.asks.length > 0 && snap.bids[0].price >= snap.asks[0].price) {
    const kind = snap.bids[0].price === snap.asks[0].price ? 'locked' : 'crossed';
    return `${kind} book at ${snap.raw}: best bid ${snap.bids[0].price} >= best ask ${snap.asks[0].price}`;
  }
  return undefined;
}
