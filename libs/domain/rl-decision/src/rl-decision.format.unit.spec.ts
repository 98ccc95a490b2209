import fc from 'fast-check';
import { compact, fixed2 } from './rl-decision.format';

/** The formatting the reasons always used; the fast versions must print exactly the same. */
const reference2 = (x: number): string => x.toFixed(2);
const referenceCompact = (x: number): string => String(Math.round(x * 10_000) / 10_000);

/** The doubles either side of `x`, `k` ulps away. */
function ulps(x: number, k: number): number {
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += BigInt(k);
  return buf[0];
}

describe('rl-decision reason formatting', () => {
  it('fixed2_when_any_double_then_same_text_as_toFixed', () => {
    fc.assert(
      fc.property(fc.double(), (x) => fixed2(x) === reference2(x)),
      { numRuns: 5_000 },
    );
  });

  it('fixed2_when_values_of_a_reason_range_then_same_text_as_toFixed', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (x) => fixed2(x) === reference2(x)),
      { numRuns: 5_000 },
    );
  });

  it('fixed2_when_near_a_rounding_tie_then_same_text_as_toFixed', () => {
    // (2k+1)/200 is where toFixed(2) rounds half up; the doubles around it decide either way.
    const differ: number[] = [];
    for (let k = -2000; k <= 2000; k++) {
      const tie = (2 * k + 1) / 200;
      for (let d = -3; d <= 3; d++) {
        const x = ulps(tie, d);
        if (fixed2(x) !== reference2(x)) differ.push(x);
      }
    }
    expect(differ).toEqual([]);
  });

  it('fixed2_when_edge_values_then_same_text_as_toFixed', () => {
    for (const x of [0, -0, -0.001, 0.005, 1.005, 2.675, 9.995, 999.995, 1e7, -1e7, 9_999_999.995, 1e21, 5e-324, NaN, Infinity, -Infinity]) {
      expect(fixed2(x)).toBe(reference2(x));
    }
  });

  it('compact_when_any_double_then_same_text_as_rounding_to_4_decimals', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.double({ min: -1e12, max: 1e12 })), (x) => compact(x) === referenceCompact(x)),
      { numRuns: 5_000 },
    );
    for (const x of [0, -0, 2, 3, 1e11, -1e11, 1e11 - 1, 2 ** 53, 0.00005, 1.23456]) expect(compact(x)).toBe(referenceCompact(x));
  });
});
