/**
 * The services' least-privilege role on the real PostgreSQL: migrations run by an owner role
 * that may not create schemas, the grant set given to an app role, what that role may and may
 * not do (above all to the append-only experience store), and the start-up check.
 */
import type { DataSource } from 'typeorm';
import { APP_ROLE_PRIVILEGES, AppRoleError, appRoleGrantStatements, grantAppRole } from './app-role';
import { createDataSource, MIGRATIONS_TABLE, revertMigrations, runMigrations } from './data-source';
import { APPEND_ONLY_MESSAGE } from './migrations';
import { appendExperience, projectMessage } from './projections';
import { checkSchema, describeSchemaProblems, migrationNames, SchemaNotReadyError, assertSchemaReady } from './schema-check';
import { createTestRoles, sampleOf, type TestRoles } from './persistence.test-support';
import { sqlStateOf } from './pg-errors';
import { quoteIdent } from './sql-names';

const ALL_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const INSUFFICIENT_PRIVILEGE = '42501';

async function failure(p: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: sqlStateOf(e), message: (e as Error).message };
  }
  throw new Error('expected the statement to be refused, and it succeeded');
}

describe('the services’ least-privilege role', () => {
  let roles: TestRoles;
  let owner: DataSource;
  let app: DataSource;
  let exp: string;

  beforeAll(async () => {
    roles = await createTestRoles();
    owner = createDataSource({ url: roles.urlAs(roles.owner), schema: roles.schema, poolSize: 2 });
    app = createDataSource({ url: roles.urlAs(roles.app, roles.appPassword), schema: roles.schema, poolSize: 2 });
    exp = `${quoteIdent(roles.schema)}."trade_experiences"`;
  });

  afterAll(async () => {
    for (const ds of [owner, app]) if (ds?.isInitialized) await ds.destroy();
    await roles?.close();
  });

  it('runMigrations_when_the_owner_may_not_create_schemas_and_a_dba_created_its_schema_then_it_migrates', async () => {
    // Before, runMigrations always ran CREATE SCHEMA IF NOT EXISTS, which PostgreSQL refuses
    // (permission denied for database) without the database's CREATE privilege, existing schema or not.
    expect(await runMigrations(owner)).toEqual(migrationNames());
    expect(await runMigrations(owner)).toEqual([]);
  });

  it('grant_set_when_compared_with_the_migrated_schema_then_it_names_every_table_and_only_those', async () => {
    const rows: { table_name: string }[] = await roles.admin.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [roles.schema],
    );
    expect(Object.keys(APP_ROLE_PRIVILEGES).sort()).toEqual(rows.map((r) => r.table_name));
    expect(APP_ROLE_PRIVILEGES.trade_experiences).toEqual(['SELECT', 'INSERT']);
    expect(APP_ROLE_PRIVILEGES[MIGRATIONS_TABLE]).toEqual(['SELECT']);
  });

  it('check_when_the_app_role_has_no_privileges_yet_then_it_names_the_missing_usage_and_the_grant_to_run', async () => {
    const check = await checkSchema(app);
    expect(check).toMatchObject({ schema: roles.schema, role: roles.app, exists: true, pending: undefined });
    expect(check.missingPrivileges).toEqual([`USAGE on schema "${roles.schema}"`]);
    expect(describeSchemaProblems(check)).toEqual([
      `role "${roles.app}" lacks USAGE on schema "${roles.schema}": grant the services' privileges with \`tradeloop migrate --grant-app-role ${roles.app}\` (as the tables' owner)`,
    ]);
  });

  it('grant_when_run_by_the_owner_then_the_app_role_holds_exactly_the_set_and_cannot_create_in_the_schema', async () => {
    // Granted too much before (by hand): the grant leaves exactly the set.
    await owner.query(`GRANT ALL ON ${exp} TO ${quoteIdent(roles.app)}`);
    expect(await grantAppRole(owner, roles.app)).toEqual(appRoleGrantStatements(roles.schema, roles.app));
    const held: { table_name: string; privilege_type: string }[] = await roles.admin.query(
      `SELECT c.relname AS table_name, p AS privilege_type
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest($3::text[]) AS p
        WHERE n.nspname = $1 AND c.relkind = 'r' AND has_table_privilege($2, c.oid, p)`,
      [roles.schema, roles.app, ALL_TABLE_PRIVILEGES],
    );
    const byTable: Record<string, string[]> = {};
    for (const h of held) (byTable[h.table_name] ??= []).push(h.privilege_type);
    const want = Object.fromEntries(Object.entries(APP_ROLE_PRIVILEGES).map(([t, p]) => [t, [...p].sort()]));
    expect(Object.fromEntries(Object.entries(byTable).map(([t, p]) => [t, p.sort()]))).toEqual(want);
    const [schemaPrivs] = await roles.admin.query(`SELECT has_schema_privilege($1, $2, 'USAGE') AS usage, has_schema_privilege($1, $2, 'CREATE') AS create`, [
      roles.app,
      roles.schema,
    ]);
    expect(schemaPrivs).toEqual({ usage: true, create: false });
  });

  it('app_role_when_it_writes_read_models_and_appends_experiences_then_both_succeed_and_the_check_passes', async () => {
    expect(await assertSchemaReady(app)).toMatchObject({ pending: [], unknown: [], missingPrivileges: [], role: roles.app });
    await app.transaction((tx) => projectMessage(tx, sampleOf('OrderSubmitted', { id: 'sub-1' })));
    expect(await appendExperience(app.manager, sampleOf('ExperienceRecorded', { id: 'exp-1' }, { positionId: 'pos-1' }))).toBe('applied');
    expect(await app.query(`SELECT experience_id FROM ${exp}`)).toEqual([{ experience_id: 'exp-1' }]);
  });

  it('app_role_when_it_updates_deletes_or_truncates_experiences_then_its_privileges_refuse_before_the_trigger', async () => {
    for (const sql of [`UPDATE ${exp} SET pnl = 0`, `DELETE FROM ${exp}`, `TRUNCATE ${exp}`]) {
      const refused = await failure(app.query(sql));
      expect(refused).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: 'permission denied for table trade_experiences' });
    }
    // Nor can it take the guard away or the table with it: only the owner could.
    for (const sql of [`ALTER TABLE ${exp} DISABLE TRIGGER trade_experiences_append_only`, `DROP TABLE ${exp}`]) {
      expect(await failure(app.query(sql))).toEqual({ code: INSUFFICIENT_PRIVILEGE, message: 'must be owner of table trade_experiences' });
    }
    expect((await failure(app.query(`CREATE TABLE ${quoteIdent(roles.schema)}.extra (x int)`))).code).toBe(INSUFFICIENT_PRIVILEGE);
    // The owner is still held by the trigger.
    expect((await failure(owner.query(`DELETE FROM ${exp}`))).message).toBe(`${APPEND_ONLY_MESSAGE}: DELETE refused`);
    expect(await app.query(`SELECT count(*)::int AS n FROM ${exp}`)).toEqual([{ n: 1 }]);
  });

  it('check_when_the_last_migration_is_missing_then_it_names_it_and_says_to_run_migrate', async () => {
    const names = migrationNames();
    await revertMigrations(owner, 1);
    try {
      const check = await checkSchema(app);
      expect(check.pending).toEqual([names[names.length - 1]]);
      await expect(assertSchemaReady(app)).rejects.toThrow(
        new SchemaNotReadyError(check).message,
      );
      expect(new SchemaNotReadyError(check).message).toBe(
        `schema "${roles.schema}" is missing 1 of the ${names.length} migrations of this release (${names[names.length - 1]}): run \`tradeloop migrate\` (as the tables' owner) before starting the services`,
      );
    } finally {
      expect(await runMigrations(owner)).toEqual([names[names.length - 1]]);
    }
    // A table the migration re-created is the owner's alone until the grant runs again.
    expect((await checkSchema(app)).missingPrivileges).toEqual(
      ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((p) => `${p} on "${roles.schema}"."account_starts"`),
    );
    await grantAppRole(owner, roles.app);
    expect(describeSchemaProblems(await checkSchema(app))).toEqual([]);
  });

  it('check_when_a_newer_release_migrated_the_schema_then_it_reports_the_unknown_migration_and_passes', async () => {
    const table = `${quoteIdent(roles.schema)}.${MIGRATIONS_TABLE}`;
    await owner.query(`INSERT INTO ${table} ("timestamp", "name") VALUES (1800000000000, 'Later1800000000000')`);
    try {
      expect(await assertSchemaReady(app)).toMatchObject({ pending: [], unknown: ['Later1800000000000'] });
    } finally {
      await owner.query(`DELETE FROM ${table} WHERE "name" = 'Later1800000000000'`);
    }
  });

  it('check_when_the_schema_does_not_exist_then_it_says_so_and_to_run_migrate', async () => {
    const elsewhere = createDataSource({ url: roles.urlAs(roles.app, roles.appPassword), schema: `${roles.schema}_none`, poolSize: 1 });
    try {
      const check = await checkSchema(elsewhere);
      expect(check).toMatchObject({ exists: false, pending: migrationNames() });
      expect(describeSchemaProblems(check)).toEqual([
        `schema "${roles.schema}_none" does not exist: run \`tradeloop migrate\` (as the role that is to own the tables) before starting the services`,
      ]);
    } finally {
      await elsewhere.destroy();
    }
  });

  it.each([
    ['a role that does not exist', () => `${roles.app}_nobody`, /^role "tl_app_\w+_nobody" does not exist: create it first \(CREATE ROLE "tl_app_\w+_nobody" LOGIN PASSWORD '…'\), then run this again$/],
    ['a superuser', () => 'postgres', /^role "postgres" is a superuser: no privilege limits it/],
    ['the tables’ owner', () => roles.owner, /^role "tl_owner_\w+" owns the tables of schema "tl_test_\w+": the services need a role of their own that owns nothing/],
  ])('grant_when_given_%s_then_refuses_with_the_reason', async (_what, role, message) => {
    const err = await grantAppRole(owner, role()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppRoleError);
    expect((err as Error).message).toMatch(message);
  });

  it('grant_statements_when_built_then_usage_revokes_then_one_grant_per_privilege_set_and_names_are_checked', () => {
    expect(appRoleGrantStatements('tradeloop', 'tradeloop_app')).toEqual([
      'GRANT USAGE ON SCHEMA "tradeloop" TO "tradeloop_app"',
      'REVOKE CREATE ON SCHEMA "tradeloop" FROM "tradeloop_app"',
      'REVOKE ALL ON ALL TABLES IN SCHEMA "tradeloop" FROM "tradeloop_app"',
      'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "tradeloop" FROM "tradeloop_app"',
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${Object.keys(APP_ROLE_PRIVILEGES)
        .filter((t) => t !== 'trade_experiences' && t !== MIGRATIONS_TABLE)
        .map((t) => `"tradeloop"."${t}"`)
        .join(', ')} TO "tradeloop_app"`,
      'GRANT SELECT, INSERT ON "tradeloop"."trade_experiences" TO "tradeloop_app"',
      'GRANT SELECT ON "tradeloop"."schema_migrations" TO "tradeloop_app"',
    ]);
    expect(() => appRoleGrantStatements('tradeloop', 'app"; DROP TABLE x; --')).toThrow(/app role must match/);
  });
});
