import DecimalJs from 'decimal.js';

/**
 * Exact decimal arithmetic for prices, quantities and money. A private clone so no other
 * library's global Decimal settings can change our rounding. 40 significant digits is far
 * beyond any notional we handle; rounding to a currency's minor unit or an instrument's
 * tick/lot is always explicit (see `roundToStep`, `roundMoney`).
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = DecimalJs;
export type DecimalLike = DecimalJs | string | number;

export const ZERO = new Decimal(0);

export function dec(value: DecimalLike): Decimal {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  return new Decimal(value);
}

export type RoundingMode = 'down' | 'up' | 'nearest';

/** Rounds `value` to a multiple of `step` (a tick size or lot size). */
export function roundToStep(value: DecimalLike, step: DecimalLike, mode: RoundingMode = 'nearest'): Decimal {
  const v = dec(value);
  const s = dec(step);
  if (s.lte(0)) throw new RangeError(`step must be positive, got ${s.toString()}`);
  const q = v.div(s);
  const n =
    mode === 'down'
      ? q.toDecimalPlaces(0, Decimal.ROUND_FLOOR)
      : mode === 'up'
        ? q.toDecimalPlaces(0, Decimal.ROUND_CEIL)
        : q.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return n.mul(s);
}

/**
 * Minor-unit decimals of the currencies we price in; unknown currencies default to 2. A coin's is
 * its smallest unit as exchanges book it (the satoshi for BTC, as NautilusTrader's currencies):
 * an account or a quote currency in BTC booked in hundredths would round away every fee and most
 * P&L. The USD stablecoins count as USD, to the cent.
 */
const CURRENCY_DECIMALS: Readonly<Record<string, number>> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  AUD: 2,
  CAD: 2,
  NZD: 2,
  JPY: 0,
  USDT: 2,
  USDC: 2,
  BUSD: 2,
  BTC: 8,
  ETH: 8,
  SOL: 8,
  BNB: 8,
  LTC: 8,
  DOGE: 8,
  XRP: 6,
  ADA: 6,
};

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency] ?? 2;
}

/** Rounds a cash amount to the currency's minor unit (half-even, so no bias over many fills). */
export function roundMoney(value: DecimalLike, currency: string): Decimal {
  return dec(value).toDecimalPlaces(currencyDecimals(currency), Decimal.ROUND_HALF_EVEN);
}

/** Canonical decimal string for the wire: no exponent, no trailing zeros beyond the value. */
export function decStr(value: DecimalLike): string {
  return dec(value).toFixed();
}

/** Money string with exactly the currency's minor-unit decimals, e.g. "100000.00". */
export function moneyStr(value: DecimalLike, currency: string): string {
  return roundMoney(value, currency).toFixed(currencyDecimals(currency));
}
