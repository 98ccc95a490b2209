/**
 * Which currencies count as the same money, and which instruments' prices convert one currency
 * into another. Used by risk (sizing and valuation) and by the paper broker (booking P&L and fees
 * of an instrument quoted in another currency than the account's), so both convert alike.
 */

/** USD and the stablecoins an account in USD counts one for one (and an account in one of them counts USD). */
export const USD_ALIASES: readonly string[] = ['USD', 'USDT', 'USDC', 'BUSD'];
const USD_LIKE: ReadonlySet<string> = new Set(USD_ALIASES);

/** Whether amounts in `a` and `b` are the same money: the same currency, or both USD-like. */
export function sameMoney(a: string, b: string): boolean {
  return a === b || (USD_LIKE.has(a) && USD_LIKE.has(b));
}

/** An instrument whose price converts: `inverse` false when its price is the rate, true when the rate is 1 / price. */
export interface ConversionPair {
  readonly symbol: string;
  readonly inverse: boolean;
}

const PAIRS = new Map<string, readonly ConversionPair[]>();

/**
 * The symbols whose last price converts one unit of `from` into `to`, in the order to try them:
 * for `to` (every USD alias in USD_ALIASES order when `to` is USD-like), `from + to` (its price
 * is the rate) and then `to + from` (the rate is one over its price). JPY into USD: JPYUSD,
 * USDJPY, JPYUSDT, USDTJPY, …
 */
export function conversionPairs(from: string, to: string): readonly ConversionPair[] {
  const key = `${from}|${to}`;
  let pairs = PAIRS.get(key);
  if (pairs === undefined) {
    const targets = USD_LIKE.has(to) ? USD_ALIASES : [to];
    pairs = targets.flatMap((t) => [
      { symbol: from + t, inverse: false },
      { symbol: t + from, inverse: true },
    ]);
    PAIRS.set(key, pairs);
  }
  return pairs;
}

/** The two pairs that convert `from` into `to` directly, for messages: "JPYUSD or USDJPY". */
export function linkingSymbols(from: string, to: string): string {
  const [direct, inverse] = conversionPairs(from, to);
  return `${direct.symbol} or ${inverse.symbol}`;
}
