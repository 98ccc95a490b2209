import { WSMA } from 'trading-signals';

/**
 * trading-signals' WSMA (Wilder's smoothing), the default smoothing of its RSI and ATR, with
 * the same results bit for bit, passed to them through their `SmoothingIndicator` parameter.
 *
 * WSMA seeds itself with the SMA of its first `interval` inputs and from then on smooths
 * recursively, yet it keeps updating that SMA — an array push, shift and a reduce over the
 * window — on every input, where nothing reads it again. This class stops once it provably
 * cannot be read: WSMA consults the SMA only while the value it smooths from (`result`, or
 * `previousResult` when replacing) is undefined, and once two results exist both stay defined.
 * Until then it keeps the window exactly as WSMA's SMA does (pushUpdate semantics, sum in
 * window order from 0, divided by the length), so the seed is the same number.
 */
export class WilderSmoothing extends WSMA {
  private readonly factor = 1 / this.interval;
  /** WSMA's SMA window while it may still be read; undefined from then on. */
  private window: number[] | undefined = [];

  override update(price: number, replace: boolean): number | null {
    let sma: number | null = null;
    const w = this.window;
    if (w !== undefined) {
      if (w.length > 0 && replace) w[w.length - 1] = price;
      else w.push(price);
      if (w.length > this.interval) w.shift();
      if (w.length === this.interval) {
        let sum = 0;
        for (let i = 0; i < w.length; i++) sum += w[i];
        sma = sum / w.length;
      }
    }
    const previous = replace ? this.previousResult : this.result;
    let out: number | null = null;
    if (previous !== undefined) out = this.setResult((price - previous) * this.factor + previous, replace);
    else if (sma !== null) out = this.setResult(sma, replace);
    if (this.previousResult !== undefined) this.window = undefined;
    return out;
  }
}
