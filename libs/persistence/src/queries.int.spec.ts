import type { Message } from '@tradeloop/contracts';
import { projectMessage } from './projections';
import {
  getAccount,
  getOrder,
  getOrderByClientOrderId,
  getTradingState,
  InvalidCursorError,
  listApprovals,
  listExperiences,
  listFills,
  listOrders,
  listPositions,
  MAX_PAGE_LIMIT,
  type Page,
  type PageRequest,
} from './queries';
import { openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';
import { quoteIdent } from './sql-names';

const T0 = 1_709_649_000_000;
const MIN = 60_000;
const ACCOUNT = 'acct-q';

/** Every page of a keyset listing, following nextCursor to the end. */
async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list({ limit, cursor });
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
}

describe('queries', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
    const messages: Message[] = [];
    // Seven orders; 3 and 4 share an event time, so the id breaks the tie.
    const times = [0, 1, 2, 3, 3, 4, 5].map((m) => T0 + m * MIN);
    times.forEach((ts, i) => {
      const id = `q-o${i}`;
      const symbol = i % 2 === 0 ? 'EURUSD' : 'XAUUSD';
      messages.push(sampleOf('OrderSubmitted', { id, ts, account: ACCOUNT }, { orderId: id, clientOrderId: `TL-${id}`, symbol }));
      if (i < 3) {
        messages.push(
          sampleOf(
            'OrderFilled',
            { id: `q-f${i}`, ts: ts + 1, account: ACCOUNT },
            { orderId: id, clientOrderId: `TL-${id}`, fillId: `q-f${i}`, symbol },
          ),
        );
      }
    });
    messages.push(sampleOf('OrderSubmitted', { id: 'other-o', account: 'someone-else' }, { orderId: 'other-o', clientOrderId: 'TL-other-o' }));
    for (const [i, symbol] of ['XAUUSD', 'EURUSD', 'BTCUSDT', 'GBPUSD'].entries()) {
      messages.push(
        sampleOf('PositionOpened', { id: `q-p${i}`, ts: T0 + i, account: ACCOUNT }, { positionId: `q-pos${i}`, symbol, openedAt: T0 + i }),
      );
    }
    messages.push(
      sampleOf('PositionClosed', { id: 'q-pc', ts: T0 + 9 * MIN, account: ACCOUNT }, { positionId: 'q-pos3', symbol: 'GBPUSD', openedAt: T0 + 3 }),
    );
    for (let i = 0; i < 5; i++) {
      messages.push(
        sampleOf(
          'ExperienceRecorded',
          { id: `q-e${i}`, ts: T0 + (10 + i) * MIN, account: ACCOUNT },
          { positionId: `q-xpos${i}`, strategy: i < 3 ? 'structure_break' : 'rejection_wick', closedAt: T0 + (10 + i) * MIN },
        ),
      );
    }
    messages.push(sampleOf('ApprovalRequested', { id: 'q-a0', ts: T0, account: ACCOUNT }));
    messages.push(sampleOf('ApprovalRequested', { id: 'q-a1', ts: T0 + MIN, account: ACCOUNT }));
    messages.push(sampleOf('ApprovalExpired', { id: 'q-a0-exp', ts: T0 + 15 * MIN, account: ACCOUNT }, { approvalId: 'q-a0' }));
    messages.push(sampleOf('AccountUpdated', { id: 'q-acct', ts: T0 + 9 * MIN, account: ACCOUNT }));
    messages.push(sampleOf('TradingStateChanged', { id: 'q-state', ts: T0 + 9 * MIN, account: ACCOUNT }));
    await db.ds.transaction(async (manager) => {
      for (const m of messages) await projectMessage(manager, m);
    });
  });

  afterAll(async () => {
    await db.close();
  });

  it('list_orders_when_paged_then_newest_first_ties_by_id_no_row_skipped_or_repeated', async () => {
    const pages = await allPages((p) => listOrders(db.ds.manager, ACCOUNT, p), 3);
    expect(pages.map((p) => p.map((o) => o.orderId))).toEqual([['q-o6', 'q-o5', 'q-o4'], ['q-o3', 'q-o2', 'q-o1'], ['q-o0']]);
  });

  it('list_orders_when_filtered_by_status_and_symbol_then_only_matching_rows', async () => {
    const working = await listOrders(db.ds, ACCOUNT, { status: ['submitted', 'accepted', 'partially_filled'] });
    expect(working.items.map((o) => o.orderId)).toEqual(['q-o6', 'q-o5', 'q-o4', 'q-o3']);
    const eur = await listOrders(db.ds, ACCOUNT, { symbol: 'EURUSD', status: ['filled'] });
    expect(eur.items.map((o) => o.orderId)).toEqual(['q-o2', 'q-o0']);
    expect((await listOrders(db.ds, ACCOUNT, { status: [] })).items).toEqual([]);
    expect((await listOrders(db.ds, 'nobody')).items).toEqual([]);
  });

  it('get_order_when_by_id_or_client_order_id_then_found_and_unknown_is_null', async () => {
    expect((await getOrder(db.ds, 'q-o1'))?.clientOrderId).toBe('TL-q-o1');
    expect((await getOrderByClientOrderId(db.ds, 'TL-q-o1'))?.orderId).toBe('q-o1');
    expect(await getOrder(db.ds, 'missing')).toBeNull();
  });

  it('list_fills_when_paged_or_filtered_by_order_then_newest_first', async () => {
    const pages = await allPages((p) => listFills(db.ds, ACCOUNT, p), 2);
    expect(pages.map((p) => p.map((f) => f.fillId))).toEqual([['q-f2', 'q-f1'], ['q-f0']]);
    expect((await listFills(db.ds, ACCOUNT, { orderId: 'q-o1' })).items.map((f) => f.fillId)).toEqual(['q-f1']);
  });

  it('list_positions_when_default_then_open_ones_by_symbol_and_all_includes_closed', async () => {
    const pages = await allPages((p) => listPositions(db.ds, ACCOUNT, p), 2);
    expect(pages.map((p) => p.map((x) => x.symbol))).toEqual([['BTCUSDT', 'EURUSD'], ['XAUUSD']]);
    const all = await listPositions(db.ds, ACCOUNT, { status: 'all' });
    // The open ones by symbol, then the closed ones.
    expect(all.items.map((x) => `${x.symbol}:${x.status}`)).toEqual(['BTCUSDT:open', 'EURUSD:open', 'XAUUSD:open', 'GBPUSD:closed']);
    expect((await listPositions(db.ds, ACCOUNT, { status: 'closed' })).items.map((x) => x.positionId)).toEqual(['q-pos3']);
  });

  it('list_experiences_when_paged_and_filtered_then_newest_closed_first', async () => {
    const pages = await allPages((p) => listExperiences(db.ds, ACCOUNT, p), 2);
    expect(pages.map((p) => p.map((e) => e.experienceId))).toEqual([['q-e4', 'q-e3'], ['q-e2', 'q-e1'], ['q-e0']]);
    const sb = await listExperiences(db.ds, ACCOUNT, { strategy: 'structure_break', closedFrom: T0 + 11 * MIN });
    expect(sb.items.map((e) => e.experienceId)).toEqual(['q-e2', 'q-e1']);
    expect((await listExperiences(db.ds, ACCOUNT, { direction: 'short' })).items).toEqual([]);
  });

  it('list_approvals_when_filtered_by_status_then_matching_newest_first', async () => {
    expect((await listApprovals(db.ds, ACCOUNT)).items.map((a) => `${a.approvalId}:${a.status}`)).toEqual(['q-a1:requested', 'q-a0:expired']);
    expect((await listApprovals(db.ds, ACCOUNT, { status: 'requested' })).items.map((a) => a.approvalId)).toEqual(['q-a1']);
  });

  it('get_account_and_trading_state_when_known_then_rows_and_unknown_is_null', async () => {
    expect(await getAccount(db.ds, ACCOUNT)).toMatchObject({ cash: '100028.40', currency: 'USD' });
    expect(await getTradingState(db.ds, ACCOUNT)).toMatchObject({ state: 'HALTED', mode: null });
    expect(await getAccount(db.ds, 'nobody')).toBeNull();
  });

  it('list_when_cursor_is_not_ours_then_invalid_cursor_error', async () => {
    await expect(listOrders(db.ds, ACCOUNT, { cursor: 'not-a-cursor' })).rejects.toThrow(InvalidCursorError);
    const wrongArity = Buffer.from(JSON.stringify(['EURUSD'])).toString('base64url');
    await expect(listOrders(db.ds, ACCOUNT, { cursor: wrongArity })).rejects.toThrow(InvalidCursorError);
    const wrongType = Buffer.from(JSON.stringify([{ x: 1 }, 'id'])).toString('base64url');
    await expect(listFills(db.ds, ACCOUNT, { cursor: wrongType })).rejects.toThrow(InvalidCursorError);
  });

  it('list_when_limit_is_out_of_range_then_rejected_or_capped', async () => {
    await expect(listOrders(db.ds, ACCOUNT, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(listOrders(db.ds, ACCOUNT, { limit: 2.5 })).rejects.toThrow(RangeError);
    await db.ds.query(
      `INSERT INTO ${quoteIdent(db.schema)}."orders" ("order_id", "client_order_id", "approved_order_id", "risk_approval_id",
         "account", "venue", "symbol", "side", "type", "quantity", "tif", "role", "origin", "status", "filled_quantity",
         "created_ts", "updated_ts", "correlation_id")
       SELECT 'many-' || i, 'TL-many-' || i, 'ap', 'rk', 'acct-many', 'oanda', 'EURUSD', 'buy', 'market', 1, 'GTC',
              'entry', 'manual', 'submitted', 0, $1::bigint + i, $1::bigint + i, 'c'
         FROM generate_series(1, $2::int) AS i`,
      [T0, MAX_PAGE_LIMIT + 1],
    );
    const capped = await listOrders(db.ds, 'acct-many', { limit: MAX_PAGE_LIMIT * 10 });
    expect(capped.items).toHaveLength(MAX_PAGE_LIMIT);
    expect(capped.nextCursor).not.toBeNull();
    expect((await listOrders(db.ds, 'acct-many', { limit: MAX_PAGE_LIMIT, cursor: capped.nextCursor! })).items).toHaveLength(1);
  });
});
