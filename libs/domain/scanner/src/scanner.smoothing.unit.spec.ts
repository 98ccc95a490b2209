import fc from 'fast-check';
import { ATR, RSI, WSMA } from 'trading-signals';
import { WilderSmoothing } from './scanner.smoothing';
import { loadBtcPerpFtx1m, loadEurusdOanda1m } from './test-support';

/** One update's observable outcome; Object.is tells 0 from -0 and matches NaN. */
function same(a: number | null, b: number | null): boolean {
  return a === null || b === null ? a === b : Object.is(a, b);
}

function expectTwins(reference: WSMA | RSI | ATR, twin: WSMA | RSI | ATR, step: number): void {
  if (!same(reference.getResult(), twin.getResult()) || reference.isStable !== twin.isStable) {
    throw new Error(`diverged after update ${step}: ${reference.getResult()} vs ${twin.getResult()}`);
  }
}

describe('WilderSmoothing', () => {
  it('smoothing_when_any_inputs_and_replacements_then_every_result_equals_WSMA', () => {
    const step = fc.record({
      price: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 5 }), fc.constantFrom(0, -0)),
      replace: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(step, { maxLength: 80 }), (interval, steps) => {
        const reference = new WSMA(interval);
        const twin = new WilderSmoothing(interval);
        steps.forEach(({ price, replace }, i) => {
          if (!same(reference.update(price, replace), twin.update(price, replace))) throw new Error(`update ${i} differs`);
          expectTwins(reference, twin, i);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('rsi_and_atr_when_smoothed_by_the_twin_over_real_bars_then_bit_identical', () => {
    for (const bars of [loadBtcPerpFtx1m(), loadEurusdOanda1m()]) {
      for (const period of [2, 14]) {
        const rsi = new RSI(period);
        const rsiTwin = new RSI(period, WilderSmoothing);
        const atr = new ATR(period);
        const atrTwin = new ATR(period, WilderSmoothing);
        bars.forEach((b, i) => {
          const d = b.data;
          if (!same(rsi.update(d.close, false), rsiTwin.update(d.close, false))) throw new Error(`RSI(${period}) bar ${i} differs`);
          if (!same(atr.update(d, false), atrTwin.update(d, false))) throw new Error(`ATR(${period}) bar ${i} differs`);
          expectTwins(rsi, rsiTwin, i);
          expectTwins(atr, atrTwin, i);
        });
        expect(rsiTwin.getResult()).toBe(rsi.getResult());
        expect(atrTwin.getResult()).toBe(atr.getResult());
      }
    }
  });

  it('rsi_when_replacing_the_last_close_then_twin_follows_the_reference', () => {
    const closes = loadBtcPerpFtx1m()
      .slice(0, 400)
      .map((b) => b.data.close);
    const rsi = new RSI(14);
    const twin = new RSI(14, WilderSmoothing);
    closes.forEach((c, i) => {
      // Every third close is first sent as a provisional value, then replaced by the real one.
      if (i % 3 === 0) {
        expect(same(rsi.update(c * 1.001, false), twin.update(c * 1.001, false))).toBe(true);
        expect(same(rsi.update(c, true), twin.update(c, true))).toBe(true);
      } else {
        expect(same(rsi.update(c, false), twin.update(c, false))).toBe(true);
      }
      expectTwins(rsi, twin, i);
    });
  });
});
