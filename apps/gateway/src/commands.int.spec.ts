import { CATALOG, decodeMessage, type Message } from '@tradeloop/contracts';
import { apiKeyIdOf, projectMessage } from '@tradeloop/persistence';
import { quoteIdent } from '@tradeloop/persistence/src/sql-names';
import { sampleOf } from '@tradeloop/persistence/src/persistence.test-support';
import { commandIdFor } from './index';
import { ACCOUNT, call, NOW, startTestGateway, WALL_NOW, type TestGateway } from './gateway.test-support';

const DAY = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIMIT_ORDER = {
  venue: 'OANDA',
  symbol: 'EURUSD',
  side: 'buy',
  quantity: '10000',
  type: 'limit',
  price: '1.08452',
  stopLoss: '1.08310',
  takeProfit: '1.08736',
};

async function seed(gw: TestGateway): Promise<void> {
  const T0 = 1_709_649_000_000;
  const messages: Message[] = [
    sampleOf('ApprovalRequested', { id: 'apr-pending', ts: T0, account: ACCOUNT }),
    sampleOf('ApprovalRequested', { id: 'apr-done', ts: T0, account: ACCOUNT }),
    sampleOf('ApprovalGranted', { id: 'grant-done', ts: T0 + 1, account: ACCOUNT }, { approvalId: 'apr-done' }),
    sampleOf('ApprovalRequested', { id: 'apr-foreign', ts: T0, account: 'someone-else' }),
    sampleOf('OrderSubmitted', { id: 'ord-working', ts: T0, account: ACCOUNT }, { orderId: 'ord-working', clientOrderId: 'TL-working' }),
    sampleOf('OrderSubmitted', { id: 'ord-filled', ts: T0, account: ACCOUNT }, { orderId: 'ord-filled', clientOrderId: 'TL-filled' }),
    sampleOf('OrderFilled', { id: 'fill-x', ts: T0 + 1, account: ACCOUNT }, { orderId: 'ord-filled', clientOrderId: 'TL-filled', fillId: 'fill-x' }),
    sampleOf('OrderSubmitted', { id: 'ord-foreign', ts: T0, account: 'someone-else' }, { orderId: 'ord-foreign', clientOrderId: 'TL-foreign' }),
  ];
  await gw.db.ds.transaction(async (tx) => {
    for (const m of messages) await projectMessage(tx, m);
  });
}

/** The envelope the sink got is a valid contract message, as the bus's consumers will decode it. */
function expectDecodable(envelope: unknown): void {
  const direct = decodeMessage(envelope);
  const wire = decodeMessage(Buffer.from(JSON.stringify(envelope), 'utf8'));
  expect(direct.ok ? [] : direct.error).toEqual([]);
  expect(wire.ok ? [] : wire.error).toEqual([]);
}

describe('gateway commands', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
    await seed(gw);
  });

  afterAll(async () => {
    await gw?.close();
  });

  beforeEach(() => {
    gw.sink.sent.length = 0;
    gw.sink.failure = undefined;
    gw.setNow(NOW);
    gw.setWallNow(WALL_NOW);
  });

  it('post_order_then_202_and_sink_gets_a_valid_submit_manual_order_envelope', async () => {
    const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER });
    expect(r.status).toBe(202);
    const e = gw.sink.last();
    expect(r.body).toEqual({ commandId: e.id, type: 'SubmitManualOrder', correlationId: e.id });
    expect(e.id).toMatch(UUID);
    expect(e).toEqual({
      id: e.id,
      type: 'SubmitManualOrder',
      version: CATALOG.SubmitManualOrder.version,
      ts: NOW,
      correlationId: e.id,
      causationId: e.id,
      account: ACCOUNT,
      source: 'gateway',
      data: { ...LIMIT_ORDER, requestedBy: 'trader-bot' },
    });
    expectDecodable(e);
  });

  it('post_market_order_then_no_price_key_in_the_envelope', async () => {
    const body = { venue: 'OANDA', symbol: 'XAUUSD', side: 'sell', quantity: '1.5', type: 'market' };
    expect((await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body })).status).toBe(202);
    expect(gw.sink.last().data).toEqual({ ...body, requestedBy: 'trader-bot' });
  });

  it.each([
    ['limit', 'DAY'],
    ['limit', 'IOC'],
    ['market', 'FOK'],
    ['stop', 'GTC'],
  ])('post_%s_order_with_time_in_force_%s_then_the_command_carries_it', async (type, timeInForce) => {
    const body = { ...LIMIT_ORDER, type, ...(type === 'market' && { price: undefined }), timeInForce };
    expect((await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body })).status).toBe(202);
    const e = gw.sink.last();
    expect(e.data).toMatchObject({ type, timeInForce });
    expectDecodable(e);
  });

  it('post_order_in_lower_case_then_the_market_named_as_the_data_names_it', async () => {
    // The data's markets come from file names, upper-cased (as the CLI and the orders CSV do):
    // 'eurusd' at 'oanda' would otherwise be denied NO_MARKET_PRICE.
    const body = { venue: 'oanda', symbol: 'eurusd', side: 'buy', quantity: '1000', type: 'market' };
    expect((await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body })).status).toBe(202);
    expect(gw.sink.last().data).toMatchObject({ venue: 'OANDA', symbol: 'EURUSD' });
    expectDecodable(gw.sink.last());
  });

  it('idempotency_key_when_retried_then_same_command_id_and_otherwise_distinct', async () => {
    const post = (key: string, idem?: string) =>
      call(gw, 'POST', '/v1/orders', { key, body: LIMIT_ORDER, headers: idem === undefined ? {} : { 'idempotency-key': idem } });
    const first = await post(gw.keys.trade, 'order-42');
    gw.setNow(NOW + 5_000);
    const retry = await post(gw.keys.trade, 'order-42');
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body.commandId).toBe(first.body.commandId);
    expect(gw.sink.sent.map((e) => e.id)).toEqual([first.body.commandId, first.body.commandId]);
    expect(first.body.commandId).toBe(commandIdFor(apiKeyIdOf(gw.keys.trade)!, 'SubmitManualOrder', 'order-42', WALL_NOW));

    const otherKey = await post(gw.keys.trade, 'order-43');
    const otherCaller = await post(gw.keys.admin, 'order-42');
    const noKey1 = await post(gw.keys.trade);
    const noKey2 = await post(gw.keys.trade);
    const ids = [first.body.commandId, otherKey.body.commandId, otherCaller.body.commandId, noKey1.body.commandId, noKey2.body.commandId];
    expect(new Set(ids).size).toBe(5);

    // the same client key on another command is another command
    const halt = await call(gw, 'POST', '/v1/trading/halt', { key: gw.keys.admin, body: { reason: 'x' }, headers: { 'idempotency-key': 'k1' } });
    const resume = await call(gw, 'POST', '/v1/trading/resume', { key: gw.keys.admin, body: { reason: 'x' }, headers: { 'idempotency-key': 'k1' } });
    expect(halt.body.commandId).not.toBe(resume.body.commandId);
  });

  it('given_a_cancel_or_approval_that_took_effect_when_retried_with_its_idempotency_key_then_202_with_the_same_command_id_not_409', async () => {
    // A client whose first request timed out retries with the same key after the command took
    // effect: the read model now says cancelled/granted, yet this is the same request, and the
    // key promises it the first answer. A 409 ("already cancelled") would not tell it whether
    // its own command did it.
    const T0 = 1_709_649_000_000;
    await gw.db.ds.transaction(async (tx) => {
      await projectMessage(tx, sampleOf('OrderSubmitted', { id: 'ord-retry', ts: T0, account: ACCOUNT }, { orderId: 'ord-retry', clientOrderId: 'TL-retry' }));
      await projectMessage(tx, sampleOf('ApprovalRequested', { id: 'apr-retry', ts: T0, account: ACCOUNT }));
    });
    const cancel = (idem?: string) => call(gw, 'POST', '/v1/orders/ord-retry/cancel', { key: gw.keys.trade, headers: idem === undefined ? {} : { 'idempotency-key': idem } });
    const approve = (idem?: string) => call(gw, 'POST', '/v1/approvals/apr-retry/approve', { key: gw.keys.trade, headers: idem === undefined ? {} : { 'idempotency-key': idem } });
    const firstCancel = await cancel('cancel-ord-retry');
    const firstApprove = await approve('approve-apr-retry');
    expect([firstCancel.status, firstApprove.status]).toEqual([202, 202]);
    await gw.db.ds.transaction(async (tx) => {
      await projectMessage(tx, sampleOf('OrderCancelled', { id: 'ocan-retry', ts: T0 + 1, account: ACCOUNT }, { orderId: 'ord-retry', clientOrderId: 'TL-retry' }));
      await projectMessage(tx, sampleOf('ApprovalGranted', { id: 'grant-retry', ts: T0 + 1, account: ACCOUNT }, { approvalId: 'apr-retry' }));
    });

    const retriedCancel = await cancel('cancel-ord-retry');
    const retriedApprove = await approve('approve-apr-retry');
    expect([retriedCancel.status, retriedCancel.body]).toEqual([202, firstCancel.body]);
    expect([retriedApprove.status, retriedApprove.body]).toEqual([202, firstApprove.body]);
    // Republished under the first id, which the bus and the services keep once.
    expect(gw.sink.sent.map((e) => e.id)).toEqual([firstCancel.body.commandId, firstApprove.body.commandId, firstCancel.body.commandId, firstApprove.body.commandId]);

    // Any other request on the decided target is still refused.
    const others = [await cancel(), await cancel('another-key'), await approve(), await approve('another-key')];
    expect(others.map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect(gw.sink.sent).toHaveLength(4);
  });

  it('idempotency_key_when_reused_for_a_different_request_then_422_naming_the_key_and_nothing_published', async () => {
    const headers = { 'idempotency-key': 'order-77' };
    const first = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER, headers });
    expect(first.status).toBe(202);
    // The same request with its fields in another order is the same request: a retry.
    const reordered = Object.fromEntries(Object.entries(LIMIT_ORDER).reverse());
    const retry = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: reordered, headers });
    expect([retry.status, retry.body.commandId]).toEqual([202, first.body.commandId]);
    const sent = gw.sink.sent.length;
    const sell = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: { ...LIMIT_ORDER, side: 'sell', quantity: '5000' }, headers });
    expect(sell.status).toBe(422);
    expect(sell.body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: expect.stringMatching(/^Idempotency-Key already used for a different SubmitManualOrder request .*nothing was published/),
      fields: [{ field: 'Idempotency-Key', in: 'header', problem: `already used for a different request (command ${first.body.commandId})` }],
      commandId: first.body.commandId,
    });
    expect(gw.sink.sent.length).toBe(sent);

    // A mode change under a reused key: refused, not silently answered with the first change.
    const mode = (body: object) => call(gw, 'PUT', '/v1/trading/mode', { key: gw.keys.admin, body, headers: { 'idempotency-key': 'mode-1' } });
    expect((await mode({ mode: 'fully_automated' })).status).toBe(202);
    expect((await mode({ mode: 'display_only' })).status).toBe(422);
    expect(gw.sink.last().data).toMatchObject({ mode: 'fully_automated' });
  });

  it('given_an_idempotency_key_past_its_24_hours_when_a_different_request_uses_it_then_202_as_a_new_command_under_a_new_id', async () => {
    const headers = { 'idempotency-key': 'daily-order' };
    const buy = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER, headers });
    expect(buy.status).toBe(202);
    const sellOrder = { ...LIMIT_ORDER, side: 'sell' };
    // One millisecond before the key's 24 hours end it still names the buy, and says until when.
    gw.setWallNow(WALL_NOW + DAY - 1);
    const early = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: sellOrder, headers });
    expect([early.status, early.body.commandId]).toEqual([422, buy.body.commandId]);
    expect(early.body.message).toContain(`The key is kept until ${new Date(WALL_NOW + DAY).toISOString()}.`);

    gw.setWallNow(WALL_NOW + DAY);
    const sell = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: sellOrder, headers });
    expect(sell.status).toBe(202);
    // Not the buy's id: the services would take it for a repeat of the buy and drop it.
    expect(sell.body.commandId).not.toBe(buy.body.commandId);
    expect(sell.body.commandId).toBe(commandIdFor(apiKeyIdOf(gw.keys.trade)!, 'SubmitManualOrder', 'daily-order', WALL_NOW + DAY));
    expect(gw.sink.last()).toMatchObject({ id: sell.body.commandId, correlationId: sell.body.commandId, causationId: sell.body.commandId, data: { side: 'sell' } });
    expectDecodable(gw.sink.last());
    // The key now names the sell for another 24 hours: its retry is the sell again.
    gw.setWallNow(WALL_NOW + DAY + 60_000);
    const retry = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: sellOrder, headers });
    expect([retry.status, retry.body.commandId, gw.sink.last().id]).toEqual([202, sell.body.commandId, sell.body.commandId]);
  });

  it('given_commands_stamped_with_a_replays_event_time_when_it_runs_ahead_or_stands_still_then_keys_expire_by_the_wall_clock', async () => {
    const headers = { 'idempotency-key': 'mode-change' };
    const mode = (body: object) => call(gw, 'PUT', '/v1/trading/mode', { key: gw.keys.admin, body, headers });
    expect((await mode({ mode: 'fully_automated' })).status).toBe(202);
    // TIMER_CLOCK=event at 60×: the commands' clock runs days ahead while the client retries for minutes.
    gw.setNow(NOW + 10 * DAY);
    gw.setWallNow(WALL_NOW + 5 * 60_000);
    expect((await mode({ mode: 'display_only' })).status).toBe(422);
    // The replay ended: its clock stands still, the wall clock does not.
    gw.setWallNow(WALL_NOW + DAY);
    const again = await mode({ mode: 'display_only' });
    expect(again.status).toBe(202);
    expect(gw.sink.last()).toMatchObject({ id: again.body.commandId, ts: NOW + 10 * DAY, data: { mode: 'display_only' } });
  });

  it('given_expired_idempotency_keys_in_the_table_when_a_command_claims_a_key_then_they_are_deleted', async () => {
    const table = `${quoteIdent(gw.db.schema)}."idempotency_keys"`;
    for (let i = 0; i < 3; i++) {
      await call(gw, 'POST', '/v1/trading/halt', { key: gw.keys.admin, body: { reason: 'x' }, headers: { 'idempotency-key': `old-halt-${i}` } });
    }
    const count = async (): Promise<number> => Number((await gw.db.ds.query(`SELECT count(*) AS n FROM ${table} WHERE "idempotency_key" LIKE 'old-halt-%'`))[0].n);
    expect(await count()).toBe(3);
    gw.setWallNow(WALL_NOW + DAY);
    expect((await call(gw, 'POST', '/v1/trading/resume', { key: gw.keys.admin, body: { reason: 'x' }, headers: { 'idempotency-key': 'fresh' } })).status).toBe(202);
    expect(await count()).toBe(0);
  });

  it('idempotency_key_when_two_different_requests_race_with_it_then_exactly_one_is_published', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const before = gw.sink.sent.length;
    const results = await Promise.all(
      ['1000', '2000', '3000', '4000'].map((quantity) => call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: { ...LIMIT_ORDER, quantity }, headers })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 422, 422, 422]);
    expect(gw.sink.sent.length).toBe(before + 1);
  });

  it.each([
    ['approve', 'POST', '/v1/approvals/apr-pending/approve', undefined, 'ApproveOrder', { approvalId: 'apr-pending', by: 'trader-bot' }],
    [
      'reject',
      'POST',
      '/v1/approvals/apr-pending/reject',
      { reason: 'news in 5 minutes' },
      'RejectOrder',
      { approvalId: 'apr-pending', by: 'trader-bot', reason: 'news in 5 minutes' },
    ],
    ['cancel', 'POST', '/v1/orders/ord-working/cancel', undefined, 'CancelOrder', { orderId: 'ord-working', by: 'trader-bot' }],
  ])('%s_with_trade_key_then_202_and_a_valid_envelope', async (_name, method, path, body, type, data) => {
    const r = await call(gw, method, path, { key: gw.keys.trade, body });
    expect(r.status).toBe(202);
    const e = gw.sink.last();
    expect(r.body).toEqual({ commandId: e.id, type, correlationId: e.id });
    expect(e).toMatchObject({ type, version: 1, ts: NOW, account: ACCOUNT, source: 'gateway', correlationId: e.id, causationId: e.id, data });
    expect(e.data).toEqual(data);
    expectDecodable(e);
  });

  it.each([
    ['halt', 'POST', '/v1/trading/halt', { reason: 'kill switch', cancelWorkingOrders: true }, 'HaltTrading', { by: 'alice', reason: 'kill switch', cancelWorkingOrders: true }],
    ['halt_default', 'POST', '/v1/trading/halt', { reason: 'pause' }, 'HaltTrading', { by: 'alice', reason: 'pause', cancelWorkingOrders: false }],
    ['resume', 'POST', '/v1/trading/resume', { reason: 'ok', state: 'REDUCING' }, 'ResumeTrading', { by: 'alice', reason: 'ok', state: 'REDUCING' }],
    ['resume_default', 'POST', '/v1/trading/resume', { reason: 'ok' }, 'ResumeTrading', { by: 'alice', reason: 'ok', state: 'ACTIVE' }],
    ['mode', 'PUT', '/v1/trading/mode', { mode: 'quality_based', threshold: 72.5 }, 'SetExecutionMode', { mode: 'quality_based', threshold: 72.5, by: 'alice' }],
    ['mode_no_threshold', 'PUT', '/v1/trading/mode', { mode: 'fully_manual' }, 'SetExecutionMode', { mode: 'fully_manual', by: 'alice' }],
  ])('%s_with_admin_key_then_202_and_a_valid_envelope', async (_name, method, path, body, type, data) => {
    const r = await call(gw, method, path, { key: gw.keys.admin, body });
    expect(r.status).toBe(202);
    const e = gw.sink.last();
    expect(e).toMatchObject({ type, ts: NOW, account: ACCOUNT, source: 'gateway', correlationId: e.id, causationId: e.id });
    expect(e.data).toEqual(data);
    expectDecodable(e);
  });

  describe('bad requests', () => {
    afterEach(() => {
      expect(gw.sink.sent).toHaveLength(0);
    });

    it('order_body_with_many_bad_fields_then_400_naming_every_one', async () => {
      const r = await call(gw, 'POST', '/v1/orders', {
        key: gw.keys.trade,
        body: { venue: '', symbol: 'EUR USD', side: 'hold', quantity: '-5', type: 'limit', stopLoss: 1.2, takeProfit: '1e5', leverage: 100 },
      });
      expect(r.status).toBe(400);
      expect(r.body.statusCode).toBe(400);
      expect(r.body.error).toBe('Bad Request');
      expect(r.body.message).toBe('invalid request');
      const byField = Object.fromEntries(r.body.fields.map((f: any) => [f.field, f.problem]));
      expect(Object.keys(byField).sort()).toEqual(['leverage', 'price', 'quantity', 'side', 'stopLoss', 'symbol', 'takeProfit', 'venue']);
      expect(byField).toMatchObject({
        leverage: 'unknown field',
        price: 'is required for a limit order',
        side: 'must be one of buy, sell',
        symbol: expect.stringMatching(/^must be a symbol/),
        venue: expect.stringMatching(/^must be a venue/),
      });
      for (const f of ['quantity', 'stopLoss', 'takeProfit']) expect(byField[f]).toMatch(/^must be a positive decimal string/);
      expect(r.body.fields.every((f: any) => f.in === 'body')).toBe(true);
    });

    it('empty_order_body_then_every_required_field_is_required', async () => {
      const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: {} });
      expect(r.status).toBe(400);
      expect(r.body.fields).toEqual(
        ['venue', 'symbol', 'side', 'quantity', 'type'].map((field) => ({ field, in: 'body', problem: 'is required' })),
      );
      const none = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade });
      expect(none.status).toBe(400);
      expect(none.body.fields).toHaveLength(5);
    });

    it.each([
      [{ type: 'market', price: '1.1' }, 'price', 'must be absent for a market order'],
      [{ type: 'stop', price: undefined }, 'price', 'is required for a stop order'],
      [{ quantity: 5 }, 'quantity', expect.stringMatching(/^must be a positive decimal string/)],
      [{ quantity: '0.000' }, 'quantity', expect.stringMatching(/^must be a positive decimal string/)],
      [{ quantity: null }, 'quantity', expect.stringMatching(/^must be a positive decimal string/)],
      [{ stopLoss: null }, 'stopLoss', expect.stringMatching(/^must be a positive decimal string/)],
      [{ quantity: '1'.repeat(41) }, 'quantity', expect.stringMatching(/at most 40 characters/)],
      [{ timeInForce: 'GTD' }, 'timeInForce', 'must be one of GTC, IOC, FOK, DAY'],
      [{ timeInForce: 'day' }, 'timeInForce', 'must be one of GTC, IOC, FOK, DAY'],
      [{ timeInForce: null }, 'timeInForce', 'must be one of GTC, IOC, FOK, DAY'],
      [
        { type: 'stop', timeInForce: 'IOC' },
        'timeInForce',
        'a stop order cannot be IOC: it waits for its trigger, and IOC would cancel it on its first bar unless that bar already reached it; use GTC or DAY',
      ],
      [{ type: 'stop', timeInForce: 'FOK' }, 'timeInForce', expect.stringMatching(/^a stop order cannot be FOK/)],
    ])('order_body_%j_then_400_naming_the_field', async (change, field, problem) => {
      const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: { ...LIMIT_ORDER, ...change } });
      expect(r.status).toBe(400);
      expect(r.body.fields).toEqual([{ field, in: 'body', problem }]);
    });

    it.each([
      ['truncated', '{"venue": "oanda", '],
      ['garbage', 'not json at all'],
      ['trailing comma', '{"a": 1,}'],
    ])('malformed_json_%s_then_400_not_500_and_body_not_echoed', async (_what, text) => {
      const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: text });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('Bad Request');
      expect(r.body.message).toMatch(/^malformed JSON body/);
      expect(r.body.message).not.toContain(text);
    });

    it('json_array_or_string_body_then_400_must_be_an_object', async () => {
      const arr = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: '[1, 2]' });
      expect(arr.status).toBe(400);
      expect(arr.body.fields).toEqual([{ field: '$', in: 'body', problem: 'must be a JSON object' }]);
      // Valid JSON that is not an object: said so, not called malformed.
      for (const text of ['"x"', 'null', '5', 'true']) {
        const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: text });
        expect([text, r.status, r.body.fields]).toEqual([text, 400, [{ field: '$', in: 'body', problem: 'must be a JSON object' }]]);
      }
    });

    it.each([
      ['POST', '/v1/trading/halt', { cancelWorkingOrders: 'yes' }, ['reason', 'cancelWorkingOrders']],
      ['POST', '/v1/trading/halt', { reason: '   ' }, ['reason']],
      ['POST', '/v1/trading/resume', { reason: 'ok', state: 'HALTED' }, ['state']],
      ['PUT', '/v1/trading/mode', { mode: 'yolo', threshold: 101 }, ['mode', 'threshold']],
      ['PUT', '/v1/trading/mode', { mode: 'quality_based', threshold: '80' }, ['threshold']],
      ['POST', '/v1/approvals/apr-pending/reject', {}, ['reason']],
      ['POST', '/v1/approvals/apr-pending/reject', { reason: 'x'.repeat(501) }, ['reason']],
      ['POST', '/v1/approvals/apr-pending/approve', { note: 'ok', by: 'mallory' }, ['note', 'by']],
      ['POST', '/v1/orders/ord-working/cancel', { reason: 'x' }, ['reason']],
    ])('%s_%s_with_%j_then_400_naming_%j', async (method, path, body, fields) => {
      const r = await call(gw, method, path, { key: gw.keys.admin, body });
      expect(r.status).toBe(400);
      expect(r.body.fields.map((f: any) => f.field)).toEqual(fields);
    });

    it('bad_path_param_then_400_naming_it_in_path', async () => {
      const spaced = await call(gw, 'POST', '/v1/orders/bad%20id/cancel', { key: gw.keys.trade });
      expect(spaced.status).toBe(400);
      expect(spaced.body.fields).toEqual([{ field: 'id', in: 'path', problem: 'must be 1-200 printable ASCII characters without spaces' }]);
      const long = await call(gw, 'POST', `/v1/approvals/${'a'.repeat(201)}/approve`, { key: gw.keys.trade });
      expect(long.status).toBe(400);
      expect(long.body.fields[0]).toMatchObject({ field: 'approvalId', in: 'path' });
    });

    it('bad_idempotency_key_header_then_400_naming_the_header', async () => {
      const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER, headers: { 'idempotency-key': 'has space' } });
      expect(r.status).toBe(400);
      expect(r.body.fields).toEqual([{ field: 'Idempotency-Key', in: 'header', problem: expect.stringMatching(/printable ASCII/) }]);
    });

    it.each([
      ['POST', '/v1/orders/no-such-order/cancel', 'no order "no-such-order"'],
      ['POST', '/v1/orders/ord-foreign/cancel', 'no order "ord-foreign"'],
      ['POST', '/v1/approvals/no-such/approve', 'no approval "no-such"'],
      ['POST', '/v1/approvals/apr-foreign/approve', 'no approval "apr-foreign"'],
    ])('%s_%s_unknown_or_other_account_then_404', async (method, path, message) => {
      const r = await call(gw, method, path, { key: gw.keys.trade });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ statusCode: 404, error: 'Not Found', message });
    });

    it('cancel_filled_order_or_approve_decided_approval_then_409', async () => {
      const cancel = await call(gw, 'POST', '/v1/orders/ord-filled/cancel', { key: gw.keys.trade });
      expect(cancel.status).toBe(409);
      expect(cancel.body.message).toBe('order "ord-filled" is already filled: nothing to cancel');
      const approve = await call(gw, 'POST', '/v1/approvals/apr-done/approve', { key: gw.keys.trade });
      expect(approve.status).toBe(409);
      expect(approve.body.message).toBe('approval "apr-done" is already granted');
    });

    it('sink_failure_then_503_with_the_command_id_and_a_retry_keeps_it', async () => {
      gw.sink.failure = new Error('nats: 503 no responders');
      const headers = { 'idempotency-key': 'retry-me' };
      const failed = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER, headers });
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/^command bus unavailable: SubmitManualOrder .* may not have been published/),
        commandId: commandIdFor(apiKeyIdOf(gw.keys.trade)!, 'SubmitManualOrder', 'retry-me', WALL_NOW),
      });
      expect(JSON.stringify(failed.body)).not.toContain('no responders');
      gw.sink.failure = undefined;
      const retried = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: LIMIT_ORDER, headers });
      expect(retried.status).toBe(202);
      expect(retried.body.commandId).toBe(failed.body.commandId);
      gw.sink.sent.length = 0; // the retry's publish is expected; the afterEach checks the failures sent nothing
    });
  });
});

describe('gateway commands with a sink that never answers', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ sinkTimeoutMs: 150 });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('sink_timeout_then_503_after_the_configured_time', async () => {
    gw.sink.hang = true;
    const r = await call(gw, 'POST', '/v1/trading/halt', { key: gw.keys.admin, body: { reason: 'x' } });
    expect(r.status).toBe(503);
    expect(r.body.commandId).toMatch(UUID);
    expect(gw.logger.lines.join('\n')).toMatch(/HaltTrading .* not published: no acknowledgement within 150 ms/);
  });
});
