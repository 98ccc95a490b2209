import { Decimal as BaseDecimal } from 'decimal.js';
import type { OracleBar, Ohlc } from './oracle-bars';

/**
 * An independent oracle for the paper broker: the fill rules of README.md ("The paper broker:
 * how orders fill", with "Instruments" and the risk checks of "Risk limits") written out as
 * plainly as possible, from the text alone. It imports nothing of the product: not the executor,
 * not the kernel's decimal helpers, not the market-data reader. When it and the product disagree,
 * either the product does not do what the README says or the README does not say what it does.
 *
 * One market per run (one symbol at one venue, one bar series), orders as the backtest's orders
 * CSV gives them, with the time in force of its `time_in_force` column (README "Time in force";
 * GTC when the column is absent or empty). The CSV refuses IOC and FOK on a stop order, so the
 * oracle is never given one.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
export type Role = 'entry' | 'stop_loss' | 'take_profit';
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK';

export interface OracleOrder {
  /** Line of the orders CSV (the header is line 1): the product names the order by it. */
  readonly line: number;
  readonly ts: number;
  readonly side: Side;
  readonly quantity: string;
  readonly type: OrderType;
  readonly price?: string;
  readonly stopLoss?: string;
  readonly takeProfit?: string;
  /** Absent: GTC. */
  readonly timeInForce?: TimeInForce;
}

export interface Instrument {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQuantity: string;
  readonly contractSize: string;
  /** Decimal places of the quote currency's minor unit (cents: 2, whole yen: 0). */
  readonly moneyPlaces: number;
}

/** README "Instruments", the built-in table (and "Fees": cents for USD, whole yen for JPY). */
export function builtInInstrument(symbol: string): Instrument {
  const s = symbol.toUpperCase();
  const moneyPlaces = s.endsWith('JPY') ? 0 : 2;
  if (s === 'XAUUSD') return { tickSize: '0.001', lotSize: '1', minQuantity: '1', contractSize: '1', moneyPlaces };
  if (s === 'XAGUSD') return { tickSize: '0.0001', lotSize: '1', minQuantity: '1', contractSize: '1', moneyPlaces };
  if (/^(BTC|ETH|SOL|XRP|ADA|DOGE|BNB|LTC)/.test(s)) {
    const lot = s.startsWith('BTC') ? '0.00001' : '0.0001';
    return { tickSize: '0.01', lotSize: lot, minQuantity: lot, contractSize: '1', moneyPlaces: 2 };
  }
  if (/^[A-Z]{6}$/.test(s)) return { tickSize: s.includes('JPY') ? '0.001' : '0.00001', lotSize: '1', minQuantity: '1', contractSize: '1', moneyPlaces };
  throw new Error(`the oracle knows no instrument ${symbol}`);
}

export interface OracleConfig {
  readonly instrument: Instrument;
  readonly feeBps: string;
  readonly slippageBps: string;
  /** Length of one bar, for the stale-price rule on bars longer than 15 minutes. */
  readonly barMs: number;
}

export interface OracleFill {
  readonly line: number;
  readonly role: Role;
  /** ISO time of the close of the bar it filled on. */
  readonly ts: string;
  readonly side: Side;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  /** Which rule priced it (for coverage, not compared): `limit gap`, `stop-loss on the entry bar`, … */
  readonly rule: string;
}

/**
 * Refused: risk denied it or the broker rejected it (never working). Cancelled: an IOC or FOK
 * its first eligible bar did not fill (`why` is the reason the README gives). Expired: a DAY
 * order whose day ended.
 */
export type Outcome =
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'filled' }
  | { readonly kind: 'working' }
  | { readonly kind: 'cancelled'; readonly why: 'ioc_unfilled' | 'fok_unfilled' }
  | { readonly kind: 'expired' };

export interface OracleResult {
  readonly fills: OracleFill[];
  /** By CSV line: what became of each entry. */
  readonly outcomes: Map<number, Outcome>;
  /** Entries still working at the end (the summary's `workingOrders`; protective orders are not counted). */
  readonly workingEntries: number;
  /** How often each rule decided something (fills by `rule`, and cancellations, reversals, clips). */
  readonly rules: Map<string, number>;
}

interface Working {
  readonly seq: number;
  readonly line: number;
  readonly role: Role;
  readonly side: Side;
  quantity: Decimal;
  readonly type: OrderType;
  readonly price?: Decimal;
  readonly stopLoss?: Decimal;
  readonly takeProfit?: Decimal;
  /** An entry may fill only on a bar that opens at or after this moment. */
  readonly submittedAt: number;
  readonly timeInForce: TimeInForce;
  /** DAY: midnight UTC after the moment it was placed; it expires on the first bar opening at or after it. */
  readonly dayEnd: number;
  /** Protective orders: the bar their entry filled on (only the stop-loss is checked there). */
  readonly entryBarOpen?: number;
  /** The other order of the OCO pair. */
  sibling?: Working;
  done: boolean;
}

/** Exact for every amount here: prices and quantities of at most ~20 digits, multiplied a few times. */
const Decimal = BaseDecimal.clone({ precision: 80 });
type Decimal = InstanceType<typeof Decimal>;

const FIFTEEN_MINUTES = 15 * 60_000;
const ONE_DAY = 86_400_000;
const COLLAR = new Decimal('0.05');
const TEN_THOUSAND = new Decimal(10_000);

function onGrid(v: Decimal, step: string): boolean {
  return v.mod(step).isZero();
}

function roundToTick(v: Decimal, tick: string, mode: 'up' | 'down'): Decimal {
  const steps = v.div(tick);
  return (mode === 'up' ? steps.ceil() : steps.floor()).mul(tick);
}

type Prices = { readonly open: Decimal; readonly high: Decimal; readonly low: Decimal };
const pricesOf = new WeakMap<Ohlc, Prices>();

/** The bar's prices on an order's side: the ask for a buy, the bid for a sell (trade bars: the one series). */
function sideOf(bar: OracleBar, side: Side): Prices {
  const p: Ohlc = side === 'buy' && bar.ask !== undefined ? bar.ask : bar.bid;
  let d = pricesOf.get(p);
  if (d === undefined) {
    d = { open: new Decimal(p.open), high: new Decimal(p.high), low: new Decimal(p.low) };
    pricesOf.set(p, d);
  }
  return d;
}

/** "the last bar's mid, as risk marks it": (bid + ask) / 2 of the close, or a trade bar's close. */
function lastPrice(bar: OracleBar): Decimal {
  return bar.ask === undefined ? new Decimal(bar.bid.close) : new Decimal(bar.bid.close).plus(bar.ask.close).div(2);
}

export function runOracle(bars: readonly OracleBar[], orders: readonly OracleOrder[], cfg: OracleConfig): OracleResult {
  const inst = cfg.instrument;
  const fills: OracleFill[] = [];
  const outcomes = new Map<number, Outcome>();
  const working: Working[] = [];
  let seq = 0;
  /** Signed quantity of the one netting position. */
  let position = new Decimal(0);
  const rules = new Map<string, number>();
  const saw = (rule: string): void => {
    rules.set(rule, (rules.get(rule) ?? 0) + 1);
  };

  const fee = (qty: Decimal, price: Decimal): string =>
    qty.mul(price).mul(inst.contractSize).mul(cfg.feeBps).div(TEN_THOUSAND).toDecimalPlaces(inst.moneyPlaces, Decimal.ROUND_HALF_EVEN).toFixed(inst.moneyPlaces);

  /** Market and stop fills: slippage against you, rounded to the tick against you. */
  const slipped = (price: Decimal, side: Side): Decimal => {
    const f = new Decimal(cfg.slippageBps).div(TEN_THOUSAND);
    return side === 'buy' ? roundToTick(price.mul(f.plus(1)), inst.tickSize, 'up') : roundToTick(price.mul(new Decimal(1).minus(f)), inst.tickSize, 'down');
  };

  const refuse = (o: OracleOrder, why: string): void => {
    saw(`refused: ${why}`);
    outcomes.set(o.line, { kind: 'refused', why });
  };

  /** Risk's checks that can refuse a person's order here, then the broker's own. */
  const submit = (o: OracleOrder, last: OracleBar | undefined): void => {
    if (last === undefined) return refuse(o, 'NO_MARKET_PRICE');
    const age = o.ts - last.closeMs;
    if (age > FIFTEEN_MINUTES && age > cfg.barMs) return refuse(o, 'STALE_PRICE');
    const qty = new Decimal(o.quantity);
    if (!onGrid(qty, inst.lotSize) || qty.lt(inst.minQuantity)) return refuse(o, 'quantity');
    const price = o.price === undefined ? undefined : new Decimal(o.price);
    const sl = o.stopLoss === undefined ? undefined : new Decimal(o.stopLoss);
    const tp = o.takeProfit === undefined ? undefined : new Decimal(o.takeProfit);
    for (const p of [price, sl, tp]) if (p !== undefined && (p.lte(0) || !onGrid(p, inst.tickSize))) return refuse(o, 'tick');
    const mid = lastPrice(last);
    if (price !== undefined && price.minus(mid).abs().gt(mid.mul(COLLAR))) return refuse(o, 'PRICE_COLLAR');
    const buy = o.side === 'buy';
    // Wrong side: below/above the order's own price, or the last price for a market order.
    const ref = price ?? mid;
    if (sl !== undefined && (buy ? sl.gte(ref) : sl.lte(ref))) return refuse(o, 'INVALID_STOP');
    if (tp !== undefined && (buy ? tp.lte(ref) : tp.gte(ref))) return refuse(o, 'INVALID_ORDER');
    // The broker: an order that enters at the market (a market order, or a limit the last
    // price has already reached) whose stop-loss is at or through the last price, or whose
    // take-profit that price has already reached: "market moved".
    const atMarket = o.type === 'market' || (o.type === 'limit' && price !== undefined && (buy ? mid.lte(price) : mid.gte(price)));
    if (atMarket && sl !== undefined && (buy ? sl.gte(mid) : sl.lte(mid))) return refuse(o, 'market moved (stop-loss)');
    if (atMarket && tp !== undefined && (buy ? tp.lte(mid) : tp.gte(mid))) return refuse(o, 'market moved (take-profit)');
    outcomes.set(o.line, { kind: 'working' });
    working.push({
      seq: seq++,
      line: o.line,
      role: 'entry',
      side: o.side,
      quantity: qty,
      type: o.type,
      price,
      stopLoss: sl,
      takeProfit: tp,
      submittedAt: o.ts,
      timeInForce: o.timeInForce ?? 'GTC',
      dayEnd: (Math.floor(o.ts / ONE_DAY) + 1) * ONE_DAY,
      done: false,
    });
  };

  /** A DAY order whose day has ended by the open of `bar` (checked before it could fill there). */
  const dayOver = (w: Working, bar: OracleBar): boolean => w.timeInForce === 'DAY' && bar.openMs >= w.dayEnd;

  const end = (w: Working, outcome: Outcome, rule: string): void => {
    w.done = true;
    saw(rule);
    outcomes.set(w.line, outcome);
  };

  const cancelProtective = (): void => {
    for (const w of working) {
      if (w.role === 'entry' || w.done) continue;
      w.done = true;
      saw('protective order cancelled: position closed');
    }
  };

  /**
   * Books a fill: the fill row, the position, OCO, brackets. `atOpen`: an entry filled at the
   * bar's open (a market order, a limit the bar opened through, a stop it opened at or beyond).
   */
  const fill = (w: Working, bar: OracleBar, price: Decimal, qty: Decimal, rule: string, atOpen = false): void => {
    w.done = true;
    saw(rule);
    fills.push({
      line: w.line,
      role: w.role,
      ts: new Date(bar.closeMs).toISOString(),
      side: w.side,
      quantity: qty.toFixed(),
      price: price.toFixed(),
      fee: fee(qty, price),
      rule,
    });
    if (w.role === 'entry') outcomes.set(w.line, { kind: 'filled' });
    if (w.sibling !== undefined) w.sibling.done = true; // oco
    const signed = w.side === 'buy' ? qty : qty.neg();
    const before = position;
    position = position.plus(signed);
    let opened = new Decimal(0);
    if (before.isZero() || before.isPos() === signed.isPos()) {
      opened = qty;
    } else if (position.isZero() || position.isPos() !== before.isPos()) {
      // Closed or reversed: the old position's protective orders go (position_closed).
      cancelProtective();
      opened = position.abs();
      if (opened.gt(0)) saw('reversal');
    }
    if (w.role === 'entry' && opened.gt(0) && (w.stopLoss !== undefined || w.takeProfit !== undefined)) {
      const exit: Side = w.side === 'buy' ? 'sell' : 'buy';
      const child = (role: Role, type: OrderType, p: Decimal): Working => ({
        seq: seq++,
        line: w.line,
        role,
        side: exit,
        quantity: opened,
        type,
        price: p,
        submittedAt: bar.closeMs,
        // "Protective children are always GTC."
        timeInForce: 'GTC',
        dayEnd: Infinity,
        entryBarOpen: bar.openMs,
        done: false,
      });
      const sl = w.stopLoss === undefined ? undefined : child('stop_loss', 'stop', w.stopLoss);
      const tp = w.takeProfit === undefined ? undefined : child('take_profit', 'limit', w.takeProfit);
      if (sl !== undefined && tp !== undefined) {
        sl.sibling = tp;
        tp.sibling = sl;
      }
      if (!opened.eq(qty)) saw('bracket for the part of a reversal');
      if (sl !== undefined) working.push(sl);
      if (tp !== undefined) working.push(tp);
      // The entry's own bar: the take-profit is never filled there; the stop-loss is checked at
      // once, before the orders after the entry. It fills at its stop (plus slippage), at the
      // open only when the entry filled at the open and the bar opened through the stop-loss too.
      if (tp !== undefined && limitFill(tp, bar) !== undefined) saw('take-profit reached on the entry bar, not filled');
      const hit = sl === undefined ? undefined : stopFill(sl, bar);
      if (sl !== undefined && hit !== undefined) {
        const gapped = atOpen && hit.gap;
        fill(sl, bar, gapped ? hit.price : slipped(sl.price as Decimal, sl.side), protectiveQty(sl), `stop-loss on the entry bar${gapped ? ', gapped through at the open' : hit.gap ? ', at its stop: the bar opened beyond it before the entry' : ''}`);
      }
    }
  };

  /** Protective orders only reduce: a child larger than what is left fills only the rest. */
  const protectiveQty = (w: Working): Decimal => {
    if (w.quantity.gt(position.abs())) saw('protective order reduced to the position');
    return Decimal.min(w.quantity, position.abs());
  };

  type Priced = { price: Decimal; gap: boolean };

  const limitFill = (w: Working, bar: OracleBar): Priced | undefined => {
    const p = sideOf(bar, w.side);
    const limit = w.price as Decimal;
    // 'through': the bar must trade beyond the limit; the open when it gaps through.
    const hit = w.side === 'buy' ? p.low.lt(limit) : p.high.gt(limit);
    if (!hit) return undefined;
    const gap = w.side === 'buy' ? p.open.lt(limit) : p.open.gt(limit);
    if (!gap) return { price: limit, gap };
    // An open finer than the tick is rounded to it against you, never beyond the limit.
    const open = roundToTick(p.open, inst.tickSize, w.side === 'buy' ? 'up' : 'down');
    return { price: w.side === 'buy' ? Decimal.min(open, limit) : Decimal.max(open, limit), gap };
  };

  const stopFill = (w: Working, bar: OracleBar): Priced | undefined => {
    const p = sideOf(bar, w.side);
    const stop = w.price as Decimal;
    const hit = w.side === 'buy' ? p.high.gte(stop) : p.low.lte(stop);
    if (!hit) return undefined;
    // The open when the bar gaps through the stop (the worse price); slippage on top.
    const gap = w.side === 'buy' ? p.open.gt(stop) : p.open.lt(stop);
    return { price: slipped(gap ? p.open : stop, w.side), gap };
  };

  const opensThrough = (w: Working, bar: OracleBar): boolean => {
    const open = sideOf(bar, w.side).open;
    const limit = w.price as Decimal;
    return w.side === 'buy' ? open.lt(limit) : open.gt(limit);
  };

  const processBar = (bar: OracleBar): void => {
    // 1. Market orders, at the open (IOC and FOK alike: a market order fills on its first
    // eligible bar), unless a DAY order's day has ended by then.
    for (const w of working) {
      if (w.done || w.type !== 'market') continue;
      if (dayOver(w, bar)) {
        end(w, { kind: 'expired' }, 'DAY market order expired: its first eligible bar is on the next day');
        continue;
      }
      if (w.submittedAt > bar.openMs) continue;
      if (w.timeInForce !== 'GTC') saw(`${w.timeInForce} market order at the open`);
      fill(w, bar, slipped(sideOf(bar, w.side).open, w.side), w.quantity, 'market at the open', true);
    }
    // 2. The other working orders in the order they were submitted. Protective orders placed
    // during this bar were checked when placed.
    for (let i = 0; i < working.length; i++) {
      const w = working[i];
      if (w.done || w.type === 'market') continue;
      if (w.role !== 'entry' && w.entryBarOpen === bar.openMs) continue;
      if (w.role === 'take_profit' && w.sibling !== undefined && !w.sibling.done) continue; // checked with its stop-loss
      if (w.role === 'entry') {
        if (dayOver(w, bar)) {
          end(w, { kind: 'expired' }, `DAY ${w.type} expired at the first bar of the next day`);
          continue;
        }
        if (w.submittedAt > bar.openMs) continue;
        const p = w.type === 'limit' ? limitFill(w, bar) : stopFill(w, bar);
        if (p === undefined && (w.timeInForce === 'IOC' || w.timeInForce === 'FOK')) {
          const why = w.timeInForce === 'IOC' ? 'ioc_unfilled' : 'fok_unfilled';
          end(w, { kind: 'cancelled', why }, `${w.timeInForce} ${w.type} cancelled: its first eligible bar did not fill it`);
          continue;
        }
        if (p !== undefined && w.timeInForce !== 'GTC') saw(`${w.timeInForce} ${w.type} filled`);
        const q = sideOf(bar, w.side);
        const price = w.price as Decimal;
        if (w.type === 'limit' && (w.side === 'buy' ? q.low : q.high).eq(price)) saw('limit only touched: no fill');
        if (w.type === 'stop' && (w.side === 'buy' ? q.high : q.low).eq(price)) saw('stop reached exactly at the extreme');
        const open = q.open;
        const atOpen = w.type === 'limit' ? p?.gap === true : w.side === 'buy' ? open.gte(price) : open.lte(price);
        if (p !== undefined) fill(w, bar, p.price, w.quantity, `${w.type}${p.gap ? ' gapped through' : ''}`, atOpen);
        continue;
      }
      // A protective pair is checked as one, where its first order stands.
      const sl = w.role === 'stop_loss' ? w : w.sibling?.role === 'stop_loss' && !w.sibling.done ? w.sibling : undefined;
      const tp = w.role === 'take_profit' ? w : w.sibling?.role === 'take_profit' && !w.sibling.done ? w.sibling : undefined;
      if (tp !== undefined && opensThrough(tp, bar)) {
        const slToo = sl !== undefined && stopFill(sl, bar) !== undefined;
        fill(tp, bar, (limitFill(tp, bar) as Priced).price, protectiveQty(tp), `take-profit: the bar opens through it${slToo ? ', the stop-loss reached too' : ''}`);
        continue;
      }
      const slPrice = sl === undefined ? undefined : stopFill(sl, bar);
      if (sl !== undefined && slPrice !== undefined) {
        const tpToo = tp !== undefined && limitFill(tp, bar) !== undefined;
        fill(sl, bar, slPrice.price, protectiveQty(sl), `stop-loss${slPrice.gap ? ' gapped through' : ''}${tpToo ? ', the take-profit reached too' : ''}`);
        continue;
      }
      if (tp !== undefined) {
        const tpPrice = limitFill(tp, bar);
        if (tpPrice !== undefined) fill(tp, bar, tpPrice.price, protectiveQty(tp), 'take-profit');
      }
    }
    for (let i = working.length - 1; i >= 0; i--) if (working[i].done) working.splice(i, 1);
  };

  let next = 0;
  let last: OracleBar | undefined;
  for (const bar of bars) {
    // An order reaches the broker once every bar that closed before it has been processed
    // (README "When an order can fill": approved at a bar's close, it fills from the next bar).
    while (next < orders.length && orders[next].ts < bar.closeMs) submit(orders[next++], last);
    processBar(bar);
    last = bar;
  }
  while (next < orders.length) submit(orders[next++], last);
  return { fills, outcomes, workingEntries: working.filter((w) => w.role === 'entry' && !w.done).length, rules };
}
