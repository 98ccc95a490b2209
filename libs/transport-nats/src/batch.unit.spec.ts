import type { Envelope } from '@tradeloop/kernel';
import {
  BatchError,
  batchMsgId,
  batchSubject,
  decodeBatch,
  DEFAULT_BATCH_BYTES,
  encodeBatch,
  encodeBatches,
  MarketDataBatcher,
  MAX_BATCH_MESSAGES,
} from './batch';
import { topology } from './streams';
import { bar } from './test-support';

const bars = (n: number, o: Parameters<typeof bar>[1] = {}) => Array.from({ length: n }, (_, i) => bar(i, { ...o, id: `${o.symbol ?? 'BTCUSDT'}-${i}` }));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('market-data batch wire format', () => {
  it('encode_then_decode_then_same_envelopes', () => {
    const messages = bars(3);
    const r = decodeBatch(encodeBatch(messages));
    expect(r).toEqual({ ok: true, value: { kind: 'MarketDataBatch', version: 1, venue: 'binance', symbol: 'BTCUSDT', messages } });
  });

  it('batch_subject_and_msg_id_then_venue_symbol_subject_and_first_colon_last', () => {
    const messages = bars(3);
    expect(batchSubject(topology({ ns: 'x' }), messages)).toBe('x.md.batch.binance.BTCUSDT');
    expect(batchSubject(topology(), bars(1, { symbol: 'EUR/USD.x' }))).toBe('md.batch.binance.EUR/USD_x');
    expect(batchMsgId(messages)).toBe('BTCUSDT-0:BTCUSDT-2');
  });

  it('decode_with_a_bad_element_then_errors_name_its_index', () => {
    const raw = JSON.parse(text(encodeBatch(bars(3))));
    raw.messages[1].data.close = -5;
    delete raw.messages[2].id;
    const r = decodeBatch(JSON.stringify(raw));
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.error.map((e) => e.path);
    expect(paths).toContain('messages.1.data.close');
    expect(paths).toContain('messages.2.id');
    expect(paths.some((p) => p.startsWith('messages.0'))).toBe(false);
  });

  it('decode_with_element_of_other_symbol_or_type_then_rejected_at_that_index', () => {
    const raw = JSON.parse(text(encodeBatch(bars(2))));
    raw.messages[1].data.symbol = 'ETHUSDT';
    raw.messages.push({ ...raw.messages[0], type: 'HaltTrading', data: { by: 'ops', reason: 'x', cancelWorkingOrders: false } });
    const r = decodeBatch(raw);
    expect(r.ok ? [] : r.error).toEqual([
      { path: 'messages.1.data.symbol', message: 'must equal the batch symbol "BTCUSDT"' },
      { path: 'messages.2.type', message: 'HaltTrading is not market data (BarClosed, QuoteTick, TradeTick, BookSnapshot)' },
    ]);
  });

  it('decode_malformed_input_then_root_errors', () => {
    expect(decodeBatch('{nope')).toMatchObject({ ok: false, error: [{ path: '$', message: expect.stringMatching(/^invalid JSON/) }] });
    expect(decodeBatch(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, error: [{ path: '$', message: 'invalid UTF-8' }] });
    expect(decodeBatch('[1]')).toEqual({ ok: false, error: [{ path: '$', message: 'must be a JSON object' }] });
    const r = decodeBatch({ kind: 'Other', version: 2, venue: '', symbol: 7, messages: [], extra: 1 });
    expect(r.ok ? [] : r.error.map((e) => e.path)).toEqual(['extra', 'kind', 'version', 'venue', 'symbol', 'messages']);
    expect(decodeBatch({ kind: 'MarketDataBatch', version: 1, venue: 'v', symbol: 's', messages: {} })).toEqual({
      ok: false,
      error: [{ path: 'messages', message: 'must be an array of envelopes' }],
    });
  });

  it('encode_inconsistent_batches_then_throws', () => {
    expect(() => encodeBatch([])).toThrow(BatchError);
    expect(() => encodeBatch([bar(0), bar(1, { symbol: 'ETHUSDT' })])).toThrow(/messages\[1\] is binance\/ETHUSDT; the batch is binance\/BTCUSDT/);
    const halt = { ...bar(0), type: 'HaltTrading' } as unknown as Envelope;
    expect(() => encodeBatch([halt])).toThrow(/not market data/);
    expect(() => encodeBatch(bars(MAX_BATCH_MESSAGES + 1))).toThrow(/at most/);
  });
});

describe('encodeBatches', () => {
  const ids = (ms: readonly Envelope[]) => ms.map((m) => m.id);
  const decoded = (bytes: Uint8Array) => {
    const r = decodeBatch(bytes);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value.messages;
  };

  it('series_under_the_budget_then_one_batch_with_the_bytes_of_encodeBatch', () => {
    const messages = bars(50);
    const out = encodeBatches(messages);
    expect(out).toHaveLength(1);
    expect(out[0].messages).toBe(messages);
    expect(out[0].bytes).toEqual(encodeBatch(messages));
  });

  it('series_over_the_budget_then_every_batch_fits_decodes_and_together_they_are_the_series_in_order', () => {
    const messages = bars(1_500);
    expect(encodeBatch(messages).length).toBeGreaterThan(DEFAULT_BATCH_BYTES);
    const out = encodeBatches(messages);
    expect(out.length).toBeGreaterThan(1);
    for (const b of out) {
      expect(b.bytes.length).toBeLessThanOrEqual(DEFAULT_BATCH_BYTES);
      expect(b.bytes).toEqual(encodeBatch(b.messages));
      expect(ids(decoded(b.bytes))).toEqual(ids(b.messages));
    }
    expect(out.flatMap((b) => ids(b.messages))).toEqual(ids(messages));
    // Deterministic: the same series and budget give the same batches (the same Nats-Msg-Ids).
    expect(encodeBatches(messages).map((b) => batchMsgId(b.messages))).toEqual(out.map((b) => batchMsgId(b.messages)));
  });

  it('messages_longer_than_the_first_then_parts_that_overflow_are_halved_until_they_fit', () => {
    // The first message is short, the rest carry a long id: the estimate from the first is low.
    const messages = bars(400).map((m, i) => (i === 0 ? m : { ...m, id: `${m.id}-${'x'.repeat(200)}` }));
    const budget = 20_000;
    const out = encodeBatches(messages, budget);
    expect(out.every((b) => b.bytes.length <= budget)).toBe(true);
    expect(out.flatMap((b) => ids(b.messages))).toEqual(ids(messages));
  });

  it('one_message_over_the_budget_or_a_bad_budget_then_range_error_naming_it', () => {
    expect(() => encodeBatches(bars(3), 100)).toThrow(/message BTCUSDT-0 alone encodes to \d+ bytes as a batch, over the 100-byte batch limit/);
    expect(() => encodeBatches(bars(3), 0)).toThrow(/maxBytes must be a positive integer, got 0/);
    expect(() => encodeBatches([bar(0), bar(1, { symbol: 'ETHUSDT' })])).toThrow(BatchError);
  });
});

describe('MarketDataBatcher', () => {
  it('add_until_full_then_hands_back_a_batch_per_symbol_and_drain_returns_the_rest', () => {
    const b = new MarketDataBatcher(2);
    const btc = bars(3);
    const eth = bars(1, { symbol: 'ETHUSDT' });
    expect(b.add(btc[0])).toBeUndefined();
    expect(b.add(eth[0])).toBeUndefined();
    expect(b.add(btc[1])).toEqual([btc[0], btc[1]]);
    expect(b.add(btc[2])).toBeUndefined();
    expect(b.drain()).toEqual([[eth[0]], [btc[2]]]);
    expect(b.drain()).toEqual([]);
  });

  it('batcher_with_bad_size_or_non_market_data_then_throws', () => {
    expect(() => new MarketDataBatcher(0)).toThrow(RangeError);
    expect(() => new MarketDataBatcher(MAX_BATCH_MESSAGES + 1)).toThrow(RangeError);
    expect(() => new MarketDataBatcher().add({ ...bar(0), type: 'RunEnded' } as unknown as Envelope)).toThrow(BatchError);
  });
});
