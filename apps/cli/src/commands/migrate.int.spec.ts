import { migrationNames } from '@tradeloop/persistence';
import { createTestRoles, type TestRoles } from '@tradeloop/persistence/src/persistence.test-support';
import { runCli } from '../test-support';

function run(args: string[]) {
  return runCli(['migrate', ...args]);
}

/** Runs with these variables set (and DATABASE_URL, DATABASE_SCHEMA, DATABASE_APP_ROLE unset otherwise). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const names = ['DATABASE_URL', 'DATABASE_SCHEMA', 'DATABASE_APP_ROLE'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
}

describe('tradeloop migrate', () => {
  let roles: TestRoles;
  let ownerUrl: string;
  let appUrl: string;
  const names = migrationNames();

  beforeAll(async () => {
    roles = await createTestRoles();
    ownerUrl = roles.urlAs(roles.owner, 'owner-secret-pw');
    appUrl = roles.urlAs(roles.app, roles.appPassword);
  });

  afterAll(async () => {
    await roles?.close();
  });

  const privilege = async (table: string, p: string): Promise<boolean> =>
    (await roles.admin.query(`SELECT has_table_privilege($1, $2, $3) AS ok`, [roles.app, `"${roles.schema}"."${table}"`, p]))[0].ok;

  it('given_the_app_role_when_it_runs_migrate_then_exit_2_saying_to_run_it_as_the_owner_without_the_password', async () => {
    const r = await run(['--database-url', appUrl, '--schema', roles.schema]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^error: migrating schema "${roles.schema}" at 127\\.0\\.0\\.1:5432/test failed, nothing was applied \\(the pending migrations run in one transaction\\): ` +
          `permission denied for schema ${roles.schema} — the role in the URL may not create or change these tables: run \`tradeloop migrate\` as the role that owns them`,
      ),
    );
    expect(r.err + r.out).not.toContain(roles.appPassword);
  });

  it('given_a_new_schema_when_the_owner_runs_migrate_then_it_lists_every_migration_applied_and_a_rerun_is_up_to_date', async () => {
    const first = await run(['--database-url', ownerUrl, '--schema', roles.schema]);
    expect(first).toEqual({ code: 0, out: `schema "${roles.schema}" at 127.0.0.1:5432/test: applied ${names.length} migrations: ${names.join(', ')}\n`, err: '' });
    const again = await run(['--database-url', ownerUrl, '--schema', roles.schema]);
    expect(again).toEqual({ code: 0, out: `schema "${roles.schema}" at 127.0.0.1:5432/test is up to date: all ${names.length} migrations applied before\n`, err: '' });
    // The app role was given nothing: migrate alone grants nothing.
    expect(await privilege('orders', 'SELECT')).toBe(false);
  });

  it('given_the_environment_when_migrate_runs_with_an_app_role_then_it_grants_the_services_set_and_says_what', async () => {
    const r = await withEnv({ DATABASE_URL: ownerUrl, DATABASE_SCHEMA: roles.schema, DATABASE_APP_ROLE: roles.app }, () => run([]));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `schema "${roles.schema}" at 127.0.0.1:5432/test is up to date: all ${names.length} migrations applied before`,
      `granted role "${roles.app}" on schema "${roles.schema}": USAGE (no CREATE); SELECT, INSERT, UPDATE, DELETE on 18 tables; ` +
        'SELECT, INSERT only on trade_experiences (append-only); SELECT on schema_migrations; nothing else',
      '',
    ]);
    expect(r.out).not.toContain('owner-secret-pw');
    expect([await privilege('orders', 'UPDATE'), await privilege('trade_experiences', 'INSERT')]).toEqual([true, true]);
    expect([await privilege('trade_experiences', 'UPDATE'), await privilege('trade_experiences', 'DELETE'), await privilege('schema_migrations', 'INSERT')]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it.each([
    ['no database anywhere', [], 1, /^error: no database: pass --database-url <url> or set DATABASE_URL\n/],
    ['a URL that is not postgres', ['--database-url', 'mysql://u@h/db'], 1, /^error: --database-url \/ DATABASE_URL must be a postgres:\/\/ URL\n/],
    ['a schema that is not a name', ['--database-url', 'postgres://u@127.0.0.1/db', '--schema', 'a-b'], 1, /^error: --schema \/ DATABASE_SCHEMA: schema must match/],
    ['a role that is not a name', ['--database-url', 'postgres://u@127.0.0.1/db', '--grant-app-role', 'app; drop'], 1, /--grant-app-role must be a PostgreSQL role name/],
  ])('given_%s_when_migrate_runs_then_exit_1_with_the_reason', async (_what, args, code, message) => {
    const r = await withEnv({}, () => run(args as string[]));
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message as RegExp);
  });

  it('given_an_unreachable_database_when_migrate_runs_then_exit_2_naming_it_without_the_password', async () => {
    const r = await run(['--database-url', 'postgres://owner:s3cret-pw@127.0.0.1:1/nodb']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nodb: .*ECONNREFUSED/);
    expect(r.err).not.toContain('s3cret-pw');
  });

  it('given_an_app_role_that_does_not_exist_when_migrate_grants_then_exit_2_saying_to_create_it', async () => {
    const r = await run(['--database-url', ownerUrl, '--schema', roles.schema, '--grant-app-role', 'tl_nobody_here']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/is up to date/);
    expect(r.err).toBe(
      `error: cannot grant role "tl_nobody_here" the services' privileges: role "tl_nobody_here" does not exist: create it first (CREATE ROLE "tl_nobody_here" LOGIN PASSWORD '…'), then run this again\n`,
    );
  });

  it('given_the_owner_as_the_app_role_when_migrate_grants_then_exit_2_and_the_owner_keeps_its_privileges', async () => {
    const r = await run(['--database-url', ownerUrl, '--schema', roles.schema, '--grant-app-role', roles.owner]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/owns the tables of schema .*: the services need a role of their own that owns nothing/);
    const [held] = await roles.admin.query(`SELECT has_table_privilege($1, $2, 'DELETE') AS ok`, [roles.owner, `"${roles.schema}"."orders"`]);
    expect(held.ok).toBe(true);
  });
});
