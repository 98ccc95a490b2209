import { flat, utcHour } from '@tradeloop/kernel';
import type { BarClosedData, Direction, SignalDetectedData } from '@tradeloop/contracts';
import type { ScannerConfig, ScannerStrategy } from './scanner.config';
import { qualityScore, sessionOfHour, sessionScore, trendScore, volatilityScore } from './scanner.quality';
import { BREAK_BOS, BREAK_CHOCH, type StreamState } from './scanner.state';

/**
 * The strategies run only on a warm stream (all indicators stable, ATR > 0) and only after
 * their cheap early exits; everything here allocates only when a signal is emitted.
 */

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Largest multiple of the tick at or below `x` (stops of longs move away from entry). */
function floorTick(s: StreamState, x: number): number {
  const p = s.priceScale;
  return p > 0 ? Math.floor(x * p + 1e-7) / p : x;
}

function ceilTick(s: StreamState, x: number): number {
  const p = s.priceScale;
  return p > 0 ? Math.ceil(x * p - 1e-7) / p : x;
}

function roundTick(s: StreamState, x: number): number {
  const p = s.priceScale;
  return p > 0 ? Math.round(x * p) / p : x;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000', '0000000000'];

/**
 * A price with the instrument's tick decimals (e.g. "1.38720"). Integer formatting instead of
 * toFixed, which is several times slower and runs for every signal's reason.
 */
export function formatPrice(s: StreamState, x: number): string {
  const dec = s.priceDecimals;
  if (dec < 0 || dec >= ZEROS.length || !(Math.abs(x) < 1e9)) return String(x);
  const scale = s.priceScale;
  const n = Math.round(Math.abs(x) * scale);
  if (dec === 0) return x < 0 && n !== 0 ? `-${n}` : String(n);
  const whole = Math.floor(n / scale);
  const frac = String(n - whole * scale);
  return `${x < 0 && n !== 0 ? '-' : ''}${whole}.${ZEROS[dec - frac.length]}${frac}`;
}

/** Wick beyond the body on the side a trade in `dir` rejects, over the body (capped, always finite). */
function wickRatioOf(d: BarClosedData, dir: number): number {
  const body = Math.abs(d.close - d.open);
  const wick = dir > 0 ? Math.min(d.open, d.close) - d.low : d.high - Math.max(d.open, d.close);
  if (wick <= 0) return 0;
  return body > 0 ? Math.min(99, wick / body) : 99;
}

/**
 * Completes a signal: stop rounded away from entry to the tick; target at `targetLevel`, or
 * (NaN) at rewardRisk × the rounded entry–stop distance, rounded to the nearest tick; the
 * quality breakdown, session and features. Returns null when rounding leaves the levels on
 * the wrong side of the entry (a market too flat for the instrument's tick).
 */
function signal(
  s: StreamState,
  d: BarClosedData,
  ts: number,
  config: ScannerConfig,
  strategy: ScannerStrategy,
  dir: 1 | -1,
  rawStop: number,
  targetLevel: number,
  confidence: number,
  reason: string,
): SignalDetectedData | null {
  const entry = d.close;
  const stop = dir > 0 ? floorTick(s, rawStop) : ceilTick(s, rawStop);
  const target = roundTick(s, targetLevel === targetLevel ? targetLevel : entry + config.rewardRisk * (entry - stop));
  if (!(dir > 0 ? stop < entry && target > entry : stop > entry && target < entry)) return null;
  if (!Number.isFinite(stop) || !Number.isFinite(target)) return null;
  const hour = utcHour(ts);
  const session = sessionOfHour(hour);
  const qualityBreakdown = {
    trend: trendScore(dir, s.emaFastV, s.emaSlowV, s.emaSlowPrev, s.structure),
    volatility: volatilityScore(s.atrPct / s.volAvg, config.volatilityBands),
    session: sessionScore(session, s.assetClass, config),
  };
  const atr = s.atrV;
  const features: Record<string, number> = {
    ema_fast: s.emaFastV,
    ema_slow: s.emaSlowV,
    rsi: s.rsiV,
    atr,
    atr_pct: s.atrPct,
    vol_ratio: s.atrPct / s.volAvg,
    wick_ratio: wickRatioOf(d, dir),
    structure: s.structure,
    risk_atr: Math.abs(entry - stop) / atr,
    ema_gap_atr: (s.emaFastV - s.emaSlowV) / atr,
    utc_hour: hour,
  };
  // Swings are absent only early in a stream; omitted rather than faked, so features stay finite.
  if (Number.isFinite(s.swingHigh)) features.swing_high = s.swingHigh;
  if (Number.isFinite(s.swingLow)) features.swing_low = s.swingLow;
  const direction: Direction = dir > 0 ? 'long' : 'short';
  return {
    strategy,
    venue: s.venue,
    symbol: s.symbol,
    timeframe: s.timeframe,
    direction,
    entry,
    stop,
    target,
    quality: qualityScore(qualityBreakdown, config.qualityWeights),
    qualityBreakdown,
    confidence: Math.round(clamp01(confidence) * 1000) / 1000,
    session,
    features,
    reason: flat(reason),
  };
}

/**
 * Structure break: the bar's close took out the last swing (folded by evolve). Against the
 * structure it is a change of character (CHOCH), with it a break of structure (BOS, lower
 * confidence). Traded only when the close is ≥ breakMinAtr beyond the level and the leg it
 * ends spans ≥ minSwingAtr. Stop beyond the protected extreme of that leg plus an ATR buffer;
 * target at `rewardRisk` R, or at the next opposing swing when that is nearer but ≥ 1R.
 */
export function structureBreak(s: StreamState, d: BarClosedData, ts: number, config: ScannerConfig): SignalDetectedData | null {
  const kind = s.breakKind;
  if (kind !== BREAK_CHOCH && kind !== BREAK_BOS) return null;
  const dir = s.breakDir > 0 ? 1 : -1;
  const entry = d.close;
  const atr = s.atrV;
  if (dir * (entry - s.breakLevel) < config.breakMinAtr * atr) return null;
  if (dir * (s.breakLevel - s.breakStopRef) < config.minSwingAtr * atr) return null;
  let stop = s.breakStopRef - dir * config.stopBufferAtr * atr;
  if (dir * (entry - stop) < config.minRiskAtr * atr) stop = entry - dir * config.minRiskAtr * atr;
  const risk = dir * (entry - stop);
  if (!(risk <= config.maxRiskAtr * atr)) return null;
  const next = s.breakNextLevel;
  const target = config.structureTargets && dir * (next - entry) >= risk && dir * (next - entry) < config.rewardRisk * risk ? next : NaN;
  const base = kind === BREAK_CHOCH ? config.chochConfidence : config.bosConfidence;
  // A decisive close through the level (up to one ATR beyond it) adds up to 0.15.
  const confidence = base + 0.15 * Math.min(1, (dir * (entry - s.breakLevel)) / atr);
  const label = kind === BREAK_CHOCH ? 'CHOCH' : 'BOS';
  const reason =
    dir > 0
      ? `bullish ${label}: close ${formatPrice(s, entry)} above swing high ${formatPrice(s, s.breakLevel)}`
      : `bearish ${label}: close ${formatPrice(s, entry)} below swing low ${formatPrice(s, s.breakLevel)}`;
  return signal(s, d, ts, config, 'structure_break', dir, stop, target, confidence, reason);
}

/** The current bar's low is below the previous N bars' lows: it probed down into the level. */
function probesLow(s: StreamState, low: number): boolean {
  const cur = s.ringPos === 0 ? s.pivotStrength : s.ringPos - 1;
  for (let k = 0; k <= s.pivotStrength; k++) if (k !== cur && s.lows[k] <= low) return false;
  return true;
}

function probesHigh(s: StreamState, high: number): boolean {
  const cur = s.ringPos === 0 ? s.pivotStrength : s.ringPos - 1;
  for (let k = 0; k <= s.pivotStrength; k++) if (k !== cur && s.highs[k] >= high) return false;
  return true;
}

/**
 * Rejection wick: the bar's wick reached the last unbroken swing low (support, long) or swing
 * high (resistance, short) within max(priceTolerance, levelAtrFraction × ATR), is
 * ≥ wickBodyRatio × body and ≥ wickMinAtr × ATR, probed beyond the previous N bars, and the
 * bar closed back on the far side of the level. The level must have been left by
 * ≥ levelDepartureAtr before this retest. Stop beyond the wick extreme plus an ATR buffer;
 * target at `rewardRisk` R.
 */
export function rejectionWick(s: StreamState, d: BarClosedData, ts: number, config: ScannerConfig): SignalDetectedData | null {
  const atr = s.atrV;
  const minWick = config.wickMinAtr * atr;
  const open = d.open;
  const close = d.close;
  const bodyTop = open > close ? open : close;
  const bodyBottom = open > close ? close : open;
  const lowerWick = bodyBottom - d.low;
  const upperWick = d.high - bodyTop;
  if (lowerWick < minWick && upperWick < minWick) return null;
  const minByBody = config.wickBodyRatio * (bodyTop - bodyBottom);
  const tol = Math.max(s.priceTolerance, config.levelAtrFraction * atr);
  const support = s.swingLow;
  const resistance = s.swingHigh;
  const minDeparture = config.levelDepartureAtr * atr;
  const longOk =
    lowerWick >= minWick &&
    lowerWick >= minByBody &&
    !s.swingLowBroken &&
    Math.abs(d.low - support) <= tol &&
    close > support &&
    s.highSinceSwingLow - support >= minDeparture &&
    probesLow(s, d.low);
  const shortOk =
    upperWick >= minWick &&
    upperWick >= minByBody &&
    !s.swingHighBroken &&
    Math.abs(d.high - resistance) <= tol &&
    close < resistance &&
    resistance - s.lowSinceSwingHigh >= minDeparture &&
    probesHigh(s, d.high);
  if (!longOk && !shortOk) return null;
  // A doji can touch both levels in a tight range: trade the longer rejection.
  const dir: 1 | -1 = longOk && (!shortOk || lowerWick >= upperWick) ? 1 : -1;
  const wick = dir > 0 ? lowerWick : upperWick;
  const extreme = dir > 0 ? d.low : d.high;
  let stop = extreme - dir * config.stopBufferAtr * atr;
  if (dir * (close - stop) < config.minRiskAtr * atr) stop = close - dir * config.minRiskAtr * atr;
  const ratio = wickRatioOf(d, dir);
  const confidence =
    0.45 + 0.15 * Math.min(1, (ratio - config.wickBodyRatio) / (2 * config.wickBodyRatio)) + 0.15 * Math.min(1, wick / atr - config.wickMinAtr);
  const level = dir > 0 ? support : resistance;
  const reason =
    dir > 0
      ? `long rejection wick at swing low ${formatPrice(s, level)}: low ${formatPrice(s, d.low)}, close ${formatPrice(s, close)}, wick ${ratio.toFixed(1)}x body`
      : `short rejection wick at swing high ${formatPrice(s, level)}: high ${formatPrice(s, d.high)}, close ${formatPrice(s, close)}, wick ${ratio.toFixed(1)}x body`;
  return signal(s, d, ts, config, 'rejection_wick', dir, stop, NaN, confidence, reason);
}

/**
 * Trend momentum: EMAs aligned and ≥ momentumMinGapAtr apart, close on the trend side of the
 * fast EMA, and RSI crossing up through rsiLongCross (long) or down through rsiShortCross
 * (short) this bar (re-armed past rsiRearm, see config) without being overbought/oversold, in
 * a market that moves (ATR% ≥ minAtrPct). Stop at momentumStopAtr ATRs, target at `rewardRisk` R.
 */
export function trendMomentum(s: StreamState, d: BarClosedData, ts: number, config: ScannerConfig): SignalDetectedData | null {
  const cross = s.rsiCross;
  if (cross === 0) return null;
  const rsi = s.rsiV;
  const dir: 1 | -1 = cross > 0 ? 1 : -1;
  if (dir > 0 ? !(rsi < config.rsiOverbought) : !(rsi > config.rsiOversold)) return null;
  const close = d.close;
  const fast = s.emaFastV;
  const slow = s.emaSlowV;
  if (!(dir * (fast - slow) >= config.momentumMinGapAtr * s.atrV && dir * (close - fast) > 0)) return null;
  if (!(s.atrPct >= config.minAtrPct)) return null;
  const atr = s.atrV;
  const stop = close - dir * config.momentumStopAtr * atr;
  const confidence = 0.45 + 0.2 * Math.min(1, (dir * (fast - slow)) / atr) + (s.structure === dir ? 0.1 : 0);
  const reason =
    dir > 0
      ? `long momentum: EMA${config.emaFastPeriod} ${formatPrice(s, fast)} above EMA${config.emaSlowPeriod} ${formatPrice(s, slow)}, close ${formatPrice(s, close)}, RSI ${rsi.toFixed(1)} crossed up through ${config.rsiLongCross}`
      : `short momentum: EMA${config.emaFastPeriod} ${formatPrice(s, fast)} below EMA${config.emaSlowPeriod} ${formatPrice(s, slow)}, close ${formatPrice(s, close)}, RSI ${rsi.toFixed(1)} crossed down through ${config.rsiShortCross}`;
  return signal(s, d, ts, config, 'trend_momentum', dir, stop, NaN, confidence, reason);
}
