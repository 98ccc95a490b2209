import type { Message } from '@tradeloop/contracts';
import { projectMessage } from '@tradeloop/persistence';
import { sampleOf } from '@tradeloop/persistence/src/persistence.test-support';
import { ACCOUNT, call, startTestGateway, type TestGateway } from './gateway.test-support';

const T0 = 1_709_649_000_000;
const MIN = 60_000;
const OTHER = 'someone-else';
const SAMPLE_ORDER = sampleOf('RiskApproved').data.order;

/** A small but real history, fed through the same projections the read-model consumer runs. */
function history(): Message[] {
  const m: Message[] = [];
  const order = (i: number, symbol: string) =>
    sampleOf('OrderSubmitted', { id: `q-o${i}`, ts: T0 + i * MIN, account: ACCOUNT }, { orderId: `q-o${i}`, clientOrderId: `TL-q-o${i}`, symbol });
  m.push(order(0, 'EURUSD'), order(1, 'XAUUSD'), order(2, 'EURUSD'), order(3, 'XAUUSD'), order(4, 'EURUSD'));
  m.push(sampleOf('OrderFilled', { id: 'q-f0', ts: T0 + 10 * MIN, account: ACCOUNT }, { orderId: 'q-o0', clientOrderId: 'TL-q-o0', fillId: 'q-f0' }));
  m.push(
    sampleOf('OrderFilled', { id: 'q-f3', ts: T0 + 11 * MIN, account: ACCOUNT }, {
      orderId: 'q-o3',
      clientOrderId: 'TL-q-o3',
      fillId: 'q-f3',
      symbol: 'XAUUSD',
      quantity: '4000',
      cumulativeQuantity: '4000',
      leavesQuantity: '6000',
    }),
  );
  m.push(sampleOf('OrderCancelled', { id: 'q-c1', ts: T0 + 12 * MIN, account: ACCOUNT }, { orderId: 'q-o1', clientOrderId: 'TL-q-o1', reason: 'user' }));
  m.push(sampleOf('OrderAccepted', { id: 'q-a2', ts: T0 + 12 * MIN, account: ACCOUNT }, { orderId: 'q-o2', clientOrderId: 'TL-q-o2', brokerOrderId: 'paper-2' }));
  m.push(sampleOf('PositionOpened', { id: 'q-p0', ts: T0 + 10 * MIN, account: ACCOUNT }, { positionId: 'q-pos0', symbol: 'EURUSD', entryOrderId: 'q-o0' }));
  m.push(sampleOf('PositionOpened', { id: 'q-p1', ts: T0 + 11 * MIN, account: ACCOUNT }, { positionId: 'q-pos1', symbol: 'XAUUSD', entryOrderId: 'q-o3' }));
  m.push(sampleOf('PositionOpened', { id: 'q-p2', ts: T0 + 11 * MIN, account: ACCOUNT }, { positionId: 'q-pos2', symbol: 'GBPUSD' }));
  m.push(sampleOf('PositionClosed', { id: 'q-pc2', ts: T0 + 30 * MIN, account: ACCOUNT }, { positionId: 'q-pos2', symbol: 'GBPUSD' }));
  m.push(sampleOf('ApprovalRequested', { id: 'q-apr0', ts: T0, account: ACCOUNT }));
  m.push(sampleOf('ApprovalRequested', { id: 'q-apr1', ts: T0 + MIN, account: ACCOUNT }));
  m.push(sampleOf('ApprovalExpired', { id: 'q-apr0-x', ts: T0 + 15 * MIN, account: ACCOUNT }, { approvalId: 'q-apr0' }));
  for (let i = 0; i < 3; i++) {
    m.push(
      sampleOf('ExperienceRecorded', { id: `q-e${i}`, ts: T0 + (40 + i) * MIN, account: ACCOUNT }, {
        positionId: `q-xpos${i}`,
        strategy: i === 2 ? 'rejection_wick' : 'structure_break',
        direction: i === 1 ? 'short' : 'long',
        closedAt: T0 + (40 + i) * MIN,
      }),
    );
  }
  m.push(sampleOf('AccountUpdated', { id: 'q-acct', ts: T0 + 45 * MIN, account: ACCOUNT }));
  // Risk's refusals: a strategy order's and a manual order's (its chain is the command id).
  m.push(sampleOf('OrderDenied', { id: 'q-d0', ts: T0 + 20 * MIN, account: ACCOUNT, correlationId: 'q-sig9' }));
  m.push(
    sampleOf('OrderDenied', { id: 'q-d1', ts: T0 + 21 * MIN, account: ACCOUNT, correlationId: 'q-cmd1' }, {
      requestId: 'q-cmd1', symbol: 'XAUUSD', reason: 'PRICE_COLLAR', detail: 'limit 1200 is 8.1% from the reference 1306.2 (collar 2%)', origin: 'manual',
    }),
  );
  // Orders the governor did not place: a strategy order in display_only mode (risk's record of it
  // projected too) and a manual one while halted (risk's record not projected yet).
  m.push(sampleOf('RiskApproved', { id: 'q-rsk5', ts: T0 + 22 * MIN, account: ACCOUNT, correlationId: 'q-sig5' }, { requestId: 'q-dec5' }));
  m.push(sampleOf('OrderDisplayed', { id: 'q-disp5', ts: T0 + 22 * MIN, account: ACCOUNT, correlationId: 'q-sig5' }, {
    riskApprovalId: 'q-rsk5', order: SAMPLE_ORDER, reason: 'DISPLAY_ONLY',
  }));
  m.push(sampleOf('OrderDisplayed', { id: 'q-disp6', ts: T0 + 23 * MIN, account: ACCOUNT, correlationId: 'q-cmd6' }, {
    riskApprovalId: 'q-rsk6', order: { ...SAMPLE_ORDER, symbol: 'XAUUSD', side: 'sell', type: 'market', limitPrice: undefined, stopLoss: undefined, takeProfit: undefined, origin: 'manual', strategy: undefined }, reason: 'TRADING_HALTED',
  }));
  m.push(sampleOf('TradingStateChanged', { id: 'q-state', ts: T0 + 50 * MIN, account: ACCOUNT }));
  m.push(sampleOf('ExecutionModeChanged', { id: 'q-mode', ts: T0 - MIN, account: ACCOUNT }));
  // another account on the same database: never visible through this gateway
  m.push(sampleOf('OrderSubmitted', { id: 'x-o', ts: T0, account: OTHER }, { orderId: 'x-o', clientOrderId: 'TL-x-o' }));
  m.push(sampleOf('OrderFilled', { id: 'x-f', ts: T0, account: OTHER }, { orderId: 'x-o', clientOrderId: 'TL-x-o', fillId: 'x-f' }));
  m.push(sampleOf('PositionOpened', { id: 'x-p', ts: T0, account: OTHER }, { positionId: 'x-pos', symbol: 'BTCUSDT' }));
  m.push(sampleOf('ApprovalRequested', { id: 'x-apr', ts: T0, account: OTHER }));
  m.push(sampleOf('ExperienceRecorded', { id: 'x-e', ts: T0, account: OTHER }, { positionId: 'x-xpos' }));
  m.push(sampleOf('OrderDisplayed', { id: 'x-disp', ts: T0, account: OTHER }));
  return m;
}

/** Follows nextCursor to the end. */
async function allPages(gw: TestGateway, key: string, path: string, limit: number, idOf: (x: any) => string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call(gw, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    expect(r.status).toBe(200);
    pages.push(r.body.items.map(idOf));
    cursor = r.body.nextCursor;
  } while (cursor !== null);
  return pages;
}

describe('gateway queries', () => {
  let gw: TestGateway;
  let key: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    key = gw.keys.read;
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('status_and_trading_state_when_nothing_projected_then_nulls_and_zero_counts', async () => {
    const status = await call(gw, 'GET', '/v1/status', { key });
    expect(status.status).toBe(200);
    // Before the governor's first start nothing is known about it.
    const nothing = {
      account: ACCOUNT,
      state: null,
      reason: null,
      stateBy: null,
      stateTs: null,
      stateSource: null,
      mode: null,
      threshold: null,
      modeBy: null,
      modeTs: null,
      modeSource: null,
      governorStartedTs: null,
    };
    expect(status.body).toEqual({ account: ACCOUNT, trading: nothing, balance: null, openOrders: 0, openPositions: 0 });
    expect((await call(gw, 'GET', '/v1/trading-state', { key })).body).toEqual(nothing);
    expect((await call(gw, 'GET', '/v1/orders', { key })).body).toEqual({ items: [], nextCursor: null });
  });

  describe('after a history was projected', () => {
    beforeAll(async () => {
      await gw.db.ds.transaction(async (tx) => {
        for (const m of history()) await projectMessage(tx, m);
      });
    });

    it('status_then_governor_state_balance_and_counts_of_working_orders_and_open_positions', async () => {
      const r = await call(gw, 'GET', '/v1/status', { key });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        account: ACCOUNT,
        trading: {
          account: ACCOUNT,
          state: 'HALTED',
          reason: 'kill switch from the dashboard',
          stateBy: 'alice',
          stateTs: T0 + 50 * MIN,
          stateSource: 'command',
          mode: 'quality_based',
          threshold: 80,
          modeBy: 'alice',
          modeTs: T0 - MIN,
          modeSource: 'command',
          governorStartedTs: null,
        },
        // equity needs mark prices the read models do not hold: null while positions are open
        balance: { currency: 'USD', cash: '100028.40', equity: null, realizedPnl: '28.40', fees: '0.00', updatedTs: T0 + 45 * MIN, source: 'account_updated', executorStartedTs: null },
        openOrders: 3, // q-o2 accepted, q-o3 partially filled, q-o4 submitted
        openPositions: 2,
      });
      const state = await call(gw, 'GET', '/v1/trading-state', { key });
      expect(state.body).toEqual(r.body.trading);
    });

    it('orders_when_paged_then_newest_first_every_row_once_and_only_this_account', async () => {
      const pages = await allPages(gw, key, '/v1/orders', 2, (o) => o.orderId);
      expect(pages).toEqual([['q-o4', 'q-o3'], ['q-o2', 'q-o1'], ['q-o0']]);
    });

    it('orders_when_filtered_by_status_list_or_repeated_key_and_symbol_then_matching_rows', async () => {
      const comma = await call(gw, 'GET', '/v1/orders?status=submitted,accepted,partially_filled', { key });
      expect(comma.body.items.map((o: any) => o.orderId)).toEqual(['q-o4', 'q-o3', 'q-o2']);
      const repeated = await call(gw, 'GET', '/v1/orders?status=filled&status=cancelled', { key });
      expect(repeated.body.items.map((o: any) => [o.orderId, o.status])).toEqual([
        ['q-o1', 'cancelled'],
        ['q-o0', 'filled'],
      ]);
      const xau = await call(gw, 'GET', '/v1/orders?symbol=XAUUSD', { key });
      expect(xau.body.items.map((o: any) => o.orderId)).toEqual(['q-o3', 'q-o1']);
    });

    it('order_by_id_then_the_full_view_and_unknown_or_foreign_then_404', async () => {
      const r = await call(gw, 'GET', '/v1/orders/q-o3', { key });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        orderId: 'q-o3',
        clientOrderId: 'TL-q-o3',
        approvedOrderId: 'ord-appr-5a61f0b2',
        riskApprovalId: 'rsk-7c20e95b',
        account: ACCOUNT,
        venue: 'oanda',
        symbol: 'XAUUSD',
        side: 'buy',
        type: 'limit',
        quantity: '10000',
        limitPrice: '1.08452',
        stopPrice: null,
        timeInForce: 'GTC',
        role: 'entry',
        parentOrderId: null,
        ocoGroup: null,
        origin: 'strategy',
        strategy: 'structure_break',
        status: 'partially_filled',
        statusReason: null,
        brokerOrderId: null,
        filledQuantity: '4000',
        createdTs: T0 + 3 * MIN,
        updatedTs: T0 + 11 * MIN,
        correlationId: 'sig-0b6f7d1e',
      });
      for (const id of ['missing', 'x-o']) {
        const nf = await call(gw, 'GET', `/v1/orders/${id}`, { key });
        expect(nf.status).toBe(404);
        expect(nf.body).toEqual({ statusCode: 404, error: 'Not Found', message: `no order "${id}"` });
      }
    });

    it('fills_then_newest_first_and_filter_by_order', async () => {
      const r = await call(gw, 'GET', '/v1/fills', { key });
      expect(r.body.items.map((f: any) => [f.fillId, f.quantity, f.price])).toEqual([
        ['q-f3', '4000', '1.08452'],
        ['q-f0', '10000', '1.08452'],
      ]);
      expect(r.body.items[0]).toMatchObject({ orderId: 'q-o3', symbol: 'XAUUSD', fee: '0.00', spread: '0.00013', ts: T0 + 11 * MIN });
      // A fill in the account's own money converts nothing: the conversion fields are present and null.
      expect(r.body.items[0]).toMatchObject({ feeCurrency: 'USD', accountCurrency: null, conversionRate: null, accountRealizedPnl: null, accountFee: null });
      const one = await call(gw, 'GET', '/v1/fills?orderId=q-o0', { key });
      expect(one.body.items.map((f: any) => f.fillId)).toEqual(['q-f0']);
    });

    it('fills_when_converted_to_the_account_currency_then_the_view_says_how', async () => {
      const usdjpy = sampleOf('OrderFilled', { id: 'q-fjpy', ts: T0 + 60 * MIN, account: ACCOUNT }, {
        orderId: 'q-ojpy', clientOrderId: 'TL-q-ojpy', fillId: 'q-fjpy', symbol: 'USDJPY', price: '151.000', referencePrice: '151.000',
        fee: '151', feeCurrency: 'JPY', accountCurrency: 'USD', conversionRate: '0.006622516556', accountRealizedPnl: '0.00', accountFee: '1.00',
      });
      await gw.db.ds.transaction((tx) => projectMessage(tx, usdjpy));
      const r = await call(gw, 'GET', '/v1/fills?orderId=q-ojpy', { key });
      expect(r.body.items).toEqual([
        expect.objectContaining({ fillId: 'q-fjpy', fee: '151', feeCurrency: 'JPY', accountCurrency: 'USD', conversionRate: '0.006622516556', accountRealizedPnl: '0.00', accountFee: '1.00' }),
      ]);
    });

    it('denials_then_newest_first_and_a_manual_orders_found_by_its_command_id', async () => {
      const all = await call(gw, 'GET', '/v1/denials', { key });
      expect(all.status).toBe(200);
      expect(all.body.items.map((d: any) => [d.denialId, d.reason, d.origin])).toEqual([
        ['q-d1', 'PRICE_COLLAR', 'manual'],
        ['q-d0', 'POSITION_ALREADY_OPEN', 'strategy'],
      ]);
      const mine = await call(gw, 'GET', '/v1/denials?correlationId=q-cmd1', { key });
      expect(mine.body.items).toEqual([
        { denialId: 'q-d1', requestId: 'q-cmd1', symbol: 'XAUUSD', reason: 'PRICE_COLLAR', detail: 'limit 1200 is 8.1% from the reference 1306.2 (collar 2%)', origin: 'manual', ts: T0 + 21 * MIN, correlationId: 'q-cmd1' },
      ]);
      expect((await call(gw, 'GET', '/v1/denials?reason=POSITION_ALREADY_OPEN&symbol=EURUSD', { key })).body.items.map((d: any) => d.denialId)).toEqual(['q-d0']);
      expect(await allPages(gw, key, '/v1/denials', 1, (d) => d.denialId)).toEqual([['q-d1'], ['q-d0']]);
      // A placed order is found by its chain the same way.
      expect((await call(gw, 'GET', '/v1/orders?correlationId=q-cmd1', { key })).body.items).toEqual([]);
      const chain = (await call(gw, 'GET', '/v1/orders?limit=1', { key })).body.items[0].correlationId;
      const ofChain = (await call(gw, 'GET', `/v1/orders?correlationId=${chain}`, { key })).body.items;
      expect(ofChain.length).toBeGreaterThan(0);
      expect(ofChain.every((o: any) => o.correlationId === chain)).toBe(true);
    });

    it('displayed_orders_then_newest_first_with_the_order_risks_rating_and_why_and_filters', async () => {
      const all = await call(gw, 'GET', '/v1/displayed-orders', { key });
      expect(all.status).toBe(200);
      expect(all.body.items.map((d: any) => [d.displayId, d.reason, d.origin])).toEqual([
        ['q-disp6', 'TRADING_HALTED', 'manual'],
        ['q-disp5', 'DISPLAY_ONLY', 'strategy'],
      ]);
      expect(all.body.items[1]).toEqual({
        displayId: 'q-disp5',
        riskApprovalId: 'q-rsk5',
        requestId: 'q-dec5',
        reason: 'DISPLAY_ONLY',
        venue: 'oanda',
        symbol: 'EURUSD',
        side: 'buy',
        type: 'limit',
        quantity: '10000',
        limitPrice: '1.08452',
        stopPrice: null,
        timeInForce: 'GTC',
        stopLoss: '1.08310',
        takeProfit: '1.08736',
        origin: 'strategy',
        strategy: 'structure_break',
        riskLevel: 'MEDIUM',
        riskAmount: '14.20',
        notional: '10845.20',
        referencePrice: '1.08452',
        quality: 78.5,
        ts: T0 + 22 * MIN,
        correlationId: 'q-sig5',
      });
      // Risk's record of the manual one is not in yet: its rating is null, the order is all there.
      expect(all.body.items[0]).toMatchObject({ symbol: 'XAUUSD', side: 'sell', type: 'market', limitPrice: null, stopLoss: null, takeProfit: null, strategy: null, requestId: null, riskLevel: null, quality: null });
      expect((await call(gw, 'GET', '/v1/displayed-orders?correlationId=q-cmd6', { key })).body.items.map((d: any) => d.displayId)).toEqual(['q-disp6']);
      expect((await call(gw, 'GET', '/v1/displayed-orders?reason=DISPLAY_ONLY', { key })).body.items.map((d: any) => d.displayId)).toEqual(['q-disp5']);
      expect((await call(gw, 'GET', '/v1/displayed-orders?symbol=XAUUSD&reason=DISPLAY_ONLY', { key })).body.items).toEqual([]);
      expect(await allPages(gw, key, '/v1/displayed-orders', 1, (d) => d.displayId)).toEqual([['q-disp6'], ['q-disp5']]);
    });

    it('positions_then_open_by_default_all_and_closed_on_request', async () => {
      const open = await call(gw, 'GET', '/v1/positions', { key });
      expect(open.body.items.map((p: any) => [p.symbol, p.status])).toEqual([
        ['EURUSD', 'open'],
        ['XAUUSD', 'open'],
      ]);
      expect(open.body.items[0]).toMatchObject({ positionId: 'q-pos0', direction: 'long', quantity: '10000', averagePrice: '1.08452', currency: 'USD', closedAt: null });
      // An open position says which order opened it, and so where it came from.
      expect(open.body.items[0]).toMatchObject({ entryOrderId: 'q-o0', origin: 'strategy', strategy: 'structure_break', correlationId: 'sig-0b6f7d1e', exitPrice: null, holdingMs: null });
      const all = await call(gw, 'GET', '/v1/positions?status=all', { key });
      expect(all.body.items.map((p: any) => [p.symbol, p.status])).toEqual([['EURUSD', 'open'], ['XAUUSD', 'open'], ['GBPUSD', 'closed']]);
      const closed = await call(gw, 'GET', '/v1/positions?status=closed', { key });
      expect(closed.body.items).toEqual([
        {
          positionId: 'q-pos2',
          venue: 'oanda',
          symbol: 'GBPUSD',
          direction: 'long',
          status: 'closed',
          quantity: '0',
          maxQuantity: '10000',
          averagePrice: '1.08452',
          exitPrice: '1.08736',
          realizedPnl: '28.40',
          grossPnl: '28.40',
          fees: '0.00',
          currency: 'USD',
          entryOrderId: 'ord-9e4c7b13',
          exitReason: 'take_profit',
          openedAt: T0 + 3 * MIN,
          closedAt: T0 + 45 * MIN,
          // From the open of the entry fill's bar (T0 + 2 min), not the fill's own time.
          holdingMs: 43 * MIN,
          maxAdverseExcursion: 0.00061,
          maxFavorableExcursion: 0.00291,
          origin: 'strategy',
          strategy: 'structure_break',
          correlationId: 'sig-0b6f7d1e',
          updatedTs: T0 + 30 * MIN,
        },
      ]);
      expect(await allPages(gw, key, '/v1/positions?status=all', 1, (p) => p.symbol)).toEqual([['EURUSD'], ['XAUUSD'], ['GBPUSD']]);
      expect((await call(gw, 'GET', '/v1/positions?status=all&symbol=gbpusd', { key })).body.items.map((p: any) => p.positionId)).toEqual(['q-pos2']);
    });

    it('approvals_then_newest_first_and_status_filter', async () => {
      const r = await call(gw, 'GET', '/v1/approvals', { key });
      expect(r.body.items.map((a: any) => [a.approvalId, a.status])).toEqual([
        ['q-apr1', 'requested'],
        ['q-apr0', 'expired'],
      ]);
      expect(r.body.items[0]).toMatchObject({ symbol: 'EURUSD', quality: 78.5, threshold: 80, mode: 'quality_based', order: expect.objectContaining({ quantity: '10000' }) });
      const pending = await call(gw, 'GET', '/v1/approvals?status=requested', { key });
      expect(pending.body.items.map((a: any) => a.approvalId)).toEqual(['q-apr1']);
    });

    it('experiences_then_newest_first_with_payload_and_filters', async () => {
      const r = await call(gw, 'GET', '/v1/experiences', { key });
      expect(r.body.items.map((e: any) => e.experienceId)).toEqual(['q-e2', 'q-e1', 'q-e0']);
      expect(r.body.items[2]).toMatchObject({ pnl: '28.40', fees: '0.00', currency: 'USD', win: true, rMultiple: 2, strategy: 'structure_break', closedAt: T0 + 40 * MIN });
      expect(r.body.items[2].payload).toMatchObject({ positionId: 'q-xpos0', features: { rsi14: 61.2 } });
      const sb = await call(gw, 'GET', '/v1/experiences?strategy=structure_break&direction=long', { key });
      expect(sb.body.items.map((e: any) => e.experienceId)).toEqual(['q-e0']);
      const recent = await call(gw, 'GET', `/v1/experiences?closedFrom=${T0 + 41 * MIN}`, { key });
      expect(recent.body.items.map((e: any) => e.experienceId)).toEqual(['q-e2', 'q-e1']);
      expect(await allPages(gw, key, '/v1/experiences', 2, (e) => e.experienceId)).toEqual([['q-e2', 'q-e1'], ['q-e0']]);
    });

    it.each(['/v1/experiences', '/v1/orders', '/v1/fills', '/v1/denials', '/v1/displayed-orders', '/v1/positions'])('%s_when_symbol_filter_in_lower_case_then_the_same_rows_as_upper_case', async (path) => {
      // Markets are named in upper case everywhere (from data file names; manual orders are
      // upper-cased): ?symbol=eurusd answered an empty page, as if nothing had traded.
      const upper = await call(gw, 'GET', `${path}?symbol=EURUSD`, { key });
      const lower = await call(gw, 'GET', `${path}?symbol=eurusd`, { key });
      expect(upper.status).toBe(200);
      expect(upper.body.items.length).toBeGreaterThan(0);
      expect(lower.body).toEqual(upper.body);
    });

    it('bad_query_values_then_400_naming_every_field_in_query', async () => {
      const r = await call(gw, 'GET', '/v1/orders?limit=0&status=filled,bogus&symbol=&colour=red', { key });
      expect(r.status).toBe(400);
      expect(r.body.fields).toHaveLength(4);
      expect(r.body.fields).toEqual(expect.arrayContaining([
        { field: 'limit', in: 'query', problem: 'must be an integer from 1 to 500' },
        { field: 'status', in: 'query', problem: expect.stringMatching(/^must be one or more of submitted, accepted/) },
        { field: 'symbol', in: 'query', problem: expect.stringMatching(/^must be a symbol/) },
        { field: 'colour', in: 'query', problem: 'unknown field' },
      ]));
    });

    it.each([
      ['/v1/orders?limit=abc', 'limit'],
      ['/v1/orders?limit=1e2', 'limit'],
      ['/v1/orders?limit=501', 'limit'],
      ['/v1/orders?symbol=A&symbol=B', 'symbol'],
      ['/v1/positions?status=maybe', 'status'],
      ['/v1/positions?symbol=EUR%20USD', 'symbol'],
      ['/v1/approvals?status=pending', 'status'],
      ['/v1/fills?orderId=has%20space', 'orderId'],
      ['/v1/experiences?closedFrom=-1', 'closedFrom'],
      ['/v1/experiences?direction=up', 'direction'],
      ['/v1/denials?reason=TOO_RISKY', 'reason'],
      ['/v1/denials?correlationId=has%20space', 'correlationId'],
      ['/v1/orders?correlationId=has%20space', 'correlationId'],
      ['/v1/displayed-orders?reason=DENIED', 'reason'],
      ['/v1/displayed-orders?correlationId=has%20space', 'correlationId'],
      ['/v1/status?x=1', 'x'],
      ['/v1/trading-state?verbose=true', 'verbose'],
    ])('%s_then_400_naming_%s', async (path, field) => {
      const r = await call(gw, 'GET', path, { key });
      expect(r.status).toBe(400);
      expect(r.body.fields.map((f: any) => f.field)).toEqual([field]);
    });

    it('cursor_not_made_for_this_listing_then_400_naming_cursor', async () => {
      const positionsCursor = (await call(gw, 'GET', '/v1/positions?limit=1', { key })).body.nextCursor;
      const forged = Buffer.from(JSON.stringify(['not-a-time', 'x']), 'utf8').toString('base64url');
      for (const cursor of ['%%%garbage', positionsCursor, forged]) {
        const r = await call(gw, 'GET', `/v1/orders?cursor=${encodeURIComponent(cursor)}`, { key });
        expect(r.status).toBe(400);
        expect(r.body.fields).toEqual([{ field: 'cursor', in: 'query', problem: 'is not a cursor of this listing (use nextCursor as given)' }]);
      }
    });

    it('bad_order_id_param_then_400', async () => {
      const r = await call(gw, 'GET', `/v1/orders/${'x'.repeat(201)}`, { key });
      expect(r.status).toBe(400);
      expect(r.body.fields).toEqual([{ field: 'id', in: 'path', problem: expect.stringMatching(/^must be 1-200/) }]);
    });

    it('unknown_route_then_404_in_the_same_error_shape', async () => {
      const r = await call(gw, 'GET', '/v1/nothing-here', { key });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /v1/nothing-here' });
    });

    it('status_when_every_position_is_closed_then_equity_equals_cash', async () => {
      await gw.db.ds.transaction(async (tx) => {
        for (const [id, symbol, pos] of [['q-pc0', 'EURUSD', 'q-pos0'], ['q-pc1', 'XAUUSD', 'q-pos1']]) {
          await projectMessage(tx, sampleOf('PositionClosed', { id, ts: T0 + 60 * MIN, account: ACCOUNT }, { positionId: pos, symbol }));
        }
      });
      const r = await call(gw, 'GET', '/v1/status', { key });
      expect(r.body.openPositions).toBe(0);
      expect(r.body.balance).toMatchObject({ cash: '100028.40', equity: '100028.40' });
    });
  });
});
