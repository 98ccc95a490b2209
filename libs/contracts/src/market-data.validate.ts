import { err, isTimeframe, ok, type Result } from '@tradeloop/kernel';
import { CATALOG, type Message } from './catalog';
import { decodeMessage, ROOT_PATH, type FieldError } from './decode';
import { SIDES } from './messages';
import { MAX_ID_LENGTH } from './schemas/envelope.schema';

/*
 * A hand-written decoder for the market-data hot path. decodeMessage (class-transformer +
 * class-validator) costs ~100+ µs per message; batches of bars and ticks arrive by the
 * thousand, so validating them that way caps a consumer at a few thousand bars per second.
 *
 * decodeMarketData enforces the rules of EnvelopeSchema and of the BarClosed, QuoteTick and
 * TradeTick payload schemas (schemas/envelope.schema.ts, schemas/market-data.schema.ts, the
 * decorators in schemas/decorators.ts) and reports the same errors, with the same paths, the
 * same messages, in the same order. Everything else goes through decodeMessage itself:
 * BookSnapshot (nested levels, rare), any other or malformed `type`, and objects that are not
 * plain data (class instances), whose handling depends on class-transformer's quirks.
 * market-data.validate.unit.spec.ts holds the two paths against each other.
 *
 * The one deliberate difference: decodeMessage lets an unknown field through when its name is
 * an Object.prototype member (`hasOwnProperty` at the root; `toString`, `valueOf`, … in
 * `data`), because class-validator's whitelist looks names up in a plain `{}` and
 * class-transformer skips names the schema instance inherits a method for. Here every field
 * the schema does not declare is an unknown field.
 *
 * When a schema or a decorator changes, change this file with it: the differential tests fail
 * until both agree.
 */

export type MarketDataType = 'BarClosed' | 'QuoteTick' | 'TradeTick' | 'BookSnapshot';
export type MarketDataMessage = Message<MarketDataType>;

export const MARKET_DATA_TYPES: readonly MarketDataType[] = ['BarClosed', 'QuoteTick', 'TradeTick', 'BookSnapshot'];

export function isMarketDataType(type: unknown): type is MarketDataType {
  return type === 'BarClosed' || type === 'QuoteTick' || type === 'TradeTick' || type === 'BookSnapshot';
}

/** Same as decode.ts: deeper than any message, shallow enough to keep a hostile input off the stack. */
const MAX_DEPTH = 16;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// The decorators' messages (schemas/decorators.ts); a missing field is always 'is required'.
const REQUIRED = 'is required';
const UNKNOWN = 'unknown field';
const ID = `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
const NON_EMPTY_STRING = 'must be a non-empty string';
const POSITIVE_INTEGER = 'must be an integer ≥ 1';
const EPOCH_MS = 'must be epoch milliseconds (an integer ≥ 0)';
const OBJECT = 'must be an object';
const PRICE = 'must be a positive number';
const NON_NEGATIVE = 'must be a number ≥ 0';
const TIMEFRAME = 'must be a known timeframe (e.g. 1m, 1h, 1d)';
const SIDE = `must be one of ${SIDES.join(', ')}`;

/**
 * Decodes an untrusted market-data message (JSON text, UTF-8 JSON bytes or a parsed object)
 * and validates it exactly as decodeMessage does, fast for bars, quotes and trades. A valid
 * message of a type that is not market data is refused at `type`. On success the value
 * returned is the parsed input itself.
 */
export function decodeMarketData(input: unknown): Result<MarketDataMessage, FieldError[]> {
  let root: unknown = input;
  if (typeof input === 'string' || isBytes(input)) {
    const parsed = parseJson(input);
    if (!parsed.ok) return parsed;
    root = parsed.value;
  }
  // Not an object: decodeMessage names the problem. It gets the original input, not the parsed
  // value: a JSON string inside the bytes is a string, not JSON text to decode a second time.
  if (!isPlainObject(root)) return viaDecodeMessage(input);
  return isValid(root) ? ok(root as unknown as MarketDataMessage) : explain(root);
}

// --- the fast path: a yes/no answer, and only a yes that decodeMessage would give too ---

const BAR_VERSION = CATALOG.BarClosed.version;
const QUOTE_VERSION = CATALOG.QuoteTick.version;
const TRADE_VERSION = CATALOG.TradeTick.version;

/**
 * True if the message is a valid bar, quote or trade; false sends it to explain(), which
 * finds the errors (or the other type, or the rarer valid form, such as an optional field
 * present as undefined). Fields are read by name; counting the keys proves there is no
 * other: every field read is defined, so it is one of the keys (JSON.parse and object
 * literals make only enumerable properties), and equal counts leave no room for an unknown one.
 */
function isValid(m: Record<string, unknown>): boolean {
  const data = m['data'];
  if (typeof data !== 'object' || data === null || !hasPlainPrototype(data) || !hasValidEnvelope(m)) return false;
  switch (m['type']) {
    case 'BarClosed':
      return m['version'] === BAR_VERSION && isValidBar(data as Record<string, unknown>);
    case 'QuoteTick':
      return m['version'] === QUOTE_VERSION && isValidQuote(data as Record<string, unknown>);
    case 'TradeTick':
      return m['version'] === TRADE_VERSION && isValidTrade(data as Record<string, unknown>);
    default:
      return false;
  }
}

/** All but type and version, which depend on the type. */
function hasValidEnvelope(m: Record<string, unknown>): boolean {
  const id = m['id'];
  return (
    countKeys(m) === 9 &&
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= MAX_ID_LENGTH &&
    isEpochMs(m['ts']) &&
    isNonEmpty(m['correlationId']) &&
    isNonEmpty(m['causationId']) &&
    isNonEmpty(m['account']) &&
    isNonEmpty(m['source'])
  );
}

function isValidBar(d: Record<string, unknown>): boolean {
  const timeframe = d['timeframe'];
  const askOpen = d['askOpen'];
  const askHigh = d['askHigh'];
  const askLow = d['askLow'];
  const askClose = d['askClose'];
  let fields = 9;
  if (askOpen !== undefined) fields++;
  if (askHigh !== undefined) fields++;
  if (askLow !== undefined) fields++;
  if (askClose !== undefined) fields++;
  return (
    countKeys(d) === fields &&
    isNonEmpty(d['venue']) &&
    isNonEmpty(d['symbol']) &&
    typeof timeframe === 'string' &&
    isTimeframe(timeframe) &&
    isEpochMs(d['openTime']) &&
    isPrice(d['open']) &&
    isPrice(d['high']) &&
    isPrice(d['low']) &&
    isPrice(d['close']) &&
    isNonNegative(d['volume']) &&
    (askOpen === undefined || isPrice(askOpen)) &&
    (askHigh === undefined || isPrice(askHigh)) &&
    (askLow === undefined || isPrice(askLow)) &&
    (askClose === undefined || isPrice(askClose))
  );
}

function isValidQuote(d: Record<string, unknown>): boolean {
  const bidSize = d['bidSize'];
  const askSize = d['askSize'];
  let fields = 4;
  if (bidSize !== undefined) fields++;
  if (askSize !== undefined) fields++;
  return (
    countKeys(d) === fields &&
    isNonEmpty(d['venue']) &&
    isNonEmpty(d['symbol']) &&
    isPrice(d['bid']) &&
    isPrice(d['ask']) &&
    (bidSize === undefined || isNonNegative(bidSize)) &&
    (askSize === undefined || isNonNegative(askSize))
  );
}

function isValidTrade(d: Record<string, unknown>): boolean {
  return (
    countKeys(d) === 6 &&
    isNonEmpty(d['venue']) &&
    isNonEmpty(d['symbol']) &&
    isPrice(d['price']) &&
    isNonNegative(d['size']) &&
    (SIDES as readonly unknown[]).includes(d['side']) &&
    isNonEmpty(d['tradeId'])
  );
}

/** Enumerable string keys, own and inherited (an unpolluted Object.prototype has none); cheaper than Object.keys. */
function countKeys(o: object): number {
  let n = 0;
  for (const _key in o) n++;
  return n;
}

// --- the exact path: every error, as decodeMessage reports it ---

/**
 * Mirrors decodeMessage step by step: the structure screen, the envelope's whitelist and
 * fields (in the schema's order), the version, then the payload's whitelist and fields.
 * The structure screen only runs if something is nested; its errors, when it has any, are
 * the only ones reported.
 */
function explain(root: Record<string, unknown>): Result<MarketDataMessage, FieldError[]> {
  let id: unknown, type: unknown, version: unknown, ts: unknown, correlationId: unknown;
  let causationId: unknown, account: unknown, source: unknown, payload: unknown;
  let unknown: string[] | undefined;
  // Whether anything is nested (or named like a prototype) where decodeMessage's structure screen could object.
  let nested = false;
  for (const key of Object.keys(root)) {
    const value = root[key];
    switch (key) {
      case 'id': id = value; break;
      case 'type': type = value; break;
      case 'version': version = value; break;
      case 'ts': ts = value; break;
      case 'correlationId': correlationId = value; break;
      case 'causationId': causationId = value; break;
      case 'account': account = value; break;
      case 'source': source = value; break;
      case 'data': payload = value; continue;
      default:
        (unknown ??= []).push(key);
        if (key === '__proto__' || key === 'constructor') nested = true;
    }
    if (typeof value === 'object' && value !== null) nested = true;
  }
  const check = typeof type === 'string' ? DATA_CHECKS[type] : undefined;
  if (check === undefined) return viaDecodeMessage(root);
  const data = payload;
  const dataIsRecord = isRecord(data);
  // class-transformer reads a class instance's own fields only, so those take the reference path.
  if (dataIsRecord && !hasPlainPrototype(data)) return viaDecodeMessage(root);
  if (!dataIsRecord && typeof data === 'object' && data !== null) nested = true;

  const errors: FieldError[] = [];
  if (unknown !== undefined) for (const key of unknown) errors.push({ path: key, message: UNKNOWN });
  if (!isId(id)) errors.push({ path: 'id', message: id === undefined ? REQUIRED : ID });
  if (!isPositiveInteger(version)) errors.push({ path: 'version', message: version === undefined ? REQUIRED : POSITIVE_INTEGER });
  if (!isEpochMs(ts)) errors.push({ path: 'ts', message: ts === undefined ? REQUIRED : EPOCH_MS });
  requireNonEmpty(correlationId, 'correlationId', errors);
  requireNonEmpty(causationId, 'causationId', errors);
  requireNonEmpty(account, 'account', errors);
  requireNonEmpty(source, 'source', errors);
  if (!dataIsRecord) errors.push({ path: 'data', message: data === undefined ? REQUIRED : OBJECT });
  const expected = CATALOG[type as MarketDataType].version;
  if (isPositiveInteger(version) && version !== expected) {
    errors.push({ path: 'version', message: `unsupported version ${version} of ${type}: expected ${expected}` });
  }
  if (dataIsRecord && check(data, errors)) nested = true;

  if (nested) {
    const structure: FieldError[] = [];
    if (!checkStructure(root, '', 0, structure)) return err(structure);
  }
  return errors.length > 0 ? err(errors) : ok(root as unknown as MarketDataMessage);
}

/** Validates a payload into `errors` (paths from the envelope root); true if a value is nested. */
type DataCheck = (data: Record<string, unknown>, errors: FieldError[]) => boolean;

function checkBarClosed(data: Record<string, unknown>, errors: FieldError[]): boolean {
  let venue: unknown, symbol: unknown, timeframe: unknown, openTime: unknown, open: unknown, high: unknown;
  let low: unknown, close: unknown, volume: unknown, askOpen: unknown, askHigh: unknown, askLow: unknown, askClose: unknown;
  let nested = false;
  for (const key of Object.keys(data)) {
    const value = data[key];
    switch (key) {
      case 'venue': venue = value; break;
      case 'symbol': symbol = value; break;
      case 'timeframe': timeframe = value; break;
      case 'openTime': openTime = value; break;
      case 'open': open = value; break;
      case 'high': high = value; break;
      case 'low': low = value; break;
      case 'close': close = value; break;
      case 'volume': volume = value; break;
      case 'askOpen': askOpen = value; break;
      case 'askHigh': askHigh = value; break;
      case 'askLow': askLow = value; break;
      case 'askClose': askClose = value; break;
      default:
        errors.push({ path: `data.${key}`, message: UNKNOWN });
        if (key === '__proto__' || key === 'constructor') nested = true;
    }
    if (typeof value === 'object' && value !== null) nested = true;
  }
  requireNonEmpty(venue, 'data.venue', errors);
  requireNonEmpty(symbol, 'data.symbol', errors);
  if (!(typeof timeframe === 'string' && isTimeframe(timeframe))) {
    errors.push({ path: 'data.timeframe', message: timeframe === undefined ? REQUIRED : TIMEFRAME });
  }
  if (!isEpochMs(openTime)) errors.push({ path: 'data.openTime', message: openTime === undefined ? REQUIRED : EPOCH_MS });
  requirePrice(open, 'data.open', errors);
  requirePrice(high, 'data.high', errors);
  requirePrice(low, 'data.low', errors);
  requirePrice(close, 'data.close', errors);
  requireNonNegative(volume, 'data.volume', errors);
  if (askOpen !== undefined) requirePrice(askOpen, 'data.askOpen', errors);
  if (askHigh !== undefined) requirePrice(askHigh, 'data.askHigh', errors);
  if (askLow !== undefined) requirePrice(askLow, 'data.askLow', errors);
  if (askClose !== undefined) requirePrice(askClose, 'data.askClose', errors);
  return nested;
}

function checkQuoteTick(data: Record<string, unknown>, errors: FieldError[]): boolean {
  let venue: unknown, symbol: unknown, bid: unknown, ask: unknown, bidSize: unknown, askSize: unknown;
  let nested = false;
  for (const key of Object.keys(data)) {
    const value = data[key];
    switch (key) {
      case 'venue': venue = value; break;
      case 'symbol': symbol = value; break;
      case 'bid': bid = value; break;
      case 'ask': ask = value; break;
      case 'bidSize': bidSize = value; break;
      case 'askSize': askSize = value; break;
      default:
        errors.push({ path: `data.${key}`, message: UNKNOWN });
        if (key === '__proto__' || key === 'constructor') nested = true;
    }
    if (typeof value === 'object' && value !== null) nested = true;
  }
  requireNonEmpty(venue, 'data.venue', errors);
  requireNonEmpty(symbol, 'data.symbol', errors);
  requirePrice(bid, 'data.bid', errors);
  requirePrice(ask, 'data.ask', errors);
  if (bidSize !== undefined) requireNonNegative(bidSize, 'data.bidSize', errors);
  if (askSize !== undefined) requireNonNegative(askSize, 'data.askSize', errors);
  return nested;
}

function checkTradeTick(data: Record<string, unknown>, errors: FieldError[]): boolean {
  let venue: unknown, symbol: unknown, price: unknown, size: unknown, side: unknown, tradeId: unknown;
  let nested = false;
  for (const key of Object.keys(data)) {
    const value = data[key];
    switch (key) {
      case 'venue': venue = value; break;
      case 'symbol': symbol = value; break;
      case 'price': price = value; break;
      case 'size': size = value; break;
      case 'side': side = value; break;
      case 'tradeId': tradeId = value; break;
      default:
        errors.push({ path: `data.${key}`, message: UNKNOWN });
        if (key === '__proto__' || key === 'constructor') nested = true;
    }
    if (typeof value === 'object' && value !== null) nested = true;
  }
  requireNonEmpty(venue, 'data.venue', errors);
  requireNonEmpty(symbol, 'data.symbol', errors);
  requirePrice(price, 'data.price', errors);
  requireNonNegative(size, 'data.size', errors);
  if (!(SIDES as readonly unknown[]).includes(side)) errors.push({ path: 'data.side', message: side === undefined ? REQUIRED : SIDE });
  requireNonEmpty(tradeId, 'data.tradeId', errors);
  return nested;
}

/** The fast path's types; a null prototype keeps `toString` and friends from looking like types. */
const DATA_CHECKS: Readonly<Record<string, DataCheck | undefined>> = Object.assign(Object.create(null) as Record<string, DataCheck>, {
  BarClosed: checkBarClosed,
  QuoteTick: checkQuoteTick,
  TradeTick: checkTradeTick,
});

function viaDecodeMessage(input: unknown): Result<MarketDataMessage, FieldError[]> {
  const r = decodeMessage(input);
  if (!r.ok) return r;
  const type = r.value.type;
  if (!isMarketDataType(type)) {
    return err([{ path: 'type', message: `${type} is not market data (${MARKET_DATA_TYPES.join(', ')})` }]);
  }
  return ok(r.value as MarketDataMessage);
}

// --- the decorators' rules (class-validator's isNumber/isPositive/min/max/isInt/minLength/maxLength) ---

function requireNonEmpty(value: unknown, path: string, errors: FieldError[]): void {
  if (!isNonEmpty(value)) errors.push({ path, message: value === undefined ? REQUIRED : NON_EMPTY_STRING });
}

function requirePrice(value: unknown, path: string, errors: FieldError[]): void {
  if (!isPrice(value)) errors.push({ path, message: value === undefined ? REQUIRED : PRICE });
}

function requireNonNegative(value: unknown, path: string, errors: FieldError[]): void {
  if (!isNonNegative(value)) errors.push({ path, message: value === undefined ? REQUIRED : NON_NEGATIVE });
}

/**
 * MinLength(1) measures with validator.js isLength, which subtracts variation selectors and
 * surrogate pairs; for a non-empty string that count is still ≥ 1, so length > 0 is the rule.
 */
function isNonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && (value.length <= MAX_ID_LENGTH || isLengthCount(value) <= MAX_ID_LENGTH);
}

/** validator.js isLength's count: a character plus its variation selector, or a surrogate pair, is one. */
function isLengthCount(s: string): number {
  const presentationSequences = s.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g)?.length ?? 0;
  const surrogatePairs = s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return s.length - presentationSequences - surrogatePairs;
}

/** Finite and > 0 (NaN fails the comparison). */
function isPrice(value: unknown): boolean {
  return typeof value === 'number' && value > 0 && value !== Infinity;
}

/** Finite and ≥ 0 (-0 included, as Min(0) has it). */
function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value !== Infinity;
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= Number.MAX_SAFE_INTEGER;
}

// --- input handling, as decode.ts does it ---

function parseJson(input: string | Uint8Array): Result<unknown, FieldError[]> {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = UTF8.decode(input);
    } catch {
      return err([{ path: ROOT_PATH, message: 'invalid UTF-8' }]);
    }
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (e) {
    return err([{ path: ROOT_PATH, message: `invalid JSON: ${(e as Error).message}` }]);
  }
}

/** Buffer is a Uint8Array; the tag test also holds for byte arrays from another realm (Jest's vm). */
function isBytes(input: unknown): input is Uint8Array {
  return Object.prototype.toString.call(input) === '[object Uint8Array]';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasPlainPrototype(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && hasPlainPrototype(value);
}

/** decode.ts's screen: `__proto__`/`constructor` keys anywhere, nesting deeper than MAX_DEPTH. */
function checkStructure(value: unknown, path: string, depth: number, errors: FieldError[]): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_DEPTH) {
    errors.push({ path: path || ROOT_PATH, message: `is nested deeper than ${MAX_DEPTH} levels` });
    return false;
  }
  let sound = true;
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__' || key === 'constructor') {
      errors.push({ path: at, message: UNKNOWN });
      sound = false;
    } else if (!checkStructure((value as Record<string, unknown>)[key], at, depth + 1, errors)) {
      return false;
    }
  }
  return sound;
}
