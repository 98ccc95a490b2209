import { ATR, EMA, RSI } from 'trading-signals';
import { instrumentFor, stepDecimals, type AssetClass, type Timeframe } from '@tradeloop/kernel';
import type { BarClosedData } from '@tradeloop/contracts';
import { SCANNER_STRATEGIES, type ScannerConfig, type ScannerStrategy } from './scanner.config';
import { WilderSmoothing } from './scanner.smoothing';

/** What the last structure break on a stream was. */
export const BREAK_NONE = 0;
/** Change of character: a close through the last swing against the prevailing structure. */
export const BREAK_CHOCH = 1;
/** Break of structure: a close through the last swing in the direction of the structure. */
export const BREAK_BOS = 2;
/** A break with no structure to judge it against yet (not traded). */
export const BREAK_UNJUDGED = 3;

export function strategyIndex(strategy: string): number {
  return SCANNER_STRATEGIES.indexOf(strategy as ScannerStrategy);
}

/**
 * Per (venue, symbol, timeframe) state. A class so every stream has one hidden class and
 * the hot path stays monomorphic; every field is initialised here, nothing is added later.
 * NaN means "not known yet": every comparison with it is false, so the strategies' early
 * exits need no separate "has value" flags.
 */
export class StreamState {
  readonly emaFast: EMA;
  readonly emaSlow: EMA;
  readonly rsi: RSI;
  readonly atr: ATR;
  /** Bars after which all four indicators are stable. */
  readonly warmBars: number;
  readonly assetClass: AssetClass;
  readonly priceTolerance: number;
  /** Decimal places of the tick size, or -1 when the instrument is unknown (no rounding). */
  readonly priceDecimals: number;
  readonly priceScale: number;

  barIndex = -1;
  lastTs = -Infinity;
  /** Bars refused to protect indicator state (non-finite, inconsistent, or not after the last bar). */
  ignoredBars = 0;
  warm = false;

  emaFastV = NaN;
  emaSlowV = NaN;
  emaSlowPrev = NaN;
  rsiV = NaN;
  rsiPrev = NaN;
  atrV = NaN;
  atrPct = NaN;
  /** RSI may count a long (short) cross: it has been below (above) the rearm line since the last one. */
  rsiArmedLong = false;
  rsiArmedShort = false;
  /** Set by evolve for the current bar only: +1 RSI crossed up through the long level, −1 down through the short level. */
  rsiCross = 0;
  /** Slow EMA of ATR%: the volatility score's reference. */
  volAvg = NaN;

  /** Highs/lows of the current bar and the N before it (ring of N+1; `ringPos` is the next slot). */
  readonly highs: Float64Array;
  readonly lows: Float64Array;
  readonly pivotStrength: number;
  ringPos = 0;

  /**
   * Pending fractal pivot high: a bar higher than the N before it, not yet exceeded by a later
   * bar; confirmed N bars after it. −1 when none is pending. Lows mirror it.
   */
  candHighBar = -1;
  candHigh = NaN;
  /** Lowest low from the pending high's bar on: becomes lowSinceSwingHigh when it confirms. */
  candHighLowSince = NaN;
  candLowBar = -1;
  candLow = NaN;
  candLowHighSince = NaN;

  swingHigh = NaN;
  prevSwingHigh = NaN;
  swingHighBar = -1;
  swingHighBroken = false;
  swingLow = NaN;
  prevSwingLow = NaN;
  swingLowBar = -1;
  swingLowBroken = false;
  /** +1 higher high, −1 lower high, 0 unknown/equal. */
  highKind = 0;
  /** +1 higher low, −1 lower low, 0 unknown/equal. */
  lowKind = 0;
  /** Market structure: +1 up, −1 down, 0 unknown. */
  structure = 0;
  /** Lowest low since the last swing high formed: the protected low behind a bullish break. */
  lowSinceSwingHigh = NaN;
  /** Highest high since the last swing low formed: the protected high behind a bearish break. */
  highSinceSwingLow = NaN;

  /** Set by evolve for the current bar only: +1 bullish break, −1 bearish, 0 none. */
  breakDir = 0;
  breakKind = BREAK_NONE;
  breakLevel = NaN;
  /** Extreme the break's stop protects (snapshot at the break, before any pivot update). */
  breakStopRef = NaN;
  /** The next opposing swing beyond the broken one: a structure target. */
  breakNextLevel = NaN;

  /** Bar index of each strategy's last signal on this stream (cooldown). */
  readonly lastSignalBar: Float64Array;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    readonly timeframe: Timeframe,
    config: ScannerConfig,
  ) {
    this.emaFast = new EMA(config.emaFastPeriod);
    this.emaSlow = new EMA(config.emaSlowPeriod);
    // trading-signals' RSI and ATR with their default smoothing's exact twin (scanner.smoothing.ts).
    this.rsi = new RSI(config.rsiPeriod, WilderSmoothing);
    this.atr = new ATR(config.atrPeriod, WilderSmoothing);
    this.warmBars = Math.max(config.emaFastPeriod, config.emaSlowPeriod, config.rsiPeriod + 1, config.atrPeriod);
    this.pivotStrength = config.pivotStrength;
    this.highs = new Float64Array(config.pivotStrength + 1);
    this.lows = new Float64Array(config.pivotStrength + 1);
    this.lastSignalBar = new Float64Array(SCANNER_STRATEGIES.length).fill(-Infinity);
    const meta = instrumentMeta(symbol, config);
    this.assetClass = meta.assetClass;
    this.priceTolerance = meta.priceTolerance;
    this.priceDecimals = meta.priceDecimals;
    this.priceScale = meta.priceDecimals >= 0 ? 10 ** meta.priceDecimals : 0;
  }
}

/**
 * Instrument facts the scanner needs. An unknown symbol is still scanned (swing levels then
 * use the ATR tolerance only, prices are not rounded): the scanner sizes nothing, and risk
 * refuses to trade an instrument it cannot describe, so no wrong tick size reaches an order.
 */
function instrumentMeta(
  symbol: string,
  config: ScannerConfig,
): { assetClass: AssetClass; priceTolerance: number; priceDecimals: number } {
  const overrides = config.instruments[symbol] ?? config.instruments[symbol.toUpperCase()];
  try {
    const inst = instrumentFor(symbol, overrides);
    return { assetClass: inst.assetClass, priceTolerance: inst.priceTolerance, priceDecimals: stepDecimals(inst.tickSize) };
  } catch {
    return {
      assetClass: overrides?.assetClass ?? 'equity',
      priceTolerance: overrides?.priceTolerance ?? 0,
      priceDecimals: overrides?.tickSize !== undefined ? stepDecimals(overrides.tickSize) : -1,
    };
  }
}

export interface ScannerState {
  /** Streams by symbol; the few venue/timeframe variants of a symbol are scanned linearly. */
  readonly streams: Map<string, StreamState[]>;
  /** The stream of the last BarClosed folded: the next decide reads it. */
  current: StreamState | undefined;
  /** Whether the last BarClosed was folded into `current` (false when refused). */
  accepted: boolean;
}

export function initialScannerState(): ScannerState {
  return { streams: new Map(), current: undefined, accepted: false };
}

export function findStream(state: ScannerState, venue: string, symbol: string, timeframe: string): StreamState | undefined {
  const list = state.streams.get(symbol);
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.venue === venue && s.timeframe === timeframe) return s;
  }
  return undefined;
}

/** The stream for a bar, created on first sight. Consecutive bars of one stream skip the map. */
export function streamFor(state: ScannerState, d: BarClosedData, config: ScannerConfig): StreamState {
  const c = state.current;
  if (c !== undefined && c.symbol === d.symbol && c.timeframe === d.timeframe && c.venue === d.venue) return c;
  let s = findStream(state, d.venue, d.symbol, d.timeframe);
  if (s === undefined) {
    s = new StreamState(d.venue, d.symbol, d.timeframe, config);
    const list = state.streams.get(d.symbol);
    if (list === undefined) state.streams.set(d.symbol, [s]);
    else list.push(s);
  }
  return s;
}

/**
 * Folds one closed bar into its stream, in place: indicators, structure breaks, running
 * extremes, then fractal pivots. Returns false (and counts it) for a bar that would corrupt
 * the indicators: non-finite or inconsistent prices, or not later than the stream's last bar
 * (a duplicate delivery must not be counted twice). Market data rejects such bars with a
 * reason upstream; here they only must not poison the state.
 */
export function foldBar(s: StreamState, d: BarClosedData, ts: number, config: ScannerConfig, volAlpha: number): boolean {
  const high = d.high;
  const low = d.low;
  const close = d.close;
  const open = d.open;
  if (
    !(ts > s.lastTs) ||
    !(low > 0) ||
    !(high >= low) ||
    !(close >= low && close <= high) ||
    !(open >= low && open <= high) ||
    high === Infinity
  ) {
    s.ignoredBars++;
    return false;
  }
  s.lastTs = ts;
  const i = ++s.barIndex;

  s.emaSlowPrev = s.emaSlowV;
  s.rsiPrev = s.rsiV;
  s.emaFastV = s.emaFast.update(close, false);
  s.emaSlowV = s.emaSlow.update(close, false);
  const r = s.rsi.update(close, false);
  const a = s.atr.update(d, false);
  s.rsiCross = 0;
  if (r !== null) {
    s.rsiV = r;
    if (s.rsiArmedLong && s.rsiPrev < config.rsiLongCross && r >= config.rsiLongCross) {
      s.rsiCross = 1;
      s.rsiArmedLong = false;
    } else if (s.rsiArmedShort && s.rsiPrev > config.rsiShortCross && r <= config.rsiShortCross) {
      s.rsiCross = -1;
      s.rsiArmedShort = false;
    }
    if (r < config.rsiRearm) s.rsiArmedLong = true;
    if (r > config.rsiRearm) s.rsiArmedShort = true;
  }
  if (a !== null) {
    s.atrV = a;
    const pct = a / close;
    s.atrPct = pct;
    s.volAvg = s.volAvg === s.volAvg ? s.volAvg + volAlpha * (pct - s.volAvg) : pct;
  }
  if (!s.warm && i + 1 >= s.warmBars && r !== null && a !== null) s.warm = true;

  // Breaks are judged against swings known before this bar; a pivot confirmed by this bar
  // cannot be broken by it (its right-hand highs, this bar's included, are all ≤ the pivot).
  s.breakDir = 0;
  s.breakKind = BREAK_NONE;
  if (low < s.lowSinceSwingHigh) s.lowSinceSwingHigh = low;
  if (high > s.highSinceSwingLow) s.highSinceSwingLow = high;
  if (close > s.swingHigh && !s.swingHighBroken) {
    s.swingHighBroken = true;
    s.breakDir = 1;
    s.breakKind = s.structure === -1 ? BREAK_CHOCH : s.structure === 1 ? BREAK_BOS : BREAK_UNJUDGED;
    s.breakLevel = s.swingHigh;
    s.breakStopRef = s.lowSinceSwingHigh;
    s.breakNextLevel = s.prevSwingHigh > close ? s.prevSwingHigh : NaN;
    s.structure = 1;
  } else if (close < s.swingLow && !s.swingLowBroken) {
    s.swingLowBroken = true;
    s.breakDir = -1;
    s.breakKind = s.structure === 1 ? BREAK_CHOCH : s.structure === -1 ? BREAK_BOS : BREAK_UNJUDGED;
    s.breakLevel = s.swingLow;
    s.breakStopRef = s.highSinceSwingLow;
    s.breakNextLevel = s.prevSwingLow < close ? s.prevSwingLow : NaN;
    s.structure = -1;
  }

  const pos = s.ringPos;
  s.highs[pos] = high;
  s.lows[pos] = low;
  s.ringPos = pos === s.pivotStrength ? 0 : pos + 1;
  // Structure is judged once both sides are in: an outside bar can confirm a high and a low together.
  let confirmed = false;
  if ((s.candHighBar >= 0 || i >= s.pivotStrength) && trackPivotHigh(s, high, low, i, pos)) confirmed = true;
  if ((s.candLowBar >= 0 || i >= s.pivotStrength) && trackPivotLow(s, high, low, i, pos)) confirmed = true;
  if (confirmed) updateStructure(s);
  return true;
}

/**
 * Fractal pivot highs, incrementally: bar c is a swing high when the N bars before it are
 * strictly lower and the N after it are not higher (a flat double top yields one pivot, at its
 * first bar); it is confirmed at bar c+N. Equivalent to testing every 2N+1 window, but O(1)
 * per bar while a candidate is pending: a bar above the pending candidate is itself higher
 * than its N predecessors (they are all ≤ the candidate), so it replaces the candidate without
 * a scan, and a bar not above it cannot be a pivot (the candidate is among its N predecessors).
 * Only with no candidate pending are the N previous highs scanned.
 */
/** Returns whether a swing high was confirmed on this bar. */
function trackPivotHigh(s: StreamState, high: number, low: number, i: number, pos: number): boolean {
  const n = s.pivotStrength;
  if (s.candHighBar >= 0) {
    if (high > s.candHigh) {
      s.candHighBar = i;
      s.candHigh = high;
      s.candHighLowSince = low;
      return false;
    }
    if (low < s.candHighLowSince) s.candHighLowSince = low;
    if (i - s.candHighBar !== n) return false;
    confirmSwingHigh(s, s.candHigh, s.candHighBar, s.candHighLowSince);
    s.candHighBar = -1;
    return true;
  }
  const highs = s.highs;
  for (let k = 0; k <= n; k++) if (k !== pos && highs[k] >= high) return false;
  s.candHighBar = i;
  s.candHigh = high;
  s.candHighLowSince = low;
  return false;
}

/** Returns whether a swing low was confirmed on this bar. */
function trackPivotLow(s: StreamState, high: number, low: number, i: number, pos: number): boolean {
  const n = s.pivotStrength;
  if (s.candLowBar >= 0) {
    if (low < s.candLow) {
      s.candLowBar = i;
      s.candLow = low;
      s.candLowHighSince = high;
      return false;
    }
    if (high > s.candLowHighSince) s.candLowHighSince = high;
    if (i - s.candLowBar !== n) return false;
    confirmSwingLow(s, s.candLow, s.candLowBar, s.candLowHighSince);
    s.candLowBar = -1;
    return true;
  }
  const lows = s.lows;
  for (let k = 0; k <= n; k++) if (k !== pos && lows[k] <= low) return false;
  s.candLowBar = i;
  s.candLow = low;
  s.candLowHighSince = high;
  return false;
}

function confirmSwingHigh(s: StreamState, h: number, bar: number, lowSince: number): void {
  const prev = s.swingHigh;
  s.prevSwingHigh = prev;
  s.swingHigh = h;
  s.swingHighBar = bar;
  s.swingHighBroken = false;
  s.highKind = h > prev ? 1 : h < prev ? -1 : 0;
  s.lowSinceSwingHigh = lowSince;
}

function confirmSwingLow(s: StreamState, l: number, bar: number, highSince: number): void {
  const prev = s.swingLow;
  s.prevSwingLow = prev;
  s.swingLow = l;
  s.swingLowBar = bar;
  s.swingLowBroken = false;
  s.lowKind = l > prev ? 1 : l < prev ? -1 : 0;
  s.highSinceSwingLow = highSince;
}

/** Higher highs and higher lows make the structure up, lower highs and lower lows down; mixed keeps it. */
function updateStructure(s: StreamState): void {
  if (s.highKind === 1 && s.lowKind === 1) s.structure = 1;
  else if (s.highKind === -1 && s.lowKind === -1) s.structure = -1;
}
