import { DeciderHost, type Envelope } from '@tradeloop/kernel';
import type { Message } from '@tradeloop/contracts';
import { pipelineConfig, pipelineDeciders } from '@tradeloop/runtime';
import { getAccount, getAccountStart, listBrokerOrders } from '@tradeloop/persistence';
import { openTestDatabase, sampleOf, countRows, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { quoteIdent } from '@tradeloop/persistence/src/sql-names';
import { ExecutorEffects } from './executor-effects';

let db: TestDatabase;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await db.close();
});

const T0 = Date.UTC(2024, 0, 2, 10, 0);
function bar(i: number, price: number): Message<'BarClosed'> {
  const openTime = T0 + i * 60_000;
  return {
    id: `bar-${i}`,
    type: 'BarClosed',
    version: 1,
    ts: openTime + 60_000,
    correlationId: `bar-${i}`,
    causationId: `bar-${i}`,
    account: 'paper',
    source: 'test',
    data: { venue: 'OANDA', symbol: 'EURUSD', timeframe: '1m', openTime, open: price, high: price + 0.0005, low: price - 0.0005, close: price, volume: 0 },
  };
}

/** Runs the executor over inputs, committing each input's outputs through the effects, like the runner. */
async function drive(host: DeciderHost<any, any, any>, effects: ExecutorEffects, inputs: readonly Envelope[], seq0 = 1): Promise<Envelope[]> {
  const all: Envelope[] = [];
  let seq = seq0;
  for (const input of inputs) {
    const outs = host.handle(input);
    if (outs.length > 0) await effects.apply({ stream: 'IN_EXECUTOR', seq, ts: input.ts }, [input], outs);
    all.push(...outs);
    seq++;
  }
  return all;
}

function approved(id: string, ts: number, qty = '1000', limitPrice = '1.0500'): Message<'OrderApproved'> {
  const base = sampleOf('OrderApproved', { id, ts, account: 'paper', correlationId: `sig-${id}` });
  return { ...base, data: { ...base.data, order: { ...base.data.order, venue: 'OANDA', type: 'limit', limitPrice, quantity: qty, stopLoss: undefined, takeProfit: undefined } } } as Message<'OrderApproved'>;
}

test('broker_when_the_same_outputs_are_committed_again_then_it_still_holds_one_order_per_client_order_id', async () => {
  const host = new DeciderHost(pipelineDeciders(pipelineConfig()).executor());
  const effects = new ExecutorEffects(db.ds, 'paper');
  const inputs = [bar(0, 1.1), approved('appr-1', T0 + 61_000)];
  const outs = await drive(host, effects, inputs);
  const submitted = outs.filter((o) => o.type === 'OrderSubmitted');
  expect(submitted.length).toBe(1);
  // The same message committed again (a redelivery after a crash): processed once.
  await effects.apply({ stream: 'IN_EXECUTOR', seq: 2, ts: inputs[1].ts }, [inputs[1]], outs);
  // The same OrderSubmitted under another inbox position (re-published after the dedup window).
  await effects.apply({ stream: 'IN_EXECUTOR', seq: 99, ts: inputs[1].ts }, [inputs[1]], submitted);
  expect(await countRows(db.ds, db.schema, 'broker_orders')).toBe(1);
  const [row] = await listBrokerOrders(db.ds, 'paper');
  expect(row).toMatchObject({ clientOrderId: (submitted[0].data as { clientOrderId: string }).clientOrderId, status: 'accepted' });
});

test('processed_when_an_inbox_made_anew_puts_a_new_message_at_a_recorded_position_then_its_outputs_are_written', async () => {
  const host = new DeciderHost(pipelineDeciders(pipelineConfig()).executor());
  const effects = new ExecutorEffects(db.ds, 'paper');
  await drive(host, effects, [bar(0, 1.1), approved('appr-1', T0 + 61_000)]);
  // The inbox stream was deleted and made again (NATS storage lost): it numbers from 1 again, and
  // the next approved order sits at #2, where appr-1 sat. Its order is a new one all the same.
  const outs = await drive(host, effects, [approved('appr-2', T0 + 62_000, '2000', '1.0100')], 2);
  expect(outs.filter((o) => o.type === 'OrderSubmitted').length).toBe(1);
  expect(await countRows(db.ds, db.schema, 'broker_orders')).toBe(2);
  expect(await countRows(db.ds, db.schema, 'orders')).toBe(2);
  // appr-2's outputs committed again, at another position: found recorded, nothing new recorded.
  const recorded = await countRows(db.ds, db.schema, 'processed_messages');
  await effects.apply({ stream: 'IN_EXECUTOR', seq: 7, ts: T0 + 62_000 }, [], outs);
  expect(await countRows(db.ds, db.schema, 'processed_messages')).toBe(recorded);
  expect(await countRows(db.ds, db.schema, 'broker_orders')).toBe(2);
});

test('reconcile_when_broker_and_rebuilt_state_disagree_then_reports_by_client_order_id_and_never_resends', async () => {
  const make = pipelineDeciders(pipelineConfig());
  const host = new DeciderHost(make.executor());
  const effects = new ExecutorEffects(db.ds, 'paper');
  // Two resting limit orders far below the market; the first then fills when price drops.
  const inputs: Envelope[] = [bar(0, 1.1), approved('appr-1', T0 + 61_000), approved('appr-2', T0 + 62_000, '2000', '1.0100'), bar(1, 1.1), bar(2, 1.04)];
  await drive(host, effects, inputs);
  const rows = await listBrokerOrders(db.ds, 'paper');
  expect(rows.map((r) => r.status).sort()).toEqual(['accepted', 'filled']);
  const filled = rows.find((r) => r.status === 'filled')!;
  const working = rows.find((r) => r.status === 'accepted')!;
  const t = `${quoteIdent(db.schema)}."broker_orders"`;
  // A lost broker update, a lost send and an order the executor never made.
  await db.ds.query(`UPDATE ${t} SET "status" = 'accepted' WHERE "client_order_id" = $1`, [filled.clientOrderId]);
  await db.ds.query(`DELETE FROM ${t} WHERE "client_order_id" = $1`, [working.clientOrderId]);
  await db.ds.query(
    `INSERT INTO ${t} ("client_order_id","order_id","account","venue","symbol","side","type","quantity","filled_quantity","status","created_ts","updated_ts") VALUES ('stranger','o-x','paper','OANDA','EURUSD','buy','limit',1,0,'accepted',0,0)`,
  );

  const restarted = new DeciderHost(make.executor());
  for (const m of inputs) restarted.handle(m as never); // the rebuild: same inputs, same state
  const extra = await effects.afterRebuild(restarted);
  expect(extra).toEqual([]);
  expect(effects.last).toEqual({
    matched: 0,
    unknownToExecutor: ['stranger'],
    missingAtBroker: [working.clientOrderId],
    resolved: [{ clientOrderId: filled.clientOrderId, status: 'filled' }],
  });
  const after = await listBrokerOrders(db.ds, 'paper');
  expect(after.find((r) => r.clientOrderId === filled.clientOrderId)!.status).toBe('filled');
  // Nothing was re-sent: the lost order stays absent until its own message is redelivered.
  expect(after.find((r) => r.clientOrderId === working.clientOrderId)).toBeUndefined();
});

test('account_start_when_the_executor_starts_before_any_fill_then_records_the_starting_cash_in_the_account_currency_once', async () => {
  const host = new DeciderHost(pipelineDeciders(pipelineConfig({ startingCash: '50000', currency: 'EUR' })).executor());
  const effects = new ExecutorEffects(db.ds, 'paper', undefined, () => 1_780_000_000_000);
  await effects.afterRebuild(host);
  // No fill yet: the executor has published no AccountUpdated, so this is the only balance there is.
  expect(await getAccount(db.ds, 'paper')).toBeNull();
  const start = { account: 'paper', currency: 'EUR', cash: '50000.00', realizedPnl: '0.00', fees: '0.00', sequence: 0, startedTs: 1_780_000_000_000 };
  expect(await getAccountStart(db.ds, 'paper')).toEqual(start);
  // Recorded again (a second start at the same instant, a start recorded late): one row, unchanged.
  await effects.afterRebuild(host);
  await new ExecutorEffects(db.ds, 'paper', undefined, () => 1_770_000_000_000).afterRebuild(host);
  expect(await countRows(db.ds, db.schema, 'account_starts')).toBe(1);
  expect(await getAccountStart(db.ds, 'paper')).toEqual(start);
});

test('account_start_when_restarted_after_fills_then_records_the_balance_the_fills_left_not_the_starting_cash', async () => {
  const make = pipelineDeciders(pipelineConfig({ feeBps: 10 }));
  const host = new DeciderHost(make.executor());
  const effects = new ExecutorEffects(db.ds, 'paper', undefined, () => 1_780_000_000_000);
  // One buy limit fills as the price drops, paying a fee: cash moves off the starting 100000.
  const inputs: Envelope[] = [bar(0, 1.1), approved('appr-1', T0 + 61_000), bar(1, 1.1), bar(2, 1.04)];
  const outs = await drive(host, effects, inputs);
  const updates = outs.filter((o) => o.type === 'AccountUpdated') as Message<'AccountUpdated'>[];
  expect(updates.length).toBeGreaterThan(0);
  const last = updates[updates.length - 1].data;

  const restarted = new DeciderHost(make.executor());
  for (const m of inputs) restarted.handle(m as never); // the rebuild: same inputs, same state
  await new ExecutorEffects(db.ds, 'paper', undefined, () => 1_780_000_100_000).afterRebuild(restarted);
  const start = await getAccountStart(db.ds, 'paper');
  expect(start).toEqual({ account: 'paper', currency: last.currency, cash: last.cash, realizedPnl: last.realizedPnl, fees: last.fees, sequence: last.sequence, startedTs: 1_780_000_100_000 });
  expect(start!.cash).not.toBe('100000.00');
  expect(await getAccount(db.ds, 'paper')).toMatchObject({ cash: last.cash, sequence: last.sequence });
});
