import { InvalidArgumentError } from 'commander';
import { dec, isTimeframe, Timeframe } from '@tradeloop/kernel';
import { EXECUTION_MODES, ExecutionMode } from '@tradeloop/contracts';
import { MARKET_SYMBOL, MARKET_VENUE, parseUtcTimestamp } from '@tradeloop/market-data';

/** Argument parsers: each names the option and what it expected, so a typo is obvious. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?)?$/;

export function parseIsoTime(name: string) {
  return (value: string): number => {
    if (!ISO_UTC.test(value)) {
      throw new InvalidArgumentError(`${name} expects an ISO-8601 UTC time like 2014-05-01T00:00:00Z, got "${value}"`);
    }
    // Completed to YYYY-MM-DDTHH:MM:SS[.f]Z and read as the data files' timestamps are: strictly.
    // Date.parse rolls an impossible date over (2014-04-31 → 2014-05-01, T24:00 → the next day),
    // which would run a window the user never asked for.
    const date = value.slice(0, 10);
    const time = value.length === 10 ? '00:00:00' : value.slice(11).replace(/Z$/, '');
    const ms = parseUtcTimestamp(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
    if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${name}: "${value}" is not a valid date and time`);
    return ms;
  };
}

export function parseNumber(name: string, min: number, max: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`${name} expects a number, got "${value}"`);
    }
    if (integer && !Number.isInteger(n)) throw new InvalidArgumentError(`${name} expects a whole number, got "${value}"`);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${value}`);
    return n;
  };
}

export function parseMoney(name: string) {
  return (value: string): string => {
    if (!/^\d+(\.\d+)?$/.test(value)) {
      throw new InvalidArgumentError(`${name} expects a positive decimal amount like 100000 or 2500.50, got "${value}"`);
    }
    const d = dec(value);
    if (d.lte(0)) throw new InvalidArgumentError(`${name} must be positive, got ${value}`);
    return d.toFixed();
  };
}

export function parseMode(value: string): ExecutionMode {
  if (!(EXECUTION_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--mode must be one of ${EXECUTION_MODES.join(', ')}; got "${value}"`);
  }
  return value as ExecutionMode;
}

export function parseTimeframe(value: string): Timeframe {
  if (!isTimeframe(value)) throw new InvalidArgumentError(`--aggregate expects a timeframe like 1m, 5m, 1h; got "${value}"`);
  return value;
}

export function parseBarTimestamp(value: string): 'open' | 'close' {
  if (value !== 'open' && value !== 'close') {
    throw new InvalidArgumentError(`--bar-timestamp must be "open" or "close", got "${value}"`);
  }
  return value;
}

export function parseCurrency(value: string): string {
  if (!/^[A-Za-z]{3,5}$/.test(value)) throw new InvalidArgumentError(`--currency expects a currency code like USD, EUR or USDT, got "${value}"`);
  return value.toUpperCase();
}

/**
 * --symbol and --venue, by the rule the market-data service applies to MARKET_DATA_SYMBOL and
 * _VENUE: trimmed, and a name a data file could have (a symbol "EUR USD" or a venue "md.batch.>"
 * was taken and written into every bar's id).
 */
export function parseMarket(name: '--symbol' | '--venue') {
  const { pattern, rule } = name === '--symbol' ? MARKET_SYMBOL : MARKET_VENUE;
  return (value: string): string => {
    const trimmed = value.trim();
    if (!pattern.test(trimmed)) throw new InvalidArgumentError(`${name} must be ${rule}, got "${value}"`);
    return trimmed;
  };
}
