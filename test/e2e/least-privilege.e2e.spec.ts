/**
 * The services on a least-privilege PostgreSQL role, as a careful operator deploys them: a DBA
 * creates an owner role (no right to create schemas) with a schema of its own and an app role;
 * `tradeloop migrate` runs once as the owner and grants the app role the services' privileges;
 * the services (separate processes, real NATS JetStream and PostgreSQL) connect as the app role
 * with DATABASE_MIGRATIONS=check. Real EURUSD bars flow through the pipeline; the read models,
 * the experience store and the gateway's commands are written by the app role, which cannot
 * change or delete an experience. A service started on a schema that lacks a migration refuses
 * to start, naming it.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { createDataSource, migrationNames, revertMigrations, sqlStateOf } from '@tradeloop/persistence';
import { createTestRoles, type TestRoles } from '@tradeloop/persistence/src/persistence.test-support';
import { readMarketDataFile } from '@tradeloop/market-data';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DATA, NATS_URL, REPO, ServiceFleet, settle, sleep } from './services';
import { allMessages, checkInvariants } from './invariants';
import { main } from '../../apps/cli/src/main';

const SERVICES = ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning', 'gateway'];
// 5000 bars, as test/e2e/pipeline.e2e.spec.ts: in a backtest about 116 signals and 17 closed
// trades; live, the services' inboxes interleave the streams as messages arrive, so a loaded
// machine trades fewer (3 of the 10 of 2000 bars under the full test suite).
const BARS = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {}).bars.slice(0, 5_000);
const STARTING_CASH = '100000';

let roles: TestRoles;
let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
let pg: Client;
let fleet: ServiceFleet | undefined;
let ownerUrl: string;
let appUrl: string;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'tradeloop', ...args], { out: (s) => void (out += s), err: (s) => void (err += s), isTty: false });
  return { code, out, err };
}

/** The learning service as its container starts it, until it exits (or 60 s pass). */
async function startLearning(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/learning/src/main.ts')], {
    cwd: REPO,
    env: { ...process.env, NATS_URL, NATS_NAMESPACE: topo.ns, DATABASE_SCHEMA: roles.schema, HTTP_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, output };
}

beforeAll(async () => {
  roles = await createTestRoles();
  ownerUrl = roles.urlAs(roles.owner);
  appUrl = roles.urlAs(roles.app, roles.appPassword);
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('lpriv') });
  pg = new Client({ connectionString: roles.urlAs('postgres') });
  await pg.connect();
}, 30_000);

afterAll(async () => {
  await fleet?.stopAll();
  if (jsm) {
    await deleteTopology(jsm, topo);
    for (const s of SERVICES.filter((x) => x !== 'gateway')) await jsm.streams.delete(`${topo.ns}_IN_${s.toUpperCase().replace(/-/g, '_')}`).catch(() => undefined);
  }
  await pg?.end();
  await nc?.close();
  await roles?.close();
}, 60_000);

test('given_the_app_role_and_no_migrate_step_when_a_service_migrates_at_start_as_before_then_it_exits_1_saying_to_run_migrate_as_the_owner', async () => {
  // What every service did until now: migrate at start, which the app role may not.
  const r = await startLearning({ DATABASE_URL: appUrl });
  expect(r.code).toBe(1);
  expect(r.output).toContain(
    `tradeloop learning: learning: PostgreSQL at postgres://${roles.app}:***@127.0.0.1:5432/test failed: permission denied for schema ${roles.schema} — ` +
      "this role may not change the schema: run `tradeloop migrate` as the tables' owner and start the services with DATABASE_MIGRATIONS=check",
  );
  expect(r.output).not.toContain(roles.appPassword);
}, 90_000);

test('given_migrate_run_as_the_owner_with_the_app_role_granted_when_the_services_run_as_the_app_role_with_check_then_the_pipeline_writes_every_read_model', async () => {
  const migrated = await cli(['migrate', '--database-url', ownerUrl, '--schema', roles.schema, '--grant-app-role', roles.app]);
  expect(migrated.err).toBe('');
  expect(migrated.code).toBe(0);
  expect(migrated.out).toContain(`applied ${migrationNames().length} migrations`);
  expect(migrated.out).toContain(`granted role "${roles.app}"`);

  fleet = new ServiceFleet(
    {
      NATS_URL,
      DATABASE_URL: appUrl,
      DATABASE_SCHEMA: roles.schema,
      DATABASE_MIGRATIONS: 'check',
      NATS_NAMESPACE: topo.ns,
      EXECUTION_MODE: 'fully_automated',
      STARTING_CASH,
      LOG_LEVEL: 'info',
    },
    SERVICES,
  );
  await fleet.startAll();
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  for (let i = 0; i < BARS.length; i += 10) {
    await pub.publishBatch(BARS.slice(i, i + 10));
    await sleep(40);
  }
  await pub.flush();
  await settle(fleet, nc, topo);

  // The streams and PostgreSQL agree (orders, fills, denials, approvals, positions, cash).
  const facts = await checkInvariants({ nc, topo, pg, schema: roles.schema, startingCash: STARTING_CASH });
  expect(facts.fills).toBeGreaterThan(0);
  const count = async (table: string): Promise<number> => Number((await pg.query(`SELECT count(*) AS n FROM "${roles.schema}"."${table}"`)).rows[0].n);
  const lrn = await allMessages(nc, topo, 'LRN');
  const experiences = lrn.filter((m) => m.type === 'ExperienceRecorded');
  expect(experiences.length).toBeGreaterThan(0);
  expect(await count('trade_experiences')).toBe(experiences.length);
  expect(await count('risk_approvals')).toBeGreaterThan(0);
  expect(await count('governor_starts')).toBe(1);
  expect(await count('account_starts')).toBe(1);
  expect(await count('processed_messages')).toBeGreaterThan(0);
  // Every service said it checked the schema rather than migrating it, and no log holds the password.
  for (const name of ['risk', 'governor', 'executor', 'learning', 'gateway']) {
    const output = fleet.procs.get(name)!.output;
    expect({ name, checked: output.includes(`"migrations":"checked","schema":"${roles.schema}","role":"${roles.app}"`) }).toEqual({ name, checked: true });
  }
  for (const p of fleet.procs.values()) expect(p.output).not.toContain(roles.appPassword);

  // The gateway as the app role: a key made with `tradeloop apikey`, a command recorded, answered by the governor.
  const created = await cli(['apikey', 'create', '--database-url', appUrl, '--schema', roles.schema, '--name', 'ops', '--scopes', 'admin', '--json']);
  expect(created.code).toBe(0);
  const { key } = JSON.parse(created.out) as { key: string };
  const base = `http://127.0.0.1:${fleet.procs.get('gateway')!.port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'least-privilege-1' };
  const put = await fetch(`${base}/v1/trading/mode`, { method: 'PUT', headers, body: JSON.stringify({ mode: 'quality_based', threshold: 75 }) });
  expect(put.status).toBe(202);
  const { commandId } = (await put.json()) as { commandId: string };
  let outcome = '';
  for (const deadline = Date.now() + 20_000; outcome !== 'applied' && Date.now() < deadline; await sleep(100)) {
    outcome = ((await (await fetch(`${base}/v1/commands/${commandId}`, { headers })).json()) as { outcome: string }).outcome;
  }
  expect(outcome).toBe('applied');
  const orders = (await (await fetch(`${base}/v1/orders?limit=200`, { headers })).json()) as { items: unknown[] };
  expect(orders.items.length).toBe(await count('orders'));
}, 300_000);

test('given_experiences_written_by_the_app_role_when_it_updates_deletes_or_truncates_them_then_its_privileges_refuse', async () => {
  const app = createDataSource({ url: appUrl, schema: roles.schema, poolSize: 1 });
  await app.initialize();
  try {
    const table = `"${roles.schema}"."trade_experiences"`;
    const before = (await app.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
    expect(before).toBeGreaterThan(0);
    for (const sql of [`UPDATE ${table} SET pnl = 0`, `DELETE FROM ${table}`, `TRUNCATE ${table}`, `ALTER TABLE ${table} DISABLE TRIGGER ALL`]) {
      const err = await app.query(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ sql, code: sqlStateOf(err) }).toEqual({ sql, code: '42501' });
    }
    expect((await app.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n).toBe(before);
  } finally {
    await app.destroy();
  }
});

test('given_a_schema_without_the_releases_last_migration_when_a_service_starts_with_check_then_it_exits_1_naming_the_migration_and_migrate', async () => {
  await fleet!.stopAll();
  const owner = createDataSource({ url: ownerUrl, schema: roles.schema, poolSize: 1 });
  try {
    await revertMigrations(owner, 1);
  } finally {
    await owner.destroy();
  }
  const names = migrationNames();
  const r = await startLearning({ DATABASE_URL: appUrl, DATABASE_MIGRATIONS: 'check' });
  expect(r.code).toBe(1);
  expect(r.output).toContain(
    `tradeloop learning: learning: PostgreSQL at postgres://${roles.app}:***@127.0.0.1:5432/test is not ready and DATABASE_MIGRATIONS=check: ` +
      `schema "${roles.schema}" is missing 1 of the ${names.length} migrations of this release (${names[names.length - 1]}): ` +
      "run `tradeloop migrate` (as the tables' owner) before starting the services",
  );
  expect(r.output).not.toContain(roles.appPassword);
}, 90_000);
