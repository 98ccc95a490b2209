import fc from 'fast-check';
import { dec, Decimal, roundToStep } from '@tradeloop/kernel';
import type { BarClosedData, Side } from '@tradeloop/contracts';
import { isMultipleOf, parseDecimal, powerOfTenPlaces } from './executor.config';
import { minOf, minusExact, plusExact } from './executor.ledger';
import { fixedAtLeast } from './executor.state';
import { feeAt, feeFor, limitFill, stopFill, withSlippage } from './paper-broker';

/**
 * The hot path skips or replaces decimal.js operations where the result is provably the same.
 * Each property here compares a shortcut with the plain decimal.js computation it replaces,
 * by value and sign (so −0 and +0 count as different), over awkward inputs: zeros of both
 * signs, negative values, and more digits than the 40-digit precision.
 */

const ONE = new Decimal(1);

/** Same value and same sign of zero. */
function same(a: Decimal, b: Decimal): boolean {
  return a.eq(b) && a.s === b.s;
}

/** Significant digits, a few of them or beyond the precision. */
const digits = fc.oneof(fc.stringMatching(/^[1-9][0-9]{0,12}$/), fc.stringMatching(/^[1-9][0-9]{38,44}[1-9]$/));
const decimalArb: fc.Arbitrary<Decimal> = fc.oneof(
  { arbitrary: fc.constantFrom(new Decimal(0), new Decimal(-0), new Decimal(1), new Decimal('0.01')), weight: 1 },
  {
    arbitrary: fc
      .record({ neg: fc.boolean(), d: digits, exp: fc.integer({ min: -30, max: 30 }) })
      .map(({ neg, d, exp }) => new Decimal(`${neg ? '-' : ''}${d}e${exp}`)),
    weight: 3,
  },
);
const sideArb = fc.constantFrom<Side>('buy', 'sell');
const tickArb = fc.constantFrom('1', '0.1', '0.01', '0.00001', '0.001', '0.05', '0.25', '5', '10').map((t) => new Decimal(t));

function bar(open: number): BarClosedData {
  return { venue: 'T', symbol: 'X', timeframe: '1m', openTime: 0, open, high: open, low: open, close: open, volume: 1 };
}

describe('shortcuts equal the decimal.js computations they replace', () => {
  const params = { numRuns: 2000, seed: 20240102 };

  it('plus_exact_when_any_operands_then_equals_plus', () => {
    fc.assert(fc.property(decimalArb, decimalArb, (x, y) => same(plusExact(x, y), x.plus(y)) && same(plusExact(x, x), x.plus(x))), params);
  });

  it('minus_exact_when_any_operands_then_equals_minus', () => {
    fc.assert(fc.property(decimalArb, decimalArb, (x, y) => same(minusExact(x, y), x.minus(y)) && same(minusExact(x, x), x.minus(x))), params);
  });

  it('min_of_when_any_operands_then_equals_decimal_min', () => {
    fc.assert(fc.property(decimalArb, decimalArb, (x, y) => minOf(x, y).eq(Decimal.min(x, y))), params);
  });

  it('fixed_at_least_when_any_value_then_equals_to_fixed_of_max_places', () => {
    fc.assert(
      fc.property(decimalArb, fc.integer({ min: 0, max: 12 }), (x, places) => fixedAtLeast(x, places) === x.toFixed(Math.max(places, x.decimalPlaces()))),
      params,
    );
  });

  it('is_multiple_of_when_any_positive_value_then_equals_modulo_test', () => {
    fc.assert(
      fc.property(decimalArb, tickArb, (x, step) => isMultipleOf(x.abs(), step, powerOfTenPlaces(step)) === x.abs().mod(step).isZero()),
      params,
    );
  });

  it('power_of_ten_places_when_step_then_k_for_ten_to_minus_k_else_minus_one', () => {
    expect(['1', '0.1', '0.00001', '0.010'].map((s) => powerOfTenPlaces(dec(s)))).toEqual([0, 1, 5, 2]);
    expect(['0.05', '0.25', '5', '10', '100'].map((s) => powerOfTenPlaces(dec(s)))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('parse_decimal_when_the_same_string_is_read_again_then_same_value_and_garbage_stays_undefined', () => {
    fc.assert(
      fc.property(fc.oneof(decimalArb.map((d) => d.toFixed()), fc.string()), (s) => {
        const first = parseDecimal(s);
        const again = parseDecimal(s);
        const fresh = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s.trim()) ? dec(s.trim()) : undefined;
        return fresh === undefined ? first === undefined && again === undefined : same(first as Decimal, fresh) && again === first;
      }),
      params,
    );
  });

  it('with_slippage_when_any_price_tick_and_rate_then_equals_round_to_step_of_the_adjusted_price', () => {
    const rateArb = fc.constantFrom(0, 0.5, 1, 3, 10, 99.99).map((bps) => new Decimal(bps).div(10_000));
    fc.assert(
      fc.property(sideArb, decimalArb, tickArb, rateArb, (side, base, tick, rate) => {
        const factor = side === 'buy' ? ONE.plus(rate) : ONE.minus(rate);
        const expected = roundToStep(base.mul(factor), tick, side === 'buy' ? 'up' : 'down');
        return withSlippage(side, base, tick, rate).eq(expected) && withSlippage(side, base, tick, rate, powerOfTenPlaces(tick)).eq(expected);
      }),
      params,
    );
  });

  it('limit_and_stop_fills_when_open_is_near_the_price_then_equal_the_exact_rules', () => {
    // Opens at, just around and far from the price, including float ties of different decimals.
    const caseArb = fc.record({
      side: sideArb,
      units: fc.integer({ min: 1, max: 10_000_000 }),
      tick: fc.constantFrom('0.01', '0.00001', '0.05', '1'),
      nudge: fc.constantFrom(0, 1e-12, -1e-12, 0.004, -0.004, 0.5, -0.5, 3, -3),
    });
    fc.assert(
      fc.property(caseArb, ({ side, units, tick, nudge }) => {
        const t = new Decimal(tick);
        const price = t.mul(units);
        const b = bar(price.toNumber() + nudge);
        const open = dec(b.open);
        const rate = new Decimal(2).div(10_000);
        const limitExpected =
          side === 'buy' ? Decimal.min(price, roundToStep(open, t, 'up')) : Decimal.max(price, roundToStep(open, t, 'down'));
        const stopBase = side === 'buy' ? Decimal.max(price, open) : Decimal.min(price, open);
        const factor = side === 'buy' ? ONE.plus(rate) : ONE.minus(rate);
        const stopExpected = roundToStep(stopBase.mul(factor), t, side === 'buy' ? 'up' : 'down');
        return limitFill(side, price, b, t).price.eq(limitExpected) && stopFill(side, price, b, t, rate).price.eq(stopExpected);
      }),
      params,
    );
  });

  it('limit_and_stop_fills_when_open_is_not_finite_or_tick_not_positive_then_still_throw', () => {
    for (const open of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      for (const side of ['buy', 'sell'] as const) {
        expect(() => limitFill(side, dec('100'), bar(open), dec('0.01'))).toThrow(RangeError);
        expect(() => stopFill(side, dec('100'), bar(open), dec('0.01'), dec(0))).toThrow(RangeError);
      }
    }
    expect(() => limitFill('buy', dec('100'), bar(101), dec('0'))).toThrow(RangeError);
    expect(() => limitFill('sell', dec('100'), bar(99), dec('-0.01'))).toThrow(RangeError);
    expect(() => stopFill('buy', dec('100'), bar(99), dec('0'), dec(0))).toThrow(RangeError);
  });

  it('fee_at_when_unit_contract_size_is_left_out_then_equals_fee_for_with_it', () => {
    const rateArb = fc.constantFrom(0, 1, 2.5, 10).map((bps) => new Decimal(bps).div(10_000));
    fc.assert(
      fc.property(decimalArb, decimalArb, rateArb, (q, p, rate) => same(feeAt(q, p, undefined, rate, 2), feeFor(q, p, ONE, rate, 'USD'))),
      params,
    );
  });
});
