import { utcHour, type AssetClass } from '@tradeloop/kernel';
import type { QualityBreakdown, Session } from '@tradeloop/contracts';
import type { QualityWeights, ScannerConfig, VolatilityBands } from './scanner.config';

/**
 * Trading session by UTC hour. Asia 00–07, London 07–16, New York 12–21; the overlaps
 * (07–08 Asia/London, 12–16 London/New York) are reported as such because they carry the
 * most liquidity; 21–24 is off-hours. Boundaries are half-open: 07:00 is already the overlap.
 */
export function sessionOfHour(hour: number): Session {
  if (hour < 7) return 'asia';
  if (hour < 8) return 'asia_london';
  if (hour < 12) return 'london';
  if (hour < 16) return 'london_new_york';
  if (hour < 21) return 'new_york';
  return 'off_hours';
}

/** Session at an event time (epoch ms UTC). */
export function sessionAt(ts: number): Session {
  return sessionOfHour(utcHour(ts));
}

/** 0–100: how good the session is for this asset class (crypto uses the flatter table). */
export function sessionScore(
  session: Session,
  assetClass: AssetClass,
  config: Pick<ScannerConfig, 'sessionScores' | 'cryptoSessionScores'>,
): number {
  return assetClass === 'crypto' ? config.cryptoSessionScores[session] : config.sessionScores[session];
}

/**
 * 0–100 from ATR% over its slow average (`ratio`): rises from 0 to 30 up to `quiet`, to 100
 * at `idealLow`, stays 100 to `idealHigh`, falls to 30 at `wild` and to 0 at twice `wild`.
 * Unknown (NaN) or non-positive ratios score 0.
 */
export function volatilityScore(ratio: number, bands: VolatilityBands): number {
  if (!(ratio > 0)) return 0;
  let s: number;
  if (ratio < bands.quiet) s = (30 * ratio) / bands.quiet;
  else if (ratio < bands.idealLow) s = 30 + (70 * (ratio - bands.quiet)) / (bands.idealLow - bands.quiet);
  else if (ratio <= bands.idealHigh) s = 100;
  else if (ratio < bands.wild) s = 100 - (70 * (ratio - bands.idealHigh)) / (bands.wild - bands.idealHigh);
  else s = Math.max(0, 30 - (30 * (ratio - bands.wild)) / bands.wild);
  return Math.round(s);
}

/**
 * 0–100: agreement of a trade direction (+1 long, −1 short) with the trend. EMA alignment
 * (fast vs slow) 35, slow-EMA slope 25, market structure 40 (half when structure is unknown).
 * NaN inputs count as disagreement, so the score is always defined.
 */
export function trendScore(
  direction: 1 | -1,
  emaFast: number,
  emaSlow: number,
  emaSlowPrev: number,
  structure: number,
): number {
  let s = 0;
  if (direction * (emaFast - emaSlow) > 0) s += 35;
  if (direction * (emaSlow - emaSlowPrev) > 0) s += 25;
  if (structure === direction) s += 40;
  else if (structure === 0) s += 20;
  return s;
}

/** Weighted mean of the breakdown, 0–100 with one decimal. */
export function qualityScore(b: QualityBreakdown, w: QualityWeights): number {
  const total = w.trend + w.volatility + w.session;
  const q = (w.trend * b.trend + w.volatility * b.volatility + w.session * b.session) / total;
  return Math.round(Math.min(100, Math.max(0, q)) * 10) / 10;
}
