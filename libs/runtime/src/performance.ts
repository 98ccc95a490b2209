import { MS_PER_DAY } from '@tradeloop/kernel';

/**
 * Running performance measures over a marked-to-market equity series. Floats on purpose:
 * these are statistics of marks, not money that moves; cash itself stays exact elsewhere.
 */
export class EquityTracker {
  private peak = Number.NEGATIVE_INFINITY;
  maxDrawdown = 0;
  maxDrawdownPct = 0;
  private day = Number.NaN;
  private dayClose = Number.NaN;
  private readonly dailyCloses: number[] = [];
  private barsTotal = 0;
  private barsInMarket = 0;
  /** Downsampled curve for charts: [ts, equity] at most every `sampleEveryMs`. */
  readonly curve: Array<[number, number]> = [];
  private lastSampleTs = Number.NEGATIVE_INFINITY;
  private lastTs = 0;
  private lastEquity = Number.NaN;

  /**
   * `startingEquity`: the equity before the first bar, the close the first day's return is
   * measured from (without it the first day's gain or loss would not count).
   */
  constructor(
    startingEquity: number,
    private readonly sampleEveryMs = 15 * 60_000,
  ) {
    if (Number.isFinite(startingEquity)) this.dailyCloses.push(startingEquity);
  }

  /** Called once per bar after the bar's consequences were processed. */
  mark(ts: number, equity: number, inMarket: boolean): void {
    this.barsTotal++;
    if (inMarket) this.barsInMarket++;
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak - equity;
    if (dd > this.maxDrawdown) {
      this.maxDrawdown = dd;
      this.maxDrawdownPct = this.peak > 0 ? dd / this.peak : 0;
    }
    // Bars are marked at their close: the last bar of a day closes at midnight, and is that day's close.
    const day = Math.floor((ts - 1) / MS_PER_DAY);
    if (day !== this.day) {
      if (!Number.isNaN(this.day)) this.dailyCloses.push(this.dayClose);
      this.day = day;
    }
    this.dayClose = equity;
    if (ts - this.lastSampleTs >= this.sampleEveryMs) {
      this.curve.push([ts, equity]);
      this.lastSampleTs = ts;
    }
    this.lastTs = ts;
    this.lastEquity = equity;
  }

  /**
   * Annualised Sharpe of daily returns (risk-free 0), from the starting equity through each UTC
   * day's last mark; 0 when fewer than two returns or no variance.
   */
  sharpe(periodsPerYear: number): number {
    const closes = Number.isNaN(this.dayClose) ? this.dailyCloses : [...this.dailyCloses, this.dayClose];
    const rets: number[] = [];
    for (let i = 1; i < closes.length; i++) if (closes[i - 1] > 0) rets.push(closes[i] / closes[i - 1] - 1);
    if (rets.length < 2) return 0;
    const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
    const variance = rets.reduce((a, r) => a + (r - mean) * (r - mean), 0) / (rets.length - 1);
    const sd = Math.sqrt(variance);
    return sd === 0 ? 0 : (mean / sd) * Math.sqrt(periodsPerYear);
  }

  /** Fraction of bars with an open position. */
  exposure(): number {
    return this.barsTotal === 0 ? 0 : this.barsInMarket / this.barsTotal;
  }

  /** Closes the curve with the final point. */
  finish(): void {
    const last = this.curve[this.curve.length - 1];
    if (!Number.isNaN(this.lastEquity) && (!last || last[0] !== this.lastTs)) this.curve.push([this.lastTs, this.lastEquity]);
  }
}
