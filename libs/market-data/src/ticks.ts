import type { Message } from '@tradeloop/contracts';
import { timeframeMs } from '@tradeloop/kernel';
import { barEnvelope } from './bars';
import { CsvCursor } from './csv-cursor';
import { isUtcTimestampAt, numberProblem, parseNumberAt, parseUtcTimestampAt } from './fields';
import { columnCountReason, OUT_OF_ORDER, ParseOutcome, ParseSettings, REJECTED_ABOVE, Rejections, timestampReason } from './parse-context';

/**
 * Builds bars of `s.timeframe` from time-ordered ticks; a bar exists only for intervals that
 * had at least one tick. Bars are keyed by the interval start, so the first and last bars of
 * a recording may cover only part of their interval.
 */
class BarBuilder {
  readonly bars: Message<'BarClosed'>[] = [];
  private readonly tfMs: number;
  private readonly idPrefix: string;
  /** Open time of the bar being built; NaN before the first tick. */
  private bucket = NaN;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private ao = 0;
  private ah = 0;
  private al = 0;
  private ac = 0;
  private vol = 0;

  constructor(
    private readonly s: ParseSettings,
    private readonly quote: boolean,
  ) {
    this.tfMs = timeframeMs(s.timeframe);
    this.idPrefix = `md:${s.venue}:${s.symbol}:${s.timeframe}:`;
  }

  /** `price`/`ask` are bid and ask for quotes; for trades `price` is the trade and `amount` its size. */
  add(ts: number, price: number, ask: number, amount: number): void {
    const bucket = Math.floor(ts / this.tfMs) * this.tfMs;
    if (bucket !== this.bucket) {
      this.flush();
      this.bucket = bucket;
      this.o = this.h = this.l = price;
      this.ao = this.ah = this.al = ask;
      this.vol = 0;
    }
    if (price > this.h) this.h = price;
    if (price < this.l) this.l = price;
    this.c = price;
    if (ask > this.ah) this.ah = ask;
    if (ask < this.al) this.al = ask;
    this.ac = ask;
    this.vol += amount;
  }

  flush(): void {
    const openTime = this.bucket;
    if (openTime !== openTime || openTime < this.s.from || openTime >= this.s.to) return;
    const s = this.s;
    this.bars.push(
      barEnvelope(
        this.idPrefix + openTime,
        openTime + this.tfMs,
        s.account,
        this.quote
        ? {
            venue: s.venue,
            symbol: s.symbol,
            timeframe: s.timeframe,
            openTime,
            open: this.o,
            high: this.h,
            low: this.l,
            close: this.c,
            // Quote sources carry no traded volume (same convention as the quote-bar files).
            volume: 0,
            askOpen: this.ao,
            askHigh: this.ah,
            askLow: this.al,
            askClose: this.ac,
          }
        : {
            venue: s.venue,
            symbol: s.symbol,
            timeframe: s.timeframe,
            openTime,
            open: this.o,
            high: this.h,
            low: this.l,
            close: this.c,
            volume: this.vol,
          },
      ),
    );
  }
}

/**
 * Quote bars of `s.timeframe` from the top of each book snapshot: its best bid and best ask
 * as a quote, aggregated as a quotes file is. A snapshot with an empty side quotes nothing.
 * Snapshots come validated and time-ordered (books.ts), their levels sorted best first.
 */
export function topOfBookBars(books: readonly Message<'BookSnapshot'>[], s: ParseSettings): Message<'BarClosed'>[] {
  const builder = new BarBuilder(s, true);
  for (const m of books) {
    const { bids, asks } = m.data;
    if (bids.length === 0 || asks.length === 0) continue;
    builder.add(m.ts, bids[0].price, asks[0].price, 0);
  }
  builder.flush();
  return builder.bars;
}

/**
 * Ordering rule for ticks and trades: equal timestamps are real (several updates per
 * microsecond), so only a row earlier than the latest row before it is out of order — that
 * row rejected or not, so a swap next to a bad row shows in the same pass as the bad field —
 * and only a byte-identical repeat of the previous accepted row is a duplicate. A repeat that
 * is not adjacent (A, B, A at one timestamp) is a real change back and is kept: the Binance
 * recordings have five of those.
 */
class TickOrder {
  private latestTs = -Infinity;
  private latestLineNo = 0;
  private latestRejected = false;
  private prevTs = -Infinity;
  private prevStart = 0;
  private prevEnd = 0;
  private prevLineNo = 0;

  problem(cur: CsvCursor, ts: number): string | undefined {
    if (ts < this.latestTs) {
      return `${OUT_OF_ORDER}${cur.field(0)} is earlier than line ${this.latestLineNo} before it${this.latestRejected ? REJECTED_ABOVE : ''}`;
    }
    if (ts === this.prevTs && cur.lineEquals(this.prevStart, this.prevEnd)) {
      return `duplicate row: identical to line ${this.prevLineNo}`;
    }
    return undefined;
  }

  accept(cur: CsvCursor, ts: number): void {
    this.prevTs = ts;
    this.prevStart = cur.lineStart;
    this.prevEnd = cur.lineEnd;
    this.prevLineNo = cur.lineNo;
    this.latestTs = ts;
    this.latestLineNo = cur.lineNo;
    this.latestRejected = false;
  }

  /** A row with a readable timestamp rejected for another reason still sets the time to beat. */
  rejected(cur: CsvCursor, ts: number): void {
    if (ts > this.latestTs) {
      this.latestTs = ts;
      this.latestLineNo = cur.lineNo;
      this.latestRejected = true;
    }
  }
}

/** `timestamp,bid,ask[,bid_size,ask_size[,exchange_time]]` → quote bars. Crossed quotes are counted, not refused. */
export function parseQuotes(cur: CsvCursor, columns: readonly string[], s: ParseSettings): ParseOutcome<Message<'BarClosed'>> {
  const width = columns.length;
  const hasSizes = width >= 5;
  const hasExchangeTime = width >= 6;
  const text = cur.text;
  const starts = cur.starts;
  const ends = cur.ends;
  const rej = new Rejections(s.file);
  const builder = new BarBuilder(s, true);
  const order = new TickOrder();
  const reject = (ts: number, field: string, reason: string): void => {
    rej.add(cur.lineNo, field, reason);
    order.rejected(cur, ts);
  };
  let accepted = 0;
  let crossed = 0;

  rows: while (cur.next()) {
    const lineNo = cur.lineNo;
    if (cur.count !== width) {
      rej.add(lineNo, undefined, columnCountReason(cur.lineEnd === cur.lineStart, cur.count, width));
      continue;
    }
    const ts = parseUtcTimestampAt(text, starts[0], ends[0]);
    if (ts !== ts) {
      rej.add(lineNo, 'timestamp', timestampReason(cur.field(0)));
      continue;
    }
    const bid = parseNumberAt(text, starts[1], ends[1]);
    if (bid !== bid) {
      reject(ts, 'bid', numberProblem(cur.field(1)));
      continue;
    }
    const ask = parseNumberAt(text, starts[2], ends[2]);
    if (ask !== ask) {
      reject(ts, 'ask', numberProblem(cur.field(2)));
      continue;
    }
    if (bid <= 0) {
      reject(ts, 'bid', `non-positive price: ${cur.field(1)}`);
      continue;
    }
    if (ask <= 0) {
      reject(ts, 'ask', `non-positive price: ${cur.field(2)}`);
      continue;
    }
    if (hasSizes) {
      for (let c = 3; c <= 4; c++) {
        const size = parseNumberAt(text, starts[c], ends[c]);
        if (size !== size || size < 0) {
          reject(ts, columns[c], size !== size ? numberProblem(cur.field(c)) : `negative ${columns[c]}: ${cur.field(c)}`);
          continue rows;
        }
      }
    }
    if (hasExchangeTime && !isUtcTimestampAt(text, starts[5], ends[5])) {
      reject(ts, 'exchange_time', timestampReason(cur.field(5)));
      continue;
    }
    const problem = order.problem(cur, ts);
    if (problem !== undefined) {
      reject(ts, 'timestamp', problem);
      continue;
    }
    order.accept(cur, ts);
    accepted++;
    if (ask < bid) crossed++;
    builder.add(ts, bid, ask, 0);
  }
  builder.flush();
  return { items: builder.bars, rejected: rej.rows, accepted, crossedQuotes: crossed };
}

/** `timestamp,price,size,side,trade_id[,exchange_time]` → trade bars (volume = Σ size). */
export function parseTrades(cur: CsvCursor, columns: readonly string[], s: ParseSettings): ParseOutcome<Message<'BarClosed'>> {
  const width = columns.length;
  const hasExchangeTime = width >= 6;
  const text = cur.text;
  const starts = cur.starts;
  const ends = cur.ends;
  const rej = new Rejections(s.file);
  const builder = new BarBuilder(s, false);
  const order = new TickOrder();
  const reject = (ts: number, field: string, reason: string): void => {
    rej.add(cur.lineNo, field, reason);
    order.rejected(cur, ts);
  };
  // A venue numbers each trade once: an id seen again is the same trade twice (a recording
  // stitched with an overlap), even when the rows between them keep it from being adjacent.
  const lineOfTradeId = new Map<string, number>();
  let accepted = 0;

  while (cur.next()) {
    const lineNo = cur.lineNo;
    if (cur.count !== width) {
      rej.add(lineNo, undefined, columnCountReason(cur.lineEnd === cur.lineStart, cur.count, width));
      continue;
    }
    const ts = parseUtcTimestampAt(text, starts[0], ends[0]);
    if (ts !== ts) {
      rej.add(lineNo, 'timestamp', timestampReason(cur.field(0)));
      continue;
    }
    const price = parseNumberAt(text, starts[1], ends[1]);
    if (price !== price) {
      reject(ts, 'price', numberProblem(cur.field(1)));
      continue;
    }
    const size = parseNumberAt(text, starts[2], ends[2]);
    if (size !== size) {
      reject(ts, 'size', numberProblem(cur.field(2)));
      continue;
    }
    if (price <= 0) {
      reject(ts, 'price', `non-positive price: ${cur.field(1)}`);
      continue;
    }
    // A trade of nothing did not happen; zero is refused along with negatives.
    if (size <= 0) {
      reject(ts, 'size', `${size < 0 ? 'negative' : 'non-positive'} size: ${cur.field(2)}`);
      continue;
    }
    if (!cur.fieldIs(3, 'buy') && !cur.fieldIs(3, 'sell')) {
      reject(ts, 'side', `side must be buy or sell, got "${cur.field(3)}"`);
      continue;
    }
    if (ends[4] === starts[4]) {
      reject(ts, 'trade_id', 'empty value');
      continue;
    }
    if (hasExchangeTime && !isUtcTimestampAt(text, starts[5], ends[5])) {
      reject(ts, 'exchange_time', timestampReason(cur.field(5)));
      continue;
    }
    const problem = order.problem(cur, ts);
    if (problem !== undefined) {
      reject(ts, 'timestamp', problem);
      continue;
    }
    const tradeId = cur.field(4);
    const firstLine = lineOfTradeId.get(tradeId);
    if (firstLine !== undefined) {
      reject(ts, 'trade_id', `duplicate trade_id ${tradeId}: the trade of line ${firstLine}`);
      continue;
    }
    lineOfTradeId.set(tradeId, lineNo);
    order.accept(cur, ts);
    accepted++;
    builder.add(ts, price, price, size);
  }
  builder.flush();
  return { items: builder.bars, rejected: rej.rows, accepted, crossedQuotes: 0 };
}
