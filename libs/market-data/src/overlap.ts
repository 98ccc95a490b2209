import type { Message } from '@tradeloop/contracts';
import { marketKey } from '@tradeloop/kernel';

interface FileSpan {
  readonly file: string;
  readonly first: number;
  readonly last: number;
}

/**
 * One market's bars come from one file at a time: the same file twice, or two recordings of
 * EURUSD at OANDA covering the same days, would put every bar of the overlap in twice (a backtest
 * would trade it twice; the market-data service would publish it twice), and two files' bars of
 * one minute could disagree. Files of one market that follow each other (January, then February)
 * are fine. The backtest CLI and the market-data service both check with this, so a set of files
 * one of them refuses the other refuses too.
 */
export class MarketCoverage {
  private readonly byMarket = new Map<string, FileSpan[]>();

  /** `hint`: what the caller's user can do about an overlap (appended to the error). */
  constructor(private readonly hint: string) {}

  /**
   * Records the bars read from `file` (one market, in time order); throws, naming both files, the
   * market and the overlapping bar times, if an earlier file holds that market at the same time.
   */
  add(file: string, bars: readonly Message<'BarClosed'>[]): void {
    if (bars.length === 0) return;
    const { venue, symbol } = bars[0].data;
    const key = marketKey(venue, symbol);
    const first = bars[0].data.openTime;
    const last = bars[bars.length - 1].data.openTime;
    const seen = this.byMarket.get(key) ?? [];
    for (const s of seen) {
      if (first <= s.last && s.first <= last) {
        const from = new Date(Math.max(first, s.first)).toISOString();
        const to = new Date(Math.min(last, s.last)).toISOString();
        throw new RangeError(
          `${s.file} and ${file} both hold ${symbol}@${venue} bars from ${from} to ${to}: a market's bars must come from one file at a time ` +
            `(the overlap would be traded twice); ${this.hint}`,
        );
      }
    }
    seen.push({ file, first, last });
    this.byMarket.set(key, seen);
  }
}
