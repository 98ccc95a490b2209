import type { EntityManager } from 'typeorm';
import { handleEachOnce, handleOnce, handleOnceSerializable, lockAccount } from './idempotent';
import { projectExecution } from './projections';
import { ProcessedMessageEntity } from './entities';
import { openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';
import { quoteIdent } from './sql-names';

const T0 = 1_709_649_000_000;

describe('handleOnce (idempotent consumer)', () => {
  let db: TestDatabase;
  let counters: string;

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: 12 });
    // A scratch table in the test schema: each applied work adds 1 to its key.
    counters = `${quoteIdent(db.schema)}."test_counters"`;
    await db.ds.query(`CREATE TABLE ${counters} ("key" text PRIMARY KEY, "n" integer NOT NULL)`);
  });

  afterAll(async () => {
    await db.close();
  });

  const bump = (key: string) => async (manager: EntityManager) => {
    await manager.query(
      `INSERT INTO ${counters} ("key", "n") VALUES ($1, 1) ON CONFLICT ("key") DO UPDATE SET "n" = ${counters}."n" + 1`,
      [key],
    );
  };

  async function counter(key: string): Promise<number> {
    const rows: { n: number }[] = await db.ds.query(`SELECT "n" FROM ${counters} WHERE "key" = $1`, [key]);
    return rows[0]?.n ?? 0;
  }

  it('handle_when_same_message_delivered_twice_then_applies_once_and_reports_duplicate', async () => {
    const msg = { id: 'm-twice', ts: T0 };
    expect(await handleOnce(db.ds, 'risk', msg, bump('twice'))).toBe('applied');
    expect(await handleOnce(db.ds, 'risk', msg, bump('twice'))).toBe('duplicate');
    expect(await counter('twice')).toBe(1);
  });

  it('handle_each_when_a_group_holds_new_and_seen_messages_then_applies_each_new_one_once_in_order', async () => {
    await handleOnce(db.ds, 'risk', { id: 'g-2', ts: T0 }, bump('group'));
    const order: string[] = [];
    const outcomes = await handleEachOnce(db.ds, 'risk', [{ id: 'g-1', ts: T0 }, { id: 'g-2', ts: T0 }, { id: 'g-3', ts: T0 }], async (tx, m) => {
      order.push(m.id);
      await bump('group')(tx);
    });
    expect(outcomes).toEqual(['applied', 'duplicate', 'applied']);
    expect(order).toEqual(['g-1', 'g-3']);
    expect(await counter('group')).toBe(3);
    expect(await handleEachOnce(db.ds, 'risk', [], bump('group'))).toEqual([]);
  });

  it('handle_each_when_a_group_holds_the_same_message_twice_then_applies_it_once_at_its_first_place', async () => {
    const order: string[] = [];
    const outcomes = await handleEachOnce(db.ds, 'risk', [{ id: 'gd-1', ts: T0 }, { id: 'gd-2', ts: T0 }, { id: 'gd-1', ts: T0 + 1 }], async (tx, m) => {
      order.push(m.id);
      await bump('group-dup')(tx);
    });
    expect(outcomes).toEqual(['applied', 'applied', 'duplicate']);
    expect(order).toEqual(['gd-1', 'gd-2']);
    expect(await counter('group-dup')).toBe(2);
    const row = await db.ds.getRepository(ProcessedMessageEntity).findOneByOrFail({ consumer: 'risk', messageId: 'gd-1' });
    expect(row.processedTs).toBe(T0);
  });

  it('handle_each_when_one_work_of_the_group_fails_then_nothing_of_the_group_is_recorded', async () => {
    await expect(
      handleEachOnce(db.ds, 'risk', [{ id: 'gf-1', ts: T0 }, { id: 'gf-2', ts: T0 }], async (tx, m) => {
        await bump('group-fail')(tx);
        if (m.id === 'gf-2') throw new Error('constraint violated');
      }),
    ).rejects.toThrow('constraint violated');
    expect(await counter('group-fail')).toBe(0);
    expect(await handleOnce(db.ds, 'risk', { id: 'gf-1', ts: T0 }, bump('group-fail'))).toBe('applied');
  });

  it('handle_when_recorded_then_processed_ts_is_the_message_event_time', async () => {
    await handleOnce(db.ds, 'risk', { id: 'm-ts', ts: T0 + 123 }, bump('ts'));
    const row = await db.ds.getRepository(ProcessedMessageEntity).findOneByOrFail({ consumer: 'risk', messageId: 'm-ts' });
    expect(row.processedTs).toBe(T0 + 123);
  });

  it('handle_when_two_consumers_get_the_same_message_then_each_applies_it_once', async () => {
    const msg = { id: 'm-shared', ts: T0 };
    expect(await handleOnce(db.ds, 'projector', msg, bump('shared'))).toBe('applied');
    expect(await handleOnce(db.ds, 'learning', msg, bump('shared'))).toBe('applied');
    expect(await handleOnce(db.ds, 'learning', msg, bump('shared'))).toBe('duplicate');
    expect(await counter('shared')).toBe(2);
  });

  it('handle_when_work_fails_then_processed_record_rolls_back_and_redelivery_applies', async () => {
    const msg = { id: 'm-fail', ts: T0 };
    const failing = async (manager: EntityManager) => {
      await bump('fail')(manager);
      throw new Error('broker timeout');
    };
    await expect(handleOnce(db.ds, 'risk', msg, failing)).rejects.toThrow('broker timeout');
    expect(await counter('fail')).toBe(0);
    expect(await db.ds.getRepository(ProcessedMessageEntity).countBy({ consumer: 'risk', messageId: 'm-fail' })).toBe(0);

    expect(await handleOnce(db.ds, 'risk', msg, bump('fail'))).toBe('applied');
    expect(await counter('fail')).toBe(1);
  });

  it('handle_when_five_connections_race_on_one_message_then_exactly_one_applies', async () => {
    const msg = { id: 'm-race', ts: T0 };
    let ran = 0;
    const slow = async (manager: EntityManager) => {
      ran++;
      // Hold the transaction open so the other four reach the primary key while it is undecided.
      await manager.query('SELECT pg_sleep(0.1)');
      await bump('race')(manager);
    };
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => handleOnce(db.ds, 'executor', msg, slow)));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(4);
    expect(ran).toBe(1);
    expect(await counter('race')).toBe(1);
  });

  it('handle_when_the_first_of_racing_deliveries_fails_then_a_waiting_one_applies', async () => {
    const msg = { id: 'm-race-fail', ts: T0 };
    let calls = 0;
    const firstFails = async (manager: EntityManager) => {
      calls++;
      await manager.query('SELECT pg_sleep(0.05)');
      if (calls === 1) throw new Error('first attempt fails');
      await bump('race-fail')(manager);
    };
    const settled = await Promise.allSettled(Array.from({ length: 3 }, () => handleOnce(db.ds, 'executor', msg, firstFails)));
    const outcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'));
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'failed']);
    expect(await counter('race-fail')).toBe(1);
  });

  it('serializable_when_five_connections_race_on_one_message_then_exactly_one_applies', async () => {
    const msg = { id: 'm-race-ser', ts: T0 };
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        handleOnceSerializable(db.ds, 'executor', msg, async (manager) => {
          await manager.query('SELECT pg_sleep(0.05)');
          await bump('race-ser')(manager);
        }),
      ),
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(await counter('race-ser')).toBe(1);
  });

  it('serializable_when_work_hits_a_serialization_failure_once_then_retries_and_applies_once', async () => {
    let attempts = 0;
    const outcome = await handleOnceSerializable(db.ds, 'risk', { id: 'm-retry', ts: T0 }, async (manager) => {
      attempts++;
      await bump('retry')(manager);
      if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    expect(outcome).toBe('applied');
    expect(attempts).toBe(2);
    expect(await counter('retry')).toBe(1);
  });

  it('serializable_when_failures_persist_then_gives_up_after_max_attempts_and_records_nothing', async () => {
    let attempts = 0;
    const always = async () => {
      attempts++;
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    };
    await expect(handleOnceSerializable(db.ds, 'risk', { id: 'm-give-up', ts: T0 }, always, { maxAttempts: 3, baseDelayMs: 1 })).rejects.toThrow(
      'deadlock detected',
    );
    expect(attempts).toBe(3);
    expect(await db.ds.getRepository(ProcessedMessageEntity).countBy({ messageId: 'm-give-up' })).toBe(0);
  });

  it('serializable_when_work_fails_otherwise_then_does_not_retry', async () => {
    let attempts = 0;
    const bad = async () => {
      attempts++;
      throw new Error('invalid payload');
    };
    await expect(handleOnceSerializable(db.ds, 'risk', { id: 'm-bad', ts: T0 }, bad)).rejects.toThrow('invalid payload');
    expect(attempts).toBe(1);
  });
});

/**
 * Invariant 4 under concurrent signals: a limit (here: at most 3 working orders per account)
 * checked and acted on inside one handled message. Eight signals race; the barrier makes all
 * of them read the count before any writes, the worst interleaving.
 */
describe('risk limit under concurrent signals', () => {
  const LIMIT = 3;
  const SIGNALS = 8;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: SIGNALS + 2 });
  });

  afterAll(async () => {
    await db.close();
  });

  /** Resolves for everyone once `parties` have arrived, or after `timeoutMs` if one never does. */
  function barrier(parties: number, timeoutMs?: number): () => Promise<void> {
    let arrived = 0;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    if (timeoutMs !== undefined) setTimeout(open, timeoutMs).unref();
    return async () => {
      if (++arrived >= parties) open();
      await opened;
    };
  }

  async function workingOrders(manager: EntityManager, account: string): Promise<number> {
    const rows: { n: string }[] = await manager.query(
      `SELECT count(*) AS n FROM ${quoteIdent(db.schema)}."orders"
        WHERE "account" = $1 AND "status" IN ('submitted','accepted','partially_filled')`,
      [account],
    );
    return Number(rows[0].n);
  }

  function submit(account: string, i: number) {
    return sampleOf('OrderSubmitted', { id: `${account}-o${i}`, account, ts: T0 + i }, { orderId: `${account}-o${i}`, clientOrderId: `${account}-c${i}` });
  }

  /** The risk check: place the order only while under the limit. `beforeWrite` widens the race. */
  function checkThenSubmit(account: string, i: number, beforeWrite: () => Promise<void>) {
    return async (manager: EntityManager) => {
      const open = await workingOrders(manager, account);
      await beforeWrite();
      if (open < LIMIT) await projectExecution(manager, submit(account, i));
    };
  }

  it('limit_check_when_unguarded_under_read_committed_then_concurrent_signals_exceed_it', async () => {
    // The control: proves the harness really races. Without serializable or a lock every
    // signal sees 0 working orders and all of them place one.
    const account = 'acct-unguarded';
    const wait = barrier(SIGNALS);
    await Promise.all(
      Array.from({ length: SIGNALS }, (_, i) => handleOnce(db.ds, 'risk', { id: `${account}-s${i}`, ts: T0 }, checkThenSubmit(account, i, wait))),
    );
    expect(await workingOrders(db.ds.manager, account)).toBe(SIGNALS);
  });

  it('limit_check_when_serializable_with_retry_then_never_exceeded', async () => {
    const account = 'acct-serializable';
    // A first attempt that aborted before the barrier must not hang the others: the limit
    // has to hold whatever the interleaving, so a timeout only weakens the race, never the check.
    const wait = barrier(SIGNALS, 5_000);
    const firstAttempt = new Set<number>();
    const outcomes = await Promise.all(
      Array.from({ length: SIGNALS }, (_, i) =>
        handleOnceSerializable(
          db.ds,
          'risk',
          { id: `${account}-s${i}`, ts: T0 },
          // Only first attempts meet at the barrier: a retry must not wait for the others.
          checkThenSubmit(account, i, async () => {
            if (firstAttempt.has(i)) return;
            firstAttempt.add(i);
            await wait();
          }),
          { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 50 },
        ),
      ),
    );
    expect(outcomes).toEqual(Array(SIGNALS).fill('applied'));
    expect(await workingOrders(db.ds.manager, account)).toBe(LIMIT);
  });

  it('limit_check_when_single_writer_lock_per_account_then_never_exceeded', async () => {
    const account = 'acct-locked';
    const outcomes = await Promise.all(
      Array.from({ length: SIGNALS }, (_, i) =>
        handleOnce(db.ds, 'risk', { id: `${account}-s${i}`, ts: T0 }, async (manager) => {
          await lockAccount(manager, account);
          await checkThenSubmit(account, i, async () => {
            await manager.query('SELECT pg_sleep(0.01)');
          })(manager);
        }),
      ),
    );
    expect(outcomes).toEqual(Array(SIGNALS).fill('applied'));
    expect(await workingOrders(db.ds.manager, account)).toBe(LIMIT);
  });
});
