/**
 * npm start where NATS JetStream and PostgreSQL answer (the machine's real ones): every service
 * runner in this process on a namespace of the test's own, the feed paced over the first 2000
 * bars of the bundled file, read models in a schema of the test's own.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import type { Envelope } from '@tradeloop/kernel';
import type { ApprovalRequestedData, ServiceStartedData } from '@tradeloop/contracts';
import { qualify, readStoredMessages, topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { TEST_DATABASE_URL, testSchemaName } from '@tradeloop/persistence/src/persistence.test-support';
import { startQuickstart, type Quickstart, type QuickstartOptions } from './quickstart';
import { bundledDataHead, call, eventually, tempStateDir } from './quickstart.test-support';
import { utcMinute, type SummarySnapshot } from './summary';
import { replayServiceInbox } from '@tradeloop/service';
import { DECIDER_SERVICES, deciderFor } from '@tradeloop/nest-service';
import { pipelineConfigFromFlat } from '@tradeloop/runtime';

const BARS = 2_000;
const APPROVAL_TTL_MS = 240_000;
const ns = uniqueNs('qs');
const schema = testSchemaName();

let stateDir: string;
let qs: Quickstart;
let final: SummarySnapshot;
let key: string;
let nc: NatsConnection;
let jsm: JetStreamManager;
let pg: Client;
const printed: string[] = [];

function options(print: string[]): QuickstartOptions {
  return {
    env: {
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_NAMESPACE: ns,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      HTTP_PORT: '0',
      // 150 bars a second: fast for a test, slow enough that a decision reaches risk and the
      // executor while the bar it was made on is still the latest (as at the default 600×).
      MARKET_DATA_SPEED: '9000',
      // Set, rather than the default scaled with the pace (a minute of wall time, more than the
      // whole run: one unanswered request would hold its market's reservation to the end, and
      // nothing would fill). Not the governor's 300000 either, so the ServiceStarted must record it.
      APPROVAL_TTL_MS: String(APPROVAL_TTL_MS),
      LOG_LEVEL: 'warn',
    },
    stateDir,
    dataFile: join(stateDir, 'EURUSD_OANDA_1m_quotebars_head.csv'),
    print: (line) => print.push(line),
    summaryEveryMs: 2_000,
  };
}

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
  stateDir = tempStateDir('nats');
  bundledDataHead(stateDir, BARS);
  qs = await startQuickstart(options(printed));
  final = await qs.done;
  key = readFileSync(qs.keyFile, 'utf8').trim();
}, 55_000);

afterAll(async () => {
  await qs?.close();
  if (jsm) {
    await deleteTopology(jsm, topology({ ns }));
    for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_IN_`)) await jsm.streams.delete(name);
  }
  await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pg?.end();
  await nc?.close();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

test('nats_when_nats_and_postgres_answer_then_uses_them', () => {
  expect(qs.bus).toBe('nats');
  expect(qs.store).toBe('postgres');
  expect(printed).toContainEqual(`  bus        NATS JetStream at nats://127.0.0.1:4222 (namespace ${ns})`);
  expect(printed).toContainEqual(`  store      PostgreSQL at ${TEST_DATABASE_URL} (schema ${schema})`);
  expect(printed).toContainEqual(`  audit      npx tradeloop export --namespace ${ns} --out audit.ndjson && npx tradeloop explain --log audit.ndjson`);
});

test('nats_run_when_the_data_ends_then_signals_and_fills_were_counted_and_every_service_is_drained', async () => {
  expect(final.bars).toBe(BARS);
  expect(final.stats.signals).toBeGreaterThan(0);
  expect(final.stats.fills).toBeGreaterThan(0);
  expect(printed).toContainEqual(expect.stringMatching(new RegExp(`^end of data: ${BARS} bars fed`)));
  const inboxes: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_IN_`)) inboxes.push(name);
  expect(inboxes.sort()).toEqual(['EXECUTOR', 'GOVERNOR', 'LEARNING', 'NOTIFIER', 'RISK', 'RL_DECISION', 'SCANNER'].map((s) => `${ns}_IN_${s}`));
  for (const inbox of inboxes) {
    for await (const c of jsm.consumers.list(inbox)) expect({ inbox, pending: c.num_pending, unacked: c.num_ack_pending }).toEqual({ inbox, pending: 0, unacked: 0 });
  }
});

test('postgres_when_the_run_is_done_then_holds_exactly_the_orders_and_fills_on_the_streams', async () => {
  const count = async (table: string): Promise<number> => Number((await pg.query(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0].n);
  expect(await count('orders')).toBe(final.stats.orders.submitted);
  expect(await count('fills')).toBe(final.stats.fills);
  const account = await pg.query(`SELECT "cash" FROM "${schema}"."accounts" WHERE "account" = 'paper'`);
  expect(account.rows[0]?.cash).toBe(final.cash);
});

test('restart_when_started_again_on_the_namespace_then_resumes_after_its_last_bar_and_reports_the_same_run', async () => {
  const before = qs.summary();
  await qs.close();
  const again: string[] = [];
  qs = await startQuickstart(options(again));
  const second = await qs.done;
  expect(again).toContainEqual(expect.stringMatching(new RegExp(`^ {2}note +the namespace holds \\d+ events of earlier runs: .*the replay goes on after ${utcMinute(before.replayTs)}`)));
  expect(second.stats).toEqual(before.stats);
  expect(second.cash).toBe(before.cash);
  expect(second.bars).toBe(BARS);
  // Nothing was projected twice, and the key file from the first run still works.
  expect(Number((await pg.query(`SELECT count(*) AS n FROM "${schema}"."fills"`)).rows[0].n)).toBe(before.stats.fills);
  expect(again).toContainEqual(expect.stringMatching(/^ {2}API key +.* \(admin; mode 0600;/));
  expect(readFileSync(qs.keyFile, 'utf8').trim()).toBe(key);
});

test('given_no_mode_command_when_status_is_read_then_it_shows_the_mode_the_governor_service_started_in', async () => {
  const status = await call(qs.url, 'GET', '/v1/status', key);
  expect(status.body.trading).toMatchObject({ mode: 'quality_based', threshold: 70, modeSource: 'start', modeBy: null, state: 'ACTIVE', stateSource: 'start' });
});

test('gateway_when_asked_with_the_created_key_then_status_answers_and_a_command_reaches_the_governor', async () => {
  const status = await call(qs.url, 'GET', '/v1/status', key);
  expect(status.status).toBe(200);
  expect(status.body.balance.cash).toBe(final.cash);
  expect(printed.join('\n')).not.toContain(key);
  const halt = await call(qs.url, 'POST', '/v1/trading/halt', key, { reason: 'quickstart test', cancelWorkingOrders: true });
  expect(halt.status).toBe(202);
  const state = await eventually('the halt in the read model', async () => (await call(qs.url, 'GET', '/v1/trading-state', key)).body, (b) => b?.state === 'HALTED');
  expect(state).toMatchObject({ state: 'HALTED', stateBy: 'quickstart' });
  const health = await call(qs.url, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(Object.keys(health.body.pipeline.services).sort()).toEqual(['executor', 'governor', 'learning', 'notifier', 'risk', 'rl-decision', 'scanner']);
});

test('approval_ttl_when_set_then_the_governor_service_decides_with_it_and_its_service_started_records_it', async () => {
  const topo = topology({ ns });
  const js = jetstream(nc);
  const json = (data: Uint8Array): Envelope => JSON.parse(new TextDecoder().decode(data)) as Envelope;
  const started = (await readStoredMessages(js, jsm, topo.streams.SYS.name, { filter: qualify(ns, 'sys.service.started.governor'), idleMs: 5_000 })).map((m) => json(m.data));
  // Both starts of the test (the run and the restart) recorded the TTL the governor ran with.
  expect(started.length).toBeGreaterThanOrEqual(1);
  for (const e of started) expect(JSON.parse((e.data as ServiceStartedData).config.governor as string)).toEqual({ approvalTtlMs: APPROVAL_TTL_MS });
  // And every request it made expires that long after the risk approval it answers.
  const requests = (await readStoredMessages(js, jsm, topo.streams.DEC.name, { filter: qualify(ns, 'dec.approval.requested.>'), idleMs: 5_000 })).map((m) => json(m.data));
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) expect((r.data as ApprovalRequestedData).expiresAt - r.ts).toBe(APPROVAL_TTL_MS);
});

test('nats_run_when_audited_then_every_decider_service_reproduces_its_outputs_byte_for_byte', async () => {
  // What the printed `tradeloop replay --service …` runs (the CLI adds only the printing).
  for (const service of DECIDER_SERVICES) {
    const report = await replayServiceInbox({
      nc,
      topo: topology({ ns }),
      service,
      deciderFor: (flat) => deciderFor(service, pipelineConfigFromFlat(flat, (d) => new Error(d)).config),
    });
    expect({ service, identical: report.identical, first: report.first }).toEqual({ service, identical: true, first: undefined });
    expect(report.messages).toBeGreaterThan(0);
  }
}, 60_000);
