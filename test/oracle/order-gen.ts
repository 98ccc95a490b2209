import { Decimal } from 'decimal.js';
import type { OracleBar, Ohlc } from './oracle-bars';
import type { Instrument, OracleOrder, OrderType, Side, TimeInForce } from './paper-oracle';

/**
 * Orders drawn from the data itself, deterministically (a seeded generator): bar times, and
 * prices taken from the bars' own prices, so that many orders fill, some only after a while,
 * some gap, and some never fill.
 */

/** mulberry32: small, seeded, and the same on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenOptions {
  readonly seed: number;
  readonly count: number;
  readonly instrument: Instrument;
  /** Quantities to choose from, as written in the CSV. */
  readonly quantities: readonly string[];
  /** Share of orders given a stop-loss and/or take-profit. */
  readonly bracketShare: number;
  /**
   * Share of orders given a time in force other than an empty column (DAY, IOC or FOK; now and
   * then GTC written out). Drawn from a generator of its own, so the orders are otherwise the
   * ones the same seed gave before there was a time in force.
   */
  readonly timeInForceShare?: number;
  /** Only bars opening in [from, to) are chosen. */
  readonly from?: number;
  readonly to?: number;
}

export interface GeneratedOrder extends OracleOrder {
  /** How it was made, for a reader of a failure. */
  readonly how: string;
}

type Rand = () => number;

const side = (bar: OracleBar, s: Side): Ohlc => (s === 'buy' && bar.ask !== undefined ? bar.ask : bar.bid);

function mid(bar: OracleBar): Decimal {
  return bar.ask === undefined ? new Decimal(bar.bid.close) : new Decimal(bar.bid.close).plus(bar.ask.close).div(2);
}

function toTick(v: Decimal, tick: string, mode: 'up' | 'down' | 'near'): Decimal {
  const n = v.div(tick);
  return (mode === 'up' ? n.ceil() : mode === 'down' ? n.floor() : n.round()).mul(tick);
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Index of the last bar that closed at or before ts (the price risk and the broker see), or -1. */
function lastBarAt(bars: readonly OracleBar[], ts: number): number {
  let lo = 0;
  let hi = bars.length - 1;
  let found = -1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (bars[m].closeMs <= ts) {
      found = m;
      lo = m + 1;
    } else hi = m - 1;
  }
  return found;
}

/** The CSV refuses IOC and FOK on a stop order: a stop is GTC or DAY. */
const TIF_BY_TYPE: Record<OrderType, readonly TimeInForce[]> = {
  market: ['DAY', 'IOC', 'FOK', 'GTC'],
  limit: ['DAY', 'IOC', 'FOK', 'DAY', 'IOC', 'FOK', 'GTC'],
  stop: ['DAY', 'DAY', 'GTC'],
};

export function generateOrders(bars: readonly OracleBar[], o: GenOptions): GeneratedOrder[] {
  const r = seeded(o.seed);
  const rt = seeded(o.seed + 0x5eed);
  const tick = o.instrument.tickSize;
  const first = Math.max(2, bars.findIndex((b) => b.openMs >= (o.from ?? -Infinity)));
  let end = o.to === undefined ? bars.length : bars.findIndex((b) => b.openMs >= (o.to as number));
  if (end < 0) end = bars.length;
  end = Math.min(end, bars.length - 25);
  // Bars that open away from the close before them on both sides: where gaps through a limit or
  // a stop can happen.
  const gaps: number[] = [];
  // Floats are enough to choose places (the prices themselves stay exact).
  const minGap = Number(tick) * 3.5;
  for (let i = first; i < end; i++) {
    if (Math.abs(Number(bars[i - 1].bid.close) - Number(bars[i].bid.open)) >= minGap) gaps.push(i);
  }
  const out: Omit<GeneratedOrder, 'line'>[] = [];
  const usedMinutes = new Set<number>();
  for (let n = 0; n < o.count; n++) {
    const gap = gaps.length > 0 && r() < 0.2;
    const i = gap ? pick(r, gaps) : first + Math.floor(r() * (end - first));
    const bar = bars[i];
    const before = bars[i - 1];
    // When: inside the bar before a gap bar, at its close (= the gap bar's open time when
    // contiguous), at a bar's open, or in the middle of a bar.
    const where = r();
    const ts = gap
      ? where < 0.5
        ? before.closeMs
        : before.openMs + 1000 * (1 + Math.floor(r() * ((before.closeMs - before.openMs) / 1000 - 1)))
      : where < 0.3
        ? bar.openMs
        : where < 0.5
          ? bar.closeMs
          : bar.openMs + 1000 * (1 + Math.floor(r() * ((bar.closeMs - bar.openMs) / 1000 - 1)));
    // Risk allows 30 orders a minute: keep one order per minute.
    const minute = Math.floor(ts / 60_000);
    if (usedMinutes.has(minute)) continue;
    usedMinutes.add(minute);
    const li = lastBarAt(bars, ts);
    if (li < 0) continue;
    const last = bars[li];
    const m = mid(last);
    const s: Side = r() < 0.5 ? 'buy' : 'sell';
    let type: OrderType;
    let price: Decimal | undefined;
    let how: string;
    if (gap) {
      // A price between the last close and the gap bar's open, on the order's side: a limit the
      // bar gaps through (better price), or a stop it gaps through (worse price).
      const g = bars[i];
      const lastClose = new Decimal(side(last, s).close);
      const open = new Decimal(side(g, s).open);
      const down = open.lt(lastClose);
      type = (s === 'buy') === down ? 'limit' : 'stop';
      const lo = Decimal.min(lastClose, open);
      const hi = Decimal.max(lastClose, open);
      price = toTick(lo.plus(hi.minus(lo).mul(0.2 + 0.6 * r())), tick, 'near');
      if (price.lte(lo) || price.gte(hi)) price = toTick(lo.plus(hi).div(2), tick, 'near');
      how = `gap ${down ? 'down' : 'up'} at ${new Date(g.openMs).toISOString()}`;
    } else {
      const t = r();
      type = t < 0.3 ? 'market' : t < 0.65 ? 'limit' : 'stop';
      if (type === 'market') {
        how = 'market';
      } else if (r() < 0.12) {
        // Far away (within the 5% collar): usually never fills.
        const far = new Decimal(0.02 + 0.025 * r());
        const away = (s === 'buy') === (type === 'limit') ? new Decimal(1).minus(far) : far.plus(1);
        price = toTick(m.mul(away), tick, 'near');
        how = 'far';
      } else {
        // A price some future bar trades at, on the order's side.
        const k = 1 + Math.floor(r() * 20);
        const f = side(bars[Math.min(li + k, bars.length - 1)], s);
        const lo = new Decimal(f.low);
        const hi = new Decimal(f.high);
        price = toTick(lo.plus(hi.minus(lo).mul(r())), tick, 'near');
        how = `from bar +${k}`;
      }
    }
    let stopLoss: Decimal | undefined;
    let takeProfit: Decimal | undefined;
    if (!gap && r() < o.bracketShare) {
      // A distance of a few bars' ranges, on the right sides of both the order's price and the
      // last price (risk and the broker check both).
      const range = Decimal.max(new Decimal(last.bid.high).minus(last.bid.low), new Decimal(tick).mul(5));
      const ref = price ?? m;
      const buy = s === 'buy';
      const low = Decimal.min(ref, m);
      const high = Decimal.max(ref, m);
      const slDist = range.mul(1 + 6 * r());
      const tpDist = range.mul(1 + 6 * r());
      const which = r();
      if (which < 0.8) stopLoss = buy ? toTick(low.minus(slDist), tick, 'down') : toTick(high.plus(slDist), tick, 'up');
      if (which > 0.2) takeProfit = buy ? toTick(high.plus(tpDist), tick, 'up') : toTick(low.minus(tpDist), tick, 'down');
      how += ' +bracket';
    }
    const timeInForce = rt() < (o.timeInForceShare ?? 0) ? pick(rt, TIF_BY_TYPE[type]) : undefined;
    out.push({
      ts,
      side: s,
      quantity: pick(r, o.quantities),
      type,
      ...(price !== undefined && { price: price.toFixed() }),
      ...(stopLoss !== undefined && { stopLoss: stopLoss.toFixed() }),
      ...(takeProfit !== undefined && { takeProfit: takeProfit.toFixed() }),
      ...(timeInForce !== undefined && { timeInForce }),
      how: timeInForce === undefined ? how : `${how} ${timeInForce}`,
    });
  }
  out.sort((a, b) => a.ts - b.ts);
  return out.map((x, k) => ({ ...x, line: k + 2 }));
}

/**
 * The orders CSV the CLI reads: with the bracket columns, and the time_in_force column when an
 * order has a time in force (else without it, the file every run wrote before the column existed).
 */
export function ordersCsv(symbol: string, orders: readonly OracleOrder[]): string {
  const tif = orders.some((x) => x.timeInForce !== undefined);
  const rows = orders.map((x) =>
    [
      new Date(x.ts).toISOString(),
      symbol,
      x.side,
      x.quantity,
      x.type,
      x.price ?? '',
      x.stopLoss ?? '',
      x.takeProfit ?? '',
      ...(tif ? [x.timeInForce ?? ''] : []),
    ].join(','),
  );
  return [`timestamp,symbol,side,quantity,type,price,stop_loss,take_profit${tif ? ',time_in_force' : ''}`, ...rows].join('\n') + '\n';
}
