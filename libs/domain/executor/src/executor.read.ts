import { decStr } from '@tradeloop/kernel';
import type { Direction } from '@tradeloop/contracts';
import { ExecutorState, money } from './executor.state';

/**
 * Account equity in the account currency, from float mirrors kept current on every bar:
 * cash + Σ quantity × (last mark − average price) × contract size, longs marked at the bid
 * close and shorts at the ask close. O(open positions), no allocation: cheap enough to call per bar.
 * For reports and anything that moves money, use portfolioOf (exact).
 */
export function equityOf(state: ExecutorState): number {
  let equity = state.cashF;
  const open = state.openBooks;
  for (let i = 0; i < open.length; i++) {
    const p = open[i].position;
    if (p !== undefined) equity += p.upnlF;
  }
  return equity;
}

export function openPositionCount(state: ExecutorState): number {
  return state.openBooks.length;
}

export interface PortfolioPosition {
  readonly symbol: string;
  readonly direction: Direction;
  readonly quantity: string;
  readonly averagePrice: string;
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
}

/** The account and open positions as exact decimal strings, for reports. */
export function portfolioOf(state: ExecutorState): Portfolio {
  const currency = state.currency ?? '';
  const positions: PortfolioPosition[] = [];
  for (const b of state.books.values()) {
    const p = b.position;
    if (p === undefined) continue;
    positions.push({ symbol: p.symbol, direction: p.direction, quantity: decStr(p.quantity), averagePrice: decStr(p.averagePrice) });
  }
  return {
    currency,
    cash: money(state.cash, currency),
    realizedPnl: money(state.realizedPnl, currency),
    fees: money(state.fees, currency),
    positions,
  };
}
