import fc from 'fast-check';
import { SESSIONS } from '@tradeloop/contracts';
import { defaultScannerConfig, qualityScore, sessionAt, sessionOfHour, sessionScore, trendScore, volatilityScore } from './index';
import { parseIsoUtc } from './test-support';

const bands = defaultScannerConfig.volatilityBands;

describe('session classification', () => {
  it.each([
    ['00:00', 'asia'],
    ['06:59', 'asia'],
    ['07:00', 'asia_london'],
    ['07:59', 'asia_london'],
    ['08:00', 'london'],
    ['11:59', 'london'],
    ['12:00', 'london_new_york'],
    ['15:59', 'london_new_york'],
    ['16:00', 'new_york'],
    ['20:59', 'new_york'],
    ['21:00', 'off_hours'],
    ['23:59', 'off_hours'],
  ])('utc_%s_when_classified_then_%s', (hhmm, session) => {
    expect(sessionAt(parseIsoUtc(`2014-05-06T${hhmm}:00Z`))).toBe(session);
  });

  it('every_hour_when_classified_then_one_of_the_contract_sessions', () => {
    for (let h = 0; h < 24; h++) expect(SESSIONS).toContain(sessionOfHour(h));
  });

  it('overlaps_when_scored_for_forex_then_best_and_off_hours_lowest', () => {
    const score = (s: (typeof SESSIONS)[number]) => sessionScore(s, 'forex', defaultScannerConfig);
    const all = SESSIONS.map(score);
    expect(score('london_new_york')).toBe(Math.max(...all));
    expect(score('asia_london')).toBeGreaterThan(score('london'));
    expect(score('asia_london')).toBeGreaterThan(score('asia'));
    expect(score('london_new_york')).toBeGreaterThan(score('new_york'));
    expect(score('off_hours')).toBe(Math.min(...all));
  });

  it('crypto_when_scored_then_flatter_than_forex', () => {
    const spread = (cls: 'forex' | 'crypto') => {
      const xs = SESSIONS.map((s) => sessionScore(s, cls, defaultScannerConfig));
      return Math.max(...xs) - Math.min(...xs);
    };
    expect(spread('crypto')).toBeLessThan(spread('forex') / 2);
    expect(sessionScore('off_hours', 'crypto', defaultScannerConfig)).toBeGreaterThan(sessionScore('off_hours', 'forex', defaultScannerConfig));
  });
});

describe('volatility score', () => {
  it('atr_near_its_average_when_scored_then_full_marks', () => {
    expect(volatilityScore(1, bands)).toBe(100);
    expect(volatilityScore(bands.idealHigh, bands)).toBe(100);
  });
  it('too_quiet_or_too_wild_when_scored_then_low', () => {
    expect(volatilityScore(0.2, bands)).toBeLessThan(30);
    expect(volatilityScore(bands.wild * 1.5, bands)).toBeLessThan(30);
    expect(volatilityScore(bands.wild * 3, bands)).toBe(0);
  });
  it('unknown_ratio_when_scored_then_zero', () => {
    expect(volatilityScore(Number.NaN, bands)).toBe(0);
    expect(volatilityScore(0, bands)).toBe(0);
  });
});

describe('trend score', () => {
  it('long_with_aligned_rising_emas_and_up_structure_then_100', () => {
    expect(trendScore(1, 1.2, 1.1, 1.09, 1)).toBe(100);
  });
  it('long_against_everything_then_0_and_short_mirror_then_100', () => {
    expect(trendScore(1, 1.0, 1.1, 1.11, -1)).toBe(0);
    expect(trendScore(-1, 1.0, 1.1, 1.11, -1)).toBe(100);
  });
  it('unknown_structure_and_nan_emas_then_partial_score', () => {
    expect(trendScore(1, Number.NaN, 1, Number.NaN, 0)).toBe(20);
  });
});

describe('quality score', () => {
  it('breakdown_and_weights_when_combined_then_within_0_100_with_one_decimal', () => {
    const score = fc.integer({ min: 0, max: 100 });
    const weight = fc.double({ min: 0, max: 10, noNaN: true });
    fc.assert(
      fc.property(score, score, score, weight, weight, weight, (t, v, s, wt, wv, ws) => {
        fc.pre(wt + wv + ws > 0);
        const q = qualityScore({ trend: t, volatility: v, session: s }, { trend: wt, volatility: wv, session: ws });
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThanOrEqual(100);
        expect(Math.round(q * 10) / 10).toBe(q);
        expect(q).toBeGreaterThanOrEqual(Math.min(t, v, s) - 0.05);
        expect(q).toBeLessThanOrEqual(Math.max(t, v, s) + 0.05);
      }),
    );
  });
  it('default_weights_when_combined_then_weighted_mean', () => {
    expect(qualityScore({ trend: 100, volatility: 50, session: 0 }, defaultScannerConfig.qualityWeights)).toBe(55);
  });
});
