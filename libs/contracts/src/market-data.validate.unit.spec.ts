import fc from 'fast-check';
import { timeframeMs, type Timeframe } from '@tradeloop/kernel';
import { MESSAGE_TYPES } from './catalog';
import { decodeMessage, encodeMessage } from './decode';
import { decodeMarketData, isMarketDataType, MARKET_DATA_TYPES } from './market-data.validate';
import { SAMPLE_MESSAGES } from './schemas/samples';

/*
 * decodeMarketData is a hand-written copy of what decodeMessage (class-validator) enforces
 * for bars, quotes and trades. These tests hold the two against each other: same verdict,
 * same errors (path, message, order) for realistic messages and for every kind of damage.
 */

type Json = Record<string, unknown>;

const TIMEFRAMES: readonly Timeframe[] = ['1s', '1m', '5m', '15m', '30m', '1h', '4h', '1d'];
const NOT_MARKET_DATA = (type: string) => `${type} is not market data (${MARKET_DATA_TYPES.join(', ')})`;

/**
 * Object.prototype members other than `__proto__` and `constructor` (which both paths refuse
 * alike): decodeMessage lets an unknown field of one of these names through (see the header
 * of market-data.validate.ts), decodeMarketData refuses it. Generated unknown fields avoid them;
 * the deviation has its own test below.
 */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype).filter((k) => k !== '__proto__' && k !== 'constructor'),
);

/** decodeMarketData gives what decodeMessage gives, except that it refuses valid messages of other types. */
function expectSameAsDecodeMessage(input: unknown): void {
  const expected = decodeMessage(input);
  const actual = decodeMarketData(input);
  if (expected.ok && !isMarketDataType(expected.value.type)) {
    expect(actual).toEqual({ ok: false, error: [{ path: 'type', message: NOT_MARKET_DATA(expected.value.type) }] });
    return;
  }
  expect(actual).toEqual(expected);
  if (actual.ok && typeof input === 'object' && !(input instanceof Uint8Array)) expect(actual.value).toBe(input);
}

/** Sets an own enumerable property, as JSON.parse does (plain assignment of `__proto__` would set the prototype). */
function put(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// --- realistic messages ---------------------------------------------------------------------------

const venueArb = fc.oneof(fc.constantFrom('OANDA', 'FXCM', 'BINANCE', 'COINBASE', 'FTX', 'oanda', 'SIM'), fc.string({ minLength: 1, maxLength: 12 }));
const symbolArb = fc.oneof(
  fc.constantFrom('EURUSD', 'XAUUSD', 'GBPUSD', 'USDJPY', 'BTCUSDT', 'BTC-PERP', 'ETHUSDT', 'EUR/USD'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const timeArb = fc.integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2030, 0, 1) });
const priceArb = fc.oneof(
  fc.double({ min: 0.5, max: 2, noNaN: true }), // forex
  fc.double({ min: 100, max: 150, noNaN: true }), // yen pairs
  fc.double({ min: 500, max: 3000, noNaN: true }), // gold
  fc.double({ min: 1000, max: 120_000, noNaN: true }), // crypto
  fc.double({ min: 1e-8, max: 1e-2, noNaN: true }), // sub-penny tokens
);
const fractionArb = (max: number) => fc.double({ min: 0, max, noNaN: true });
const sizeArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1e6, noNaN: true }));
const envelopeArb = fc.record({
  account: fc.constantFrom('paper', 'live-oanda-1', 'acct_7'),
  source: fc.constantFrom('market-data', 'replay', 'oanda-v20', 'ccxt'),
  suffix: fc.string({ minLength: 0, maxLength: 20 }),
  causedBySelf: fc.boolean(),
});

function envelope(type: string, key: string, ts: number, e: { account: string; source: string; suffix: string; causedBySelf: boolean }): Json {
  const id = `${key}-${ts}${e.suffix}`;
  return { id, type, version: 1, ts, correlationId: id, causationId: e.causedBySelf ? id : `feed-${e.suffix || 'x'}`, account: e.account, source: e.source };
}

const barArb = fc
  .record({
    venue: venueArb,
    symbol: symbolArb,
    timeframe: fc.constantFrom(...TIMEFRAMES),
    at: timeArb,
    open: priceArb,
    move: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
    up: fractionArb(0.02),
    down: fractionArb(0.02),
    volume: sizeArb,
    spread: fc.option(fractionArb(0.001), { nil: undefined }),
    env: envelopeArb,
  })
  .map(({ venue, symbol, timeframe, at, open, move, up, down, volume, spread, env }) => {
    const step = timeframeMs(timeframe);
    const openTime = at - (at % step);
    const close = open * (1 + move);
    const high = Math.max(open, close) * (1 + up);
    const low = Math.min(open, close) * (1 - down);
    const ask = spread === undefined ? {} : { askOpen: open + spread, askHigh: high + spread, askLow: low + spread, askClose: close + spread };
    const data = { venue, symbol, timeframe, openTime, open, high, low, close, volume, ...ask };
    return { ...envelope('BarClosed', `bar-${symbol}-${timeframe}`, openTime + step, env), data };
  });

const quoteArb = fc
  .record({
    venue: venueArb,
    symbol: symbolArb,
    ts: timeArb,
    bid: priceArb,
    spread: fractionArb(0.002),
    bidSize: fc.option(sizeArb, { nil: undefined }),
    askSize: fc.option(sizeArb, { nil: undefined }),
    env: envelopeArb,
  })
  .map(({ venue, symbol, ts, bid, spread, bidSize, askSize, env }) => {
    const data: Json = { venue, symbol, bid, ask: bid * (1 + spread) };
    if (bidSize !== undefined) data['bidSize'] = bidSize;
    if (askSize !== undefined) data['askSize'] = askSize;
    return { ...envelope('QuoteTick', `qt-${symbol}`, ts, env), data };
  });

const tradeArb = fc
  .record({
    venue: venueArb,
    symbol: symbolArb,
    ts: timeArb,
    price: priceArb,
    size: sizeArb,
    side: fc.constantFrom('buy', 'sell'),
    tradeId: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }).map(String), fc.uuid()),
    env: envelopeArb,
  })
  .map(({ venue, symbol, ts, price, size, side, tradeId, env }) => ({
    ...envelope('TradeTick', `tt-${symbol}`, ts, env),
    data: { venue, symbol, price, size, side, tradeId },
  }));

const messageArb: fc.Arbitrary<Json> = fc.oneof(barArb, quoteArb, tradeArb);

// --- damage ------------------------------------------------------------------------------------------

const FIELD_NAMES = [
  ...['id', 'type', 'version', 'ts', 'correlationId', 'causationId', 'account', 'source', 'data'],
  ...['venue', 'symbol', 'timeframe', 'openTime', 'open', 'high', 'low', 'close', 'volume', 'askOpen', 'askHigh', 'askLow', 'askClose'],
  ...['bid', 'ask', 'bidSize', 'askSize', 'price', 'size', 'side', 'tradeId', 'bids', 'asks'],
];
const keyArb = fc.oneof(
  fc.constantFrom(...FIELD_NAMES),
  fc.constantFrom('Open', 'open ', 'ask_open', 'extra', 'meta', '', '0', 'constructorX', '__proto', 'datа' /* Cyrillic а */),
  fc.string({ maxLength: 10 }).filter((k) => !PROTOTYPE_NAMES.has(k)),
);

/** Nested `depth` levels deep (`{a:{a:…}}`), sometimes through arrays. */
const deepArb = fc.record({ depth: fc.integer({ min: 1, max: 20 }), viaArrays: fc.boolean() }).map(({ depth, viaArrays }) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = viaArrays && i % 2 === 0 ? [v] : { a: v };
  return v;
});

const SPECIAL_VALUES: readonly unknown[] = [
  ...[NaN, Infinity, -Infinity, 0, -0, -1, -1e-12, 1e-320, 0.5, 1.5, 1, 2, 1e21, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
  ...[null, undefined, true, false, [], {}, [1], { value: 1.1 }],
  ...['', ' ', '1', '1.1', '-1', 'NaN', 'Infinity', '1e3', '0x10', '1m', '2m', '1M', 'buy', 'sell', 'BUY', 'BarClosed', 'x'],
  ...['\uFE0F', 'a\uFE0F', '😀', 'x'.repeat(200), 'x'.repeat(201), '😀'.repeat(100), '😀'.repeat(101), 'é\uFE0F'.repeat(150), '$value', '$property'],
];
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepArb },
);

type Mutation =
  | { kind: 'delete'; inData: boolean; pick: number }
  | { kind: 'replace'; inData: boolean; pick: number; value: unknown }
  | { kind: 'set'; inData: boolean; key: string; value: unknown }
  | { kind: 'numberAsString'; inData: boolean; pick: number }
  | { kind: 'highBelowLow'; factor: number }
  | { kind: 'version'; value: unknown }
  | { kind: 'type'; value: unknown }
  | { kind: 'nest'; where: 'data' | 'field' | 'root'; pick: number }
  | { kind: 'prototypeKey'; inData: boolean; key: '__proto__' | 'constructor'; value: unknown }
  | { kind: 'data'; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), inData: fc.boolean(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), inData: fc.boolean(), pick: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('set' as const), inData: fc.boolean(), key: keyArb, value: valueArb }),
  fc.record({ kind: fc.constant('numberAsString' as const), inData: fc.boolean(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('highBelowLow' as const), factor: fc.double({ min: 0.01, max: 0.999, noNaN: true }) }),
  fc.record({ kind: fc.constant('version' as const), value: fc.constantFrom(0, 2, 1.5, -1, '1', null, undefined, 1e300, NaN, [1]) }),
  fc.record({
    kind: fc.constant('type' as const),
    value: fc.oneof(
      fc.constantFrom(...MESSAGE_TYPES),
      fc.constantFrom('barclosed', 'Bar', '', ' BarClosed', 'toString', 'hasOwnProperty', '__proto__', 'constructor', 'x$value', 1, null, undefined, ['BarClosed']),
    ),
  }),
  fc.record({ kind: fc.constant('nest' as const), where: fc.constantFrom('data' as const, 'field' as const, 'root' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('prototypeKey' as const), inData: fc.boolean(), key: fc.constantFrom('__proto__' as const, 'constructor' as const), value: valueArb }),
  fc.record({ kind: fc.constant('data' as const), value: fc.constantFrom(null, [], 'data', 3, [{ open: 1 }]) }),
);

/** Applies `m` to `message` in place; may return a replacement for the whole message. */
function mutate(message: Json, m: Mutation): Json {
  const data = message['data'];
  const targetOf = (inData: boolean): Json => (inData && typeof data === 'object' && data !== null ? (data as Json) : message);
  const keyAt = (target: Json, pick: number): string | undefined => {
    const keys = Object.keys(target);
    return keys.length === 0 ? undefined : keys[pick % keys.length];
  };
  switch (m.kind) {
    case 'delete': {
      const t = targetOf(m.inData);
      const k = keyAt(t, m.pick);
      if (k !== undefined) delete t[k];
      return message;
    }
    case 'replace': {
      const t = targetOf(m.inData);
      const k = keyAt(t, m.pick);
      if (k !== undefined) put(t, k, m.value);
      return message;
    }
    case 'set':
      put(targetOf(m.inData), m.key, m.value);
      return message;
    case 'numberAsString': {
      const t = targetOf(m.inData);
      const k = keyAt(t, m.pick);
      if (k !== undefined && typeof t[k] === 'number') put(t, k, String(t[k]));
      return message;
    }
    case 'highBelowLow': {
      const d = targetOf(true);
      if (typeof d['low'] === 'number') put(d, 'high', d['low'] * m.factor);
      return message;
    }
    case 'version':
      put(message, 'version', m.value);
      return message;
    case 'type':
      put(message, 'type', m.value);
      return message;
    case 'nest': {
      if (m.where === 'root') return { message };
      if (m.where === 'data') {
        put(message, 'data', { data });
        return message;
      }
      const t = targetOf(true);
      const k = keyAt(t, m.pick);
      if (k !== undefined) put(t, k, { value: t[k] });
      return message;
    }
    case 'prototypeKey':
      put(targetOf(m.inData), m.key, m.value);
      return message;
    case 'data':
      put(message, 'data', m.value);
      return message;
  }
}

const formArb = fc.constantFrom('object' as const, 'object' as const, 'object' as const, 'text' as const, 'bytes' as const);

function asForm(message: Json, form: 'object' | 'text' | 'bytes'): unknown {
  if (form === 'object') return message;
  const text = JSON.stringify(message);
  return form === 'text' ? text : new TextEncoder().encode(text);
}

// --- properties ---------------------------------------------------------------------------------

describe('decodeMarketData against decodeMessage', () => {
  it('decode_realistic_bars_quotes_and_trades_then_both_accept_the_same_object', () => {
    fc.assert(
      fc.property(messageArb, formArb, (message, form) => {
        const input = asForm(message, form);
        expect(decodeMessage(input).ok).toBe(true);
        expectSameAsDecodeMessage(input);
      }),
      { numRuns: 1500 },
    );
  });

  it('decode_damaged_messages_then_same_verdict_and_same_errors_in_the_same_order', () => {
    fc.assert(
      fc.property(messageArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), formArb, (message, mutations, form) => {
        let m = message;
        for (const mutation of mutations) m = mutate(m, mutation);
        expectSameAsDecodeMessage(asForm(m, form));
      }),
      { numRuns: 4000 },
    );
  });

  it('decode_with_each_field_deleted_or_set_to_each_special_value_then_same_as_decodeMessage', () => {
    const OPTIONAL: Record<string, readonly string[]> = {
      BarClosed: ['askOpen', 'askHigh', 'askLow', 'askClose'],
      QuoteTick: ['bidSize', 'askSize'],
      TradeTick: [],
    };
    let cases = 0;
    for (const type of ['BarClosed', 'QuoteTick', 'TradeTick'] as const) {
      const base = clone(SAMPLE_MESSAGES[type]) as unknown as Json;
      const without = clone(base);
      for (const k of OPTIONAL[type]) delete (without['data'] as Json)[k];
      for (const sample of [base, without]) {
        for (const inData of [false, true]) {
          for (const key of Object.keys(inData ? (sample['data'] as Json) : sample)) {
            const deleted = clone(sample);
            delete (inData ? (deleted['data'] as Json) : deleted)[key];
            expectSameAsDecodeMessage(deleted);
            for (const value of SPECIAL_VALUES) {
              const m = clone(sample);
              put(inData ? (m['data'] as Json) : m, key, value);
              expectSameAsDecodeMessage(m);
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(2000);
  });

  it('decode_samples_of_every_type_then_same_as_decodeMessage_and_others_refused_at_type', () => {
    for (const type of MESSAGE_TYPES) {
      const sample = clone(SAMPLE_MESSAGES[type]);
      expectSameAsDecodeMessage(sample);
      expectSameAsDecodeMessage(encodeMessage(SAMPLE_MESSAGES[type]));
      expect(decodeMarketData(sample).ok).toBe(isMarketDataType(type));
    }
  });

  it('decode_json_text_of_a_string_then_refused_as_not_an_object_never_decoded_twice', () => {
    // Found by the property below: JSON text whose value is a string was parsed again.
    const bar = JSON.stringify(SAMPLE_MESSAGES.BarClosed);
    for (const text of ['""', JSON.stringify(bar)]) {
      expectSameAsDecodeMessage(text);
      expectSameAsDecodeMessage(new TextEncoder().encode(text));
      expect(decodeMarketData(text)).toEqual({ ok: false, error: [{ path: '$', message: 'must be a JSON object' }] });
    }
    expect(decodeMarketData(bar).ok).toBe(true);
  });

  it('decode_arbitrary_json_then_same_as_decodeMessage', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => expectSameAsDecodeMessage(v)),
      { numRuns: 500 },
    );
  });
});

// --- given / when / then ----------------------------------------------------------------------------

describe('decodeMarketData', () => {
  const bar = (): Json => clone(SAMPLE_MESSAGES.BarClosed) as unknown as Json;
  const dataOf = (m: Json): Json => m['data'] as Json;

  it('given_a_quote_bar_with_ask_prices_when_decoded_then_ok_with_the_same_object', () => {
    const m = bar();
    expect(decodeMarketData(m)).toEqual({ ok: true, value: m });
    expect(decodeMarketData(m).ok && (decodeMarketData(m) as { value: unknown }).value).toBe(m);
  });

  it('given_nan_close_infinite_high_and_negative_volume_when_decoded_then_each_field_named', () => {
    const m = bar();
    Object.assign(dataOf(m), { close: NaN, high: Infinity, volume: -1 });
    const r = decodeMarketData(m);
    expect(r).toEqual({
      ok: false,
      error: [
        { path: 'data.high', message: 'must be a positive number' },
        { path: 'data.close', message: 'must be a positive number' },
        { path: 'data.volume', message: 'must be a number ≥ 0' },
      ],
    });
    expect(r).toEqual(decodeMessage(m));
  });

  it('given_high_below_low_when_decoded_then_accepted_as_the_schema_checks_no_ohlc_order', () => {
    // BarClosedDataSchema checks each price on its own; bar consistency (high ≥ open, close ≥ low)
    // is the market-data adapter's job, which rejects such rows with a DataRejected.
    const m = bar();
    Object.assign(dataOf(m), { high: 1.0, low: 1.1 });
    expect(decodeMarketData(m).ok).toBe(true);
    expect(decodeMessage(m).ok).toBe(true);
  });

  it('given_missing_fields_an_unknown_field_and_a_wrong_version_when_decoded_then_errors_in_schema_order', () => {
    const m = bar();
    delete m['id'];
    m['version'] = 2;
    m['extra'] = true;
    delete dataOf(m)['timeframe'];
    dataOf(m)['askOpen'] = null;
    dataOf(m)['note'] = 'x';
    const r = decodeMarketData(m);
    expect(r).toEqual({
      ok: false,
      error: [
        { path: 'extra', message: 'unknown field' },
        { path: 'id', message: 'is required' },
        { path: 'version', message: 'unsupported version 2 of BarClosed: expected 1' },
        { path: 'data.note', message: 'unknown field' },
        { path: 'data.timeframe', message: 'is required' },
        { path: 'data.askOpen', message: 'must be a positive number' },
      ],
    });
    expect(r).toEqual(decodeMessage(m));
  });

  it('given_an_id_of_200_emoji_when_decoded_then_accepted_and_201_then_refused_like_class_validator', () => {
    // MaxLength counts a surrogate pair as one character: 400 UTF-16 units are 200 characters.
    const m = bar();
    m['id'] = '😀'.repeat(200);
    expect(decodeMarketData(m).ok).toBe(true);
    m['id'] = '😀'.repeat(201);
    expect(decodeMarketData(m)).toEqual({ ok: false, error: [{ path: 'id', message: 'must be a non-empty string of at most 200 characters' }] });
    expect(decodeMarketData(m)).toEqual(decodeMessage(m));
  });

  it('given_a_deeply_nested_unknown_field_when_decoded_then_only_the_structure_error', () => {
    const m = bar();
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = { a: deep };
    dataOf(m)['x'] = deep;
    dataOf(m)['open'] = -1;
    const r = decodeMarketData(m);
    expect(r).toEqual({ ok: false, error: [{ path: `data.x${'.a'.repeat(14)}`, message: 'is nested deeper than 16 levels' }] });
    expect(r).toEqual(decodeMessage(m));
  });

  it('given_a_proto_key_from_json_when_decoded_then_unknown_field_and_nothing_else', () => {
    const text = JSON.stringify(bar()).replace('"venue"', '"__proto__":{"polluted":true},"venue"');
    const r = decodeMarketData(text);
    expect(r).toEqual({ ok: false, error: [{ path: 'data.__proto__', message: 'unknown field' }] });
    expect(r).toEqual(decodeMessage(text));
  });

  it('given_a_valid_message_of_another_type_when_decoded_then_refused_at_type', () => {
    expect(decodeMarketData(clone(SAMPLE_MESSAGES.OrderFilled))).toEqual({ ok: false, error: [{ path: 'type', message: NOT_MARKET_DATA('OrderFilled') }] });
  });

  it('given_a_book_snapshot_when_decoded_then_validated_by_decodeMessage', () => {
    const m = clone(SAMPLE_MESSAGES.BookSnapshot) as unknown as Json;
    expect(decodeMarketData(m)).toEqual({ ok: true, value: m });
    ((dataOf(m)['bids'] as Json[])[1] as Json)['price'] = 0;
    expect(decodeMarketData(m)).toEqual({ ok: false, error: [{ path: 'data.bids.1.price', message: 'must be a positive number' }] });
  });

  it('given_bytes_text_or_garbage_when_decoded_then_parsed_or_refused_at_the_root_like_decodeMessage', () => {
    const text = encodeMessage(SAMPLE_MESSAGES.TradeTick);
    expect(decodeMarketData(text)).toEqual({ ok: true, value: SAMPLE_MESSAGES.TradeTick });
    expect(decodeMarketData(Buffer.from(text))).toEqual({ ok: true, value: SAMPLE_MESSAGES.TradeTick });
    for (const bad of [new Uint8Array([0xff, 0xfe]), '{nope', '[1]', 'null', null, undefined, 42, [SAMPLE_MESSAGES.TradeTick]]) {
      const r = decodeMarketData(bad);
      expect(r.ok).toBe(false);
      expect(r).toEqual(decodeMessage(bad));
    }
  });

  it('given_an_unknown_field_named_like_an_object_prototype_member_when_decoded_then_refused', () => {
    // The one deliberate difference from decodeMessage, which lets these names through.
    for (const key of PROTOTYPE_NAMES) {
      const atRoot = bar();
      put(atRoot, key, 1);
      expect(decodeMarketData(atRoot)).toEqual({ ok: false, error: [{ path: key, message: 'unknown field' }] });
      const inData = bar();
      put(dataOf(inData), key, 1);
      expect(decodeMarketData(inData)).toEqual({ ok: false, error: [{ path: `data.${key}`, message: 'unknown field' }] });
    }
  });
});
