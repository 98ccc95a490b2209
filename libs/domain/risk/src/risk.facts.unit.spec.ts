import fc from 'fast-check';
import { dec, Decimal, moneyStr, roundToStep, type RoundingMode } from '@tradeloop/kernel';
import { resolveRiskConfig } from './risk.config';
import { compareQuotient, dailyLossFloor, instrumentFacts, limitsOf, moneyText, ONE, toPlaces } from './risk.facts';

const MODES: readonly RoundingMode[] = ['down', 'up', 'nearest'];

/** Values like the ones risk rounds: floats from bars and signals, and 40-digit quotients. */
const value = fc.oneof(
  fc.double({ min: -1e7, max: 1e7, noNaN: true }).map((x) => dec(x)),
  fc.tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 0.001, max: 1e4, noNaN: true })).map(([a, b]) => dec(a).div(b)),
);

describe('risk facts: cached instrument rounding', () => {
  it('to_tick_and_lot_when_power_of_ten_or_other_steps_then_same_value_as_round_to_step', () => {
    const cfg = resolveRiskConfig({
      instruments: { ETHUSD: { tickSize: '0.25', lotSize: '3', minQuantity: '3' }, SOLUSD: { tickSize: '5', lotSize: '0.5' } },
    });
    for (const symbol of ['BTCUSDT', 'EURUSD', 'USDJPY', 'XAUUSD', 'ETHUSD', 'SOLUSD']) {
      const facts = instrumentFacts(symbol, cfg)!;
      fc.assert(
        fc.property(value, fc.constantFrom(...MODES), (v, mode) => {
          expect(facts.toTick(v, mode).eq(roundToStep(v, facts.inst.tickSize, mode))).toBe(true);
          expect(facts.toLot(v, mode).eq(roundToStep(v, facts.inst.lotSize, mode))).toBe(true);
          expect(facts.toTick(v, mode).toFixed()).toBe(roundToStep(v, facts.inst.tickSize, mode).toFixed());
        }),
        { numRuns: 300 },
      );
    }
    expect(instrumentFacts('BTCUSDT', cfg)!.lotIsPowerOfTen).toBe(true);
    expect(instrumentFacts('ETHUSD', cfg)!.lotIsPowerOfTen).toBe(false);
    expect(instrumentFacts('SOLUSD', cfg)!.lotIsPowerOfTen).toBe(false);
  });

  it('to_places_when_already_within_the_places_then_the_value_itself', () => {
    const v = dec('123.45');
    expect(toPlaces(v, 2)).toBe(v);
    expect(toPlaces(v, 1).toFixed()).toBe('123.4');
    expect(toPlaces(dec('123.45'), 1, 'up').toFixed()).toBe('123.5');
  });

  it('instrument_facts_when_unknown_symbol_then_undefined_and_overrides_applied_otherwise', () => {
    const cfg = resolveRiskConfig({ instruments: { EURUSD: { contractSize: '100000' } } });
    expect(instrumentFacts('NOPE', cfg)).toBeUndefined();
    const eur = instrumentFacts('EURUSD', cfg)!;
    expect(eur.contractSize.toFixed()).toBe('100000');
    expect(eur.unitContract).toBe(false);
    expect(instrumentFacts('BTCUSDT', cfg)!.unitContract).toBe(true);
    expect(instrumentFacts('EURUSD', cfg)).toBe(eur);
    expect(instrumentFacts('EURUSD', resolveRiskConfig())!.contractSize.toFixed()).toBe('1');
  });
});

describe('risk facts: exact shortcuts', () => {
  const positive = (max: number) =>
    fc.oneof(
      fc.double({ min: 1e-6, max, noNaN: true }).map((x) => dec(x)),
      fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 8 })).map(([n, dp]) => dec(n).div(10 ** dp)),
    );
  const threshold = fc.constantFrom(0.005, 0.01, 0.5, 0.8, 0.0123456789, 1).map((x) => new Decimal(x));

  it('compare_quotient_when_it_decides_then_same_as_comparing_the_rounded_division', () => {
    let decided = 0;
    fc.assert(
      fc.property(positive(1e6), positive(1e7), threshold, (num, den, t) => {
        const c = compareQuotient(num, den, t);
        if (c === undefined) return;
        decided += 1;
        expect(c).toBe(num.div(den).cmp(t));
      }),
      { numRuns: 3000 },
    );
    expect(decided).toBeGreaterThan(2500);
  });

  it('compare_quotient_when_quotient_equals_or_straddles_the_threshold_then_exact', () => {
    const t = new Decimal(0.01);
    expect(compareQuotient(dec('1000'), dec('100000'), t)).toBe(0);
    expect(compareQuotient(dec('1000.01'), dec('100000'), t)).toBe(1);
    expect(compareQuotient(dec('999.99'), dec('100000'), t)).toBe(-1);
    // Differences beyond the 40-digit precision cannot be decided without dividing.
    const far = dec('1000.' + '0'.repeat(45) + '1');
    expect(compareQuotient(far, dec('100000'), t)).toBeUndefined();
    expect(far.div(dec('100000')).cmp(t)).toBe(0);
  });

  it('money_text_when_any_value_then_same_as_money_str', () => {
    fc.assert(
      fc.property(value, fc.constantFrom('USD', 'JPY', 'EUR'), (v, ccy) => {
        expect(moneyText(v, ccy)).toBe(moneyStr(v, ccy));
      }),
      { numRuns: 2000 },
    );
    expect(moneyText(dec('-0.001'), 'USD')).toBe(moneyStr(dec('-0.001'), 'USD'));
    expect(moneyText(dec('0.005'), 'USD')).toBe('0.00');
  });

  it('daily_loss_floor_when_start_of_day_equity_changes_then_recomputed', () => {
    const lim = limitsOf(resolveRiskConfig({ dailyLossLimitPct: 0.03 }));
    const a = dec('100000');
    expect(dailyLossFloor(lim, a).toFixed()).toBe('-3000');
    expect(dailyLossFloor(lim, a)).toBe(dailyLossFloor(lim, a));
    expect(dailyLossFloor(lim, dec('50000')).toFixed()).toBe('-1500');
    expect(ONE.toFixed()).toBe('1');
  });
});
