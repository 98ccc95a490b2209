import { verifyApiKey } from '@tradeloop/persistence';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { runCli } from '../test-support';

function run(args: string[]) {
  return runCli(['apikey', ...args]);
}

describe('tradeloop apikey', () => {
  let db: TestDatabase;
  let dbArgs: string[];

  beforeAll(async () => {
    db = await openTestDatabase({ poolSize: 2 });
    dbArgs = ['--database-url', TEST_DATABASE_URL, '--schema', db.schema];
  });

  afterAll(async () => {
    await db.close();
  });

  it('create_then_prints_the_key_once_and_it_verifies_with_the_given_scopes', async () => {
    const r = await run(['create', '--name', 'ops-bot', '--scopes', 'trade,read', ...dbArgs]);
    expect(r.code).toBe(0);
    const [line, key] = r.out.trim().split('\n');
    expect(line).toMatch(/^created API key "ops-bot" \(id [0-9a-f]{16}, scopes read,trade\)$/);
    expect(key).toMatch(/^tl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(r.err).toMatch(/cannot be shown again/);
    expect(await verifyApiKey(db.ds, key)).toMatchObject({ name: 'ops-bot', scopes: ['read', 'trade'] });
  });

  it('create_json_then_machine_readable', async () => {
    const r = await run(['create', '--name', 'script', '--scopes', 'admin', '--json', ...dbArgs]);
    expect(r.code).toBe(0);
    const created = JSON.parse(r.out);
    expect(created).toMatchObject({ name: 'script', scopes: ['admin'] });
    expect(await verifyApiKey(db.ds, created.key)).not.toBeNull();
  });

  it('list_then_every_key_without_secrets', async () => {
    const r = await run(['list', ...dbArgs]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ID\s+NAME\s+SCOPES\s+CREATED\s+REVOKED/);
    expect(r.out).toMatch(/ops-bot\s+read,trade\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+-/);
    expect(r.out).not.toMatch(/tl_/);
    const json = await run(['list', '--json', ...dbArgs]);
    expect(JSON.parse(json.out).map((k: any) => k.name)).toEqual(['ops-bot', 'script']);
  });

  it('revoke_then_key_stops_verifying_and_a_second_revoke_says_so', async () => {
    const created = JSON.parse((await run(['create', '--name', 'temp', '--scopes', 'read', '--json', ...dbArgs])).out);
    const r = await run(['revoke', '--name', 'temp', ...dbArgs]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`revoked API key "temp" (id ${created.id})\n`);
    expect(await verifyApiKey(db.ds, created.key)).toBeNull();
    const again = await run(['revoke', '--id', created.id, ...dbArgs]);
    expect(again.out).toMatch(/was already revoked at \d{4}-/);
  });

  it.each([
    [['create', '--name', 'x', '--scopes', 'read,root'], 1, /--scopes: unknown API key scope\(s\) "root"/],
    [['create', '--name', 'has space', '--scopes', 'read'], 1, /--name must be 1-64 characters/],
    [['create', '--scopes', 'read'], 1, /required option '--name <name>'/],
    [['revoke'], 1, /pass exactly one of --name or --id/],
    [['revoke', '--name', 'nobody'], 2, /no API key with name "nobody"/],
    [['create', '--name', 'ops-bot', '--scopes', 'read'], 2, /an API key named "ops-bot" already exists/],
  ])('bad_use_%#_then_exit_code_and_a_clear_message', async (args, code, message) => {
    const r = await run([...(args as string[]), ...dbArgs]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message as RegExp);
  });

  it('no_database_url_anywhere_then_exit_1_naming_both_ways', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const r = await run(['list']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/no database: pass --database-url <url> or set DATABASE_URL/);
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it('unreachable_database_then_exit_2_without_the_password', async () => {
    const r = await run(['list', '--database-url', 'postgres://u:s3cret-pw@127.0.0.1:1/nodb']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nodb/);
    expect(r.err).not.toContain('s3cret-pw');
  });

  it('schema_without_tables_then_exit_2_suggesting_migrate_and_migrate_fixes_it', async () => {
    const schema = `${db.schema}_empty`;
    try {
      const r = await run(['list', '--database-url', TEST_DATABASE_URL, '--schema', schema]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no api_keys table in schema ".*_empty": .* pass --migrate/);
      const m = await run(['list', '--database-url', TEST_DATABASE_URL, '--schema', schema, '--migrate']);
      expect(m.code).toBe(0);
      expect(m.out).toBe('no API keys\n');
    } finally {
      await db.ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
