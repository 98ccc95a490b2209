import { Initial1700000000000, PERSISTENCE_MIGRATIONS } from './migrations';
import { createDataSource, revertMigrations, runMigrations, MIGRATIONS_TABLE } from './data-source';
import { openTestDatabase, TEST_DATABASE_URL, testSchemaName, type TestDatabase } from './persistence.test-support';
import { quoteIdent } from './sql-names';
import type { DataSource } from 'typeorm';

/** Every migration by name, in the order runMigrations applies them. */
const MIGRATION_NAMES = PERSISTENCE_MIGRATIONS.map((M) => new M().name);

const TABLES = [
  'account_starts',
  'accounts',
  'api_keys',
  'approvals',
  'broker_orders',
  'closed_positions',
  'command_results',
  'commands',
  'denials',
  'displayed_orders',
  'fills',
  'governor_starts',
  'idempotency_keys',
  'orders',
  'positions',
  'processed_messages',
  'risk_approvals',
  'trade_experiences',
  'trading_state',
];

async function tablesIn(ds: DataSource, schema: string): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name).filter((t) => t !== MIGRATIONS_TABLE);
}

async function appendOnlyTriggers(ds: DataSource, schema: string): Promise<string[]> {
  const rows: { tgname: string; tgenabled: string }[] = await ds.query(
    `SELECT t.tgname, t.tgenabled FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'trade_experiences' AND NOT t.tgisinternal`,
    [schema],
  );
  return rows.map((r) => `${r.tgname}:${r.tgenabled}`);
}

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase({ migrate: true });
  });

  afterAll(async () => {
    await db.close();
  });

  it('run_migrations_when_run_twice_then_first_creates_everything_and_second_is_a_noop', async () => {
    const fresh = await openTestDatabase({ migrate: false, poolSize: 2 });
    try {
      expect(await tablesIn(fresh.ds, fresh.schema)).toEqual([]);
      expect(await runMigrations(fresh.ds)).toEqual(MIGRATION_NAMES);
      expect(await tablesIn(fresh.ds, fresh.schema)).toEqual(TABLES);
      // 'A' = ENABLE ALWAYS: fires even with session_replication_role = replica.
      expect(await appendOnlyTriggers(fresh.ds, fresh.schema)).toEqual(['trade_experiences_append_only:A']);

      expect(await runMigrations(fresh.ds)).toEqual([]);
      expect(await tablesIn(fresh.ds, fresh.schema)).toEqual(TABLES);
      const recorded: { name: string }[] = await fresh.ds.query(
        `SELECT name FROM ${quoteIdent(fresh.schema)}.${MIGRATIONS_TABLE}`,
      );
      expect(recorded.map((r) => r.name).sort()).toEqual([...MIGRATION_NAMES].sort());
    } finally {
      await fresh.close();
    }
  });

  it('initial_up_when_rerun_by_hand_on_a_migrated_schema_then_succeeds_and_changes_nothing', async () => {
    const qr = db.ds.createQueryRunner();
    try {
      await new Initial1700000000000().up(qr);
    } finally {
      await qr.release();
    }
    expect(await tablesIn(db.ds, db.schema)).toEqual(TABLES);
    expect(await appendOnlyTriggers(db.ds, db.schema)).toEqual(['trade_experiences_append_only:A']);
  });

  it('entities_when_compared_with_the_migrated_schema_then_typeorm_finds_nothing_to_change', async () => {
    // The entities describe what the migration built: if either drifts, TypeORM's own schema
    // diff (what `synchronize` would run) is no longer empty.
    const diff = await db.ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('revert_when_run_then_tables_trigger_and_function_are_gone_and_up_restores_them', async () => {
    await revertMigrations(db.ds, MIGRATION_NAMES.length);
    expect(await tablesIn(db.ds, db.schema)).toEqual([]);
    const fns: unknown[] = await db.ds.query(
      `SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`,
      [db.schema],
    );
    expect(fns).toHaveLength(0);

    expect(await runMigrations(db.ds)).toEqual(MIGRATION_NAMES);
    expect(await tablesIn(db.ds, db.schema)).toEqual(TABLES);
    expect(await appendOnlyTriggers(db.ds, db.schema)).toEqual(['trade_experiences_append_only:A']);
  });

  it('run_migrations_when_two_replicas_start_together_on_a_new_schema_then_exactly_one_applies_them', async () => {
    const schema = testSchemaName();
    const a = createDataSource({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    const b = createDataSource({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      const [ra, rb] = await Promise.all([runMigrations(a), runMigrations(b)]);
      expect([...ra, ...rb]).toEqual(MIGRATION_NAMES);
      expect(await tablesIn(a, schema)).toEqual(TABLES);
    } finally {
      if (a.isInitialized) await a.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await Promise.all([a, b].filter((d) => d.isInitialized).map((d) => d.destroy()));
    }
  });

  it('create_data_source_when_schema_is_not_a_plain_identifier_then_throws', () => {
    expect(() => createDataSource({ url: TEST_DATABASE_URL, schema: 'x"; DROP TABLE orders; --' })).toThrow(/schema must match/);
  });
});
