import { type BarClosedData, CATALOG, Message } from '@tradeloop/contracts';
import { timeframeFromMs, Timeframe, timeframeMs } from '@tradeloop/kernel';
import { CsvCursor } from './csv-cursor';
import { formatUtc, numberProblem, parseNumberAt, parseUtcTimestampAt } from './fields';
import { columnCountReason, OUT_OF_ORDER, ParseOutcome, ParseSettings, REJECTED_ABOVE, Rejections, timestampReason } from './parse-context';
import { MARKET_DATA_SOURCE } from './rejection';

// Column positions shared by both bar layouts (README): bid OHLC in 1..4, volume 5,
// ask OHLC in 6..9, optional bid/ask sizes in 10..11.
const OPEN = 1;
const HIGH = 2;
const LOW = 3;
const CLOSE = 4;
const VOLUME = 5;
const ASK_OPEN = 6;
const ASK_HIGH = 7;
const ASK_LOW = 8;
const ASK_CLOSE = 9;
const BID_SIZE = 10;
const ASK_SIZE = 11;
const BAR_VERSION = CATALOG.BarClosed.version;

/** A bar's envelope: a market-data message is its own correlation and cause; its event time is its close. */
export function barEnvelope(id: string, ts: number, account: string, data: BarClosedData): Message<'BarClosed'> {
  return { id, type: 'BarClosed', version: BAR_VERSION, ts, correlationId: id, causationId: id, account, source: MARKET_DATA_SOURCE, data };
}

/**
 * Trade bars (6 columns) or quote bars (10 or 12), from the cursor's next line on (the header
 * already read). Every row is validated; a row that fails any check is rejected with its line
 * and never becomes a bar.
 */
export function parseBars(cur: CsvCursor, columns: readonly string[], s: ParseSettings): ParseOutcome<Message<'BarClosed'>> {
  const width = columns.length;
  const quote = width > VOLUME + 1;
  const tfMs = timeframeMs(s.timeframe);
  // Close-stamped files (nautilus_trader exports) label a bar by its end.
  const stampOffset = s.barTimestamp === 'close' ? tfMs : 0;
  const idPrefix = `md:${s.venue}:${s.symbol}:${s.timeframe}:`;
  const rej = new Rejections(s.file);
  const out: Message<'BarClosed'>[] = [];
  const text = cur.text;
  const starts = cur.starts;
  const ends = cur.ends;
  const v = new Float64Array(width);
  // Time order is checked against the latest row before, rejected or not: a swap next to a
  // bad row must show in the same pass as the bad field, not only once that field is fixed.
  let latestOpen = -Infinity;
  let latestLine = 0;
  let latestRejected = false;
  let accepted = 0;
  let crossed = 0;

  while (cur.next()) {
    const lineNo = cur.lineNo;
    if (cur.count !== width) {
      rej.add(lineNo, undefined, columnCountReason(cur.lineEnd === cur.lineStart, cur.count, width));
      continue;
    }
    const stamp = parseUtcTimestampAt(text, starts[0], ends[0]);
    if (stamp !== stamp) {
      rej.add(lineNo, 'timestamp', timestampReason(cur.field(0)));
      continue;
    }
    const openTime = stamp - stampOffset;
    const later = openTime > latestOpen;
    const problem = checkValues(text, starts, ends, width, quote, v);
    if (problem !== OK) {
      const [field, reason] = describeProblem(problem, cur, columns);
      rej.add(lineNo, field, reason);
    } else if (openTime % tfMs !== 0) {
      rej.add(lineNo, 'timestamp', `off the ${s.timeframe} grid: bar open time ${formatUtc(openTime)}`);
    } else if (openTime < latestOpen) {
      rej.add(lineNo, 'timestamp', `${OUT_OF_ORDER}${cur.field(0)} is earlier than line ${latestLine} before it${latestRejected ? REJECTED_ABOVE : ''}`);
    } else if (openTime === latestOpen) {
      rej.add(lineNo, 'timestamp', `duplicate timestamp: same bar time as line ${latestLine}${latestRejected ? REJECTED_ABOVE : ''}`);
    } else {
      latestOpen = openTime;
      latestLine = lineNo;
      latestRejected = false;
      accepted++;
    }
    if (latestLine !== lineNo) {
      if (later) {
        latestOpen = openTime;
        latestLine = lineNo;
        latestRejected = true;
      }
      continue;
    }
    if (quote && v[ASK_CLOSE] < v[CLOSE]) crossed++;
    if (openTime < s.from || openTime >= s.to) continue;

    out.push(
      barEnvelope(
        idPrefix + openTime,
        openTime + tfMs,
        s.account,
        quote
        ? {
            venue: s.venue,
            symbol: s.symbol,
            timeframe: s.timeframe,
            openTime,
            open: v[OPEN],
            high: v[HIGH],
            low: v[LOW],
            close: v[CLOSE],
            volume: v[VOLUME],
            askOpen: v[ASK_OPEN],
            askHigh: v[ASK_HIGH],
            askLow: v[ASK_LOW],
            askClose: v[ASK_CLOSE],
          }
        : {
            venue: s.venue,
            symbol: s.symbol,
            timeframe: s.timeframe,
            openTime,
            open: v[OPEN],
            high: v[HIGH],
            low: v[LOW],
            close: v[CLOSE],
            volume: v[VOLUME],
          },
      ),
    );
  }
  return { items: out, rejected: rej.rows, accepted, crossedQuotes: crossed };
}

// Row problems are encoded as kind * 16 + column so the hot loop allocates nothing; the
// reason text is built only for rejected rows.
const OK = 0;
const NOT_A_NUMBER = 1;
const NON_POSITIVE = 2;
const HIGH_BELOW_LOW = 3;
const OUTSIDE_RANGE = 4;
const NEGATIVE = 5;

/** Parses columns 1.. into `v` and checks one bar row; OK or an encoded problem. */
function checkValues(text: string, starts: Int32Array, ends: Int32Array, width: number, quote: boolean, v: Float64Array): number {
  for (let c = 1; c < width; c++) {
    const x = parseNumberAt(text, starts[c], ends[c]);
    if (x !== x) return NOT_A_NUMBER * 16 + c;
    v[c] = x;
  }
  const p = checkSide(v, OPEN);
  if (p !== OK) return p;
  if (quote) {
    const q = checkSide(v, ASK_OPEN);
    if (q !== OK) return q;
  }
  if (v[VOLUME] < 0) return NEGATIVE * 16 + VOLUME;
  if (width > BID_SIZE) {
    if (v[BID_SIZE] < 0) return NEGATIVE * 16 + BID_SIZE;
    if (v[ASK_SIZE] < 0) return NEGATIVE * 16 + ASK_SIZE;
  }
  return OK;
}

/** Open, high, low, close at o..o+3: positive, high ≥ low, open and close inside [low, high]. */
function checkSide(v: Float64Array, o: number): number {
  const open = v[o];
  const high = v[o + 1];
  const low = v[o + 2];
  const close = v[o + 3];
  if (open <= 0) return NON_POSITIVE * 16 + o;
  if (high <= 0) return NON_POSITIVE * 16 + o + 1;
  if (low <= 0) return NON_POSITIVE * 16 + o + 2;
  if (close <= 0) return NON_POSITIVE * 16 + o + 3;
  if (high < low) return HIGH_BELOW_LOW * 16 + o + 1;
  if (open < low || open > high) return OUTSIDE_RANGE * 16 + o;
  if (close < low || close > high) return OUTSIDE_RANGE * 16 + o + 3;
  return OK;
}

function describeProblem(problem: number, cur: CsvCursor, columns: readonly string[]): [string, string] {
  const c = problem % 16;
  const name = columns[c];
  const raw = cur.field(c);
  switch ((problem - c) / 16) {
    case NOT_A_NUMBER:
      return [name, numberProblem(raw)];
    case NON_POSITIVE:
      return [name, `non-positive price: ${raw}`];
    case HIGH_BELOW_LOW:
      return [name, `high < low: ${raw} < ${cur.field(c + 1)}`];
    case OUTSIDE_RANGE: {
      const o = c <= CLOSE ? OPEN : ASK_OPEN;
      return [name, `${name} outside [low, high]: ${raw} not in [${cur.field(o + 2)}, ${cur.field(o + 1)}]`];
    }
    default:
      return [name, `negative ${name}: ${raw}`];
  }
}

/**
 * The timeframe of a bar file whose name does not say: the most common step between
 * consecutive valid timestamps (weekend gaps and quiet minutes are rarer than the step).
 */
export function inferBarTimeframe(text: string): { timeframe?: Timeframe; stepMs?: number } {
  const cur = new CsvCursor(text);
  cur.next();
  const counts = new Map<number, number>();
  let prev = NaN;
  while (cur.next()) {
    const t = parseUtcTimestampAt(text, cur.starts[0], cur.ends[0]);
    if (t !== t) continue;
    const step = t - prev;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
    prev = t;
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [step, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== undefined && step < best)) {
      best = step;
      bestCount = n;
    }
  }
  return best === undefined ? {} : { timeframe: timeframeFromMs(best), stepMs: best };
}

/**
 * Bars of a coarser timeframe from the finer bars of one series (1m → 5m, 1h → 1d): each
 * interval of `tf`, aligned to epoch time (UTC), takes the open of its first bar, the highest
 * high, the lowest low and the close of its last bar (bid and ask alike) and the sum of the
 * volumes. An interval holds only the bars the file had: the first and last may cover part of
 * it, and a stretch without bars makes no bar. `tf` must be a whole multiple of the bars'.
 */
export function resampleBars(bars: readonly Message<'BarClosed'>[], s: ParseSettings, tf: Timeframe): Message<'BarClosed'>[] {
  const tfMs = timeframeMs(tf);
  const idPrefix = `md:${s.venue}:${s.symbol}:${tf}:`;
  const out: Message<'BarClosed'>[] = [];
  let i = 0;
  while (i < bars.length) {
    const first = bars[i].data;
    const openTime = Math.floor(first.openTime / tfMs) * tfMs;
    const quote = first.askClose !== undefined;
    let high = first.high;
    let low = first.low;
    let askHigh = first.askHigh ?? Number.NaN;
    let askLow = first.askLow ?? Number.NaN;
    let volume = 0;
    let last = first;
    for (; i < bars.length && bars[i].data.openTime < openTime + tfMs; i++) {
      const d = bars[i].data;
      if (d.high > high) high = d.high;
      if (d.low < low) low = d.low;
      if (quote) {
        if ((d.askHigh as number) > askHigh) askHigh = d.askHigh as number;
        if ((d.askLow as number) < askLow) askLow = d.askLow as number;
      }
      volume += d.volume;
      last = d;
    }
    const common = { venue: s.venue, symbol: s.symbol, timeframe: tf, openTime, open: first.open, high, low, close: last.close, volume };
    const data = quote ? { ...common, askOpen: first.askOpen as number, askHigh, askLow, askClose: last.askClose as number } : common;
    out.push(barEnvelope(idPrefix + openTime, openTime + tfMs, s.account, data));
  }
  return out;
}
