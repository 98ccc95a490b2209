/**
 * Orders the governor does not place (OrderDisplayed: display_only mode, or HALTED/REDUCING) are
 * a read model: the risk and governor services run on NATS and PostgreSQL as their containers
 * start them, real EURUSD bars give risk its prices, and the gateway sends its commands onto the
 * bus. Before, a manual order sent in display_only mode was answered 202 and then appeared
 * nowhere in the API: not in /v1/orders, /v1/denials or /v1/approvals.
 */
import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import { readMarketDataFile } from '@tradeloop/market-data';
import { countRows } from '@tradeloop/persistence/src/persistence.test-support';
import { waitFor } from '@tradeloop/transport-nats/src/test-support';
import { call, startTestFleet, type TestFleet, type TestGateway } from './gateway.test-support';

const DATA = resolve(__dirname, '../../../../shared/data');
// Two hours of real EURUSD quote bars: enough for risk to price an order, little to publish.
const BARS = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {}).bars.slice(0, 120);
const LAST_BAR_TS = BARS[BARS.length - 1].ts;

describe('orders the governor does not place, with risk and the governor running on NATS and PostgreSQL', () => {
  let fleet: TestFleet;
  let gw: TestGateway;

  beforeAll(async () => {
    fleet = await startTestFleet({ ns: 'displayed', services: ['risk', 'governor'], env: { EXECUTION_MODE: 'fully_automated' } });
    gw = fleet.gw;
    const { publisher } = fleet;
    for (let i = 0; i < BARS.length; i += 30) await publisher.publishBatch(BARS.slice(i, i + 30));
    await publisher.flush();
    // Commands carry the replay's time, as a deployment on recorded data stamps them.
    gw.setNow(LAST_BAR_TS);
  });

  afterAll(async () => fleet?.close());

  /** Every message of the decision stream so far. */
  const decisions = () => fleet.streamMessages('DEC');

  it('given_display_only_mode_when_a_market_order_is_posted_then_it_is_listed_as_displayed_with_what_would_have_been_ordered_and_why', async () => {
    const mode = await call(gw, 'PUT', '/v1/trading/mode', { key: gw.keys.admin, body: { mode: 'display_only' } });
    expect(mode.status).toBe(202);
    await waitFor('the mode change in the read model', async () => (await call(gw, 'GET', '/v1/trading-state', { key: gw.keys.read })).body.mode === 'display_only');

    const posted = await call(gw, 'POST', '/v1/orders', {
      key: gw.keys.trade,
      body: { venue: 'OANDA', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '10000', stopLoss: '1.3800', takeProfit: '1.3950' },
    });
    expect(posted.status).toBe(202);
    const { commandId } = posted.body;
    let displayed: Envelope | undefined;
    await waitFor('the governor to display the order', async () => {
      displayed = (await decisions()).find((m) => m.type === 'OrderDisplayed' && m.correlationId === commandId);
      return displayed !== undefined;
    });
    const approved = (await decisions()).find((m) => m.type === 'RiskApproved' && m.correlationId === commandId)!;

    const path = `/v1/displayed-orders?correlationId=${commandId}`;
    // The governor writes the displayed order, risk its record of it: both, once each has committed.
    await waitFor('the displayed order in the read model', async () => (await call(gw, 'GET', path, { key: gw.keys.read })).body?.items?.[0]?.riskLevel != null, 5_000);
    const page = await call(gw, 'GET', path, { key: gw.keys.read });
    expect(page.status).toBe(200);
    const order = (approved.data as { order: { stopLoss: string; takeProfit: string } }).order;
    expect([Number(order.stopLoss), Number(order.takeProfit)]).toEqual([1.38, 1.395]);
    const risk = approved.data as { riskLevel: string; riskAmount: string; notional: string; referencePrice: string; quality: number };
    expect(page.body).toEqual({
      items: [
        {
          displayId: displayed!.id,
          riskApprovalId: approved.id,
          requestId: commandId,
          reason: 'DISPLAY_ONLY',
          venue: 'OANDA',
          symbol: 'EURUSD',
          side: 'buy',
          type: 'market',
          quantity: '10000',
          limitPrice: null,
          stopPrice: null,
          timeInForce: 'GTC',
          stopLoss: order.stopLoss,
          takeProfit: order.takeProfit,
          origin: 'manual',
          strategy: null,
          riskLevel: risk.riskLevel,
          riskAmount: risk.riskAmount,
          notional: risk.notional,
          referencePrice: risk.referencePrice,
          quality: risk.quality,
          ts: displayed!.ts,
          correlationId: commandId,
        },
      ],
      nextCursor: null,
    });
    // It is not an order, a denial or an approval.
    for (const route of ['/v1/orders', '/v1/denials']) {
      expect((await call(gw, 'GET', `${route}?correlationId=${commandId}`, { key: gw.keys.read })).body.items).toEqual([]);
    }
    expect((await call(gw, 'GET', '/v1/approvals', { key: gw.keys.read })).body.items).toEqual([]);
    // Found by its market too, in any case, and by its reason.
    expect((await call(gw, 'GET', '/v1/displayed-orders?symbol=eurusd&reason=DISPLAY_ONLY', { key: gw.keys.read })).body.items).toHaveLength(1);
    expect((await call(gw, 'GET', '/v1/displayed-orders?symbol=GBPUSD', { key: gw.keys.read })).body.items).toEqual([]);
    expect((await call(gw, 'GET', '/v1/displayed-orders?reason=TRADING_HALTED', { key: gw.keys.read })).body.items).toEqual([]);
    // Written once, whatever redeliveries the services saw.
    expect(await countRows(fleet.db.ds, fleet.db.schema, 'displayed_orders')).toBe(1);
  });
});
