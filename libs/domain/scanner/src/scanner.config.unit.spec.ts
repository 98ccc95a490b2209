import { createScanner, defaultScannerConfig, resolveScannerConfig } from './index';

describe('scanner config', () => {
  it('defaults_when_resolved_then_valid_and_match_documented_values', () => {
    const c = resolveScannerConfig();
    expect(c).toEqual(defaultScannerConfig);
    expect([c.emaFastPeriod, c.emaSlowPeriod, c.rsiPeriod, c.atrPeriod]).toEqual([20, 50, 14, 14]);
    expect(c.pivotStrength).toBe(3);
    expect(c.rewardRisk).toBe(2);
    expect(c.cooldownBars).toBe(10);
    expect(c.momentumStopAtr).toBe(1.5);
    expect(c.strategies).toEqual({ structure_break: true, rejection_wick: true, trend_momentum: true });
  });

  it('partial_group_when_given_then_merged_over_defaults', () => {
    const c = resolveScannerConfig({ strategies: { rejection_wick: false }, qualityWeights: { session: 0 } });
    expect(c.strategies).toEqual({ structure_break: true, rejection_wick: false, trend_momentum: true });
    expect(c.qualityWeights).toEqual({ ...defaultScannerConfig.qualityWeights, session: 0 });
  });

  it.each([
    ['emaFastPeriod', { emaFastPeriod: 0 }],
    ['emaFastPeriod', { emaFastPeriod: 60 }],
    ['emaSlowPeriod', { emaSlowPeriod: 2.5 }],
    ['rsiPeriod', { rsiPeriod: 1 }],
    ['atrPeriod', { atrPeriod: -3 }],
    ['pivotStrength', { pivotStrength: 0 }],
    ['rewardRisk', { rewardRisk: 0 }],
    ['rewardRisk', { rewardRisk: Number.NaN }],
    ['cooldownBars', { cooldownBars: -1 }],
    ['strategies.trend_momentum', { strategies: { trend_momentum: 'yes' as unknown as boolean } }],
    ['minRiskAtr', { minRiskAtr: 0 }],
    ['maxRiskAtr', { maxRiskAtr: 0.4 }],
    ['chochConfidence', { chochConfidence: 1.5 }],
    ['wickBodyRatio', { wickBodyRatio: 0 }],
    ['rsiLongCross', { rsiLongCross: 75 }],
    ['rsiShortCross', { rsiShortCross: 60 }],
    ['rsiOversold', { rsiOversold: 50 }],
    ['rsiRearm', { rsiRearm: 60 }],
    ['momentumStopAtr', { momentumStopAtr: Number.POSITIVE_INFINITY }],
    ['volatilityBands', { volatilityBands: { idealLow: 5 } }],
    ['qualityWeights', { qualityWeights: { trend: 0, volatility: 0, session: 0 } }],
    ['qualityWeights.trend', { qualityWeights: { trend: -1 } }],
    ['sessionScores.london', { sessionScores: { london: 101 } }],
    ['cryptoSessionScores.asia', { cryptoSessionScores: { asia: -5 } }],
    ['instruments.EURUSD.priceTolerance', { instruments: { EURUSD: { priceTolerance: -1 } } }],
  ])('invalid_%s_when_creating_scanner_then_range_error_names_it', (field, input) => {
    expect(() => createScanner(input)).toThrow(RangeError);
    expect(() => createScanner(input)).toThrow(new RegExp(`config ${field.replace('.', '\\.')} `));
  });
});
