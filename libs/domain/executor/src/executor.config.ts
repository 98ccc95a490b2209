import { currencyDecimals, dec, Decimal, Instrument, InstrumentOverrides, instrumentFor, stepDecimals, assertKnownFields } from '@tradeloop/kernel';
import type { LimitFillRule } from './paper-broker';

export interface ExecutorConfig {
  /** Account balance at the start of the run, a decimal string in the account currency. */
  readonly startingCash: string;
  /**
   * The account currency. Unset: the quote currency of the first accepted order's instrument.
   * Either way one currency per run: instruments quoted in another are booked converted into it
   * (executor.currency.ts), and an order nothing converts yet is rejected.
   */
  readonly currency?: string;
  /** Fee on market and stop fills (liquidity taker), basis points of notional. */
  readonly takerFeeBps: number;
  /** Fee on limit fills (liquidity maker), basis points of notional. */
  readonly makerFeeBps: number;
  /** Adverse price adjustment of market and stop fills, basis points of the fill price. */
  readonly slippageBps: number;
  /** 'through': a limit fills only if the bar trades beyond it; 'touch': reaching it is enough. */
  readonly limitFillRule: LimitFillRule;
  /**
   * A market order is refused when it is placed with the symbol's last price more than this
   * fraction away from the price risk approved it at (OrderApproved.referencePrice): an
   * approval granted long after risk priced the order must not be placed at another market.
   */
  readonly priceCollarPct: number;
  /**
   * Instrument metadata by symbol, passed to `instrumentFor`. Must match risk's overrides, or
   * sizes will be off the lot grid. A symbol `instrumentFor` does not know needs full metadata
   * (assetClass, quoteCurrency, tickSize, lotSize, minQuantity, contractSize).
   */
  readonly instruments: Readonly<Record<string, InstrumentOverrides>>;
}

export const defaultExecutorConfig: ExecutorConfig = Object.freeze({
  startingCash: '100000',
  currency: undefined,
  takerFeeBps: 0,
  makerFeeBps: 0,
  slippageBps: 0,
  limitFillRule: 'through' as LimitFillRule,
  priceCollarPct: 0.05,
  instruments: Object.freeze({}),
});

/** Validated config with the decimals the hot path needs precomputed. */
export interface ResolvedExecutorConfig extends ExecutorConfig {
  readonly startingCashDec: Decimal;
  readonly takerRate: Decimal;
  readonly makerRate: Decimal;
  readonly slippageRate: Decimal;
}

const REQUIRED_FOR_UNKNOWN: readonly (keyof InstrumentOverrides)[] = [
  'assetClass',
  'quoteCurrency',
  'tickSize',
  'lotSize',
  'minQuantity',
  'contractSize',
];
const POSITIVE_DECIMAL_FIELDS: readonly (keyof InstrumentOverrides)[] = ['tickSize', 'lotSize', 'minQuantity', 'contractSize'];

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`executor config: ${field} must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`);
}

const DECIMAL_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * Strings already parsed, shared by every executor in the process. Parsing is a pure function
 * of the string and a Decimal is never changed after it is made, so sharing is unobservable;
 * it saves the syntax check and the decimal.js parse (about 1 µs) each time the same string
 * is read again: an approval's quantity and prices are checked in decide, read again when
 * evolve records the order and again for its bracket. Cleared when full, so a long live run
 * cannot grow it without bound.
 */
const PARSED = new Map<string, Decimal>();
const PARSED_LIMIT = 4096;

/** A finite decimal, or undefined: never throws (decimal.js throws on garbage). */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (typeof value !== 'string') return undefined;
  const known = PARSED.get(value);
  if (known !== undefined) return known;
  const s = value.trim();
  if (!DECIMAL_SYNTAX.test(s)) return undefined;
  let d: Decimal;
  try {
    d = dec(s);
  } catch {
    return undefined;
  }
  if (!d.isFinite()) return undefined;
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(value, d);
  return d;
}

/** Decimal places of `step` when it is a power of ten 10^-k (k ≥ 0), else -1. */
export function powerOfTenPlaces(step: Decimal): number {
  const k = step.decimalPlaces();
  return step.eq(new Decimal(`1e-${k}`)) ? k : -1;
}

/** `x` is a whole multiple of `step`; `places` is `powerOfTenPlaces(step)`. */
export function isMultipleOf(x: Decimal, step: Decimal, places: number): boolean {
  // For a step of 10^-k this is "at most k decimals", which needs no division.
  return places >= 0 ? x.decimalPlaces() <= places : x.mod(step).isZero();
}

/** What the executor derives from an instrument, computed once per symbol. */
export interface SymbolSpec {
  readonly instrument: Instrument;
  readonly tick: Decimal;
  /** k when the tick is 10^-k, else -1. */
  readonly tickPlaces: number;
  readonly lot: Decimal;
  readonly lotPlaces: number;
  readonly minQuantity: Decimal;
  readonly contractSize: Decimal;
  readonly contractSizeF: number;
  /** Contract size is exactly 1: multiplying by it changes nothing and is skipped. */
  readonly unitContract: boolean;
  /** Decimals kept of a float excursion: a few below the tick, to cut float noise. */
  readonly excursionDigits: number;
}

export function symbolSpecOf(instrument: Instrument): SymbolSpec {
  const tick = dec(instrument.tickSize);
  const lot = dec(instrument.lotSize);
  const contractSize = dec(instrument.contractSize);
  return {
    instrument,
    tick,
    tickPlaces: powerOfTenPlaces(tick),
    lot,
    lotPlaces: powerOfTenPlaces(lot),
    minQuantity: dec(instrument.minQuantity),
    contractSize,
    contractSizeF: contractSize.toNumber(),
    unitContract: contractSize.eq(1),
    excursionDigits: Math.min(15, stepDecimals(instrument.tickSize) + 4),
  };
}

function bps(field: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= max) fail(field, `a number of basis points in [0, ${max})`, v);
  return v;
}

/**
 * Instrument metadata for `symbol`: the kernel's defaults with the configured overrides, or,
 * for a symbol the kernel does not know, the overrides alone when they are complete.
 * Throws a RangeError naming what is missing.
 */
export function resolveInstrument(symbol: string, overrides: Readonly<Record<string, InstrumentOverrides>>): Instrument {
  const upper = symbol.toUpperCase();
  const o = overrides[symbol] ?? overrides[upper];
  try {
    return instrumentFor(symbol, o);
  } catch (e) {
    if (o === undefined) throw e;
    const missing = REQUIRED_FOR_UNKNOWN.filter((k) => o[k] === undefined);
    if (missing.length > 0) {
      throw new RangeError(`unknown instrument "${symbol}": its overrides lack ${missing.join(', ')}`);
    }
    return {
      baseCurrency: upper,
      priceTolerance: 0,
      ...(o as Required<Pick<InstrumentOverrides, 'assetClass' | 'quoteCurrency' | 'tickSize' | 'lotSize' | 'minQuantity' | 'contractSize'>>),
      symbol: upper,
    } as Instrument;
  }
}

/** Merges `partial` over the defaults and validates; an invalid field is a RangeError naming it. */
export function resolveExecutorConfig(partial: Partial<ExecutorConfig> = {}): ResolvedExecutorConfig {
  assertKnownFields('executor', partial, defaultExecutorConfig);
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<ExecutorConfig>;
  const c: ExecutorConfig = { ...defaultExecutorConfig, ...defined };

  const start = parseDecimal(c.startingCash);
  if (start === undefined || start.isNeg()) fail('startingCash', 'a non-negative decimal string', c.startingCash);
  if (c.currency !== undefined) {
    if (typeof c.currency !== 'string' || !/^[A-Z]{3,5}$/.test(c.currency)) fail('currency', 'a currency code such as "USD"', c.currency);
    if (start.decimalPlaces() > currencyDecimals(c.currency)) {
      fail('startingCash', `an amount with at most ${currencyDecimals(c.currency)} decimals in ${c.currency}`, c.startingCash);
    }
  }
  bps('takerFeeBps', c.takerFeeBps, 10_000);
  bps('makerFeeBps', c.makerFeeBps, 10_000);
  // 10 000 bps would price a sell at zero.
  bps('slippageBps', c.slippageBps, 10_000);
  if (c.limitFillRule !== 'through' && c.limitFillRule !== 'touch') fail('limitFillRule', '"through" or "touch"', c.limitFillRule);
  if (typeof c.priceCollarPct !== 'number' || !Number.isFinite(c.priceCollarPct) || c.priceCollarPct <= 0 || c.priceCollarPct > 1) {
    fail('priceCollarPct', 'a fraction in (0, 1]', c.priceCollarPct);
  }
  if (typeof c.instruments !== 'object' || c.instruments === null) fail('instruments', 'an object keyed by symbol', c.instruments);
  for (const [symbol, o] of Object.entries(c.instruments)) {
    if (typeof o !== 'object' || o === null) fail(`instruments.${symbol}`, 'an object of instrument overrides', o);
    for (const f of POSITIVE_DECIMAL_FIELDS) {
      const v = o[f];
      if (v === undefined) continue;
      const d = parseDecimal(v);
      if (d === undefined || !d.gt(0)) fail(`instruments.${symbol}.${f}`, 'a positive decimal string', v);
    }
    try {
      resolveInstrument(symbol, c.instruments);
    } catch (e) {
      fail(`instruments.${symbol}`, 'complete metadata for a symbol the kernel does not know', (e as Error).message);
    }
  }

  const e4 = new Decimal(10_000);
  return {
    ...c,
    startingCashDec: start,
    takerRate: new Decimal(c.takerFeeBps).div(e4),
    makerRate: new Decimal(c.makerFeeBps).div(e4),
    slippageRate: new Decimal(c.slippageBps).div(e4),
  };
}
