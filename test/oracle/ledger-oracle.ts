/**
 * An independent accounting oracle for a backtest's books.
 *
 * It reads only what a backtest writes — `report.json` and `events.ndjson` — plus the
 * instrument metadata (contract size, currencies) and the market data files the run names in
 * `RunStarted` (checked against their sha256), from which it takes nothing but the prices a
 * README rule says the books use: the last bar of each market (final marks) and the last mid of a
 * pair that converts a quote currency into the account's. From the fills alone it rebuilds, with
 * exact rationals (bigint), what the README's "The paper broker" → "Fees", "Positions" and
 * "Account" sections say the books must be, and lists every figure the run reports otherwise.
 *
 * It imports nothing from the executor or the runtime: two implementations of the same rules,
 * one of them written from the README alone.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Rat, type Rounding } from './ledger-rational';

// ---------------------------------------------------------------------------------------------
// The outputs as written (only the fields the oracle reads).
// ---------------------------------------------------------------------------------------------

export interface LoggedEvent {
  readonly id: string;
  readonly type: string;
  readonly ts: number;
  readonly data: Record<string, unknown>;
}

export interface ReportFill {
  readonly ts: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly accountCurrency?: string;
  readonly conversionRate?: string;
  readonly accountFee?: string;
}

export interface ReportSummary {
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number;
  readonly netPnl: string;
  readonly grossPnl: string;
  readonly fees: string;
  readonly unrealizedPnl: string;
  readonly startingCash: string;
  readonly finalCash: string;
  readonly finalEquity: string;
  readonly currency: string;
  readonly openPositions: number;
}

export interface Report {
  readonly summary: ReportSummary;
  readonly fills: readonly ReportFill[];
  readonly closedPositions: readonly Record<string, unknown>[];
}

export function readRun(dir: string): { report: Report; events: LoggedEvent[] } {
  const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as Report;
  const events = readFileSync(`${dir}/events.ndjson`, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as LoggedEvent);
  return { report, events };
}

// ---------------------------------------------------------------------------------------------
// What the oracle is told besides the outputs.
// ---------------------------------------------------------------------------------------------

/** README "Instruments": units of the underlying per 1 quantity, the money prices are in, the asset bought. */
export interface InstrumentFacts {
  readonly contractSize: string;
  readonly quoteCurrency: string;
  readonly baseCurrency: string;
}

/** One bar's closing prices on both sides (bid = ask = the trade price on trade bars), at its close time. */
export interface BarClose {
  readonly closeTs: number;
  /** Position of the bar's file among the run's data files: bars of equal time are processed in that order. */
  readonly file: number;
  readonly bid: Rat;
  readonly ask: Rat;
}

export interface OracleInputs {
  readonly report: Report;
  readonly events: readonly LoggedEvent[];
  readonly instrument: (symbol: string) => InstrumentFacts;
  /** Bars of every market the run read, by `VENUE:SYMBOL`, time-ordered. */
  readonly bars: ReadonlyMap<string, readonly BarClose[]>;
  /** The rules to check against: the README's unless a test swaps one for a wrong one. */
  readonly rules?: Partial<LedgerRules>;
}

/**
 * The README's rules, as switches, so a test can swap one for a plausible wrong one and see the
 * oracle disagree with the run (an oracle that agrees with everything proves nothing).
 */
export interface LedgerRules {
  /** README "Positions": a reducing fill realises against the average price. */
  readonly costBasis: 'average' | 'fifo';
  /** README "Fees", "Positions": every money amount rounds half-even to the minor unit. */
  readonly rounding: Rounding;
  /** README "Positions": a reversal's fee is split pro rata between the closed and the new position. */
  readonly reversalFee: 'pro-rata' | 'all-to-close';
  /**
   * README "Account": amounts in another currency reach the account converted, fill by fill —
   * the realised P&L as booked in the quote currency (to its minor unit) times the fill's rate.
   */
  readonly conversion: 'per-fill' | 'none' | 'unrounded-pnl';
  /** README "Account": open positions are marked on their exit side (longs at the bid, shorts at the ask). */
  readonly markSide: 'exit-side' | 'mid';
  /** A won trade: a closed position whose net P&L (after its fees) is above zero. */
  readonly win: 'net' | 'gross';
  /** README "Account": an instrument quoted in the account's money under another name (USD in a USDT account) is booked under the account's name. */
  readonly sameMoneyLabel: 'account' | 'quote';
  /**
   * README "Account": a linking pair's last bar is the one the run processed last before the fill,
   * bars of equal time in the order of their files — not only the bars that closed before the fill's.
   */
  readonly linkBar: 'last-processed' | 'closed-before';
  /** README "Account": open positions are marked at the last bar mid of a linking pair, the instrument itself included — not at the rate of its last fill. */
  readonly markRate: 'last-mid' | 'last-fill';
}

export const README_RULES: LedgerRules = {
  costBasis: 'average',
  rounding: 'half-even',
  reversalFee: 'pro-rata',
  conversion: 'per-fill',
  markSide: 'exit-side',
  win: 'net',
  sameMoneyLabel: 'account',
  linkBar: 'last-processed',
  markRate: 'last-mid',
};

// ---------------------------------------------------------------------------------------------
// Money rules (README "Fees", "Account").
// ---------------------------------------------------------------------------------------------

/**
 * Minor-unit decimals: cents, whole yen, and for the coins the README knows their smallest unit
 * as exchanges book it — the satoshi (8 decimals) for BTC, 6 decimals for XRP and ADA.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = { JPY: 0, BTC: 8, ETH: 8, SOL: 8, BNB: 8, LTC: 8, DOGE: 8, XRP: 6, ADA: 6 };
export function minorUnit(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/** "USDT and the other USD stablecoins count as USD." */
const USD_LIKE = new Set(['USD', 'USDT', 'USDC', 'BUSD']);
function sameMoney(a: string, b: string): boolean {
  return a === b || (USD_LIKE.has(a) && USD_LIKE.has(b));
}

/** "conversionRate … rounded to 10 significant digits". */
const RATE_DIGITS = 10;

function moneyText(x: Rat, currency: string): string {
  const places = minorUnit(currency);
  const t = x.toString();
  const [int, frac = ''] = t.split('.');
  return places === 0 ? int : `${int}.${frac.padEnd(places, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Reading the market data the run names (only to find the prices the README says are used).
// ---------------------------------------------------------------------------------------------

export interface RunStartedFacts {
  readonly files: readonly { name: string; sha256: string }[];
  readonly config: Record<string, unknown>;
}

export function runStartedOf(events: readonly LoggedEvent[]): RunStartedFacts {
  const e = events.find((x) => x.type === 'RunStarted');
  if (e === undefined) throw new Error('no RunStarted in the log');
  return e.data as unknown as RunStartedFacts;
}

/**
 * The bars of the market data files a run names, as the run read them: `input.from`/`input.to`
 * on the bar's open time, `input.barTimestamp` saying whether a file's stamps are bar opens or
 * closes. 1m bar files only (what the oracle's runs use); each file must hash as recorded.
 */
export function readRunBars(started: RunStartedFacts, pathOf: (name: string) => string): Map<string, BarClose[]> {
  const cfg = started.config;
  if (cfg['input.aggregate'] !== '1m') throw new Error(`oracle reads 1m bars only, the run aggregated to ${String(cfg['input.aggregate'])}`);
  const from = typeof cfg['input.from'] === 'number' ? cfg['input.from'] : -Infinity;
  const to = typeof cfg['input.to'] === 'number' ? cfg['input.to'] : Infinity;
  const stampIsClose = cfg['input.barTimestamp'] === 'close';
  const out = new Map<string, BarClose[]>();
  for (const [file, f] of started.files.entries()) {
    if (f.name === cfg['input.orders']) continue;
    const m = /^([A-Za-z0-9.-]+)_([A-Za-z0-9]+)_1m_/.exec(f.name);
    if (m === null) throw new Error(`oracle: cannot tell the market and timeframe of ${f.name}`);
    const bytes = readFileSync(pathOf(f.name));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== f.sha256) throw new Error(`oracle: ${f.name} hashes ${sha}, the run read ${f.sha256}`);
    const lines = bytes.toString('utf8').split(/\r?\n/);
    const head = lines[0].split(',');
    const ts = head.indexOf('timestamp');
    const close = head.indexOf('close');
    const askClose = head.indexOf('ask_close');
    const bars: BarClose[] = [];
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      const cells = lines[i].split(',');
      const stamp = Date.parse(cells[ts]);
      const openTs = stampIsClose ? stamp - 60_000 : stamp;
      if (openTs < from || openTs >= to) continue;
      const bid = Rat.parse(cells[close]);
      bars.push({ closeTs: openTs + 60_000, file, bid, ask: askClose >= 0 ? Rat.parse(cells[askClose]) : bid });
    }
    out.set(`${m[2].toUpperCase()}:${m[1].toUpperCase()}`, bars);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The books.
// ---------------------------------------------------------------------------------------------

interface Lot {
  qty: Rat;
  price: Rat;
}

interface Book {
  readonly venue: string;
  readonly symbol: string;
  sign: 1 | -1;
  /** Open lots, oldest first; with the average cost basis a single lot at the exact average. */
  lots: Lot[];
  maxQty: Rat;
  gross: Rat;
  fees: Rat;
  exitQty: Rat;
  exitNotional: Rat;
  positionId?: string;
  /** The account-currency rate of the book's last fill, when converted. */
  lastRate?: Rat;
  /** The position's share of every fill it saw (a reversal's quantity and fee split), in order. */
  fills: PositionFill[];
}

interface PositionFill {
  readonly side: string;
  readonly quantity: Rat;
  readonly price: Rat;
  readonly fee: Rat;
  /** As the fill reports it (the fills oracle's business); for the experience's slippage cost. */
  readonly slippage: Rat;
}

function qtyOf(b: Book): Rat {
  return Rat.sum(b.lots.map((l) => l.qty));
}

function averageOf(b: Book): Rat {
  const q = qtyOf(b);
  return Rat.sum(b.lots.map((l) => l.qty.times(l.price))).div(q);
}

type Expected =
  | { kind: 'PositionClosed'; fields: Record<string, string | number>; exact: Record<string, Rat>; approx: Record<string, Rat>; close: OracleClose }
  | { kind: 'PositionOpened' | 'PositionChanged'; fields: Record<string, string | number>; exact: Record<string, Rat>; approx: Record<string, Rat>; book: Book }
  | { kind: 'AccountUpdated'; fields: Record<string, string | number>; exact: Record<string, Rat>; approx: Record<string, Rat> };

export interface OracleClose {
  readonly venue: string;
  readonly symbol: string;
  readonly currency: string;
  readonly contractSize: Rat;
  readonly fills: readonly PositionFill[];
  /** Learnt from the PositionClosed the oracle matched it with. */
  positionId?: string;
  readonly gross: Rat;
  readonly fees: Rat;
  readonly net: Rat;
  readonly exitReason: string;
}

export interface OracleFigures {
  readonly currency: string;
  readonly startingCash: Rat;
  /** Cash after each fill, in the account currency (the AccountUpdated sequence). */
  readonly cashAfterFill: readonly Rat[];
  readonly realized: Rat;
  readonly fees: Rat;
  readonly finalCash: Rat;
  readonly unrealized: Rat;
  readonly finalEquity: Rat;
  readonly closes: readonly OracleClose[];
  readonly open: ReadonlyArray<{ venue: string; symbol: string; signedQty: Rat }>;
}

export interface OracleVerdict {
  readonly figures: OracleFigures;
  /** Every reported figure the oracle computes otherwise; empty when the books agree. */
  readonly disagreements: readonly string[];
}

/** Relative tolerance for average prices, which the executor carries to 40 significant digits. */
const AVERAGE_TOLERANCE = Rat.of(1n, 10n ** 34n);

export function checkLedger(inputs: OracleInputs): OracleVerdict {
  const rules: LedgerRules = { ...README_RULES, ...inputs.rules };
  const { report, events } = inputs;
  const started = runStartedOf(events);
  const cfg = started.config;
  const problems: string[] = [];
  const say = (s: string) => {
    if (problems.length < 200) problems.push(s);
  };

  const account = String(cfg['currency']);
  const accMinor = minorUnit(account);
  const round = (x: Rat, places: number) => x.round(places, rules.rounding);
  const startingCash = Rat.parse(String(cfg['startingCash']));
  // The backtest command's one fee (`--fee-bps`) is the taker and the maker fee alike.
  const takerBps = Rat.parse(String(cfg['feeBps'] ?? '0'));
  const makerBps = takerBps;

  /**
   * The bar of `symbol` (at any venue) the run processed last before a fill at `ts` on a bar of
   * file `file`: bars are processed in time order, bars of equal time in the order of their files.
   */
  const before = (a: BarClose, ts: number, file: number) => a.closeTs < ts || (a.closeTs === ts && a.file <= file && rules.linkBar === 'last-processed');
  const lastBarOf = (symbol: string, ts: number, file: number): BarClose | undefined => {
    let best: BarClose | undefined;
    for (const [key, bars] of inputs.bars) {
      if (key.split(':')[1] !== symbol) continue;
      // Binary search for the last bar processed before.
      let lo = 0;
      let hi = bars.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (before(bars[mid], ts, file)) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const b = found >= 0 ? bars[found] : undefined;
      if (b !== undefined && (best === undefined || b.closeTs > best.closeTs || (b.closeTs === best.closeTs && b.file > best.file))) best = b;
    }
    return best;
  };

  /**
   * README "Account": account-currency units per unit of the quote currency. From the fill price
   * when the instrument links the two itself (1 / price for USDJPY in a USD account), else the
   * last bar mid of a pair that links them (GBPUSD, or 1 / USDGBP, for EURGBP); 10 significant digits.
   */
  const midRate = (quote: string, ts: number, file: number): Rat | undefined => {
    for (const [symbol, inverse] of [
      [quote + account, false],
      [account + quote, true],
    ] as const) {
      const bar = lastBarOf(symbol, ts, file);
      if (bar === undefined) continue;
      const mid = bar.bid.plus(bar.ask).div(Rat.of(2n));
      return (inverse ? Rat.ONE.div(mid) : mid).roundSignificant(RATE_DIGITS, rules.rounding);
    }
    return undefined;
  };
  const fillRate = (inst: InstrumentFacts, price: Rat, ts: number, file: number): Rat | undefined => {
    if (sameMoney(inst.baseCurrency, account)) return Rat.ONE.div(price).roundSignificant(RATE_DIGITS, rules.rounding);
    return midRate(inst.quoteCurrency, ts, file);
  };

  const fileOf = (market: string): number => inputs.bars.get(market)?.[0]?.file ?? Infinity;

  const books = new Map<string, Book>();
  const expected: Expected[] = [];
  const closes: OracleClose[] = [];
  const cashAfterFill: Rat[] = [];
  let cash = startingCash;
  let realizedTotal = Rat.ZERO;
  let feesTotal = Rat.ZERO;
  let sequence = 0;
  let fillIndex = 0;
  const fills: LoggedEvent[] = [];

  const compare = (what: string, reported: unknown, oracle: Rat | string | number | boolean) => {
    if (oracle instanceof Rat) {
      if (typeof reported !== 'string') return say(`${what}: reported ${JSON.stringify(reported)}, oracle ${oracle.toString()}`);
      if (!Rat.parse(reported).eq(oracle)) say(`${what}: reported ${reported}, oracle ${oracle.toString()}`);
    } else if (reported !== oracle) say(`${what}: reported ${JSON.stringify(reported)}, oracle ${JSON.stringify(oracle)}`);
  };
  const close = (what: string, reported: unknown, oracle: Rat) => {
    if (typeof reported !== 'string') return say(`${what}: reported ${JSON.stringify(reported)}, oracle ≈ ${oracle.toString()}`);
    const diff = Rat.parse(reported).minus(oracle).abs();
    if (diff.cmp(oracle.abs().times(AVERAGE_TOLERANCE)) > 0) say(`${what}: reported ${reported}, oracle ≈ ${oracle.toString()}`);
  };

  const checkExpected = (e: LoggedEvent) => {
    const next = expected.shift();
    if (next === undefined) return say(`${e.type} ${e.id}: the oracle expected no position or account event here`);
    if (next.kind !== e.type) return say(`${e.type} ${e.id}: the oracle expected ${next.kind} here`);
    const where = `${e.type} ${e.id}`;
    for (const [k, v] of Object.entries(next.fields)) compare(`${where} ${k}`, e.data[k], v);
    for (const [k, v] of Object.entries(next.exact)) compare(`${where} ${k}`, e.data[k], v);
    for (const [k, v] of Object.entries(next.approx)) close(`${where} ${k}`, e.data[k], v);
    if (next.kind === 'PositionOpened') {
      next.book.positionId = String(e.data['positionId']);
    } else if (next.kind === 'PositionClosed') {
      next.close.positionId = String(e.data['positionId']);
    } else if (next.kind === 'PositionChanged' && e.data['positionId'] !== next.book.positionId) {
      say(`${where}: position ${String(e.data['positionId'])}, the oracle's book is ${String(next.book.positionId)}`);
    }
  };

  const openBook = (venue: string, symbol: string, sign: 1 | -1, first: PositionFill): Book => ({
    venue,
    symbol,
    sign,
    lots: [{ qty: first.quantity, price: first.price }],
    maxQty: first.quantity,
    gross: Rat.ZERO,
    fees: first.fee,
    exitQty: Rat.ZERO,
    exitNotional: Rat.ZERO,
    fills: [first],
  });

  const applyFill = (e: LoggedEvent) => {
    const d = e.data as Record<string, string>;
    const venue = d['venue'];
    const symbol = d['symbol'];
    const key = `${venue}:${symbol}`;
    const inst = inputs.instrument(symbol);
    const cs = Rat.parse(inst.contractSize);
    // The position's money: its quote currency, or the account's when the two count as the same
    // money (BTC-PERP, quoted in USD, in a USDT account is booked in USDT).
    const quote = sameMoney(inst.quoteCurrency, account) && rules.sameMoneyLabel === 'account' ? account : inst.quoteCurrency;
    const qMinor = minorUnit(quote);
    const q = Rat.parse(d['quantity']);
    const p = Rat.parse(d['price']);
    const sign: 1 | -1 = d['side'] === 'buy' ? 1 : -1;
    const slippage = Rat.parse(d['slippage'] ?? '0');
    const share = (quantity: Rat, shareFee: Rat): PositionFill => ({ side: d['side'], quantity, price: p, fee: shareFee, slippage });
    const where = `fill ${fillIndex + 1} (${d['side']} ${d['quantity']} ${symbol}@${venue} at ${d['price']}, ${d['role']})`;

    // README "Fees": quantity × price × contractSize × bps / 10 000, half-even to the quote currency's minor unit.
    const bps = d['liquidity'] === 'maker' ? makerBps : takerBps;
    const fee = round(q.times(p).times(cs).times(bps).div(Rat.of(10000n)), qMinor);
    compare(`${where} fee`, d['fee'], fee);
    compare(`${where} feeCurrency`, d['feeCurrency'], quote);

    let book = books.get(key);
    let realized = Rat.ZERO;
    let rawRealized = Rat.ZERO;
    if (book === undefined || book.lots.length === 0) {
      book = openBook(venue, symbol, sign, share(q, fee));
      books.set(key, book);
      expected.push({
        kind: 'PositionOpened',
        book,
        fields: { venue, symbol, direction: sign === 1 ? 'long' : 'short', currency: quote },
        exact: { quantity: q, averagePrice: p },
        approx: {},
      });
    } else if (book.sign === sign) {
      book.lots.push({ qty: q, price: p });
      book.fills.push(share(q, fee));
      if (rules.costBasis === 'average') book.lots = [{ qty: qtyOf(book), price: averageOf(book) }];
      const held = qtyOf(book);
      if (held.cmp(book.maxQty) > 0) book.maxQty = held;
      book.fees = book.fees.plus(fee);
      expected.push({
        kind: 'PositionChanged',
        book,
        fields: { symbol, direction: sign === 1 ? 'long' : 'short' },
        exact: { quantity: held, realizedPnl: book.gross },
        approx: { averagePrice: averageOf(book) },
      });
    } else {
      const held = qtyOf(book);
      const entryPrice = averageOf(book);
      const closing = q.cmp(held) < 0 ? q : held;
      // Realised = (exit − cost) × quantity × contract size, × −1 for shorts; FIFO walks the lots.
      let left = closing;
      let raw = Rat.ZERO;
      while (!left.isZero()) {
        const lot = book.lots[0];
        const take = lot.qty.cmp(left) <= 0 ? lot.qty : left;
        raw = raw.plus(p.minus(lot.price).times(take));
        lot.qty = lot.qty.minus(take);
        left = left.minus(take);
        if (lot.qty.isZero()) book.lots.shift();
      }
      raw = raw.times(cs).times(Rat.of(BigInt(book.sign)));
      rawRealized = raw;
      realized = round(raw, qMinor);
      book.gross = book.gross.plus(realized);
      book.exitQty = book.exitQty.plus(closing);
      book.exitNotional = book.exitNotional.plus(p.times(closing));
      const remainder = q.minus(closing);
      const reversal = !remainder.isZero();
      const closeFee = !reversal ? fee : rules.reversalFee === 'pro-rata' ? round(fee.times(closing).div(q), qMinor) : fee;
      book.fees = book.fees.plus(closeFee);
      book.fills.push(share(closing, closeFee));
      const flat = closing.eq(held);
      if (!flat) {
        expected.push({
          kind: 'PositionChanged',
          book,
          fields: { symbol, direction: book.sign === 1 ? 'long' : 'short' },
          exact: { quantity: qtyOf(book), realizedPnl: book.gross },
          approx: { averagePrice: averageOf(book) },
        });
      } else {
        const role = d['role'];
        const exitReason = reversal ? 'reversal' : role === 'stop_loss' ? 'stop_loss' : role === 'take_profit' ? 'take_profit' : 'manual';
        const net = book.gross.minus(book.fees);
        const closed: OracleClose = { venue, symbol, currency: quote, contractSize: cs, fills: book.fills, gross: book.gross, fees: book.fees, net, exitReason };
        closes.push(closed);
        expected.push({
          kind: 'PositionClosed',
          close: closed,
          fields: { venue, symbol, direction: book.sign === 1 ? 'long' : 'short', currency: quote, exitReason },
          exact: { quantity: book.maxQty, grossPnl: book.gross, fees: book.fees, realizedPnl: net },
          // The average entry is the running average the reductions left unchanged.
          approx: { entryPrice, exitPrice: book.exitNotional.div(book.exitQty) },
        });
        book.lots = [];
        if (reversal) {
          book = openBook(venue, symbol, sign, share(remainder, fee.minus(closeFee)));
          books.set(key, book);
          expected.push({
            kind: 'PositionOpened',
            book,
            fields: { venue, symbol, direction: sign === 1 ? 'long' : 'short', currency: quote },
            exact: { quantity: remainder, averagePrice: p },
            approx: {},
          });
        }
      }
    }

    // README "Account": the account receives each fill, converted when quoted in other money.
    let accRealized = realized;
    let accFee = fee;
    if (!sameMoney(quote, account)) {
      const rate = fillRate(inst, p, e.ts, fileOf(key));
      if (rate === undefined) {
        say(`${where}: nothing converts ${quote} into ${account}, yet the fill was booked`);
      } else {
        compare(`${where} conversionRate`, d['conversionRate'], rate);
        book.lastRate = rate;
        compare(`${where} accountCurrency`, d['accountCurrency'], account);
        if (rules.conversion !== 'none') {
          accRealized = round((rules.conversion === 'unrounded-pnl' ? rawRealized : realized).times(rate), accMinor);
          accFee = round(fee.times(rate), accMinor);
        }
        compare(`${where} accountRealizedPnl`, d['accountRealizedPnl'], accRealized);
        compare(`${where} accountFee`, d['accountFee'], accFee);
      }
    } else if (d['conversionRate'] !== undefined) {
      say(`${where}: converted at ${d['conversionRate']} though ${quote} is the account's money`);
    }
    realizedTotal = realizedTotal.plus(accRealized);
    feesTotal = feesTotal.plus(accFee);
    cash = cash.plus(accRealized).minus(accFee);
    cashAfterFill.push(cash);
    sequence += 1;
    expected.push({
      kind: 'AccountUpdated',
      fields: { currency: account, sequence },
      exact: { cash, realizedPnl: realizedTotal, fees: feesTotal },
      approx: {},
    });
    fillIndex++;
  };

  for (const e of events) {
    switch (e.type) {
      case 'OrderFilled':
        fills.push(e);
        applyFill(e);
        break;
      case 'PositionOpened':
      case 'PositionChanged':
      case 'PositionClosed':
      case 'AccountUpdated':
        checkExpected(e);
        break;
      default:
        break;
    }
  }
  for (const left of expected) say(`the log ends without the ${left.kind} the oracle expected`);

  // report.json's fills are the log's fills.
  if (report.fills.length !== fills.length) say(`report.fills has ${report.fills.length} fills, the log ${fills.length}`);
  report.fills.forEach((r, i) => {
    const f = fills[i];
    if (f === undefined) return;
    const d = f.data as Record<string, unknown>;
    compare(`report.fills[${i}] ts`, r.ts, new Date(f.ts).toISOString());
    for (const k of ['orderId', 'clientOrderId', 'venue', 'symbol', 'side', 'quantity', 'price', 'fee', 'feeCurrency', 'accountCurrency', 'conversionRate', 'accountFee'] as const) {
      if (r[k] !== d[k]) say(`report.fills[${i}] ${k}: ${JSON.stringify(r[k])}, the log's fill ${JSON.stringify(d[k])}`);
    }
  });
  // Every closed position's experience (README "The learning loop"): learning rebuilds the
  // position's fills on its own, and they must be the oracle's — each fill, a reversal's closing
  // part with its share of the fee — with the P&L, fees and win of the close, and
  // slippageCost = Σ slippage × quantity × contract size.
  const closeById = new Map(closes.map((c) => [c.positionId, c]));
  for (const e of events) {
    if (e.type !== 'ExperienceRecorded') continue;
    const x = e.data as Record<string, unknown>;
    const c = closeById.get(String(x['positionId']));
    const where = `ExperienceRecorded ${e.id} (${String(x['symbol'])})`;
    if (c === undefined) {
      say(`${where}: no position the oracle closed has id ${String(x['positionId'])}`);
      continue;
    }
    closeById.delete(c.positionId);
    compare(`${where} pnl`, x['pnl'], c.net);
    compare(`${where} fees`, x['fees'], c.fees);
    compare(`${where} currency`, x['currency'], c.currency);
    compare(`${where} win`, x['win'], (rules.win === 'net' ? c.net : c.gross).sign() > 0);
    const fills = (x['fills'] ?? []) as Array<Record<string, string>>;
    const got = fills.map((f) => `${f['side']} ${Rat.parse(f['quantity']).toString()} at ${Rat.parse(f['price']).toString()} fee ${Rat.parse(f['fee']).toString()}`);
    const want = c.fills.map((f) => `${f.side} ${f.quantity.toString()} at ${f.price.toString()} fee ${f.fee.toString()}`);
    if (got.join('; ') !== want.join('; ')) say(`${where} fills: reported [${got.join('; ')}], oracle [${want.join('; ')}]`);
    compare(`${where} slippageCost`, x['slippageCost'], Rat.sum(c.fills.map((f) => f.slippage.times(f.quantity))).times(c.contractSize));
  }
  for (const c of closeById.values()) say(`position ${String(c.positionId)} (${c.symbol}) closed without an experience`);

  const reportClosed = events.filter((e) => e.type === 'PositionClosed').map((e) => e.data);
  if (JSON.stringify(report.closedPositions) !== JSON.stringify(reportClosed)) say(`report.closedPositions differ from the log's PositionClosed events`);

  // Final marks (README "Account"): each open position at its market's last bar, on its exit side
  // (longs at the bid, shorts at the ask), converted at the last rate — the last mid of a pair
  // linking its quote currency with the account's, the instrument itself included.
  let unrealized = Rat.ZERO;
  const open: Array<{ venue: string; symbol: string; signedQty: Rat }> = [];
  for (const b of books.values()) {
    if (b.lots.length === 0) continue;
    const qty = qtyOf(b);
    open.push({ venue: b.venue, symbol: b.symbol, signedQty: b.sign === 1 ? qty : qty.neg() });
    const bars = inputs.bars.get(`${b.venue}:${b.symbol}`);
    const last = bars?.[bars.length - 1];
    if (last === undefined) {
      say(`open ${b.symbol}@${b.venue}: no bar to mark it at`);
      continue;
    }
    const inst = inputs.instrument(b.symbol);
    const mark = rules.markSide === 'mid' ? last.bid.plus(last.ask).div(Rat.of(2n)) : b.sign === 1 ? last.bid : last.ask;
    const inQuote = mark.minus(averageOf(b)).times(qty).times(Rat.parse(inst.contractSize)).times(Rat.of(BigInt(b.sign)));
    let rate: Rat | undefined = Rat.ONE;
    if (!sameMoney(inst.quoteCurrency, account) && rules.conversion !== 'none') {
      rate = rules.markRate === 'last-fill' ? b.lastRate : midRate(inst.quoteCurrency, Infinity, Infinity);
    }
    if (rate === undefined) {
      say(`open ${b.symbol}@${b.venue}: nothing converts ${inst.quoteCurrency} into ${account}`);
      continue;
    }
    unrealized = unrealized.plus(inQuote.times(rate));
  }

  // The summary.
  const s = report.summary;
  const finalCash = cash;
  const finalEquity = round(finalCash.plus(unrealized), accMinor);
  const money = (what: keyof ReportSummary, x: Rat) => {
    const want = moneyText(round(x, accMinor), account);
    if (s[what] !== want) say(`summary.${what}: reported ${JSON.stringify(s[what])}, oracle ${want}`);
  };
  compare('summary.currency', s.currency, account);
  money('startingCash', startingCash);
  money('finalCash', finalCash);
  money('netPnl', finalCash.minus(startingCash));
  money('grossPnl', realizedTotal);
  money('fees', feesTotal);
  money('unrealizedPnl', unrealized);
  money('finalEquity', finalEquity);
  // DESIGN §7.3 on the summary's own figures: start + realised − fees = end, exactly.
  if (!Rat.parse(s.startingCash).plus(Rat.parse(s.grossPnl)).minus(Rat.parse(s.fees)).eq(Rat.parse(s.finalCash))) {
    say(`summary: startingCash ${s.startingCash} + grossPnl ${s.grossPnl} − fees ${s.fees} ≠ finalCash ${s.finalCash}`);
  }
  // README "Account" ("report.json … Σ (accountFee or fee) = summary.fees").
  const feeSum = Rat.sum(report.fills.map((f) => Rat.parse(f.accountFee ?? f.fee)));
  if (moneyText(feeSum, account) !== s.fees) say(`Σ report.fills (accountFee or fee) = ${feeSum.toString()}, summary.fees ${s.fees}`);

  const wins = closes.filter((c) => (rules.win === 'net' ? c.net : c.gross).sign() > 0).length;
  compare('summary.trades', s.trades, closes.length);
  compare('summary.wins', s.wins, wins);
  // winRate is a 4-decimal number: within half of its last place of wins / trades.
  const rate = closes.length === 0 ? Rat.ZERO : Rat.of(BigInt(wins), BigInt(closes.length));
  const reportedRate = Rat.parse(String(s.winRate));
  if (reportedRate.minus(rate).abs().cmp(Rat.of(1n, 20000n)) > 0) say(`summary.winRate: reported ${s.winRate}, oracle ${wins}/${closes.length}`);
  compare('summary.openPositions', s.openPositions, open.length);

  return {
    figures: {
      currency: account,
      startingCash,
      cashAfterFill,
      realized: realizedTotal,
      fees: feesTotal,
      finalCash,
      unrealized,
      finalEquity,
      closes,
      open,
    },
    disagreements: problems,
  };
}
