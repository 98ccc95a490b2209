import fc from 'fast-check';
import { CATALOG, MESSAGE_TYPES, type Message, type MessageType } from './catalog';
import { decodeData, decodeMessage, encodeMessage, formatFieldErrors, type FieldError } from './decode';
import { SAMPLE_MESSAGES } from './schemas/samples';

type Json = Record<string, unknown>;

/** A deep copy of a sample as loose JSON, for corrupting. */
function raw<K extends MessageType>(type: K): Json {
  return JSON.parse(JSON.stringify(SAMPLE_MESSAGES[type])) as Json;
}

function withData<K extends MessageType>(type: K, patch: Json): Json {
  const m = raw(type);
  return { ...m, data: { ...(m['data'] as Json), ...patch } };
}

function errorsOf(input: unknown): FieldError[] {
  const r = decodeMessage(input);
  if (r.ok) throw new Error(`expected decoding to fail, got ${JSON.stringify(r.value)}`);
  return r.error;
}

function paths(errors: readonly FieldError[]): string[] {
  return errors.map((e) => e.path);
}

function messageAt(errors: readonly FieldError[], path: string): string {
  const e = errors.find((x) => x.path === path);
  if (!e) throw new Error(`no error at ${path}; got ${formatFieldErrors(errors)}`);
  return e.message;
}

describe('decodeMessage: valid messages', () => {
  test.each(MESSAGE_TYPES)('decode_when_valid_%s_json_then_ok_and_equal', (type) => {
    const sample = SAMPLE_MESSAGES[type];
    const r = decodeMessage(encodeMessage(sample));
    if (!r.ok) throw new Error(formatFieldErrors(r.error));
    expect(r.value).toEqual(sample);
  });

  test.each(MESSAGE_TYPES)('decode_when_valid_%s_bytes_then_ok_and_equal', (type) => {
    const sample = SAMPLE_MESSAGES[type];
    const r = decodeMessage(Buffer.from(encodeMessage(sample), 'utf8'));
    expect(r).toEqual({ ok: true, value: sample });
  });

  test.each(MESSAGE_TYPES)('decode_when_valid_%s_plain_object_then_ok_and_same_object', (type) => {
    const input = raw(type);
    const r = decodeMessage(input);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toBe(input);
  });

  test('decode_when_uint8array_then_ok', () => {
    const bytes = new TextEncoder().encode(encodeMessage(SAMPLE_MESSAGES.SignalDetected));
    expect(decodeMessage(bytes)).toEqual({ ok: true, value: SAMPLE_MESSAGES.SignalDetected });
  });

  test('decode_when_nested_payload_then_result_is_plain_objects_not_schema_instances', () => {
    const r = decodeMessage(encodeMessage(SAMPLE_MESSAGES.ExperienceRecorded));
    if (!r.ok) throw new Error(formatFieldErrors(r.error));
    const data = r.value.data as unknown as Json;
    for (const v of [r.value, data, data['decision'], data['risk'], (data['fills'] as Json[])[0]]) {
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    }
  });

  test('encode_when_decoded_then_serialises_identically', () => {
    for (const type of MESSAGE_TYPES) {
      const json = encodeMessage(SAMPLE_MESSAGES[type]);
      const r = decodeMessage(json);
      expect(r.ok && encodeMessage(r.value)).toBe(json);
    }
  });

  test('decode_when_optional_fields_absent_then_ok', () => {
    const order = { venue: 'oanda', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '1000', timeInForce: 'IOC', origin: 'manual' };
    const bar = raw('BarClosed');
    const barData = { ...(bar['data'] as Json) };
    for (const k of ['askOpen', 'askHigh', 'askLow', 'askClose']) delete barData[k];
    const inputs = [
      withData('OrderApproved', { order, approvalId: undefined }),
      { ...bar, data: barData },
      withData('ExperienceRecorded', {
        signalId: undefined,
        session: undefined,
        signalQuality: undefined,
        decision: undefined,
        risk: undefined,
        approval: undefined,
        spreadAtEntry: undefined,
        rMultiple: undefined,
        fills: [],
      }),
    ];
    for (const input of inputs) {
      const r = decodeMessage(JSON.stringify(input));
      expect(r.ok ? 'ok' : formatFieldErrors(r.error)).toBe('ok');
    }
  });

  test('decode_when_decimal_strings_in_canonical_forms_then_ok', () => {
    for (const quantity of ['1', '0.5', '+3', '007.50', '123456789012345678901234567890.123456789']) {
      expect(decodeMessage(withData('SubmitManualOrder', { quantity })).ok).toBe(true);
    }
    for (const cash of ['0', '-0', '-12.50', '100000.00']) {
      expect(decodeMessage(withData('AccountUpdated', { cash })).ok).toBe(true);
    }
  });
});

describe('decodeMessage: bad payloads', () => {
  test('decode_when_several_fields_bad_then_every_one_is_named', () => {
    const input = withData('SubmitManualOrder', {
      side: 'hold',
      quantity: '1e5',
      price: '-1.2',
      requestedBy: undefined,
      symbol: 42,
    });
    const errors = errorsOf(JSON.stringify(input));
    expect(paths(errors).sort()).toEqual(
      ['data.price', 'data.quantity', 'data.requestedBy', 'data.side', 'data.symbol'].sort(),
    );
    expect(messageAt(errors, 'data.side')).toBe('must be one of buy, sell');
    expect(messageAt(errors, 'data.requestedBy')).toBe('is required');
    expect(messageAt(errors, 'data.symbol')).toBe('must be a non-empty string');
  });

  test('decode_when_field_has_several_faults_then_one_error_for_it', () => {
    const errors = errorsOf(withData('BarClosed', { close: Number.NaN }));
    expect(errors).toEqual([{ path: 'data.close', message: 'must be a positive number' }]);
  });

  test.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('decode_when_number_is_%s_then_rejected', (_name, bad) => {
    const errors = errorsOf(withData('BarClosed', { volume: bad, open: bad }));
    expect(paths(errors)).toEqual(['data.open', 'data.volume']);
    const finite = errorsOf(withData('LearnedParametersPublished', { paramsVersion: bad }));
    expect(paths(finite)).toEqual(['data.paramsVersion']);
    const rMultiple = errorsOf(withData('ExperienceRecorded', { rMultiple: bad }));
    expect(rMultiple).toEqual([{ path: 'data.rMultiple', message: 'must be a finite number' }]);
  });

  test('decode_when_json_number_overflows_to_infinity_then_rejected', () => {
    const json = encodeMessage(SAMPLE_MESSAGES.QuoteTick).replace('"bid":1.08452', '"bid":1e400');
    expect(errorsOf(json)).toEqual([{ path: 'data.bid', message: 'must be a positive number' }]);
  });

  test('decode_when_price_negative_or_zero_then_rejected', () => {
    expect(errorsOf(withData('BarClosed', { low: -1.08 }))).toEqual([{ path: 'data.low', message: 'must be a positive number' }]);
    expect(paths(errorsOf(withData('TradeTick', { price: 0 })))).toEqual(['data.price']);
    expect(paths(errorsOf(withData('OrderFilled', { price: '-1.08452', referencePrice: '0.000' })))).toEqual([
      'data.price',
      'data.referencePrice',
    ]);
  });

  test.each(['1e5', 'abc', '', '1.', '.5', ' 1', '1 ', 'NaN', 'Infinity', '0x10', '1,000', '--1'])(
    'decode_when_decimal_string_is_%j_then_rejected',
    (bad) => {
      const errors = errorsOf(withData('AccountUpdated', { cash: bad }));
      expect(errors).toEqual([{ path: 'data.cash', message: 'must be a decimal string (e.g. "-12.50")' }]);
    },
  );

  test('decode_when_decimal_is_a_json_number_then_rejected', () => {
    expect(paths(errorsOf(withData('AccountUpdated', { cash: 100 })))).toEqual(['data.cash']);
  });

  test('decode_when_quantity_zero_or_leaves_negative_then_sign_rules_apply', () => {
    const errors = errorsOf(withData('OrderFilled', { quantity: '0', leavesQuantity: '-1', fee: '-0.12' }));
    expect(errors).toEqual([
      { path: 'data.quantity', message: 'must be a positive decimal string (e.g. "12.50")' },
      { path: 'data.leavesQuantity', message: 'must be a decimal string ≥ 0 (e.g. "12.50")' },
    ]);
  });

  test('decode_when_unknown_field_in_payload_then_rejected', () => {
    expect(errorsOf(withData('CancelOrder', { force: true }))).toEqual([{ path: 'data.force', message: 'unknown field' }]);
  });

  test('decode_when_unknown_field_in_nested_object_or_envelope_then_rejected_with_path', () => {
    const m = withData('RiskApproved', { order: { ...SAMPLE_MESSAGES.RiskApproved.data.order, leverage: 30 } });
    expect(errorsOf({ ...m, priority: 'high' })).toEqual([
      { path: 'priority', message: 'unknown field' },
      { path: 'data.order.leverage', message: 'unknown field' },
    ]);
  });

  test('decode_when_proto_or_constructor_key_then_rejected_not_silently_dropped', () => {
    const json = encodeMessage(SAMPLE_MESSAGES.CancelOrder).replace('"by":', '"__proto__":{"admin":true},"constructor":1,"by":');
    expect(errorsOf(json)).toEqual([
      { path: 'data.__proto__', message: 'unknown field' },
      { path: 'data.constructor', message: 'unknown field' },
    ]);
    const features = encodeMessage(SAMPLE_MESSAGES.SignalDetected).replace('"features":{', '"features":{"__proto__":1,');
    expect(paths(errorsOf(features))).toEqual(['data.features.__proto__']);
  });

  test('decode_when_enum_value_wrong_then_lists_allowed_values', () => {
    const errors = errorsOf(withData('OrderDenied', { reason: 'BAD_LUCK', riskLevel: 'LOW', origin: 'robot' }));
    expect(messageAt(errors, 'data.riskLevel')).toBe('must be one of BLOCKED');
    expect(messageAt(errors, 'data.origin')).toBe('must be one of strategy, manual, plan');
    expect(messageAt(errors, 'data.reason')).toMatch(/^must be one of TRADING_HALTED, REDUCE_ONLY, .*UNKNOWN_INSTRUMENT/);
  });

  test('decode_when_timeframe_unknown_then_rejected', () => {
    expect(paths(errorsOf(withData('BarClosed', { timeframe: '2m' })))).toEqual(['data.timeframe']);
  });

  test('decode_when_quality_or_confidence_out_of_range_then_rejected', () => {
    const errors = errorsOf(
      withData('SignalDetected', { quality: 100.5, confidence: 1.2, qualityBreakdown: { trend: -1, volatility: 50, session: 50 } }),
    );
    expect(errors).toEqual([
      { path: 'data.quality', message: 'must be a number between 0 and 100' },
      { path: 'data.qualityBreakdown.trend', message: 'must be a number between 0 and 100' },
      { path: 'data.confidence', message: 'must be a number between 0 and 1' },
    ]);
  });

  test('decode_when_feature_not_finite_then_names_the_feature', () => {
    const errors = errorsOf(withData('SignalDetected', { features: { ema20: 1.08, rsi14: 'high', atr14: Number.NaN } }));
    expect(errors).toEqual([{ path: 'data.features', message: 'must be an object of finite numbers (bad: "rsi14", "atr14")' }]);
    expect(paths(errorsOf(withData('SignalDetected', { features: [1, 2] })))).toEqual(['data.features']);
  });

  test('decode_when_nested_order_field_bad_then_path_names_it', () => {
    const order = { ...SAMPLE_MESSAGES.OrderApproved.data.order, quantity: '-5', timeInForce: 'GTX' };
    expect(errorsOf(withData('OrderApproved', { order }))).toEqual([
      { path: 'data.order.quantity', message: 'must be a positive decimal string (e.g. "12.50")' },
      { path: 'data.order.timeInForce', message: 'must be one of GTC, IOC, FOK, DAY' },
    ]);
  });

  test('decode_when_array_element_bad_then_path_names_the_index', () => {
    const book = withData('BookSnapshot', {
      bids: [{ price: 100, size: 1 }, { price: -1, size: 1 }],
      asks: [{ price: 101, size: 1, orders: 3 }],
    });
    expect(errorsOf(book)).toEqual([
      { path: 'data.bids.1.price', message: 'must be a positive number' },
      { path: 'data.asks.0.orders', message: 'unknown field' },
    ]);
    const fills = SAMPLE_MESSAGES.ExperienceRecorded.data.fills.map((f, i) => (i === 1 ? { ...f, fee: '1e-3' } : f));
    expect(paths(errorsOf(withData('ExperienceRecorded', { fills })))).toEqual(['data.fills.1.fee']);
    const params = [{ ...SAMPLE_MESSAGES.LearnedParametersPublished.data.parameters[0], winRate: 1.5 }];
    expect(paths(errorsOf(withData('LearnedParametersPublished', { parameters: params })))).toEqual(['data.parameters.0.winRate']);
  });

  test('decode_when_nested_value_has_wrong_shape_then_rejected', () => {
    expect(errorsOf(withData('OrderApproved', { order: 'market' }))).toEqual([{ path: 'data.order', message: 'must be an object' }]);
    expect(errorsOf(withData('OrderApproved', { order: [] }))).toEqual([{ path: 'data.order', message: 'must be an object' }]);
    expect(errorsOf(withData('OrderApproved', { order: undefined }))).toEqual([{ path: 'data.order', message: 'is required' }]);
    expect(errorsOf(withData('BookSnapshot', { bids: { price: 1, size: 1 } }))).toEqual([{ path: 'data.bids', message: 'must be an array' }]);
    expect(errorsOf(withData('BookSnapshot', { asks: [null, 5] }))).toEqual([
      { path: 'data.asks.0', message: 'must be an object' },
      { path: 'data.asks.1', message: 'must be an object' },
    ]);
  });

  test('decode_when_optional_field_is_null_then_rejected', () => {
    const errors = errorsOf(withData('SubmitManualOrder', { price: null }));
    expect(errors).toEqual([{ path: 'data.price', message: 'must be a positive decimal string (e.g. "12.50")' }]);
    expect(paths(errorsOf(withData('ExperienceRecorded', { decision: null })))).toEqual(['data.decision']);
  });

  test('decode_when_boolean_or_string_array_wrong_then_rejected', () => {
    expect(errorsOf(withData('HaltTrading', { cancelWorkingOrders: 'yes' }))).toEqual([
      { path: 'data.cancelWorkingOrders', message: 'must be true or false' },
    ]);
    expect(errorsOf(withData('PlanTriggered', { conditionsMet: ['ok', 3] }))).toEqual([
      { path: 'data.conditionsMet', message: 'must be an array of strings' },
    ]);
  });

  test('decode_when_run_metadata_wrong_then_rejected', () => {
    const files = [{ name: 'x.csv', sha256: 'abc', rows: 1.5 }];
    const errors = errorsOf(withData('RunStarted', { seed: 4.2, files, config: { nested: { a: 1 } } }));
    expect(paths(errors)).toEqual(['data.seed', 'data.files.0.sha256', 'data.files.0.rows', 'data.config']);
  });

  test('decode_when_payload_missing_or_not_an_object_then_rejected_on_data', () => {
    const m = raw('TimerFired');
    expect(errorsOf({ ...m, data: undefined })).toEqual([{ path: 'data', message: 'is required' }]);
    expect(errorsOf({ ...m, data: [1] })).toEqual([{ path: 'data', message: 'must be an object' }]);
  });
});

describe('decodeMessage: bad envelopes and input', () => {
  test('decode_when_json_invalid_then_one_root_error_naming_the_problem', () => {
    const errors = errorsOf('{"id": "x", ');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('$');
    expect(errors[0]?.message).toMatch(/^invalid JSON: /);
    expect(paths(errorsOf(''))).toEqual(['$']);
    expect(paths(errorsOf(Buffer.from('not json')))).toEqual(['$']);
  });

  test('decode_when_bytes_not_utf8_then_root_error', () => {
    expect(errorsOf(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]))).toEqual([{ path: '$', message: 'invalid UTF-8' }]);
  });

  test.each([['[]'], ['42'], ['null'], ['"text"']])('decode_when_json_is_%s_then_must_be_object', (json) => {
    expect(errorsOf(json)).toEqual([{ path: '$', message: 'must be a JSON object' }]);
  });

  test('decode_when_input_is_not_json_like_then_must_be_object', () => {
    expect(errorsOf(42)).toEqual([{ path: '$', message: 'must be a JSON object' }]);
    expect(errorsOf(undefined)).toEqual([{ path: '$', message: 'must be a JSON object' }]);
    expect(errorsOf(new Map())).toEqual([{ path: '$', message: 'must be a JSON object' }]);
  });

  test('decode_when_type_unknown_then_single_short_error_on_type', () => {
    const errors = errorsOf({ ...raw('TimerFired'), type: 'OrderTeleported' });
    expect(errors).toEqual([{ path: 'type', message: 'unknown message type "OrderTeleported"' }]);
    const long = errorsOf({ ...raw('TimerFired'), type: 'X'.repeat(10_000) });
    expect(long[0]?.message.length).toBeLessThan(100);
    expect(errorsOf({ ...raw('TimerFired'), type: 7 })).toEqual([{ path: 'type', message: 'must be a message type name (a string)' }]);
  });

  test('decode_when_type_inherited_from_object_prototype_then_unknown', () => {
    expect(paths(errorsOf({ ...raw('TimerFired'), type: 'toString' }))).toEqual(['type']);
  });

  test('decode_when_version_differs_from_catalogue_then_error_names_expected_and_actual', () => {
    const errors = errorsOf({ ...raw('OrderFilled'), version: 2 });
    expect(errors).toEqual([{ path: 'version', message: 'unsupported version 2 of OrderFilled: expected 1' }]);
    expect(CATALOG.OrderFilled.version).toBe(1);
  });

  test.each([[0], [-1], [1.5], ['1']])('decode_when_version_is_%j_then_must_be_positive_integer', (version) => {
    expect(errorsOf({ ...raw('OrderFilled'), version })).toEqual([{ path: 'version', message: 'must be an integer ≥ 1' }]);
  });

  test('decode_when_envelope_fields_bad_then_each_is_named', () => {
    const m = raw('TimerFired');
    const errors = errorsOf({ ...m, id: '', ts: -1, correlationId: undefined, causationId: 3, account: '', source: null });
    expect(errors).toEqual([
      { path: 'id', message: 'must be a non-empty string of at most 200 characters' },
      { path: 'ts', message: 'must be epoch milliseconds (an integer ≥ 0)' },
      { path: 'correlationId', message: 'is required' },
      { path: 'causationId', message: 'must be a non-empty string' },
      { path: 'account', message: 'must be a non-empty string' },
      { path: 'source', message: 'must be a non-empty string' },
    ]);
  });

  test('decode_when_id_longer_than_200_or_ts_fractional_then_rejected', () => {
    expect(decodeMessage({ ...raw('TimerFired'), id: 'x'.repeat(200) }).ok).toBe(true);
    expect(paths(errorsOf({ ...raw('TimerFired'), id: 'x'.repeat(201), ts: 1.5 }))).toEqual(['id', 'ts']);
  });

  test('decode_when_envelope_and_payload_both_bad_then_all_reported', () => {
    const m = withData('ApproveOrder', { by: '' });
    const errors = errorsOf({ ...m, version: 3, source: '' });
    expect(paths(errors)).toEqual(['source', 'version', 'data.by']);
  });

  test('decode_when_nested_absurdly_deep_then_rejected_without_throwing', () => {
    let deep: Json = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const errors = errorsOf({ ...raw('TimerFired'), extra: deep });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('is nested deeper than 16 levels');
  });

  test('decode_when_input_is_cyclic_object_then_rejected_without_throwing', () => {
    const m = raw('TimerFired');
    (m['data'] as Json)['self'] = m;
    expect(errorsOf(m)[0]?.message).toBe('is nested deeper than 16 levels');
  });
});

describe('SubmitManualOrder time in force', () => {
  test.each(['GTC', 'DAY', 'IOC', 'FOK'])('decode_when_time_in_force_is_%s_then_ok', (timeInForce) => {
    const input = withData('SubmitManualOrder', { timeInForce });
    expect(decodeMessage(JSON.stringify(input))).toEqual({ ok: true, value: input });
  });

  test('decode_when_time_in_force_absent_as_in_logs_written_before_it_then_ok_and_unchanged', () => {
    const input = withData('SubmitManualOrder', { timeInForce: undefined });
    const wire = JSON.stringify(input);
    expect(wire).not.toContain('timeInForce');
    const r = decodeMessage(wire);
    expect(r.ok && encodeMessage(r.value)).toBe(wire);
  });

  test.each([
    ['GTD', 'must be one of GTC, IOC, FOK, DAY'],
    ['day', 'must be one of GTC, IOC, FOK, DAY'],
    ['', 'must be one of GTC, IOC, FOK, DAY'],
    [1, 'must be one of GTC, IOC, FOK, DAY'],
    [null, 'must be one of GTC, IOC, FOK, DAY'],
  ])('decode_when_time_in_force_is_%j_then_rejected_naming_the_field', (timeInForce, message) => {
    const errors = errorsOf(JSON.stringify(withData('SubmitManualOrder', { timeInForce })));
    expect(errors).toEqual([{ path: 'data.timeInForce', message: expect.stringContaining(message) }]);
  });

  test('decode_data_when_http_body_has_a_bad_time_in_force_then_path_is_the_field', () => {
    const r = decodeData('SubmitManualOrder', { ...SAMPLE_MESSAGES.SubmitManualOrder.data, timeInForce: 'GTX' });
    expect(r.ok ? [] : paths(r.error)).toEqual(['timeInForce']);
  });
});

describe('decodeData', () => {
  test('decode_data_when_valid_payload_then_ok_with_same_value', () => {
    const data = { ...SAMPLE_MESSAGES.SubmitManualOrder.data };
    const r = decodeData('SubmitManualOrder', data);
    expect(r).toEqual({ ok: true, value: data });
    expect(r.ok && r.value).toBe(data);
    expect(decodeData('SubmitManualOrder', JSON.stringify(data))).toEqual({ ok: true, value: data });
  });

  test('decode_data_when_bad_then_paths_are_relative_to_payload', () => {
    const order = { ...SAMPLE_MESSAGES.OrderApproved.data.order, quantity: 'ten' };
    const r = decodeData('OrderApproved', { ...SAMPLE_MESSAGES.OrderApproved.data, order, mode: 'yolo' });
    expect(r.ok ? [] : paths(r.error)).toEqual(['order.quantity', 'mode']);
  });

  test('decode_data_when_not_an_object_then_root_error', () => {
    expect(decodeData('CancelOrder', [])).toEqual({ ok: false, error: [{ path: '$', message: 'must be a JSON object' }] });
    expect(decodeData('CancelOrder', '{oops')).toMatchObject({ ok: false, error: [{ path: '$' }] });
  });

  test('decode_data_when_type_unknown_at_runtime_then_root_error', () => {
    const r = decodeData('Nope' as MessageType, {});
    expect(r).toEqual({ ok: false, error: [{ path: '$', message: 'unknown message type "Nope"' }] });
  });
});

describe('formatFieldErrors and encodeMessage', () => {
  test('format_when_errors_then_path_colon_message_joined_by_semicolons', () => {
    const text = formatFieldErrors([
      { path: 'data.price', message: 'must be a positive number' },
      { path: 'data.side', message: 'must be one of buy, sell' },
    ]);
    expect(text).toBe('data.price: must be a positive number; data.side: must be one of buy, sell');
    expect(formatFieldErrors([])).toBe('');
  });

  test('format_when_decoding_fails_then_reads_like_the_brief', () => {
    const r = decodeMessage(withData('TradeTick', { price: -2, side: 'hold' }));
    expect(r.ok ? '' : formatFieldErrors(r.error)).toBe('data.price: must be a positive number; data.side: must be one of buy, sell');
  });

  test('encode_when_message_then_json_text_of_it', () => {
    const m: Message = SAMPLE_MESSAGES.HaltTrading;
    expect(JSON.parse(encodeMessage(m))).toEqual(m);
  });
});

describe('decodeMessage: hostile input', () => {
  const FIELD_NAMES = [...new Set(MESSAGE_TYPES.flatMap((t) => Object.keys(SAMPLE_MESSAGES[t].data)))];
  const keyArb = fc.oneof(
    fc.constantFrom(...FIELD_NAMES, 'id', 'type', 'version', 'data'),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', '0'),
    fc.string(),
  );
  const valueArb = fc.oneof(fc.jsonValue(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, null, undefined));

  /** Own data property, even for "__proto__" (plain assignment would set the prototype). */
  function put(target: Json, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }

  test('decode_when_any_field_replaced_by_any_value_then_never_throws_and_ok_means_unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES), fc.boolean(), keyArb, valueArb, fc.boolean(), (type, inData, key, value, asText) => {
        const m = raw(type);
        put(inData ? (m['data'] as Json) : m, key, value);
        const input = asText ? JSON.stringify(m) : m;
        const r = decodeMessage(input);
        if (r.ok) {
          expect(encodeMessage(r.value)).toBe(JSON.stringify(m));
        } else {
          expect(r.error.length).toBeGreaterThan(0);
          for (const e of r.error) expect(typeof e.path === 'string' && e.message.length > 0).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('decode_when_arbitrary_json_then_never_throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = decodeMessage(JSON.stringify(v));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
