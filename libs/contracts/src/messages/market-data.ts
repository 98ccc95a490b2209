import type { Timeframe } from '@tradeloop/kernel';
import type { Side } from './common';

/**
 * A closed bar. Prices are numbers on this hot path (indicators use floats); they are
 * turned into exact decimals only where money moves (fills). For quote bars, open..close
 * are the BID side and ask* the ask side; for trade bars ask* are absent.
 * The envelope ts is the bar's CLOSE time (when it became known); openTime is its start.
 */
export interface BarClosedData {
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly askOpen?: number;
  readonly askHigh?: number;
  readonly askLow?: number;
  readonly askClose?: number;
}

export interface QuoteTickData {
  readonly venue: string;
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize?: number;
  readonly askSize?: number;
}

export interface TradeTickData {
  readonly venue: string;
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  /** Aggressor side. */
  readonly side: Side;
  readonly tradeId: string;
}

export interface BookLevel {
  readonly price: number;
  readonly size: number;
}

export interface BookSnapshotData {
  readonly venue: string;
  readonly symbol: string;
  /** Best first. */
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** A data-quality event: input that was refused, and why. Never traded on. */
export interface DataRejectedData {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
  readonly field?: string;
}
