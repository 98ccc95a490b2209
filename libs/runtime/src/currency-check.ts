import { conversionPairs, instrumentFor, linkingSymbols, sameMoney } from '@tradeloop/kernel';

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
    if (sameMoney(quote, account) || conversionPairs(quote, account).some((p) => all.has(p.symbol))) continue;
    lines.push(
      `${symbol} is quoted in ${quote} and nothing in the data converts ${quote} into the account currency ${account} ` +
        `(add ${linkingSymbols(quote, account)} data): its orders will be denied`,
    );
  }
  return lines;
}
