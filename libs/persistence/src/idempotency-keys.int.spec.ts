import { PERSISTENCE_MIGRATIONS } from './migrations';
import { revertMigrations, runMigrations } from './data-source';
import { claimIdempotencyKey, IDEMPOTENCY_PURGE_BATCH, requestHashOf, type IdempotencyClaim } from './idempotency-keys';
import { countRows, openTestDatabase, type TestDatabase } from './persistence.test-support';
import { tablesOf } from './sql-names';

const HOUR = 60 * 60 * 1000;
const TTL = 24 * HOUR;
const T0 = 1_780_000_000_000;

function claimOf(overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return {
    apiKeyId: 'key-1',
    commandType: 'SubmitManualOrder',
    target: '',
    idempotencyKey: 'order-1',
    requestHash: requestHashOf({ side: 'buy', quantity: '1000' }),
    commandId: 'cmd-1',
    now: T0,
    ttlMs: TTL,
    ...overrides,
  };
}

/** Rows as a claim made at `createdAt` leaves them, for setting up a table's history. */
async function insertKeys(db: TestDatabase, keys: readonly { key: string; createdAt: number }[]): Promise<void> {
  for (const { key, createdAt } of keys) {
    await db.ds.query(
      `INSERT INTO ${tablesOf(db.ds).idempotencyKeys} ("api_key_id", "command_type", "target", "idempotency_key", "request_hash", "command_id", "created_at")
       VALUES ('key-1', 'HaltTrading', '', $1, 'h', $2, $3)`,
      [key, `cmd-${key}`, createdAt],
    );
  }
}

async function keysLeft(db: TestDatabase): Promise<string[]> {
  const rows: { idempotency_key: string }[] = await db.ds.query(`SELECT "idempotency_key" FROM ${tablesOf(db.ds).idempotencyKeys}`);
  return rows.map((r) => r.idempotency_key).sort();
}

describe('idempotency keys with a retention time', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: 6 });
  });

  afterAll(async () => {
    await db.close();
  });

  beforeEach(async () => {
    await db.ds.query(`DELETE FROM ${tablesOf(db.ds).idempotencyKeys}`);
  });

  it('given_a_key_within_its_retention_when_the_same_or_another_request_comes_then_repeat_or_conflict_with_the_first_command', async () => {
    expect(await claimIdempotencyKey(db.ds, claimOf())).toEqual({ kind: 'new' });
    const later = T0 + TTL - 1;
    expect(await claimIdempotencyKey(db.ds, claimOf({ now: later, commandId: 'cmd-2' }))).toEqual({ kind: 'repeat', commandId: 'cmd-1' });
    const sell = claimOf({ now: later, commandId: 'cmd-3', requestHash: requestHashOf({ side: 'sell' }) });
    expect(await claimIdempotencyKey(db.ds, sell)).toEqual({ kind: 'conflict', commandId: 'cmd-1', firstUsedAt: T0 });
  });

  it('given_a_key_past_its_retention_when_another_request_comes_then_the_key_names_the_new_command_for_a_full_retention', async () => {
    expect(await claimIdempotencyKey(db.ds, claimOf())).toEqual({ kind: 'new' });
    const expired = T0 + TTL;
    const sell = claimOf({ now: expired, commandId: 'cmd-2', requestHash: requestHashOf({ side: 'sell' }) });
    expect(await claimIdempotencyKey(db.ds, sell)).toEqual({ kind: 'new' });
    // From now on the key is the sell's: its retry repeats it, the old buy conflicts with it.
    expect(await claimIdempotencyKey(db.ds, { ...sell, now: expired + TTL - 1, commandId: 'cmd-3' })).toEqual({ kind: 'repeat', commandId: 'cmd-2' });
    expect(await claimIdempotencyKey(db.ds, claimOf({ now: expired + 1, commandId: 'cmd-4' }))).toMatchObject({ kind: 'conflict', commandId: 'cmd-2', firstUsedAt: expired });
  });

  it('given_expired_and_live_keys_when_a_key_is_claimed_then_a_bounded_batch_of_the_oldest_expired_is_deleted_and_live_ones_kept', async () => {
    const expired = Array.from({ length: IDEMPOTENCY_PURGE_BATCH + 5 }, (_, i) => ({ key: `old-${String(i).padStart(3, '0')}`, createdAt: T0 - TTL - 1_000 + i }));
    await insertKeys(db, [...expired, { key: 'live', createdAt: T0 - TTL + 1 }]);
    await claimIdempotencyKey(db.ds, claimOf());
    // One batch went, the oldest first; the five newest expired wait for the next claim.
    expect(await keysLeft(db)).toEqual([...expired.slice(IDEMPOTENCY_PURGE_BATCH).map((k) => k.key), 'live', 'order-1'].sort());
    await claimIdempotencyKey(db.ds, claimOf({ idempotencyKey: 'order-2', commandId: 'cmd-2' }));
    expect(await keysLeft(db)).toEqual(['live', 'order-1', 'order-2']);
  });

  it('given_keys_claimed_for_days_when_each_claim_purges_then_the_table_holds_about_one_retention_of_keys', async () => {
    // A key an hour for four days: without deletion 96 rows; with it the 24 claimed in the last
    // 24 hours (the one claimed exactly 24 hours ago has just expired).
    for (let h = 0; h < 96; h++) {
      await claimIdempotencyKey(db.ds, claimOf({ idempotencyKey: `k-${h}`, commandId: `cmd-${h}`, now: T0 + h * HOUR }));
    }
    expect(await countRows(db.ds, db.schema, 'idempotency_keys')).toBe(24);
  });

  it('given_an_expired_key_when_different_requests_race_for_it_then_exactly_one_takes_it_and_the_others_conflict', async () => {
    await claimIdempotencyKey(db.ds, claimOf());
    const now = T0 + TTL + 5;
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd'].map((side) => claimIdempotencyKey(db.ds, claimOf({ now, commandId: `cmd-${side}`, requestHash: requestHashOf({ side }) }))),
    );
    const winners = outcomes.map((o, i) => (o.kind === 'new' ? `cmd-${'abcd'[i]}` : undefined)).filter((w) => w !== undefined);
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'conflict')).toEqual(Array(3).fill({ kind: 'conflict', commandId: winners[0], firstUsedAt: now }));
  });

  it('given_keys_stamped_with_a_replays_event_time_when_the_retention_migration_runs_then_each_counts_from_the_upgrade', async () => {
    const names = PERSISTENCE_MIGRATIONS.map((M) => new M().name);
    const steps = names.length - names.indexOf('IdempotencyKeyRetention1700000008000');
    await revertMigrations(db.ds, steps);
    try {
      // Before, created_at was the command's time: the replayed market's, in 2014.
      await insertKeys(db, [{ key: 'sent-before-the-upgrade', createdAt: Date.UTC(2014, 4, 7) }]);
      const before = Date.now();
      await runMigrations(db.ds);
      const after = Date.now();
      const [row]: { created_at: string }[] = await db.ds.query(`SELECT "created_at" FROM ${tablesOf(db.ds).idempotencyKeys}`);
      expect(Number(row.created_at)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Number(row.created_at)).toBeLessThanOrEqual(after + 1_000);
    } finally {
      await runMigrations(db.ds);
    }
  });
});
