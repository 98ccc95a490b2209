import {
  currencyDecimals,
  dec,
  Decimal,
  type Instrument,
  instrumentFor,
  roundToStep,
  type RoundingMode,
  stepDecimals,
} from '@tradeloop/kernel';
import type { RiskConfig } from './risk.config';

/**
 * Values risk derives from its configuration and from instrument metadata, computed once
 * instead of on every order. Nothing here changes a result: each cached Decimal is exactly
 * the one the order path used to parse from the same string or number, and each shortcut
 * below names the identity it relies on.
 *
 * The identity used throughout: every Decimal operation rounds its result to the 40
 * significant digits of the kernel's precision, so multiplying an operation's result (or a
 * Decimal made from a float, which has at most 17 digits) by exactly 1 returns the same
 * value. Decimals parsed from wire strings may carry more digits; they never take a shortcut.
 */

/** The one Decimal 1: a rate or size that `=== ONE` is exactly 1 and multiplying by it may be skipped. */
export const ONE = new Decimal(1);

/** Significant digits every operation's result is rounded to (the kernel's Decimal precision). */
export const PRECISION = Decimal.precision;

const ROUNDING = {
  down: Decimal.ROUND_FLOOR,
  up: Decimal.ROUND_CEIL,
  nearest: Decimal.ROUND_HALF_EVEN,
} as const satisfies Record<RoundingMode, number>;

/**
 * Decimal places of a step that is a power of ten no greater than 1 ("1", "0.01", …), else
 * undefined. For such a step, roundToStep(v, step, mode) divides v by 10⁻ᵏ (exact: the
 * digits do not change), rounds to an integer and multiplies back (exact again), which is
 * v rounded to k places in the same mode: one rounding instead of a division.
 */
function powerOfTenPlaces(step: string): number | undefined {
  const s = dec(step);
  if (!s.gt(0)) return undefined;
  const t = s.toFixed();
  if (t === '1') return 0;
  return /^0\.0*1$/.test(t) ? t.length - 2 : undefined;
}

/**
 * An instrument with the Decimals risk needs from it. Each is parsed on first use, at the
 * point the order path first needed it, so malformed metadata fails where it always did.
 */
export class InstrumentFacts {
  private cs: Decimal | undefined;
  private unit: boolean | undefined;
  private min: Decimal | undefined;
  private markDp: number | undefined;
  private tickDp: number | null | undefined;
  private lotDp: number | null | undefined;

  constructor(readonly inst: Instrument) {}

  get contractSize(): Decimal {
    return (this.cs ??= dec(this.inst.contractSize));
  }

  /** contractSize is exactly 1. */
  get unitContract(): boolean {
    return (this.unit ??= this.contractSize.eq(ONE));
  }

  get minQuantity(): Decimal {
    return (this.min ??= dec(this.inst.minQuantity));
  }

  /** Decimal places of the mark: one digit finer than the tick. */
  get markPlaces(): number {
    return (this.markDp ??= stepDecimals(this.inst.tickSize) + 1);
  }

  /** `roundToStep(v, tickSize, mode)` (the same value; `v` itself when it is on the grid already). */
  toTick(v: Decimal, mode: RoundingMode = 'nearest'): Decimal {
    if (this.tickDp === undefined) this.tickDp = powerOfTenPlaces(this.inst.tickSize) ?? null;
    return this.tickDp === null ? roundToStep(v, this.inst.tickSize, mode) : toPlaces(v, this.tickDp, mode);
  }

  /** The lot size is 1, 0.1, 0.01, …: rounding to it is rounding to decimal places. */
  get lotIsPowerOfTen(): boolean {
    if (this.lotDp === undefined) this.lotDp = powerOfTenPlaces(this.inst.lotSize) ?? null;
    return this.lotDp !== null;
  }

  /** `roundToStep(v, lotSize, mode)` (the same value; `v` itself when it is on the grid already). */
  toLot(v: Decimal, mode: RoundingMode): Decimal {
    if (this.lotDp === undefined) this.lotDp = powerOfTenPlaces(this.inst.lotSize) ?? null;
    return this.lotDp === null ? roundToStep(v, this.inst.lotSize, mode) : toPlaces(v, this.lotDp, mode);
  }
}

/** v rounded to `places` decimals; a value with no more decimals than that is already rounded. */
export function toPlaces(v: Decimal, places: number, mode: RoundingMode = 'nearest'): Decimal {
  return v.decimalPlaces() <= places ? v : v.toDecimalPlaces(places, ROUNDING[mode]);
}

const factsByConfig = new WeakMap<RiskConfig, Map<string, InstrumentFacts | null>>();

/** Instrument metadata for `symbol` under `cfg`'s overrides, or undefined for a symbol `instrumentFor` does not know. */
export function instrumentFacts(symbol: string, cfg: RiskConfig): InstrumentFacts | undefined {
  let bySymbol = factsByConfig.get(cfg);
  if (bySymbol === undefined) {
    bySymbol = new Map();
    factsByConfig.set(cfg, bySymbol);
  }
  let facts = bySymbol.get(symbol);
  if (facts === undefined) {
    let inst: Instrument | undefined;
    try {
      inst = instrumentFor(symbol, cfg.instruments[symbol.toUpperCase()] ?? {});
    } catch {
      inst = undefined;
    }
    facts = inst === undefined ? null : new InstrumentFacts(inst);
    bySymbol.set(symbol, facts);
  }
  return facts ?? undefined;
}

/** The configuration's numbers as the Decimals the checks compare against (each exactly `new Decimal(field)`). */
export interface Limits {
  readonly riskPerTrade: Decimal;
  readonly maxPositionPct: Decimal;
  readonly maxExposurePct: Decimal;
  readonly dailyLossLimitPct: Decimal;
  readonly maxOrderValue: Decimal;
  readonly maxOrderQuantity: Decimal;
  readonly riskLevelLowMaxFraction: Decimal;
  readonly riskLevelHighAboveFraction: Decimal;
  readonly riskLevelLowMaxUtilisation: Decimal;
  readonly riskLevelHighAboveUtilisation: Decimal;
  /** −(start-of-day equity × dailyLossLimitPct) for the last start-of-day equity seen. */
  lossFloorFor: Decimal | undefined;
  lossFloor: Decimal | undefined;
}

const limitsByConfig = new WeakMap<RiskConfig, Limits>();

export function limitsOf(cfg: RiskConfig): Limits {
  let l = limitsByConfig.get(cfg);
  if (l === undefined) {
    l = {
      riskPerTrade: new Decimal(cfg.riskPerTrade),
      maxPositionPct: new Decimal(cfg.maxPositionPct),
      maxExposurePct: new Decimal(cfg.maxExposurePct),
      dailyLossLimitPct: new Decimal(cfg.dailyLossLimitPct),
      maxOrderValue: new Decimal(cfg.maxOrderValue),
      maxOrderQuantity: new Decimal(cfg.maxOrderQuantity),
      riskLevelLowMaxFraction: new Decimal(cfg.riskLevelLowMaxFraction),
      riskLevelHighAboveFraction: new Decimal(cfg.riskLevelHighAboveFraction),
      riskLevelLowMaxUtilisation: new Decimal(cfg.riskLevelLowMaxUtilisation),
      riskLevelHighAboveUtilisation: new Decimal(cfg.riskLevelHighAboveUtilisation),
      lossFloorFor: undefined,
      lossFloor: undefined,
    };
    limitsByConfig.set(cfg, l);
  }
  return l;
}

/**
 * −(startOfDayEquity × dailyLossLimitPct). The daily-loss check "−realised ≥ limit" is the
 * same comparison as "realised ≤ −limit" (negation is exact); the floor changes once a day.
 */
export function dailyLossFloor(l: Limits, startOfDayEquity: Decimal): Decimal {
  if (l.lossFloorFor !== startOfDayEquity || l.lossFloor === undefined) {
    l.lossFloor = startOfDayEquity.mul(l.dailyLossLimitPct).neg();
    l.lossFloorFor = startOfDayEquity;
  }
  return l.lossFloor;
}

/**
 * `moneyStr(v, currency)` in one rounding. toFixed prints a minus sign whenever the unrounded
 * value is negative, even if it rounds to zero, so negative values keep moneyStr's two steps.
 */
export function moneyText(v: Decimal, currency: string): string {
  const dp = currencyDecimals(currency);
  return v.isNeg() ? v.toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN).toFixed(dp) : v.toFixed(dp, Decimal.ROUND_HALF_EVEN);
}

/**
 * Compares round(num / den) — the division rounded to the 40-digit precision, as
 * `num.div(den)` computes it — with `t`, without dividing: -1, 0 or 1, or undefined when this
 * shortcut cannot decide and the caller must divide. Requires den > 0 and t > 0.
 *
 * den × t is exact when the digits fit the precision, so num ⋚ den × t is the sign of
 * num/den − t exactly. Rounding could only turn num/den ≠ t into t itself if they were within
 * half a 40-digit ulp of t, at most 10^(t.e − 39) apart. But num − den·t, when not zero, is a
 * multiple of 10^−D (D: the larger number of decimals of the two), so num/den and t are at
 * least 10^−D / den > 10^(−D − den.e − 1) apart; with D + den.e + t.e ≤ 38 that exceeds the
 * ulp and the exact sign is the rounded sign.
 */
export function compareQuotient(num: Decimal, den: Decimal, t: Decimal): number | undefined {
  if (!(den.sd() + t.sd() <= PRECISION)) return undefined;
  const product = den.mul(t);
  const c = num.cmp(product);
  if (c === 0) return 0;
  const places = Math.max(num.decimalPlaces(), product.decimalPlaces());
  return places + den.e + t.e <= PRECISION - 2 ? c : undefined;
}
