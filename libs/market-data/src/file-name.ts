import { instrumentFor, isTimeframe, Timeframe } from '@tradeloop/kernel';

/** What a shared-data file name says about its contents (`EURUSD_OANDA_1m_quotebars_…`). */
export interface FileNameHints {
  readonly symbol?: string;
  readonly venue?: string;
  readonly timeframe?: Timeframe;
  /** Market-type token when present: `spot`, `usdmperp`, `coinmperp`, `linearperp`, … */
  readonly market?: string;
}

/**
 * What a market named outside a file name (tradeloop backtest --symbol/--venue, the market-data
 * service's MARKET_DATA_SYMBOL/_VENUE) may be: what a file name can say, at most 32 characters.
 * A venue becomes a subject token (md.batch.<venue>.<symbol>), so no dots or wildcards in it.
 */
export const MARKET_SYMBOL = { pattern: /^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$/, rule: 'a symbol like EURUSD or BTC-PERP (letters, digits, . and -; at most 32 characters)' };
export const MARKET_VENUE = { pattern: /^[A-Za-z][A-Za-z0-9]{0,31}$/, rule: 'a venue like OANDA (letters and digits, starting with a letter; at most 32 characters)' };

/**
 * Says of files whose names do not say their market (`mydata.csv`) that they do not, for the
 * errors of tradeloop backtest and the market-data service, which go on to say how to name it.
 */
export function unnamedFilesText(files: readonly string[]): string {
  const one = files.length === 1;
  return `${files.join(', ')} ${one ? 'does' : 'do'} not say ${one ? 'its' : 'their'} symbol and venue in the name (SYMBOL_VENUE_…, like EURUSD_OANDA_1m.csv)`;
}

const MARKET_TOKENS = new Set(['spot', 'perp', 'usdmperp', 'coinmperp', 'linearperp', 'inverseperp', 'margin', 'futures']);
/**
 * Market tokens of coin-margined (inverse) contracts: quoted in USD but margined and settled in
 * the base coin, a contract worth a fixed number of USD, so P&L is in the coin:
 * contracts × contract value × (1/entry − 1/exit).
 */
export const INVERSE_MARKETS: ReadonlySet<string> = new Set(['coinmperp', 'inverseperp']);
const SYMBOL_TOKEN = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const VENUE_TOKEN = /^[A-Za-z][A-Za-z0-9]*$/;

/** Base name without directory and without a `.csv` extension. */
export function baseName(fileName: string): string {
  const slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  return slash >= 0 ? fileName.slice(slash + 1) : fileName;
}

/**
 * `<SYMBOL>_<VENUE>[_<market>][_<timeframe>]_…`. Perpetuals get a `-PERP` suffix
 * (`BTCUSDT_BINANCE_usdmperp_…` → `BTCUSDT-PERP`): the same venue lists spot and perp under
 * one ticker, and without the suffix their bars would share ids and subjects although the
 * prices differ (perp − spot was about −23 USDT on 2024-08-08).
 */
export function inferFromFileName(fileName: string): FileNameHints {
  const stem = baseName(fileName).replace(/\.csv$/i, '');
  const tokens = stem.split('_');
  if (tokens.length < 2 || !SYMBOL_TOKEN.test(tokens[0]) || !VENUE_TOKEN.test(tokens[1])) return {};
  let symbol = tokens[0].toUpperCase();
  const venue = tokens[1].toUpperCase();
  const marketToken = tokens.length > 2 ? tokens[2].toLowerCase() : '';
  const market = MARKET_TOKENS.has(marketToken) ? marketToken : undefined;
  if (market !== undefined && market.endsWith('perp') && !symbol.includes('PERP')) symbol = `${symbol}-PERP`;
  let timeframe: Timeframe | undefined;
  for (let i = 2; i < tokens.length; i++) {
    if (isTimeframe(tokens[i])) {
      timeframe = tokens[i] as Timeframe;
      break;
    }
  }
  return { symbol, venue, ...(timeframe !== undefined && { timeframe }), ...(market !== undefined && { market }) };
}

/**
 * Why a coin-margined (inverse) contract's file is refused — by `tradeloop backtest`/`replay` and
 * the market-data service alike: risk, the paper broker and the account treat every instrument as
 * linear, P&L in its quote currency, so an inverse contract would get a plausible P&L that is
 * simply wrong. `remedy` says how to leave it out where it was given.
 */
export function inverseContractText(file: string, symbol: string, venue: string, remedy: string): string {
  let coin = symbol.slice(0, 3);
  let quote = 'USD';
  try {
    const inst = instrumentFor(symbol);
    coin = inst.baseCurrency;
    quote = inst.quoteCurrency;
  } catch {
    // An unknown symbol: the name's first three letters and USD, as the message's example.
  }
  return (
    `${file} holds ${symbol}@${venue}, a coin-margined (inverse) contract: its P&L is in ${coin}, ` +
    `contracts × contract value × (1/entry − 1/exit), and inverse contracts are not modelled yet ` +
    `(it would be traded as a linear contract of 1 ${coin} with P&L in ${quote}). ${remedy}`
  );
}
