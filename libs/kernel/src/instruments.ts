import { dec, Decimal } from './money';

export type AssetClass = 'forex' | 'metal' | 'crypto' | 'equity' | 'index';

export interface Instrument {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly baseCurrency: string;
  /** P&L and cash for this instrument are in the quote currency. */
  readonly quoteCurrency: string;
  /** Smallest price increment, as a decimal string. */
  readonly tickSize: string;
  /** Quantity step (lot size), as a decimal string. */
  readonly lotSize: string;
  readonly minQuantity: string;
  /** Units of the base asset per 1 quantity (1 for spot units, e.g. 100 for a 100-oz contract). */
  readonly contractSize: string;
  /**
   * How close two prices must be to count as "the same level" (swing-level tests, plan
   * triggers): forex 0.001, gold 5, BTC 100 by default; configurable per instrument.
   */
  readonly priceTolerance: number;
}

export type InstrumentOverrides = Partial<Omit<Instrument, 'symbol'>>;

const CRYPTO_BASES = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'BNB', 'LTC'];
const CRYPTO_QUOTES = ['USDT', 'USDC', 'BUSD', 'USD'];
const FIAT = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'CAD', 'NZD'];

function splitCrypto(symbol: string): { base: string; quote: string } | undefined {
  const s = symbol.replace(/[-/_]|PERP$/g, '');
  const base = CRYPTO_BASES.find((b) => s.startsWith(b));
  if (!base) return undefined;
  const rest = s.slice(base.length);
  const quote = CRYPTO_QUOTES.find((q) => rest === q) ?? 'USD';
  return { base, quote };
}

/**
 * Instrument metadata from a symbol, with defaults per asset class. Unknown symbols are an
 * error rather than a guess: a wrong tick size would mis-round every order.
 */
export function instrumentFor(symbol: string, overrides: InstrumentOverrides = {}): Instrument {
  const upper = symbol.toUpperCase();
  let base: Instrument;
  if (upper === 'XAUUSD' || upper === 'XAGUSD') {
    base = {
      symbol: upper,
      assetClass: 'metal',
      baseCurrency: upper.slice(0, 3),
      quoteCurrency: 'USD',
      tickSize: upper === 'XAUUSD' ? '0.001' : '0.0001',
      lotSize: '1',
      minQuantity: '1',
      contractSize: '1',
      priceTolerance: upper === 'XAUUSD' ? 5 : 0.1,
    };
  } else if (upper.length === 6 && FIAT.includes(upper.slice(0, 3)) && FIAT.includes(upper.slice(3))) {
    const jpy = upper.endsWith('JPY');
    base = {
      symbol: upper,
      assetClass: 'forex',
      baseCurrency: upper.slice(0, 3),
      quoteCurrency: upper.slice(3),
      tickSize: jpy ? '0.001' : '0.00001',
      lotSize: '1',
      minQuantity: '1',
      contractSize: '1',
      // 10 pips either way; JPY pairs quote 100× larger.
      priceTolerance: jpy ? 0.1 : 0.001,
    };
  } else {
    const c = splitCrypto(upper);
    if (!c) {
      throw new RangeError(
        `unknown instrument "${symbol}": give its metadata explicitly (tickSize, lotSize, assetClass, …)`,
      );
    }
    base = {
      symbol: upper,
      assetClass: 'crypto',
      baseCurrency: c.base,
      quoteCurrency: c.quote,
      tickSize: '0.01',
      lotSize: c.base === 'BTC' ? '0.00001' : '0.0001',
      minQuantity: c.base === 'BTC' ? '0.00001' : '0.0001',
      contractSize: '1',
      priceTolerance: c.base === 'BTC' ? 100 : c.base === 'ETH' ? 10 : 1,
    };
  }
  return { ...base, ...overrides, symbol: upper };
}

/** Decimal places of a step such as "0.00001" → 5. */
export function stepDecimals(step: string): number {
  return Math.max(0, dec(step).decimalPlaces());
}

export function tick(inst: Instrument): Decimal {
  return dec(inst.tickSize);
}

/**
 * The key of one market, a venue's symbol: a position, a price or a data file's bars belong to
 * one. Venues are letters and digits, so `|` cannot occur in one.
 */
export function marketKey(venue: string, symbol: string): string {
  return `${venue}|${symbol}`;
}
