import fc from 'fast-check';
import { createScanner } from './index';
import { barEnvelope } from './test-support';

/**
 * The incremental pivot tracker against the definition, checked on every 2N+1 window:
 * a swing high at c has N strictly lower highs before it and N highs not above it after it,
 * confirmed at c+N (lows mirrored); plus the extremes since each swing, which place stops.
 * Small integer prices make ties (flat tops) common.
 */
function reference(highs: readonly number[], lows: readonly number[], n: number) {
  const out: { high: number; highBar: number; low: number; lowBar: number; lowSinceHigh: number; highSinceLow: number }[] = [];
  let high = Number.NaN;
  let highBar = -1;
  let low = Number.NaN;
  let lowBar = -1;
  for (let i = 0; i < highs.length; i++) {
    const c = i - n;
    if (c - n >= 0) {
      let isHigh = true;
      let isLow = true;
      for (let k = c - n; k < c; k++) {
        if (highs[k] >= highs[c]) isHigh = false;
        if (lows[k] <= lows[c]) isLow = false;
      }
      for (let k = c + 1; k <= i; k++) {
        if (highs[k] > highs[c]) isHigh = false;
        if (lows[k] < lows[c]) isLow = false;
      }
      if (isHigh) [high, highBar] = [highs[c], c];
      if (isLow) [low, lowBar] = [lows[c], c];
    }
    // The protected extremes: lowest low since the swing high's bar, highest high since the swing low's.
    const lowSinceHigh = highBar < 0 ? Number.NaN : Math.min(...lows.slice(highBar, i + 1));
    const highSinceLow = lowBar < 0 ? Number.NaN : Math.max(...highs.slice(lowBar, i + 1));
    out.push({ high, highBar, low, lowBar, lowSinceHigh, highSinceLow });
  }
  return out;
}

describe('fractal pivots', () => {
  it('incremental_tracker_when_compared_with_window_definition_then_same_swings_after_every_bar', () => {
    const bar = fc.tuple(fc.integer({ min: 100, max: 110 }), fc.integer({ min: 0, max: 4 }));
    fc.assert(
      fc.property(fc.array(bar, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 4 }), (raw, n) => {
        const lows = raw.map(([l]) => l);
        const highs = raw.map(([l, range]) => l + range);
        const decider = createScanner({ pivotStrength: n });
        let state = decider.initialState();
        const expected = reference(highs, lows, n);
        for (let i = 0; i < raw.length; i++) {
          const m = barEnvelope(`b${i}`, (i + 1) * 60_000, {
            venue: 'v',
            symbol: 'BTCUSD',
            timeframe: '1m',
            openTime: i * 60_000,
            open: lows[i],
            high: highs[i],
            low: lows[i],
            close: highs[i],
            volume: 1,
          });
          state = decider.evolve(state, m);
          const s = state.current!;
          const got = {
            high: s.swingHigh,
            highBar: s.swingHighBar,
            low: s.swingLow,
            lowBar: s.swingLowBar,
            lowSinceHigh: s.lowSinceSwingHigh,
            highSinceLow: s.highSinceSwingLow,
          };
          expect(got).toEqual(expected[i]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
