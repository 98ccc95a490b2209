/**
 * Number formatting for DecisionMade reasons. The reasons are part of the logged event, so
 * these must print exactly what `toFixed(2)` and the compact rounding always printed; they
 * only avoid the generic conversion on every signal.
 */

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** "0.00" … "9.99": confidences, win rates and most reward/risk ratios hit this table. */
const TABLE_SIZE = 1000;
const SMALL: readonly string[] = Array.from({ length: TABLE_SIZE }, (_, n) => `${Math.floor(n / 100)}.${TWO_DIGITS[n % 100]}`);

/**
 * Below this, 100·x is computed with an error under 1e-7 (half an ulp of a number < 2^30), so
 * when 100·x is more than 1e-6 away from a half-integer, Math.round picks the same integer as
 * toFixed's exact rule (nearest n to 100·x, the larger on a tie). Closer calls, and everything
 * outside the range (huge, NaN, ±Infinity), go to toFixed itself.
 */
const FAST_LIMIT = 1e7;
const TIE_MARGIN = 1e-6;

/** Exactly `x.toFixed(2)`. */
export function fixed2(x: number): string {
  if (x >= 0 && x < FAST_LIMIT) {
    const y = x * 100;
    const whole = Math.floor(y);
    const frac = y - whole;
    if (frac < 0.5 - TIE_MARGIN || frac > 0.5 + TIE_MARGIN) {
      const n = frac < 0.5 ? whole : whole + 1;
      return n < TABLE_SIZE ? SMALL[n] : `${Math.floor(n / 100)}.${TWO_DIGITS[n % 100]}`;
    }
  } else if (x < 0 && x > -FAST_LIMIT) {
    // toFixed formats a negative number as "-" followed by its magnitude, even when that rounds to 0.
    return `-${fixed2(-x)}`;
  }
  return x.toFixed(2);
}

/** Compact number: integers stay integers, others get up to 4 decimals. */
export function compact(x: number): string {
  // An integer this small survives ×10⁴, round and ÷10⁴ unchanged, so the rounding is skipped.
  if (Number.isInteger(x) && x < 1e11 && x > -1e11) return String(x);
  return String(Math.round(x * 10_000) / 10_000);
}
