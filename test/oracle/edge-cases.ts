import { Decimal } from 'decimal.js';
import type { BarTimestamp, Ohlc, OracleBar } from './oracle-bars';
import type { OrderType, Side, TimeInForce } from './paper-oracle';

/**
 * Hand-written edge cases of the fill rules. Each names its moment in the real data and takes
 * its prices from the bars there (or finds the first place in the data where the situation it
 * needs happens): the expected fills are always the oracle's, never written here. `covers` lists
 * the oracle's rules (or refusals) the case must exercise, so that a case that stops testing what
 * it says (other data, a changed generator) fails instead of passing quietly.
 */

export interface EdgeMarket {
  readonly file: string;
  readonly symbol: string;
  readonly barTimestamp: BarTimestamp;
}

export const EURUSD: EdgeMarket = { file: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', symbol: 'EURUSD', barTimestamp: 'open' };
export const XAUUSD: EdgeMarket = { file: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', symbol: 'XAUUSD', barTimestamp: 'open' };
export const GBPUSD: EdgeMarket = { file: 'forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv', symbol: 'GBPUSD', barTimestamp: 'close' };
export const BTCPERP: EdgeMarket = { file: 'crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv', symbol: 'BTC-PERP', barTimestamp: 'close' };

export interface EdgeOrder {
  readonly at: number;
  readonly side: Side;
  readonly quantity: string;
  readonly type: OrderType;
  readonly price?: string;
  readonly stopLoss?: string;
  readonly takeProfit?: string;
  readonly timeInForce?: TimeInForce;
}

export interface EdgeCase {
  readonly name: string;
  readonly market: EdgeMarket;
  /** The rows of the data file used (file timestamps, [from, to)). */
  readonly from: string;
  readonly to: string;
  readonly feeBps: string;
  readonly slippageBps: string;
  readonly orders: (m: Bars) => EdgeOrder[];
  readonly covers: readonly string[];
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`bad time ${iso}`);
  return t;
};

/** The bars of a case, with what the cases need to take their prices from them. */
export class Bars {
  constructor(
    readonly bars: readonly OracleBar[],
    readonly tick: string,
  ) {}

  /** Index of the bar that opens at `iso`. */
  at(iso: string): number {
    const t = ms(iso);
    const i = this.bars.findIndex((b) => b.openMs === t);
    if (i < 0) throw new Error(`no bar opens at ${iso}`);
    return i;
  }

  open(i: number): number {
    return this.bars[i].openMs;
  }

  close(i: number): number {
    return this.bars[i].closeMs;
  }

  /** A side's prices (the ask for a buy) as decimals. */
  px(i: number, side: Side): { open: Decimal; high: Decimal; low: Decimal; close: Decimal } {
    const b = this.bars[i];
    const p: Ohlc = side === 'buy' && b.ask !== undefined ? b.ask : b.bid;
    return { open: new Decimal(p.open), high: new Decimal(p.high), low: new Decimal(p.low), close: new Decimal(p.close) };
  }

  mid(i: number): Decimal {
    const b = this.bars[i];
    return b.ask === undefined ? new Decimal(b.bid.close) : new Decimal(b.bid.close).plus(b.ask.close).div(2);
  }

  ticks(n: number): Decimal {
    return new Decimal(this.tick).mul(n);
  }

  str(d: Decimal, mode: 'up' | 'down' | 'near' = 'near'): string {
    const n = d.div(this.tick);
    return (mode === 'up' ? n.ceil() : mode === 'down' ? n.floor() : n.round()).mul(this.tick).toFixed();
  }

  /** The first index from `from` (inclusive) where `pred` holds; throws when there is none. */
  find(what: string, pred: (i: number) => boolean, from = 2): number {
    for (let i = Math.max(from, 2); i < this.bars.length - 2; i++) if (pred(i)) return i;
    throw new Error(`no place in the data where ${what}`);
  }

  /** The bar before a weekend (or any gap longer than an hour) and the bar after it, from `fromIso`. */
  gapAfter(fromIso: string): { before: number; after: number } {
    const start = ms(fromIso);
    // On both sides the prices move by at least 4 ticks across it: something to fill between.
    const moves = (k: number, side: Side) => this.px(k + 1, side).open.minus(this.px(k, side).close).abs().gte(this.ticks(4));
    const i = this.find(
      'a gap of over an hour',
      (k) => this.bars[k].openMs >= start && this.bars[k + 1].openMs - this.bars[k].closeMs > 3_600_000 && moves(k, 'buy') && moves(k, 'sell'),
    );
    return { before: i, after: i + 1 };
  }
}

const lowest = (m: Bars, side: Side, from: number, to: number): Decimal => {
  let v = m.px(from, side).low;
  for (let i = from + 1; i <= to; i++) v = Decimal.min(v, m.px(i, side).low);
  return v;
};

const highest = (m: Bars, side: Side, from: number, to: number): Decimal => {
  let v = m.px(from, side).high;
  for (let i = from + 1; i <= to; i++) v = Decimal.max(v, m.px(i, side).high);
  return v;
};

const DAY_MS = 86_400_000;

/**
 * The first bar (index `b`) that opens at midnight UTC, after ten contiguous bars of the day
 * before, and that trades through both the lowest ask and the lowest bid of those ten bars: a
 * buy limit at that ask and a sell stop a tick under that bid, placed ten minutes before midnight,
 * are not reached before midnight and would be on the next day's first bar.
 */
const nextDayReaches = (m: Bars): { b: number; limit: string; stop: string } => {
  const b = m.find(
    'a midnight whose first bar trades below the ten minutes before it on both sides',
    (i) =>
      i >= 10 &&
      m.open(i) % DAY_MS === 0 &&
      m.open(i) - m.open(i - 10) === 600_000 &&
      m.px(i, 'buy').low.lt(lowest(m, 'buy', i - 10, i - 1)) &&
      m.px(i, 'sell').low.lte(lowest(m, 'sell', i - 10, i - 1).minus(m.ticks(1))),
  );
  return { b, limit: lowest(m, 'buy', b - 10, b - 1).toFixed(), stop: lowest(m, 'sell', b - 10, b - 1).minus(m.ticks(1)).toFixed() };
};

/** Contiguous bars (no missing minute): the cases below that count bars need them. */
const contiguous = (m: Bars, from: number, to: number): boolean => {
  for (let i = from + 1; i <= to; i++) if (m.open(i) !== m.close(i - 1)) return false;
  return true;
};

export const EDGE_CASES: readonly EdgeCase[] = [
  {
    name: 'market orders at a bar boundary (open stamps): at the open fills on that bar, 1 ms before it too, 1 s after it waits',
    market: EURUSD,
    from: '2014-05-06T09:00:00Z',
    to: '2014-05-06T11:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const i = m.at('2014-05-06T10:00:00Z');
      return [
        { at: m.open(i) - 1, side: 'buy', quantity: '1000', type: 'market' },
        { at: m.open(i), side: 'sell', quantity: '2000', type: 'market' },
        { at: m.open(i) + 1000, side: 'buy', quantity: '1000', type: 'market' },
      ];
    },
    covers: ['market at the open'],
  },
  {
    name: 'market orders at a bar boundary (close stamps): at a row’s timestamp waits for the next row, 1 ms before it fills on that row',
    market: BTCPERP,
    from: '2022-01-10T00:00:00Z',
    to: '2022-01-10T02:00:00Z',
    feeBps: '1',
    slippageBps: '2',
    orders: (m) => {
      const i = m.at('2022-01-10T01:00:00Z');
      return [
        { at: m.open(i) - 1, side: 'buy', quantity: '0.01', type: 'market' },
        { at: m.open(i), side: 'sell', quantity: '0.02', type: 'market' },
        { at: m.close(i) - 1, side: 'buy', quantity: '0.01', type: 'market' },
      ];
    },
    covers: ['market at the open'],
  },
  {
    name: 'limits that only touch the next bar (buy at its ask low, sell at its bid high) do not fill there; stops exactly at the extremes do',
    market: EURUSD,
    from: '2014-05-07T09:00:00Z',
    to: '2014-05-07T13:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      // A bar whose ask low is below the last mid and not its open (no gap) and a later one
      // whose bid high is above the last mid: a buy limit there rests, then is only touched.
      const start = m.at('2014-05-07T10:00:00Z');
      const b = m.find('an ask low below the mid before it', (i) => i >= start && m.px(i, 'buy').low.lt(m.mid(i - 1)) && m.px(i, 'buy').open.gt(m.px(i, 'buy').low));
      const s = m.find('a bid high above the mid before it', (i) => i > b + 5 && m.px(i, 'sell').high.gt(m.mid(i - 1)) && m.px(i, 'sell').open.lt(m.px(i, 'sell').high));
      const u = m.find('an ask high above the mid before it', (i) => i > s + 5 && m.px(i, 'buy').high.gt(m.mid(i - 1)) && m.px(i, 'buy').open.lt(m.px(i, 'buy').high));
      const d = m.find('a bid low below the mid before it', (i) => i > u + 5 && m.px(i, 'sell').low.lt(m.mid(i - 1)) && m.px(i, 'sell').open.gt(m.px(i, 'sell').low));
      return [
        { at: m.open(b), side: 'buy', quantity: '1000', type: 'limit', price: m.px(b, 'buy').low.toFixed() },
        { at: m.open(s), side: 'sell', quantity: '1000', type: 'limit', price: m.px(s, 'sell').high.toFixed() },
        { at: m.open(u), side: 'buy', quantity: '1000', type: 'stop', price: m.px(u, 'buy').high.toFixed() },
        { at: m.open(d), side: 'sell', quantity: '1000', type: 'stop', price: m.px(d, 'sell').low.toFixed() },
      ];
    },
    covers: ['limit only touched: no fill', 'stop reached exactly at the extreme'],
  },
  {
    name: 'weekend gap down: a buy limit and a sell stop between Friday’s close and Sunday’s open fill at Sunday’s open',
    market: EURUSD,
    from: '2014-05-09T18:00:00Z',
    to: '2014-05-12T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const { before, after } = m.gapAfter('2014-05-09T00:00:00Z');
      const between = (side: Side) => m.str(m.px(before, side).close.plus(m.px(after, side).open).div(2));
      return [
        { at: m.open(before) + 30_000, side: 'buy', quantity: '1000', type: 'limit', price: between('buy') },
        { at: m.close(before), side: 'sell', quantity: '2000', type: 'stop', price: between('sell') },
      ];
    },
    covers: ['limit gapped through', 'stop gapped through'],
  },
  {
    name: 'close stamps: an order in a hole of the data fills on the next bar; a buy limit and a sell stop placed at a row’s timestamp fill at the next bar’s open, which gaps down through both',
    market: BTCPERP,
    from: '2022-01-13T02:00:00Z',
    to: '2022-01-13T04:00:00Z',
    feeBps: '1',
    slippageBps: '2',
    orders: (m) => {
      // Rows 03:02 and 03:10: no bar from 03:02 to 03:09. Row 03:11 (the bar opening at 03:10)
      // opens well below the close of row 03:10.
      const after = m.at('2022-01-13T03:10:00Z');
      const before = after - 1;
      const between = (side: Side) => m.str(m.px(before, side).close.plus(m.px(after, side).open).div(2));
      return [
        { at: Date.parse('2022-01-13T03:05:00Z'), side: 'buy', quantity: '0.01', type: 'market' },
        { at: m.close(before), side: 'buy', quantity: '0.01', type: 'limit', price: between('buy') },
        { at: m.close(before), side: 'sell', quantity: '0.03', type: 'stop', price: between('sell') },
      ];
    },
    covers: ['market at the open', 'limit gapped through', 'stop gapped through'],
  },
  {
    name: 'weekend gap through a stop-loss: a market buy and a resting buy limit fill at Sunday’s open, and their stop-losses on that same bar at its open',
    market: EURUSD,
    from: '2014-05-09T18:00:00Z',
    to: '2014-05-12T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const { before, after } = m.gapAfter('2014-05-09T00:00:00Z');
      const mid = m.mid(before);
      const bidOpen = m.px(after, 'sell').open;
      // Below the last mid (so risk and the broker take it) and above Sunday's bid open.
      const sl = m.str(bidOpen.plus(mid).div(2), 'down');
      const limit = m.str(Decimal.max(m.px(after, 'buy').open, new Decimal(sl)).plus(mid).div(2), 'down');
      return [
        { at: m.close(before), side: 'buy', quantity: '1000', type: 'market', stopLoss: sl },
        { at: m.close(before), side: 'buy', quantity: '3000', type: 'limit', price: limit, stopLoss: m.str(new Decimal(sl).minus(m.ticks(2))) },
      ];
    },
    covers: ['market at the open', 'limit gapped through', 'stop-loss on the entry bar, gapped through at the open'],
  },
  {
    name: 'stale prices: on Saturday, and more than 15 minutes after Friday’s last close, an order is refused; exactly 15 minutes after it is taken',
    market: EURUSD,
    from: '2014-05-02T18:00:00Z',
    to: '2014-05-05T00:00:00Z',
    feeBps: '1',
    slippageBps: '0',
    orders: (m) => {
      const { before } = m.gapAfter('2014-05-02T00:00:00Z');
      const friday = m.close(before);
      return [
        { at: friday + 15 * 60_000, side: 'buy', quantity: '1000', type: 'market' },
        { at: friday + 15 * 60_000 + 1, side: 'buy', quantity: '1000', type: 'market' },
        { at: ms('2014-05-03T12:00:00Z'), side: 'sell', quantity: '1000', type: 'market' },
      ];
    },
    covers: ['refused: STALE_PRICE', 'market at the open'],
  },
  {
    name: 'orders the data cannot fill: before the first bar (no price), off the tick, off the lot, beyond the collar, brackets on the wrong side, in the last bar',
    market: EURUSD,
    from: '2014-05-08T10:00:00Z',
    to: '2014-05-08T12:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const i = m.at('2014-05-08T11:00:00Z');
      const mid = m.mid(i - 1);
      const last = m.bars.length - 1;
      return [
        { at: m.open(0) - 60_000, side: 'buy', quantity: '1000', type: 'market' },
        { at: m.open(i), side: 'buy', quantity: '1000', type: 'limit', price: mid.minus(m.ticks(20)).toDecimalPlaces(5).plus('0.000005').toFixed() },
        { at: m.open(i) + 1000, side: 'buy', quantity: '1000.5', type: 'market' },
        { at: m.open(i) + 2000, side: 'sell', quantity: '1000', type: 'limit', price: m.str(mid.mul('1.06')) },
        { at: m.open(i) + 3000, side: 'sell', quantity: '1000', type: 'limit', price: m.str(mid.mul('1.049')) },
        { at: m.open(i) + 4000, side: 'buy', quantity: '1000', type: 'limit', price: m.str(mid.minus(m.ticks(30))), stopLoss: m.str(mid.minus(m.ticks(10))) },
        { at: m.open(i) + 5000, side: 'sell', quantity: '1000', type: 'market', takeProfit: m.str(mid.plus(m.ticks(30))) },
        { at: m.open(last) + 30_000, side: 'buy', quantity: '1000', type: 'market' },
      ];
    },
    covers: ['refused: NO_MARKET_PRICE', 'refused: tick', 'refused: quantity', 'refused: PRICE_COLLAR', 'refused: INVALID_STOP', 'refused: INVALID_ORDER'],
  },
  {
    name: 'a marketable buy limit whose stop-loss is between the last price and the limit is refused by the broker (market moved); a buy stop already triggered with its take-profit already reached is not an order at the market',
    market: EURUSD,
    from: '2014-05-12T09:00:00Z',
    to: '2014-05-12T12:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const i = m.at('2014-05-12T10:00:00Z');
      const mid = m.mid(i - 1);
      return [
        { at: m.open(i), side: 'buy', quantity: '1000', type: 'limit', price: m.str(mid.plus(m.ticks(40))), stopLoss: m.str(mid.plus(m.ticks(5))) },
        { at: m.open(i) + 10_000, side: 'buy', quantity: '1000', type: 'stop', price: m.str(mid.minus(m.ticks(40))), takeProfit: m.str(mid.minus(m.ticks(10))) },
      ];
    },
    covers: ['refused: market moved (stop-loss)', 'stop gapped through'],
  },
  {
    name: 'stop-loss and take-profit both inside one later bar: the stop-loss fills and the take-profit is cancelled',
    market: EURUSD,
    from: '2014-05-01T00:00:00Z',
    to: '2014-05-02T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      // A market buy at bar e's open; bar b (within 10 bars) trades through both a stop-loss at
      // its bid low and a take-profit one tick under its bid high, which no bar before reached.
      for (let e = 2; e < m.bars.length - 12; e++) {
        const mid = m.mid(e - 1);
        for (let b = e + 1; b <= e + 10; b++) {
          if (!contiguous(m, e - 1, b)) break;
          const sl = m.px(b, 'sell').low;
          const tp = m.px(b, 'sell').high.minus(m.ticks(1));
          if (sl.gte(mid) || tp.lte(mid) || sl.gte(lowest(m, 'sell', e, b - 1))) continue;
          if (b > e + 1 && tp.lt(highest(m, 'sell', e + 1, b - 1))) continue;
          if (m.px(b, 'sell').open.gt(tp) || tp.lte(m.px(b, 'sell').open)) continue;
          return [{ at: m.open(e), side: 'buy', quantity: '1000', type: 'market', stopLoss: sl.toFixed(), takeProfit: tp.toFixed() }];
        }
      }
      throw new Error('no bar with both');
    },
    covers: ['stop-loss, the take-profit reached too'],
  },
  {
    name: 'a bar that opens through the take-profit and also reaches the stop-loss: the take-profit fills at the open',
    market: BTCPERP,
    from: '2021-12-31T00:00:00Z',
    to: '2022-01-02T00:00:00Z',
    feeBps: '1',
    slippageBps: '2',
    orders: (m) => {
      // A short entered at bar e's open (a market sell); the next bar b opens below a
      // take-profit under the last price and then trades up through a stop-loss above bar e's high.
      const b = m.find('a bar opening under the price two bars before and trading over the bar before', (k) => {
        const e = k - 1;
        const mid = m.mid(e - 1);
        return contiguous(m, e - 1, k) && m.px(k, 'sell').open.lt(mid.minus(m.ticks(2))) && m.px(k, 'sell').high.gt(Decimal.max(m.px(e, 'sell').high, mid).plus(m.ticks(1)));
      });
      const e = b - 1;
      const mid = m.mid(e - 1);
      const tp = m.str(mid.minus(m.ticks(1)).plus(m.px(b, 'sell').open).div(2), 'up');
      const sl = m.str(Decimal.max(m.px(e, 'sell').high, mid).plus(m.ticks(1)), 'up');
      return [{ at: m.open(e), side: 'sell', quantity: '0.01', type: 'market', stopLoss: sl, takeProfit: tp }];
    },
    covers: ['take-profit: the bar opens through it, the stop-loss reached too'],
  },
  {
    name: 'the entry bar checks only the stop-loss: a take-profit the entry bar trades through fills on a later bar',
    market: XAUUSD,
    from: '2014-05-05T00:00:00Z',
    to: '2014-05-06T00:00:00Z',
    feeBps: '2',
    slippageBps: '1',
    orders: (m) => {
      const e = m.find('a bar whose bid high is above the mid before it', (i) => contiguous(m, i - 1, i + 1) && m.px(i, 'sell').high.gt(m.mid(i - 1).plus(m.ticks(50))));
      const mid = m.mid(e - 1);
      return [
        {
          at: m.open(e),
          side: 'buy',
          quantity: '2',
          type: 'market',
          stopLoss: m.str(lowest(m, 'sell', e, e).minus(m.ticks(3000)), 'down'),
          takeProfit: m.str(mid.plus(m.ticks(25)), 'up'),
        },
      ];
    },
    covers: ['take-profit reached on the entry bar, not filled'],
  },
  {
    name: 'a protective order larger than what is left fills only the position: long 2000 with a stop-loss, 1500 sold, the stop-loss sells 500',
    market: EURUSD,
    from: '2014-05-13T00:00:00Z',
    to: '2014-05-14T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      // Entry at e, reduction at e + 1, and a later bar h trading below both and the mid at entry.
      for (let e = 2; e < m.bars.length - 40; e++) {
        const floor = Decimal.min(lowest(m, 'sell', e, e + 1), m.mid(e - 1));
        for (let h = e + 2; h < e + 30; h++) {
          if (m.px(h, 'sell').low.lt(floor.minus(m.ticks(2))) && lowest(m, 'sell', e + 2, h - 1).gte(floor)) {
            const sl = m.str(floor.minus(m.ticks(1)), 'down');
            return [
              { at: m.open(e), side: 'buy', quantity: '2000', type: 'market', stopLoss: sl },
              { at: m.open(e + 1), side: 'sell', quantity: '1500', type: 'market' },
            ];
          }
        }
      }
      throw new Error('no such place');
    },
    covers: ['protective order reduced to the position'],
  },
  {
    name: 'a position closed by another order takes its stop-loss and take-profit with it; one reversed gets a bracket for the new part only',
    market: GBPUSD,
    from: '2012-02-14T08:00:00Z',
    to: '2012-02-14T20:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const i = m.at('2012-02-14T09:00:00Z');
      const mid = m.mid(i - 1);
      const j = m.at('2012-02-14T13:00:00Z');
      const mid2 = m.mid(j - 1);
      return [
        { at: m.open(i), side: 'buy', quantity: '1000', type: 'market', stopLoss: m.str(mid.minus(m.ticks(150))), takeProfit: m.str(mid.plus(m.ticks(150))) },
        { at: m.open(i) + 60_000, side: 'sell', quantity: '1000', type: 'market' },
        { at: m.open(j), side: 'buy', quantity: '1000', type: 'market', stopLoss: m.str(mid2.minus(m.ticks(200))), takeProfit: m.str(mid2.plus(m.ticks(200))) },
        { at: m.open(j) + 60_000, side: 'sell', quantity: '3000', type: 'market', stopLoss: m.str(mid2.plus(m.ticks(100))), takeProfit: m.str(mid2.minus(m.ticks(100))) },
      ];
    },
    covers: ['protective order cancelled: position closed', 'reversal', 'bracket for the part of a reversal'],
  },
  {
    name: 'market orders fill first in a bar: a market sell placed just before the bar that hits the stop-loss closes the long, and the stop-loss is cancelled',
    market: EURUSD,
    from: '2014-05-14T00:00:00Z',
    to: '2014-05-15T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      for (let e = 2; e < m.bars.length - 40; e++) {
        const floor = Decimal.min(lowest(m, 'sell', e, e), m.mid(e - 1));
        for (let h = e + 2; h < e + 30; h++) {
          if (m.px(h, 'sell').low.lt(floor.minus(m.ticks(2))) && lowest(m, 'sell', e + 1, h - 1).gte(floor) && contiguous(m, e, h)) {
            return [
              { at: m.open(e), side: 'buy', quantity: '1000', type: 'market', stopLoss: m.str(floor.minus(m.ticks(1)), 'down') },
              { at: m.open(h), side: 'sell', quantity: '1000', type: 'market' },
            ];
          }
        }
      }
      throw new Error('no such place');
    },
    covers: ['protective order cancelled: position closed'],
  },
  {
    name: 'an entry’s stop-loss is checked on its bar as soon as the entry fills: a resting buy limit fills and is stopped out, then a sell limit submitted after it opens a short',
    market: EURUSD,
    from: '2014-05-05T06:00:00Z',
    to: '2014-05-05T12:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      // Bar b trades 3 ticks and more on both sides of the mid before it.
      const b = m.find(
        'a bar trading on both sides of the last mid',
        (i) =>
          contiguous(m, i - 1, i) &&
          m.px(i, 'buy').low.lt(m.mid(i - 1).minus(m.ticks(3))) &&
          m.px(i, 'buy').open.gt(m.mid(i - 1).minus(m.ticks(1))) &&
          m.px(i, 'sell').low.lt(m.mid(i - 1).minus(m.ticks(4))) &&
          m.px(i, 'sell').high.gt(m.mid(i - 1).plus(m.ticks(3))) &&
          m.px(i, 'sell').open.lt(m.mid(i - 1).plus(m.ticks(1))),
      );
      const mid = m.mid(b - 1);
      const limit = m.str(mid.minus(m.ticks(2)), 'down');
      return [
        { at: m.open(b), side: 'buy', quantity: '1000', type: 'limit', price: limit, stopLoss: m.px(b, 'sell').low.toFixed() },
        { at: m.open(b), side: 'sell', quantity: '1000', type: 'limit', price: m.str(mid.plus(m.ticks(2)), 'up') },
      ];
    },
    covers: ['limit', 'stop-loss on the entry bar'],
  },
  {
    name: 'a bar that opens exactly at the take-profit (not through it) and reaches the stop-loss: the stop-loss fills',
    market: BTCPERP,
    from: '2021-12-31T00:00:00Z',
    to: '2022-01-02T00:00:00Z',
    feeBps: '1',
    slippageBps: '2',
    orders: (m) => {
      // A long entered at bar e's open; the next bar b opens at bar e's close, above the price
      // before e, trades above it and then below bar e's low.
      const b = m.find('a bar opening above the close two bars before, over it and below the bar before', (k) => {
        const e = k - 1;
        const open = m.px(k, 'sell').open;
        return (
          contiguous(m, e - 1, k) &&
          open.gt(m.mid(e - 1)) &&
          m.px(k, 'sell').high.gt(open) &&
          m.px(k, 'sell').low.lt(Decimal.min(m.px(e, 'sell').low, m.mid(e - 1)).minus(m.ticks(1)))
        );
      });
      const e = b - 1;
      const sl = m.str(Decimal.min(m.px(e, 'sell').low, m.mid(e - 1)).minus(m.ticks(1)), 'down');
      return [{ at: m.open(e), side: 'buy', quantity: '0.01', type: 'market', stopLoss: sl, takeProfit: m.px(b, 'sell').open.toFixed() }];
    },
    covers: ['stop-loss, the take-profit reached too'],
  },
  {
    name: 'the entry bar of a buy stop that opened below the stop-loss: the bar reaches the stop-loss after the entry',
    market: BTCPERP,
    from: '2021-12-31T00:00:00Z',
    to: '2022-01-02T00:00:00Z',
    feeBps: '1',
    slippageBps: '2',
    orders: (m) => {
      // Bar b opens at the last price, rises 20 ticks and more above it (a buy stop there), and
      // falls 20 ticks and more below its open. The stop-loss is just above the open.
      const b = m.find(
        'a bar rising over and falling under the last price',
        (i) =>
          contiguous(m, i - 1, i) &&
          m.px(i, 'buy').open.eq(m.mid(i - 1)) &&
          m.px(i, 'buy').high.gt(m.mid(i - 1).plus(m.ticks(2000))) &&
          m.px(i, 'sell').low.lt(m.px(i, 'sell').open.minus(m.ticks(2000))),
      );
      const open = m.px(b, 'sell').open;
      return [
        {
          at: m.open(b),
          side: 'buy',
          quantity: '0.01',
          type: 'stop',
          price: m.str(open.plus(m.ticks(1000))),
          stopLoss: m.str(open.plus(m.ticks(500))),
        },
      ];
    },
    covers: ['stop', 'stop-loss on the entry bar, at its stop: the bar opened beyond it before the entry'],
  },
  {
    name: 'IOC and FOK limits fill when their first eligible bar trades through them, and are cancelled on it when it only touches them: a later bar that trades through fills the GTC twin only; one placed inside a bar counts from the next',
    market: EURUSD,
    from: '2014-05-06T10:00:00Z',
    to: '2014-05-06T16:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      // Bar i's ask opens 3 ticks and more above its low. Bar k's ask low is traded through by the
      // bar before it (which an order placed inside that bar must not count) and by a bar within
      // the 30 after it, but not by the one right after it.
      const i = m.find('an ask opening 3 ticks above its low', (x) => m.px(x, 'buy').open.minus(m.px(x, 'buy').low).gte(m.ticks(3)));
      const k = m.find(
        'an ask low the bar before and a later bar trade below',
        (x) =>
          x > i + 5 &&
          contiguous(m, x - 1, x) &&
          m.px(x - 1, 'buy').low.lt(m.px(x, 'buy').low) &&
          m.px(x + 1, 'buy').low.gte(m.px(x, 'buy').low) &&
          lowest(m, 'buy', x + 2, x + 30).lt(m.px(x, 'buy').low),
      );
      const reached = m.px(i, 'buy').low.plus(m.ticks(1)).toFixed();
      const touched = m.px(k, 'buy').low.toFixed();
      return [
        { at: m.open(i), side: 'buy', quantity: '1000', type: 'limit', price: reached, timeInForce: 'IOC' },
        { at: m.open(i), side: 'buy', quantity: '1000', type: 'limit', price: reached, timeInForce: 'FOK' },
        { at: m.open(i), side: 'sell', quantity: '1000', type: 'limit', price: m.px(i, 'sell').high.toFixed(), timeInForce: 'IOC' },
        { at: m.open(k) - 30_000, side: 'buy', quantity: '1000', type: 'limit', price: touched, timeInForce: 'IOC' },
        { at: m.open(k), side: 'buy', quantity: '1000', type: 'limit', price: touched, timeInForce: 'FOK' },
        { at: m.open(k), side: 'buy', quantity: '1000', type: 'limit', price: touched, timeInForce: 'GTC' },
      ];
    },
    covers: [
      'IOC limit filled',
      'FOK limit filled',
      'IOC limit cancelled: its first eligible bar did not fill it',
      'FOK limit cancelled: its first eligible bar did not fill it',
      'limit only touched: no fill',
      'limit',
    ],
  },
  {
    name: 'DAY limit and stop placed ten minutes before midnight: the first bar of the next day expires them though it trades through both; their GTC twins fill on it',
    market: EURUSD,
    from: '2014-05-01T00:00:00Z',
    to: '2014-05-15T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const { b, limit, stop } = nextDayReaches(m);
      const at = m.open(b - 10);
      return [
        { at, side: 'buy', quantity: '1000', type: 'limit', price: limit, timeInForce: 'DAY' },
        { at, side: 'buy', quantity: '1000', type: 'limit', price: limit },
        { at, side: 'sell', quantity: '1000', type: 'stop', price: stop, timeInForce: 'DAY' },
        { at, side: 'sell', quantity: '1000', type: 'stop', price: stop, timeInForce: 'GTC' },
      ];
    },
    covers: ['DAY limit expired at the first bar of the next day', 'DAY stop expired at the first bar of the next day', 'limit', 'stop'],
  },
  {
    name: 'DAY market orders: at the open of a day’s last bar one fills there, 30 s into it one expires on the next day’s first bar, where GTC, IOC and FOK market orders placed with it fill',
    market: EURUSD,
    from: '2014-05-01T00:00:00Z',
    to: '2014-05-15T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const { b } = nextDayReaches(m);
      const last = b - 1;
      return [
        { at: m.open(last), side: 'buy', quantity: '1000', type: 'market', timeInForce: 'DAY' },
        { at: m.open(last) + 30_000, side: 'buy', quantity: '1000', type: 'market', timeInForce: 'DAY' },
        { at: m.open(last) + 30_000, side: 'sell', quantity: '1000', type: 'market' },
        { at: m.open(last) + 30_000, side: 'sell', quantity: '2000', type: 'market', timeInForce: 'IOC' },
        { at: m.open(last) + 30_000, side: 'buy', quantity: '2000', type: 'market', timeInForce: 'FOK' },
      ];
    },
    covers: ['DAY market order at the open', 'DAY market order expired: its first eligible bar is on the next day', 'IOC market order at the open', 'FOK market order at the open'],
  },
  {
    name: 'a DAY buy limit placed on Friday, between Friday’s close and Sunday’s lower open, expires on Sunday’s first bar; its GTC twin fills there at the open',
    market: EURUSD,
    from: '2014-05-09T18:00:00Z',
    to: '2014-05-12T00:00:00Z',
    feeBps: '1',
    slippageBps: '1',
    orders: (m) => {
      const { before, after } = m.gapAfter('2014-05-09T00:00:00Z');
      const price = m.str(m.px(before, 'buy').close.plus(m.px(after, 'buy').open).div(2));
      return [
        { at: m.open(before) + 30_000, side: 'buy', quantity: '1000', type: 'limit', price, timeInForce: 'DAY' },
        { at: m.open(before) + 30_000, side: 'buy', quantity: '1000', type: 'limit', price },
      ];
    },
    covers: ['DAY limit expired at the first bar of the next day', 'limit gapped through'],
  },
  {
    name: 'fees round half to even: a fill whose fee is exactly half a cent',
    market: BTCPERP,
    from: '2022-01-10T00:00:00Z',
    to: '2022-01-11T00:00:00Z',
    feeBps: '1',
    slippageBps: '0',
    orders: (m) => {
      // 0.00125 × 40000 × 1 bps = 0.005 USD, and 0.00375 × 40000 × 1 bps = 0.015: half-even
      // gives 0.00 and 0.02, half-up 0.01 and 0.02.
      const i = m.find('a bar opening above 40000 that trades below it', (k) => m.px(k, 'buy').open.gt(40000) && m.px(k, 'buy').low.lt(40000) && m.mid(k - 1).gt(40000));
      return [
        { at: m.open(i), side: 'buy', quantity: '0.00125', type: 'limit', price: '40000' },
        { at: m.open(i), side: 'buy', quantity: '0.00375', type: 'limit', price: '40000.00' },
      ];
    },
    covers: ['limit'],
  },
  {
    name: 'quantities and prices written with trailing zeros',
    market: XAUUSD,
    from: '2014-05-07T09:00:00Z',
    to: '2014-05-07T12:00:00Z',
    feeBps: '3',
    slippageBps: '2',
    orders: (m) => {
      const i = m.at('2014-05-07T10:00:00Z');
      const mid = m.mid(i - 1);
      return [
        { at: m.open(i), side: 'buy', quantity: '2.000', type: 'market' },
        { at: m.open(i) + 1000, side: 'sell', quantity: '2.0', type: 'stop', price: `${m.str(mid.minus(m.ticks(300)))}00` },
      ];
    },
    covers: ['market at the open'],
  },
];
