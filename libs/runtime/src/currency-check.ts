import { conversionPairs, instrumentFor, sameMoney } from '@tradeloop/kernel';

/**
 * The instruments among `symbols` quoted in a currency that nothing among `symbols` converts
 * into `account` (neither the instrument itself, like USDJPY for a USD account, nor another
 * pair): risk denies every order on them (NO_MARKET_PRICE), so a run says so before it starts.
 * One line each, naming the pairs that would help. Unknown symbols are left to risk to name.
 */
export function unconvertibleInstruments(symbols: Iterable<string>, account: string): string[] {
  const all = new Set(symbols);
  const lines: string[] = [];
  for (const symbol of all) {
    let quote: string;
    try {
      quote = instrumentFor(symbol).quoteCurrency;
    } catch {
      continue;
    }
    const pairs = conversionPairs(quote, account);
    if (sameMoney(quote, account) || pairs.some((p) => all.has(p.symbol))) continue;
    const wanted = pairs
      .slice(0, 2)
      .map((p) => p.symbol)
      .join(' or ');
    lines.push(`${symbol} is quoted in ${quote} and nothing in the data converts ${quote} into the account currency ${account} (add ${wanted} data): its orders will be denied`);
  }
  return lines;
}
