/**
 * The history of closed positions: risk, the governor and the executor run on NATS and
 * PostgreSQL as their containers start them, real EURUSD bars are the market, and a person trades
 * through the gateway. Before, GET /v1/positions?status=closed showed only the last position of
 * each market: the read model kept one row per account, venue and symbol, so each new position
 * overwrote the one closed before it.
 */
import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import { readMarketDataFile } from '@tradeloop/market-data';
import { waitFor } from '@tradeloop/transport-nats/src/test-support';
import { call, startTestFleet, type TestFleet, type TestGateway } from './gateway.test-support';

const DATA = resolve(__dirname, '../../../../shared/data');
const BARS = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {}).bars.slice(0, 200);

describe('positions of a market traded twice, with risk, the governor and the executor on NATS and PostgreSQL', () => {
  let fleet: TestFleet;
  let gw: TestGateway;
  let fed = 0;

  beforeAll(async () => {
    fleet = await startTestFleet({
      ns: 'positions',
      services: ['risk', 'governor', 'executor'],
      env: { EXECUTION_MODE: 'fully_automated', ACCOUNT_CURRENCY: 'USD' },
    });
    gw = fleet.gw;
    await feed(60);
  });

  afterAll(async () => fleet?.close());

  /** The next `n` bars; commands then carry the last one's time, as a deployment on recorded data stamps them. */
  async function feed(n: number): Promise<void> {
    await fleet.publisher.publishBatch(BARS.slice(fed, fed + n));
    await fleet.publisher.flush();
    fed += n;
    gw.setNow(BARS[fed - 1].ts);
  }

  const executions = () => fleet.streamMessages('EXE');

  /** A market order through the gateway, filled on the bars that follow it. */
  async function trade(side: 'buy' | 'sell'): Promise<void> {
    const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: { venue: 'OANDA', symbol: 'EURUSD', side, type: 'market', quantity: '10000' } });
    expect(r.status).toBe(202);
    const order = async () => (await call(gw, 'GET', `/v1/orders?correlationId=${r.body.commandId}`, { key: gw.keys.read })).body.items[0];
    await waitFor(`the ${side} order`, async () => (await order()) !== undefined);
    await feed(5);
    await waitFor(`the ${side} order's fill`, async () => (await order()).status === 'filled');
    // Past risk's cooldown after a losing close (15 minutes), so the next entry is not denied.
    await feed(16);
  }

  it('given_two_positions_opened_and_closed_on_one_market_when_closed_positions_are_listed_then_both_newest_first_with_their_figures', async () => {
    for (const side of ['buy', 'sell', 'sell', 'buy'] as const) await trade(side);
    const closes = (await executions()).filter((m) => m.type === 'PositionClosed') as Envelope<'PositionClosed', any>[];
    expect(closes.map((c) => c.data.direction)).toEqual(['long', 'short']);

    const path = '/v1/positions?status=closed';
    await waitFor('the last close in the read model', async () =>
      (await call(gw, 'GET', path, { key: gw.keys.read })).body.items.some((p: any) => p.positionId === closes[1].data.positionId),
    );
    const closed = await call(gw, 'GET', path, { key: gw.keys.read });
    expect(closed.status).toBe(200);
    expect(closed.body.items.map((p: any) => [p.positionId, p.direction, p.status])).toEqual([
      [closes[1].data.positionId, 'short', 'closed'],
      [closes[0].data.positionId, 'long', 'closed'],
    ]);
    const long = closes[0].data;
    expect(closed.body.items[1]).toMatchObject({
      venue: 'OANDA',
      symbol: 'EURUSD',
      averagePrice: long.entryPrice,
      exitPrice: long.exitPrice,
      maxQuantity: '10000',
      realizedPnl: long.realizedPnl,
      grossPnl: long.grossPnl,
      fees: long.fees,
      currency: 'USD',
      exitReason: 'manual',
      openedAt: long.openedAt,
      closedAt: long.closedAt,
      holdingMs: long.holdingMs,
      entryOrderId: long.entryOrderId,
      origin: 'manual',
      correlationId: closes[0].correlationId,
    });
    // Paged, and by market.
    const first = await call(gw, 'GET', `${path}&limit=1`, { key: gw.keys.read });
    const second = await call(gw, 'GET', `${path}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { key: gw.keys.read });
    expect([...first.body.items, ...second.body.items].map((p: any) => p.positionId)).toEqual(closed.body.items.map((p: any) => p.positionId));
    expect(second.body.nextCursor).toBeNull();
    expect((await call(gw, 'GET', `${path}&symbol=eurusd`, { key: gw.keys.read })).body.items).toHaveLength(2);
    expect((await call(gw, 'GET', `${path}&symbol=GBPUSD`, { key: gw.keys.read })).body.items).toEqual([]);
    // Nothing is open; status says so.
    expect((await call(gw, 'GET', '/v1/positions', { key: gw.keys.read })).body.items).toEqual([]);
    expect((await call(gw, 'GET', '/v1/status', { key: gw.keys.read })).body.openPositions).toBe(0);
  });
});
