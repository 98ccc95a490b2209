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

const INSTRUMENT_FIELDS: readonly (keyof InstrumentOverrides)[] = [
  'assetClass',
  'baseCurrency',
  'quoteCurrency',
  'tickSize',
  'lotSize',
  'minQuantity',
  'contractSize',
  'priceTolerance',
];

const CRYPTO_BASES = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'BNB', 'LTC'];
const CRYPTO_QUOTES = ['USDT', 'USDC', 'BUSD', 'USD'];
const FIAT = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'CAD', 'NZD'];

/**
 * Base and quote of a crypto symbol. A bare base (`BTC-PERP`, FTX's USD perpetual) is quoted in
 * USD; anything else must name its quote, a stablecoin or a fiat currency. A coin quoted in
 * another coin (ETHBTC) or in a currency not known here is refused, with the reason: its price
 * is not in dollars, and a tick of 0.01 would round ETHBTC's 0.07 to nothing.
 */
function splitCrypto(symbol: string): { base: string; quote: string } | { base: string; problem: string } | undefined {
  const s = symbol.replace(/[-/_]|PERP$/g, '');
  const base = CRYPTO_BASES.find((b) => s.startsWith(b));
  if (!base) return undefined;
  const rest = s.slice(base.length);
  if (rest === '') return { base, quote: 'USD' };
  if (CRYPTO_QUOTES.includes(rest) || FIAT.includes(rest)) return { base, quote: rest };
  if (CRYPTO_BASES.includes(rest)) return { base, problem: `${base} quoted in ${rest}, whose tick and lot sizes are not known here` };
  return { base, problem: `${base} quoted in ${rest}, a currency not known here` };
}

/**
 * Instrument metadata from a symbol, with defaults per asset class. Unknown symbols are an
 * error rather than a guess: a wrong tick size would mis-round every order.
 */
export function instrumentFor(symbol: string, overrides: InstrumentOverrides = {}): Instrument {
  const upper = symbol.toUpperCase();
  // Metadata given in full needs no defaults: the way to trade a symbol nothing here knows.
  if (INSTRUMENT_FIELDS.every((f) => overrides[f] !== undefined)) return { ...(overrides as Omit<Instrument, 'symbol'>), symbol: upper };
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
        `unknown instrument "${symbol}": give its metadata explicitly (all of ${INSTRUMENT_FIELDS.join(', ')})`,
      );
    }
    if ('problem' in c) {
      throw new RangeError(`unknown instrument "${symbol}": ${c.problem}; give its metadata explicitly (all of ${INSTRUMENT_FIELDS.join(', ')})`);
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
