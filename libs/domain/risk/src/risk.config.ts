import { assertKnownFields, type InstrumentOverrides } from '@tradeloop/kernel';

/**
 * Risk limits for one account. Fractions are of current equity (cash + unrealised P&L of
 * open positions marked at the last price) unless a field says otherwise. Money limits are
 * in the account currency; decimal strings so they are exact.
 */
export interface RiskConfig {
  /** Cash before the first AccountUpdated arrives, decimal string. */
  readonly startingCash: string;
  /** Currency of cash and of every money limit; replaced by AccountUpdated.currency. */
  readonly accountCurrency: string;
  /** Fraction of equity put at risk (entry to stop) by a full-size strategy entry. */
  readonly riskPerTrade: number;
  /** Largest position notional on one symbol, as a fraction of equity; strategy entries are capped to it. */
  readonly maxPositionPct: number;
  /** Largest gross exposure (positions + every approved-but-not-terminal order), as a fraction of equity. */
  readonly maxExposurePct: number;
  /** Approvals of orders that add risk, per UTC day (an order that only reduces a position is neither counted nor refused). */
  readonly dailyTradeLimit: number;
  /** New entries stop once today's realised loss reaches this fraction of start-of-day equity. */
  readonly dailyLossLimitPct: number;
  /** New entries stop after this many consecutive losing closed positions. */
  readonly lossStreakLimit: number;
  /**
   * Whether the loss streak also resets at the next UTC day (it always resets on a win).
   * Default true: with the streak blocking every new entry, no new trade could ever win it
   * back, so without a daily reset the account would stay blocked until someone restarts it
   * with new settings.
   */
  readonly lossStreakResetsDaily: boolean;
  /** No new entry on a symbol for this long after a losing close on it. */
  readonly cooldownMs: number;
  /** Per-order notional cap (account currency), decimal string. */
  readonly maxOrderValue: string;
  /** Per-order quantity cap (instrument units), decimal string. */
  readonly maxOrderQuantity: string;
  /**
   * A price older than this (input ts minus last bar ts) is too stale to size or collar against;
   * on bars longer than this, a price is stale only once it is older than one of its bars.
   */
  readonly stalePriceMs: number;
  /** Limit and stop prices may be at most this fraction away from the last price. */
  readonly collarPct: number;
  /** Approvals of orders that add risk allowed in any trailing 60 seconds (reductions are neither counted nor refused). */
  readonly maxOrdersPerMinute: number;
  /**
   * Risk level of an approval. riskFraction = money at risk to the stop / equity (the whole
   * notional when an order carries no stop); utilisation = gross exposure after the order /
   * (maxExposurePct × equity).
   * LOW: riskFraction ≤ riskLevelLowMaxFraction and utilisation ≤ riskLevelLowMaxUtilisation.
   * HIGH: riskFraction > riskLevelHighAboveFraction or utilisation > riskLevelHighAboveUtilisation.
   * MEDIUM otherwise. Defaults: a half-size strategy entry is LOW, a full-size one MEDIUM,
   * anything above the per-trade budget or past 80 % of the exposure cap HIGH.
   */
  readonly riskLevelLowMaxFraction: number;
  readonly riskLevelHighAboveFraction: number;
  readonly riskLevelLowMaxUtilisation: number;
  readonly riskLevelHighAboveUtilisation: number;
  /**
   * Instrument metadata overrides by symbol (upper case), passed to `instrumentFor`. The
   * executor must use the same overrides, or sizes will not be on its lot grid.
   */
  readonly instruments: Readonly<Record<string, InstrumentOverrides>>;
}

export const defaultRiskConfig: RiskConfig = Object.freeze({
  startingCash: '100000',
  accountCurrency: 'USD',
  riskPerTrade: 0.01,
  maxPositionPct: 0.25,
  maxExposurePct: 1.0,
  dailyTradeLimit: 50,
  dailyLossLimitPct: 0.03,
  lossStreakLimit: 5,
  lossStreakResetsDaily: true,
  cooldownMs: 15 * 60_000,
  maxOrderValue: '1000000',
  maxOrderQuantity: '10000000',
  stalePriceMs: 15 * 60_000,
  collarPct: 0.05,
  maxOrdersPerMinute: 30,
  riskLevelLowMaxFraction: 0.005,
  riskLevelHighAboveFraction: 0.01,
  riskLevelLowMaxUtilisation: 0.5,
  riskLevelHighAboveUtilisation: 0.8,
  instruments: Object.freeze({}),
});

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

function fail(field: keyof RiskConfig, rule: string, value: unknown): never {
  throw new RangeError(`risk config: ${field} ${rule}, got ${JSON.stringify(value)}`);
}

function fraction(c: RiskConfig, field: keyof RiskConfig, max: number): void {
  const v = c[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) fail(field, `must be a number in (0, ${max}]`, v);
}

function count(c: RiskConfig, field: keyof RiskConfig, min: number): void {
  const v = c[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(field, `must be an integer ≥ ${min}`, v);
}

function decimalString(c: RiskConfig, field: keyof RiskConfig, positive: boolean): void {
  const v = c[field];
  if (typeof v !== 'string' || !PLAIN_DECIMAL.test(v) || (positive && Number(v) <= 0)) {
    fail(field, positive ? 'must be a positive decimal string' : 'must be a non-negative decimal string', v);
  }
}

/** Merges `overrides` onto the defaults and validates; a bad field is a RangeError naming it. */
export function resolveRiskConfig(overrides: Partial<RiskConfig> = {}): RiskConfig {
  assertKnownFields('risk', overrides, defaultRiskConfig);
  const c: RiskConfig = { ...defaultRiskConfig, ...stripUndefined(overrides) };
  decimalString(c, 'startingCash', false);
  if (typeof c.accountCurrency !== 'string' || !/^[A-Z]{3,5}$/.test(c.accountCurrency)) {
    fail('accountCurrency', 'must be a 3–5 letter upper-case currency code', c.accountCurrency);
  }
  fraction(c, 'riskPerTrade', 1);
  fraction(c, 'maxPositionPct', 100);
  fraction(c, 'maxExposurePct', 100);
  count(c, 'dailyTradeLimit', 0);
  fraction(c, 'dailyLossLimitPct', 1);
  count(c, 'lossStreakLimit', 1);
  if (typeof c.lossStreakResetsDaily !== 'boolean') fail('lossStreakResetsDaily', 'must be a boolean', c.lossStreakResetsDaily);
  count(c, 'cooldownMs', 0);
  decimalString(c, 'maxOrderValue', true);
  decimalString(c, 'maxOrderQuantity', true);
  count(c, 'stalePriceMs', 1);
  fraction(c, 'collarPct', 1);
  count(c, 'maxOrdersPerMinute', 1);
  fraction(c, 'riskLevelLowMaxFraction', 1);
  fraction(c, 'riskLevelHighAboveFraction', 1);
  fraction(c, 'riskLevelLowMaxUtilisation', 1);
  fraction(c, 'riskLevelHighAboveUtilisation', 1);
  if (c.riskLevelLowMaxFraction > c.riskLevelHighAboveFraction) {
    fail('riskLevelLowMaxFraction', 'must not exceed riskLevelHighAboveFraction', c.riskLevelLowMaxFraction);
  }
  if (c.riskLevelLowMaxUtilisation > c.riskLevelHighAboveUtilisation) {
    fail('riskLevelLowMaxUtilisation', 'must not exceed riskLevelHighAboveUtilisation', c.riskLevelLowMaxUtilisation);
  }
  if (c.instruments === null || typeof c.instruments !== 'object' || Array.isArray(c.instruments)) {
    fail('instruments', 'must be an object of per-symbol overrides', c.instruments);
  }
  return Object.freeze(c);
}

/** `{ x: undefined }` from an env-var parser must not erase a default. */
function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
