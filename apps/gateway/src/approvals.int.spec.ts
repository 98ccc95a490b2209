/**
 * Approvals through the API with risk and the governor running on NATS and PostgreSQL as their
 * containers start them (fully_manual: every order waits for a person), real EURUSD bars giving
 * risk its prices, and the gateway sending its commands onto the bus.
 */
import { resolve } from 'node:path';
import { dec } from '@tradeloop/kernel';
import { readMarketDataFile } from '@tradeloop/market-data';
import type { JetStreamPublisher } from '@tradeloop/transport-nats';
import { waitFor } from '@tradeloop/transport-nats/src/test-support';
import { call, startTestFleet, type TestFleet, type TestGateway } from './gateway.test-support';

const DATA = resolve(__dirname, '../../../../shared/data');
const FILE = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {}).bars;
// Two hours of real EURUSD quote bars: enough for risk to price an order, little to publish.
const BARS = FILE.slice(0, 120);
const LAST_BAR_TS = BARS[BARS.length - 1].ts;

/** The last price of a market as risk and the executor mark it: the last bar's mid. */
function midOf(bar: (typeof FILE)[number]): string {
  return dec(bar.data.close).plus(bar.data.askClose!).div(2).toString();
}

describe('approvals through the API, with risk and the governor running on NATS and PostgreSQL in fully_manual mode', () => {
  let fleet: TestFleet;
  let gw: TestGateway;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    fleet = await startTestFleet({
      ns: 'approvals',
      services: ['risk', 'governor'],
      // Requests stay open through the test, whatever the event clock does.
      env: { EXECUTION_MODE: 'fully_manual', APPROVAL_TTL_MS: String(24 * 3_600_000) },
      marketPrices: true,
    });
    ({ gw, publisher } = fleet);
    for (let i = 0; i < BARS.length; i += 30) await publisher.publishBatch(BARS.slice(i, i + 30));
    await publisher.flush();
    // Commands carry the replay's time, as a deployment on recorded data stamps them.
    gw.setNow(LAST_BAR_TS);
  });

  afterAll(async () => fleet?.close());

  const read = (path: string) => call(gw, 'GET', path, { key: gw.keys.read });

  /** Every message of the decision stream so far. */
  const decisions = () => fleet.streamMessages('DEC');

  /** POSTs a manual order and waits for the governor's approval request of it in the read model. */
  async function orderAwaitingApproval(body: Record<string, string>): Promise<{ commandId: string; approval: any }> {
    const posted = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: { venue: 'OANDA', symbol: 'EURUSD', type: 'market', ...body } });
    expect(posted.status).toBe(202);
    const { commandId } = posted.body;
    let approval: any;
    await waitFor(`the approval request of ${commandId}`, async () => {
      approval = (await read(`/v1/approvals?correlationId=${commandId}`)).body?.items?.[0];
      return approval !== undefined;
    });
    return { commandId, approval };
  }

  it('given_two_manual_orders_awaiting_approval_when_filtered_by_command_id_or_symbol_then_each_finds_its_own', async () => {
    const buy = await orderAwaitingApproval({ side: 'buy', quantity: '1000', stopLoss: '1.3800', takeProfit: '1.3950' });
    const sell = await orderAwaitingApproval({ side: 'sell', quantity: '2000' });

    // The command id the 202 answered is the chain of the order it became: one approval each.
    const byBuy = await read(`/v1/approvals?correlationId=${buy.commandId}`);
    expect(byBuy.status).toBe(200);
    expect(byBuy.body.items).toHaveLength(1);
    expect(byBuy.body.items[0]).toMatchObject({ status: 'requested', symbol: 'EURUSD', correlationId: buy.commandId, order: expect.objectContaining({ side: 'buy', quantity: '1000' }) });
    const bySell = await read(`/v1/approvals?correlationId=${sell.commandId}&status=requested`);
    expect(bySell.body.items.map((a: any) => a.order.side)).toEqual(['sell']);
    expect(bySell.body.items[0].approvalId).not.toBe(byBuy.body.items[0].approvalId);
    expect((await read(`/v1/approvals?correlationId=${sell.commandId}&status=granted`)).body.items).toEqual([]);
    expect((await read('/v1/approvals?correlationId=no-such-command')).body.items).toEqual([]);

    // By market, in any case, newest first and paged like the other lists.
    const upper = await read('/v1/approvals?symbol=EURUSD');
    const chains = upper.body.items.map((a: any) => a.correlationId);
    // Both were sent at the same event time: newest first, then by approval id.
    expect([...chains].sort()).toEqual([buy.commandId, sell.commandId].sort());
    expect((await read('/v1/approvals?symbol=eurusd')).body).toEqual(upper.body);
    expect((await read('/v1/approvals?symbol=GBPUSD')).body.items).toEqual([]);
    const first = await read('/v1/approvals?symbol=eurusd&limit=1');
    expect(first.body.items.map((a: any) => a.correlationId)).toEqual([chains[0]]);
    const second = await read(`/v1/approvals?symbol=eurusd&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: any) => a.correlationId)).toEqual([chains[1]]);
    expect(second.body.nextCursor).toBeNull();

    // Bad filters name the field, as on the other list routes.
    for (const [path, field] of [
      ['/v1/approvals?correlationId=has%20space', 'correlationId'],
      ['/v1/approvals?symbol=EUR%20USD', 'symbol'],
    ]) {
      const bad = await read(path);
      expect(bad.status).toBe(400);
      expect(bad.body.fields.map((f: any) => f.field)).toEqual([field]);
    }
  });

  it('given_an_approval_request_when_the_market_moves_then_the_approval_shows_the_price_risk_approved_it_at_and_how_far_the_market_is_from_it_now', async () => {
    const { commandId, approval } = await orderAwaitingApproval({ side: 'buy', quantity: '1500', stopLoss: '1.3700', takeProfit: '1.4100' });
    const requested = (await decisions()).find((m) => m.type === 'ApprovalRequested' && m.correlationId === commandId)!;
    const referencePrice = (requested.data as { referencePrice: string }).referencePrice;
    expect(referencePrice).toMatch(/^1\.3\d+$/);
    const last = BARS[BARS.length - 1];
    expect(approval).toMatchObject({
      status: 'requested',
      referencePrice,
      marketPrice: midOf(last),
      marketPriceTs: last.ts,
      marketMove: dec(midOf(last)).minus(referencePrice).toString(),
    });
    expect(approval.marketMovePct).toBeCloseTo(dec(midOf(last)).minus(referencePrice).div(referencePrice).times(100).toNumber(), 3);

    // Four hours later EURUSD is elsewhere: the person deciding sees where, against the price approved.
    const later = FILE.slice(120, 360);
    for (let i = 0; i < later.length; i += 60) await publisher.publishBatch(later.slice(i, i + 60));
    await publisher.flush();
    const now = later[later.length - 1];
    const moved = dec(midOf(now)).minus(referencePrice);
    expect(moved.isZero()).toBe(false);
    const page = await read(`/v1/approvals?correlationId=${commandId}`);
    expect(page.body.items[0]).toMatchObject({ referencePrice, marketPrice: midOf(now), marketPriceTs: now.ts, marketMove: moved.toString() });
    expect(page.body.items[0].marketMovePct).toBeCloseTo(moved.div(referencePrice).times(100).toNumber(), 3);

    // Once decided it is history: the price it was approved at stays, the market is not looked up.
    const rejected = await call(gw, 'POST', `/v1/approvals/${approval.approvalId}/reject`, { key: gw.keys.trade, body: { reason: 'market moved' } });
    expect(rejected.status).toBe(202);
    await waitFor('the rejection in the read model', async () => (await read(`/v1/approvals?correlationId=${commandId}`)).body.items[0].status === 'rejected');
    expect((await read(`/v1/approvals?correlationId=${commandId}`)).body.items[0]).toMatchObject({
      referencePrice,
      marketPrice: null,
      marketPriceTs: null,
      marketMove: null,
      marketMovePct: null,
    });
  });

  it('given_approve_and_reject_sent_together_when_the_governor_applies_one_then_the_other_commands_status_says_it_was_ignored', async () => {
    const { commandId: orderCommand, approval } = await orderAwaitingApproval({ side: 'sell', quantity: '1200' });
    // Both are accepted: the read model still says "requested" when each arrives. (The governor
    // is stopped while they are sent, so the second surely comes before the first's effect; it
    // then reads both from its inbox, in order, as after any moment it lags.)
    await fleet.stopService('governor');
    const approve = await call(gw, 'POST', `/v1/approvals/${approval.approvalId}/approve`, { key: gw.keys.trade });
    const reject = await call(gw, 'POST', `/v1/approvals/${approval.approvalId}/reject`, { key: gw.keys.admin, body: { reason: 'too late in the day' } });
    expect([approve.status, reject.status]).toEqual([202, 202]);
    // Sent, not yet handled.
    expect((await read(`/v1/commands/${reject.body.commandId}`)).body).toMatchObject({ outcome: 'pending', detail: 'the governor has not handled it yet' });
    await fleet.startService('governor');
    let decided: any;
    await waitFor('the decision in the read model', async () => {
      decided = (await read(`/v1/approvals?correlationId=${orderCommand}`)).body.items[0];
      return decided.status !== 'requested';
    });
    expect(decided).toMatchObject({ status: 'granted', decidedBy: 'trader-bot' });

    const approved = await read(`/v1/commands/${approve.body.commandId}`);
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({
      commandId: approve.body.commandId,
      type: 'ApproveOrder',
      requestedBy: 'trader-bot',
      ts: LAST_BAR_TS,
      target: approval.approvalId,
      correlationId: orderCommand,
      approvalId: approval.approvalId,
      orderId: null,
      outcome: 'applied',
      detail: 'approval granted',
      reason: null,
    });
    // The reject had no effect, and the governor itself says so (its CommandRejected), once it
    // has read it: until then it is pending, not guessed from the approval's state.
    let rejected: any;
    await waitFor('the governor to answer the reject', async () => {
      rejected = await read(`/v1/commands/${reject.body.commandId}`);
      return rejected.body.outcome !== 'pending';
    });
    expect(rejected.body).toMatchObject({
      type: 'RejectOrder',
      requestedBy: 'alice',
      target: approval.approvalId,
      correlationId: orderCommand,
      approvalId: approval.approvalId,
      outcome: 'ignored',
      detail: 'ignored: approval already granted by trader-bot',
      reason: 'APPROVAL_ALREADY_GRANTED',
    });
    const answer = (await decisions()).find((m) => m.type === 'CommandRejected' && m.causationId === reject.body.commandId);
    expect(answer).toMatchObject({
      source: 'governor',
      data: { commandId: reject.body.commandId, commandType: 'RejectOrder', by: 'alice', reason: 'APPROVAL_ALREADY_GRANTED', approvalId: approval.approvalId },
    });

    // The order's own command says where its chain stands: granted, it waits for the executor
    // (not running here) to place it.
    const order = await read(`/v1/commands/${orderCommand}`);
    expect(order.body).toMatchObject({
      type: 'SubmitManualOrder',
      target: null,
      correlationId: orderCommand,
      approvalId: approval.approvalId,
      outcome: 'pending',
      detail: 'approval granted by trader-bot; not placed yet (the executor has not reported the order)',
    });
    // The request is already decided: a later reject is refused at once (409), as before.
    expect((await call(gw, 'POST', `/v1/approvals/${approval.approvalId}/reject`, { key: gw.keys.admin, body: { reason: 'again' } })).status).toBe(409);

    const unknown = await read('/v1/commands/no-such-command');
    expect(unknown.status).toBe(404);
  });

  it('given_a_halt_and_two_resumes_when_asked_then_each_command_says_what_the_governor_did_with_it', async () => {
    const send = (path: string, body: object) => call(gw, 'POST', path, { key: gw.keys.admin, body });
    const answered = async (commandId: string) => {
      let status: any;
      await waitFor(`the governor's answer to ${commandId}`, async () => {
        status = (await read(`/v1/commands/${commandId}`)).body;
        return status.outcome !== 'pending';
      });
      return status;
    };
    const halt = await send('/v1/trading/halt', { reason: 'lunch' });
    expect(await answered(halt.body.commandId)).toMatchObject({ type: 'HaltTrading', target: null, correlationId: null, outcome: 'applied', detail: 'trading HALTED', reason: null });
    const resume = await send('/v1/trading/resume', { reason: 'back' });
    expect(await answered(resume.body.commandId)).toMatchObject({ outcome: 'applied', detail: 'trading ACTIVE' });
    // A resume when not halted changes nothing, and the governor says so.
    const again = await send('/v1/trading/resume', { reason: 'back again' });
    expect(again.status).toBe(202);
    expect(await answered(again.body.commandId)).toMatchObject({
      type: 'ResumeTrading',
      outcome: 'ignored',
      detail: 'ignored: not halted: trading is already ACTIVE',
      reason: 'ALREADY_IN_STATE',
    });
    // The halt the resume undid still reads what it did (before, `unknown`: the read model keeps
    // only the state in force).
    expect((await read(`/v1/commands/${halt.body.commandId}`)).body).toMatchObject({ outcome: 'applied', detail: 'trading HALTED' });
  });
});
