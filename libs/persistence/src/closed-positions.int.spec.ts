/**
 * The history of closed positions (closed_positions): one row per PositionClosed, kept for good,
 * while `positions` holds the current position of each market; the ClosedPositions migration
 * recovers the closes made before the table existed.
 */
import type { Message } from '@tradeloop/contracts';
import { revertMigrations, runMigrations } from './data-source';
import { PERSISTENCE_MIGRATIONS } from './migrations';
import { handleOnce } from './idempotent';
import { projectMessage, type ProjectionOutcome } from './projections';
import { listPositions, type Page, type PositionRecord } from './queries';
import { ClosedPositionEntity, PositionEntity, type PositionStatus } from './entities';
import { openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';
import { tablesOf } from './sql-names';

const T0 = 1_709_649_000_000;
const MIN = 60_000;

function opened(acct: string, pid: string, o: { symbol?: string; direction?: 'long' | 'short'; at: number; entry: string }): Message {
  return sampleOf('PositionOpened', { id: `open-${pid}`, account: acct, ts: o.at, correlationId: `chain-${pid}` }, {
    positionId: pid,
    venue: 'OANDA',
    symbol: o.symbol ?? 'EURUSD',
    direction: o.direction ?? 'long',
    openedAt: o.at,
    entryOrderId: o.entry,
  });
}

function closed(acct: string, pid: string, o: { symbol?: string; direction?: 'long' | 'short'; from: number; to: number; entry: string; net: string }): Message<'PositionClosed'> {
  return sampleOf('PositionClosed', { id: `close-${pid}`, account: acct, ts: o.to, correlationId: `chain-${pid}` }, {
    positionId: pid,
    venue: 'OANDA',
    symbol: o.symbol ?? 'EURUSD',
    direction: o.direction ?? 'long',
    openedAt: o.from,
    closedAt: o.to,
    holdingMs: o.to - o.from,
    entryOrderId: o.entry,
    realizedPnl: o.net,
    grossPnl: o.net,
  });
}

async function allPages(list: (cursor?: string) => Promise<Page<PositionRecord>>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items.map((p) => `${p.positionId}:${p.status}`));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

describe('closed positions', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: 4 });
  });

  afterAll(async () => {
    await db.close();
  });

  const deliver = (m: Message) => handleOnce(db.ds, 'read-models', m, async (tx) => void (await projectMessage(tx, m)));
  const project = (m: Message): Promise<ProjectionOutcome> => db.ds.transaction((tx) => projectMessage(tx, m));

  it('given_two_positions_opened_and_closed_on_one_market_when_projected_then_both_are_in_the_history_and_the_market_row_is_the_current_one', async () => {
    const acct = 'acct-two';
    for (const m of [
      opened(acct, 'pos-1', { at: T0, entry: 'ord-1' }),
      closed(acct, 'pos-1', { from: T0, to: T0 + 10 * MIN, entry: 'ord-1', net: '-12.50' }),
      opened(acct, 'pos-2', { direction: 'short', at: T0 + 20 * MIN, entry: 'ord-2' }),
      closed(acct, 'pos-2', { direction: 'short', from: T0 + 20 * MIN, to: T0 + 30 * MIN, entry: 'ord-2', net: '31.00' }),
      opened(acct, 'pos-3', { at: T0 + 40 * MIN, entry: 'ord-3' }),
    ]) {
      expect(await deliver(m)).toBe('applied');
    }
    // A PositionClosed delivered again writes nothing.
    expect(await project(closed(acct, 'pos-1', { from: T0, to: T0 + 10 * MIN, entry: 'ord-1', net: '-12.50' }))).toBe('unchanged');

    const history = await db.ds.getRepository(ClosedPositionEntity).find({ where: { account: acct }, order: { closedAt: 'ASC' } });
    expect(history.map((c) => [c.positionId, c.direction, c.realizedPnl, c.entryOrderId, c.source])).toEqual([
      ['pos-1', 'long', '-12.50', 'ord-1', 'event'],
      ['pos-2', 'short', '31.00', 'ord-2', 'event'],
    ]);
    expect(history[0]).toEqual({
      positionId: 'pos-1',
      account: acct,
      venue: 'OANDA',
      symbol: 'EURUSD',
      direction: 'long',
      maxQuantity: '10000',
      entryPrice: '1.08452',
      exitPrice: '1.08736',
      grossPnl: '-12.50',
      fees: '0.00',
      realizedPnl: '-12.50',
      currency: 'USD',
      exitReason: 'take_profit',
      openedAt: T0,
      closedAt: T0 + 10 * MIN,
      holdingMs: 10 * MIN,
      maxAdverseExcursion: 0.00061,
      maxFavorableExcursion: 0.00291,
      entryOrderId: 'ord-1',
      origin: 'strategy',
      strategy: 'structure_break',
      correlationId: 'chain-pos-1',
      updatedTs: T0 + 10 * MIN,
      source: 'event',
    });
    // The market's row is its current position; a late close of an older one does not touch it.
    expect(await project(closed(acct, 'pos-0', { from: T0 - 20 * MIN, to: T0 - 10 * MIN, entry: 'ord-0', net: '1.00' }))).toBe('applied');
    expect(await db.ds.getRepository(PositionEntity).findOneByOrFail({ account: acct, venue: 'OANDA', symbol: 'EURUSD' })).toMatchObject({
      positionId: 'pos-3',
      status: 'open',
    });

    expect((await listPositions(db.ds, acct, { status: 'closed' })).items.map((p) => p.positionId)).toEqual(['pos-2', 'pos-1', 'pos-0']);
    expect((await listPositions(db.ds, acct)).items.map((p) => [p.positionId, p.status, p.quantity])).toEqual([['pos-3', 'open', '10000']]);
  });

  it('given_open_and_closed_positions_on_several_markets_when_all_are_paged_at_any_size_then_open_ones_by_symbol_then_closes_newest_first_each_once', async () => {
    const acct = 'acct-all';
    const msgs: Message[] = [];
    ['GBPUSD', 'EURUSD', 'XAUUSD'].forEach((symbol, i) => {
      const at = T0 + i * 100 * MIN;
      msgs.push(opened(acct, `c-${symbol}`, { symbol, at, entry: `ord-c-${symbol}` }));
      msgs.push(closed(acct, `c-${symbol}`, { symbol, from: at, to: at + 5 * MIN, entry: `ord-c-${symbol}`, net: '1.00' }));
      if (symbol !== 'GBPUSD') msgs.push(opened(acct, `o-${symbol}`, { symbol, at: at + 10 * MIN, entry: `ord-o-${symbol}` }));
    });
    for (const m of msgs) await project(m);
    const expected = ['o-EURUSD:open', 'o-XAUUSD:open', 'c-XAUUSD:closed', 'c-EURUSD:closed', 'c-GBPUSD:closed'];
    for (const limit of [1, 2, 3, 5, 6]) {
      const pages = await allPages((cursor) => listPositions(db.ds, acct, { status: 'all', limit, cursor }));
      expect(pages.flat()).toEqual(expected);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
    }
    const eur = await listPositions(db.ds, acct, { status: 'all', symbol: 'EURUSD' });
    expect(eur.items.map((p) => `${p.positionId}:${p.status}`)).toEqual(['o-EURUSD:open', 'c-EURUSD:closed']);
    const statuses: PositionStatus[] = ['open', 'closed'];
    for (const status of statuses) {
      const pages = await allPages((cursor) => listPositions(db.ds, acct, { status, limit: 1, cursor }));
      expect(pages.flat()).toEqual(expected.filter((e) => e.endsWith(`:${status}`)));
    }
  });

  it('given_closes_made_before_the_history_existed_when_migrated_then_each_is_recovered_from_the_experience_store_or_the_market_row', async () => {
    const acct = 'acct-migrated';
    // Before the migration: EURUSD traded twice (learning recorded both closes; the market's row
    // keeps only the second), XAUUSD once with no experience (learning was not running).
    const names = PERSISTENCE_MIGRATIONS.map((M) => new M().name);
    await revertMigrations(db.ds, names.length - names.indexOf('ClosedPositions1700000012000'));
    const t = tablesOf(db.ds);
    const experience = (pid: string, at: number, o: { direction: 'long' | 'short'; pnl: string; fees: string }) =>
      sampleOf('ExperienceRecorded', { id: `exp-${pid}`, ts: at, account: acct, correlationId: `chain-${pid}` }, {
        positionId: pid,
        venue: 'OANDA',
        direction: o.direction,
        pnl: o.pnl,
        fees: o.fees,
        openedAt: at - 10 * MIN,
        closedAt: at,
        holdingMs: 11 * MIN,
        ...(pid === 'm-eur1' && { origin: 'manual', strategy: 'manual' }),
      });
    const entry = (pid: string, symbol: string, origin: 'manual' | 'strategy') =>
      sampleOf('OrderSubmitted', { id: `sub-${pid}`, ts: T0, account: acct, correlationId: `chain-${pid}` }, {
        orderId: `ord-${pid}`,
        clientOrderId: `TL-${pid}`,
        venue: 'OANDA',
        symbol,
        origin,
        ...(origin === 'manual' && { strategy: undefined }),
      });
    const fill = (pid: string, symbol: string) =>
      sampleOf('OrderFilled', { id: `fill-${pid}`, ts: T0, account: acct, correlationId: `chain-${pid}` }, {
        fillId: `fill-${pid}`,
        orderId: `ord-${pid}`,
        clientOrderId: `TL-${pid}`,
        venue: 'OANDA',
        symbol,
      });
    await db.ds.transaction(async (tx) => {
      for (const m of [
        entry('m-eur1', 'EURUSD', 'manual'),
        fill('m-eur1', 'EURUSD'),
        entry('m-eur2', 'EURUSD', 'strategy'),
        fill('m-eur2', 'EURUSD'),
        entry('m-xau', 'XAUUSD', 'strategy'),
        experience('m-eur1', T0 + 20 * MIN, { direction: 'long', pnl: '-7.25', fees: '1.50' }),
        experience('m-eur2', T0 + 40 * MIN, { direction: 'short', pnl: '12.00', fees: '0.75' }),
        opened(acct, 'm-eur1', { at: T0 + 10 * MIN, entry: 'ord-m-eur1' }),
        opened(acct, 'm-eur2', { direction: 'short', at: T0 + 30 * MIN, entry: 'ord-m-eur2' }),
        opened(acct, 'm-xau', { symbol: 'XAUUSD', at: T0 + 5 * MIN, entry: 'ord-m-xau' }),
      ]) {
        await projectMessage(tx, m);
      }
      // What the PositionClosed projection of the time wrote into the market rows.
      await tx.query(
        `UPDATE ${t.positions} SET "status" = 'closed', "quantity" = 0, "realized_pnl" = CASE "symbol" WHEN 'EURUSD' THEN 12.00 ELSE 3.10 END,
           "exit_reason" = 'stop_loss', "closed_at" = "opened_at" + 600000, "updated_ts" = "opened_at" + 600000 WHERE "account" = $1`,
        [acct],
      );
    });
    await runMigrations(db.ds);

    const rows = await db.ds.getRepository(ClosedPositionEntity).find({ where: { account: acct }, order: { closedAt: 'ASC' } });
    expect(rows).toEqual([
      expect.objectContaining({ positionId: 'm-xau', symbol: 'XAUUSD', source: 'position', entryPrice: '1.08452', exitPrice: null, maxQuantity: null, realizedPnl: '3.10', grossPnl: null, fees: null, exitReason: 'stop_loss', openedAt: T0 + 5 * MIN, closedAt: T0 + 15 * MIN, holdingMs: 10 * MIN, entryOrderId: 'ord-m-xau', origin: 'strategy', strategy: 'structure_break', correlationId: 'chain-m-xau' }),
      expect.objectContaining({ positionId: 'm-eur1', direction: 'long', source: 'experience', entryPrice: '1.08452', exitPrice: '1.08736', maxQuantity: '10000', realizedPnl: '-7.25', grossPnl: '-5.75', fees: '1.50', currency: 'USD', exitReason: 'take_profit', openedAt: T0 + 10 * MIN, closedAt: T0 + 20 * MIN, holdingMs: 10 * MIN, maxAdverseExcursion: 0.00061, maxFavorableExcursion: 0.00291, entryOrderId: 'ord-m-eur1', origin: 'manual', strategy: null, correlationId: 'chain-m-eur1' }),
      expect.objectContaining({ positionId: 'm-eur2', direction: 'short', source: 'experience', realizedPnl: '12.00', grossPnl: '12.75', fees: '0.75', entryOrderId: 'ord-m-eur2', origin: 'strategy', strategy: 'structure_break', correlationId: 'chain-m-eur2' }),
    ]);
    expect((await listPositions(db.ds, acct, { status: 'closed' })).items.map((p) => p.positionId)).toEqual(['m-eur2', 'm-eur1', 'm-xau']);

    // The close of the recovered XAUUSD position, delivered again, puts its own figures in; once.
    const xau = closed(acct, 'm-xau', { symbol: 'XAUUSD', from: T0 + 5 * MIN, to: T0 + 15 * MIN, entry: 'ord-m-xau', net: '3.10' });
    expect(await project(xau)).toBe('applied');
    expect(await project(xau)).toBe('unchanged');
    expect(await db.ds.getRepository(ClosedPositionEntity).findOneByOrFail({ positionId: 'm-xau' })).toMatchObject({ source: 'event', exitPrice: '1.08736', maxQuantity: '10000', fees: '0.00' });
  });
});
