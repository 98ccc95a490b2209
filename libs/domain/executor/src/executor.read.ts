import { Decimal, decStr } from '@tradeloop/kernel';
import type { Direction } from '@tradeloop/contracts';
import { bookOf, ExecutorState, isProtective, money } from './executor.state';
import { isCross, markRate, markRateF } from './executor.currency';

const ONE = new Decimal(1);

/**
 * Account equity in the account currency, from float mirrors kept current on every bar:
 * cash + Σ quantity × (last mark − average price) × contract size, longs marked at the bid
 * close and shorts at the ask close. O(open positions), no allocation: cheap enough to call per bar.
 * For reports and anything that moves money, use portfolioOf (exact).
 */
export function equityOf(state: ExecutorState): number {
  let equity = state.cashF;
  const open = state.openBooks;
  const account = state.currency;
  for (let i = 0; i < open.length; i++) {
    const b = open[i];
    const p = b.position;
    if (p === undefined) continue;
    // An instrument quoted in another currency: its P&L at the last rate (executor.currency.ts).
    equity += isCross(b.instrument, account) ? p.upnlF * markRateF(state, b.instrument, account) : p.upnlF;
  }
  return equity;
}

/**
 * Account-currency units per unit of `symbol`'s quote currency at the last bars (1 when they are
 * the same money), for marking open positions in reports; undefined when nothing converts.
 */
export function accountRateOf(state: ExecutorState, venue: string, symbol: string): Decimal | undefined {
  const b = bookOf(state, venue, symbol);
  const account = state.currency;
  if (b === undefined || !isCross(b.instrument, account)) return ONE;
  return markRate(state, b.instrument, account);
}

export function openPositionCount(state: ExecutorState): number {
  return state.openBooks.length;
}

export interface PortfolioPosition {
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly quantity: string;
  readonly averagePrice: string;
}

/** An order still working at the broker, placed to open, add to, reduce or close a position. */
export interface PortfolioOrder {
  readonly orderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  /** What is left to fill. */
  readonly quantity: string;
  readonly submittedAt: number;
}

export interface Portfolio {
  /** Empty until the account currency is fixed (by config or the first accepted order). */
  readonly currency: string;
  readonly cash: string;
  /** Cumulative realised P&L before fees. */
  readonly realizedPnl: string;
  /** Cumulative fees. */
  readonly fees: string;
  readonly positions: readonly PortfolioPosition[];
  /**
   * Orders still working, in the order they were placed: never filled (no bar of their market
   * after them, or a limit or stop the market never reached). The stop-loss and take-profit
   * orders that protect open positions are not among them.
   */
  readonly workingOrders: readonly PortfolioOrder[];
}

/** The account and open positions as exact decimal strings, for reports. */
export function portfolioOf(state: ExecutorState): Portfolio {
  const currency = state.currency ?? '';
  const positions: PortfolioPosition[] = [];
  for (const b of state.bookList) {
    const p = b.position;
    if (p === undefined) continue;
    positions.push({ venue: b.venue, symbol: p.symbol, direction: p.direction, quantity: decStr(p.quantity), averagePrice: decStr(p.averagePrice) });
  }
  const workingOrders: PortfolioOrder[] = [];
  for (const b of state.bookList) {
    for (const o of b.working) {
      if (isProtective(o)) continue;
      const left = o.qty.minus(o.filledQuantity);
      workingOrders.push({ orderId: o.orderId, venue: o.venue, symbol: o.symbol, side: o.side, type: o.type, quantity: decStr(left), submittedAt: o.submittedAt });
    }
  }
  workingOrders.sort((x, y) => x.submittedAt - y.submittedAt);
  return {
    currency,
    cash: money(state.cash, currency),
    realizedPnl: money(state.realizedPnl, currency),
    fees: money(state.fees, currency),
    positions,
    workingOrders,
  };
}
