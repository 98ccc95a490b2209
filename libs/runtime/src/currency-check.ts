import { conversionPairs, linkingSymbols, sameMoney, type InstrumentOverrides } from '@tradeloop/kernel';
import { resolveInstrument } from '@tradeloop/executor';

/**
 * The instruments among `symbols` quoted in a currency that nothing among `symbols` converts
 * into `account` (neither the instrument itself, like USDJPY for a USD account, nor another
 * pair): risk denies every order on them (NO_MARKET_PRICE), so a run says so before it starts.
 * One line each, naming the pairs that would help. Unknown symbols are left to risk to name.
 * `instruments`: the run's overrides (an instrument may be quoted in another currency there).
 */
export function unconvertibleInstruments(symbols: Iterable<string>, account: string, instruments: Readonly<Record<string, InstrumentOverrides>> = {}): string[] {
  const all = new Set(symbols);
  const lines: string[] = [];
  for (const symbol of all) {
    let quote: string;
    try {
      quote = resolveInstrument(symbol, instruments).quoteCurrency;
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
