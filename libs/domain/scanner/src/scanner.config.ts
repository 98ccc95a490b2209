import { assertKnownFields, type InstrumentOverrides } from '@tradeloop/kernel';
import { SESSIONS, type Session } from '@tradeloop/contracts';

/** The scanner's strategies, in the order they are evaluated on a bar. */
export const SCANNER_STRATEGIES = ['structure_break', 'rejection_wick', 'trend_momentum'] as const;
export type ScannerStrategy = (typeof SCANNER_STRATEGIES)[number];

export interface QualityWeights {
  readonly trend: number;
  readonly volatility: number;
  readonly session: number;
}

/**
 * ATR% relative to its own slow average: below `quiet` the market is too dead to pay for
 * the spread, above `wild` stops get run by noise; `idealLow..idealHigh` scores full marks.
 */
export interface VolatilityBands {
  readonly quiet: number;
  readonly idealLow: number;
  readonly idealHigh: number;
  readonly wild: number;
}

export interface ScannerConfig {
  readonly emaFastPeriod: number;
  readonly emaSlowPeriod: number;
  readonly rsiPeriod: number;
  readonly atrPeriod: number;
  /** Fractal pivot strength N: a swing high has N lower highs on each side (confirmed N bars later). */
  readonly pivotStrength: number;
  /** Target distance in multiples of the entry–stop distance. */
  readonly rewardRisk: number;
  /** Minimum bars between two signals of one strategy on one stream. */
  readonly cooldownBars: number;
  readonly strategies: Readonly<Record<ScannerStrategy, boolean>>;
  /** Stops sit this many ATRs beyond the swing or wick they protect. */
  readonly stopBufferAtr: number;
  /** Stops closer than this (in ATRs) are widened to it: tighter stops are inside bar noise. */
  readonly minRiskAtr: number;
  /** A structure stop farther than this (in ATRs) makes the setup untradeable on this timeframe. */
  readonly maxRiskAtr: number;
  /** Take the next opposing swing as target when it lies between 1R and `rewardRisk` R. */
  readonly structureTargets: boolean;
  /** A break counts only when the close is at least this many ATRs beyond the swing. */
  readonly breakMinAtr: number;
  /**
   * A break counts only when the leg it ends (broken swing to the extreme since) spans at
   * least this many ATRs: on low timeframes most fractal pivots are noise.
   */
  readonly minSwingAtr: number;
  /**
   * A swing level is worth a rejection trade only when price left it by at least this many
   * ATRs before coming back to test it.
   */
  readonly levelDepartureAtr: number;
  /** Base confidence of a change of character (counter-structure break). */
  readonly chochConfidence: number;
  /** Base confidence of a break of structure in the trend direction. */
  readonly bosConfidence: number;
  /** Rejection wick: wick ≥ ratio × body. */
  readonly wickBodyRatio: number;
  /** Rejection wick: wick ≥ this many ATRs. */
  readonly wickMinAtr: number;
  /** A wick touches a level when within max(instrument priceTolerance, this × ATR). */
  readonly levelAtrFraction: number;
  readonly rsiLongCross: number;
  readonly rsiShortCross: number;
  readonly rsiOverbought: number;
  readonly rsiOversold: number;
  /**
   * RSI hysteresis: after a cross up through rsiLongCross, the next long cross counts only once
   * RSI has been below this line again (and mirrored for shorts), so RSI dithering around the
   * cross level is one momentum event, not many.
   */
  readonly rsiRearm: number;
  /** Momentum needs the EMAs at least this many ATRs apart (a trend, not a flat tangle). */
  readonly momentumMinGapAtr: number;
  /** Momentum stop distance in ATRs. */
  readonly momentumStopAtr: number;
  /** Momentum needs ATR/price at least this (a dead market has no momentum to ride). */
  readonly minAtrPct: number;
  /** Bars of the slow average that ATR% is compared with for the volatility score. */
  readonly volatilityPeriod: number;
  readonly volatilityBands: VolatilityBands;
  readonly qualityWeights: QualityWeights;
  /** Session score 0–100 for non-crypto instruments. */
  readonly sessionScores: Readonly<Record<Session, number>>;
  /** Crypto trades around the clock: flatter session scores. */
  readonly cryptoSessionScores: Readonly<Record<Session, number>>;
  /** Per-symbol instrument overrides (e.g. a different priceTolerance). */
  readonly instruments: Readonly<Record<string, InstrumentOverrides>>;
}

/** Partial config where nested groups may be partial too (a superset of `Partial<ScannerConfig>`). */
export type ScannerConfigInput = {
  readonly [K in keyof ScannerConfig]?: ScannerConfig[K] extends object ? Partial<ScannerConfig[K]> : ScannerConfig[K];
};

export const defaultScannerConfig: ScannerConfig = Object.freeze({
  emaFastPeriod: 20,
  emaSlowPeriod: 50,
  rsiPeriod: 14,
  atrPeriod: 14,
  pivotStrength: 3,
  rewardRisk: 2,
  cooldownBars: 10,
  strategies: Object.freeze({ structure_break: true, rejection_wick: true, trend_momentum: true }),
  stopBufferAtr: 0.2,
  minRiskAtr: 0.5,
  maxRiskAtr: 8,
  structureTargets: true,
  breakMinAtr: 0.25,
  minSwingAtr: 3,
  levelDepartureAtr: 5,
  chochConfidence: 0.65,
  bosConfidence: 0.45,
  wickBodyRatio: 2,
  wickMinAtr: 0.5,
  levelAtrFraction: 0.25,
  rsiLongCross: 55,
  rsiShortCross: 45,
  rsiOverbought: 70,
  rsiOversold: 30,
  rsiRearm: 50,
  momentumMinGapAtr: 0.5,
  momentumStopAtr: 1.5,
  minAtrPct: 0.00005,
  volatilityPeriod: 200,
  volatilityBands: Object.freeze({ quiet: 0.5, idealLow: 0.9, idealHigh: 1.6, wild: 3 }),
  qualityWeights: Object.freeze({ trend: 0.4, volatility: 0.3, session: 0.3 }),
  sessionScores: Object.freeze({
    asia: 45,
    london: 80,
    new_york: 70,
    asia_london: 85,
    london_new_york: 100,
    off_hours: 15,
  }),
  cryptoSessionScores: Object.freeze({
    asia: 70,
    london: 80,
    new_york: 85,
    asia_london: 80,
    london_new_york: 90,
    off_hours: 65,
  }),
  instruments: Object.freeze({}),
});

function fail(field: string, why: string, value: unknown): never {
  throw new RangeError(`scanner config ${field} ${why}, got ${String(value)}`);
}

function int(field: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) fail(field, `must be an integer in [${min}, ${max}]`, v);
}

function num(field: string, v: number, min: number, max: number, openMin = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (openMin && v === min)) {
    fail(field, `must be a number in ${openMin ? '(' : '['}${min}, ${max}]`, v);
  }
}

/** Merges `input` over the defaults (one level deep for groups) and validates every field. */
export function resolveScannerConfig(input: ScannerConfigInput = {}): ScannerConfig {
  const d = defaultScannerConfig;
  assertKnownFields('scanner', input, d);
  assertKnownFields('scanner strategies', input.strategies, d.strategies);
  assertKnownFields('scanner volatilityBands', input.volatilityBands, d.volatilityBands);
  assertKnownFields('scanner qualityWeights', input.qualityWeights, d.qualityWeights);
  assertKnownFields('scanner sessionScores', input.sessionScores, d.sessionScores);
  assertKnownFields('scanner cryptoSessionScores', input.cryptoSessionScores, d.cryptoSessionScores);
  const c: ScannerConfig = {
    ...d,
    ...(input as Partial<ScannerConfig>),
    strategies: { ...d.strategies, ...input.strategies },
    volatilityBands: { ...d.volatilityBands, ...input.volatilityBands },
    qualityWeights: { ...d.qualityWeights, ...input.qualityWeights },
    sessionScores: { ...d.sessionScores, ...input.sessionScores },
    cryptoSessionScores: { ...d.cryptoSessionScores, ...input.cryptoSessionScores },
    instruments: { ...d.instruments, ...(input.instruments as ScannerConfig['instruments'] | undefined) },
  };
  int('emaFastPeriod', c.emaFastPeriod, 1, 10_000);
  int('emaSlowPeriod', c.emaSlowPeriod, 2, 10_000);
  if (c.emaFastPeriod >= c.emaSlowPeriod) fail('emaFastPeriod', `must be below emaSlowPeriod (${c.emaSlowPeriod})`, c.emaFastPeriod);
  int('rsiPeriod', c.rsiPeriod, 2, 10_000);
  int('atrPeriod', c.atrPeriod, 1, 10_000);
  int('pivotStrength', c.pivotStrength, 1, 50);
  num('rewardRisk', c.rewardRisk, 0, 100, true);
  int('cooldownBars', c.cooldownBars, 0, 1_000_000);
  for (const k of SCANNER_STRATEGIES) {
    if (typeof c.strategies[k] !== 'boolean') fail(`strategies.${k}`, 'must be a boolean', c.strategies[k]);
  }
  num('stopBufferAtr', c.stopBufferAtr, 0, 100);
  num('minRiskAtr', c.minRiskAtr, 0, 100, true);
  num('maxRiskAtr', c.maxRiskAtr, 0, 1000, true);
  if (c.maxRiskAtr <= c.minRiskAtr) fail('maxRiskAtr', `must exceed minRiskAtr (${c.minRiskAtr})`, c.maxRiskAtr);
  if (typeof c.structureTargets !== 'boolean') fail('structureTargets', 'must be a boolean', c.structureTargets);
  num('breakMinAtr', c.breakMinAtr, 0, 100);
  num('minSwingAtr', c.minSwingAtr, 0, 100);
  num('levelDepartureAtr', c.levelDepartureAtr, 0, 100);
  num('chochConfidence', c.chochConfidence, 0, 1);
  num('bosConfidence', c.bosConfidence, 0, 1);
  num('wickBodyRatio', c.wickBodyRatio, 0, 1000, true);
  num('wickMinAtr', c.wickMinAtr, 0, 100, true);
  num('levelAtrFraction', c.levelAtrFraction, 0, 100);
  num('rsiOversold', c.rsiOversold, 0, 100, true);
  num('rsiShortCross', c.rsiShortCross, 0, 100, true);
  num('rsiLongCross', c.rsiLongCross, 0, 100, true);
  num('rsiOverbought', c.rsiOverbought, 0, 100, true);
  if (c.rsiOversold >= c.rsiShortCross) fail('rsiOversold', `must be below rsiShortCross (${c.rsiShortCross})`, c.rsiOversold);
  if (c.rsiShortCross > c.rsiLongCross) fail('rsiShortCross', `must not exceed rsiLongCross (${c.rsiLongCross})`, c.rsiShortCross);
  if (c.rsiLongCross >= c.rsiOverbought) fail('rsiLongCross', `must be below rsiOverbought (${c.rsiOverbought})`, c.rsiLongCross);
  num('rsiRearm', c.rsiRearm, 0, 100);
  if (c.rsiRearm > c.rsiLongCross || c.rsiRearm < c.rsiShortCross) {
    fail('rsiRearm', `must lie within [rsiShortCross, rsiLongCross] = [${c.rsiShortCross}, ${c.rsiLongCross}]`, c.rsiRearm);
  }
  if (c.rsiOverbought >= 100) fail('rsiOverbought', 'must be below 100', c.rsiOverbought);
  num('momentumMinGapAtr', c.momentumMinGapAtr, 0, 100);
  num('momentumStopAtr', c.momentumStopAtr, 0, 100, true);
  num('minAtrPct', c.minAtrPct, 0, 1);
  int('volatilityPeriod', c.volatilityPeriod, 1, 1_000_000);
  const b = c.volatilityBands;
  num('volatilityBands.quiet', b.quiet, 0, 1000, true);
  num('volatilityBands.idealLow', b.idealLow, 0, 1000, true);
  num('volatilityBands.idealHigh', b.idealHigh, 0, 1000, true);
  num('volatilityBands.wild', b.wild, 0, 1000, true);
  if (!(b.quiet < b.idealLow && b.idealLow <= b.idealHigh && b.idealHigh < b.wild)) {
    fail('volatilityBands', 'must satisfy quiet < idealLow <= idealHigh < wild', JSON.stringify(b));
  }
  const w = c.qualityWeights;
  num('qualityWeights.trend', w.trend, 0, 1000);
  num('qualityWeights.volatility', w.volatility, 0, 1000);
  num('qualityWeights.session', w.session, 0, 1000);
  if (w.trend + w.volatility + w.session <= 0) fail('qualityWeights', 'must not all be zero', JSON.stringify(w));
  for (const s of SESSIONS) {
    num(`sessionScores.${s}`, c.sessionScores[s], 0, 100);
    num(`cryptoSessionScores.${s}`, c.cryptoSessionScores[s], 0, 100);
  }
  for (const [symbol, o] of Object.entries(c.instruments)) {
    if (o.priceTolerance !== undefined) num(`instruments.${symbol}.priceTolerance`, o.priceTolerance, 0, Number.MAX_VALUE);
  }
  return Object.freeze(c);
}
