/**
 * The deployment's two database steps, run for real against this machine's PostgreSQL as compose
 * runs them (k8s runs the same script at initdb and the same command in its migrate Job): the
 * app role created by deploy/postgres/app-role.sh, then `npx tradeloop migrate` through the
 * image's entrypoint, as the owner, granting that role. Names of their own: roles are cluster-wide.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { migrationNames } from '@tradeloop/persistence';
import { TEST_DATABASE_URL } from '@tradeloop/persistence/src/persistence.test-support';
import { MIGRATE_ARGS } from '../../tools/k8s-manifests';

const REPO = resolve(__dirname, '../..');
const id = randomUUID().replace(/-/g, '').slice(0, 12);
const ROLE = `tl_app_${id}`;
const SCHEMA = `tl_test_${id}`;
// Quotes and a backslash: the script must pass it to the server intact, never through a shell or SQL text.
const PASSWORD = `it's "${id}" \\ secret`;
const test_db = new URL(TEST_DATABASE_URL);

type Obj = Record<string, any>;
const compose = parse(readFileSync(resolve(REPO, 'deploy/docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Obj> };

let pg: Client;

beforeAll(async () => {
  pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
});

afterAll(async () => {
  await pg.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  const exists = (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE])).rowCount;
  if (exists) {
    await pg.query(`DROP OWNED BY "${ROLE}"`);
    await pg.query(`DROP ROLE "${ROLE}"`);
  }
  await pg.end();
});

/** compose's postgres-roles step, pointed at the test database and this test's role. */
function createRole(extra: Record<string, string | undefined> = {}) {
  const env: Record<string, string | undefined> = {
    ...compose.services['postgres-roles'].environment,
    PATH: process.env.PATH,
    PGHOST: test_db.hostname,
    PGPORT: test_db.port || '5432',
    PGUSER: decodeURIComponent(test_db.username),
    PGPASSWORD: decodeURIComponent(test_db.password),
    PGDATABASE: test_db.pathname.slice(1),
    TRADELOOP_APP_ROLE: ROLE,
    TRADELOOP_APP_PASSWORD: PASSWORD,
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined || env[k] === '') delete env[k];
  return spawnSync('/bin/sh', [resolve(REPO, 'deploy/postgres/app-role.sh')], { env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
}

test('app_role_script_when_run_twice_then_the_role_exists_once_with_login_and_its_password_and_nothing_echoes_the_password', async () => {
  for (let run = 1; run <= 2; run++) {
    const r = createRole();
    expect({ run, status: r.status, stderr: r.stderr }).toEqual({ run, status: 0, stderr: '' });
    expect(r.stdout).toBe(`role ${ROLE} is there\n`);
  }
  const { rows } = await pg.query('SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = $1', [ROLE]);
  expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, has_password: true }]);
  // The stored SCRAM verifier is this password's, quotes and backslash included (RFC 5802:
  // StoredKey = SHA-256(HMAC(PBKDF2(password, salt, iterations), "Client Key"))).
  const scram = (await pg.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [ROLE])).rows[0].rolpassword as string;
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(scram)!;
  const salted = pbkdf2Sync(PASSWORD, Buffer.from(m[2], 'base64'), Number(m[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  expect(storedKey).toBe(m[3]);
});

test('app_role_script_when_the_password_is_not_given_then_it_fails_naming_the_variable', () => {
  const r = createRole({ TRADELOOP_APP_PASSWORD: undefined });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/TRADELOOP_APP_PASSWORD: set TRADELOOP_APP_PASSWORD to its password/);
});

test('migrate_step_when_the_image_runs_it_as_compose_does_then_it_migrates_and_grants_the_app_role_the_services_set', async () => {
  const migrate = compose.services.migrate;
  expect(migrate.command).toEqual([...MIGRATE_ARGS]);
  const r = spawnSync(resolve(REPO, 'deploy/entrypoint.sh'), migrate.command, {
    cwd: '/',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...migrate.environment, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: SCHEMA, DATABASE_APP_ROLE: ROLE },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`applied ${migrationNames().length} migrations`);
  expect(r.stdout).toContain(`granted role "${ROLE}" on schema "${SCHEMA}"`);
  const can = async (table: string, p: string): Promise<boolean> => (await pg.query('SELECT has_table_privilege($1, $2, $3) AS ok', [ROLE, `"${SCHEMA}"."${table}"`, p])).rows[0].ok;
  expect([await can('orders', 'UPDATE'), await can('trade_experiences', 'INSERT'), await can('trade_experiences', 'UPDATE'), await can('trade_experiences', 'DELETE')]).toEqual([
    true,
    true,
    false,
    false,
  ]);
}, 150_000);
