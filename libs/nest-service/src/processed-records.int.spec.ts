/**
 * The processed-message records of a service whose inbox starts its sequence numbers again. The
 * governor runs as its container starts it (bootstrapService) on a NATS server of this test's own
 * and on PostgreSQL, and is sent commands; each answer is a read-model write (command_results,
 * trading_state). Then what an operator may do to NATS while PostgreSQL keeps its data:
 *
 * - the server's JetStream storage is lost (a new volume, a new cluster): every stream is made
 *   again, empty, when the services start, and the inbox numbers its messages from 1 again;
 * - the inbox alone is deleted (its area streams have meanwhile dropped their oldest messages,
 *   as limits do — market data after 7 days): made again, it holds what is left, numbered from 1;
 * - the durable consumer is deleted: the same inbox messages are delivered again (a genuine
 *   redelivery).
 *
 * Commands after the first two must be written like any other, and messages handled before must
 * not be written a second time. Records keyed by inbox position (stream name and sequence, as
 * they were) found the new messages' positions already recorded and skipped their writes.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Message } from '@tradeloop/contracts';
import { getCommandResult, getTradingState } from '@tradeloop/persistence';
import { countRows, openTestDatabase, sampleOf, TEST_DATABASE_URL, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { quoteIdent } from '@tradeloop/persistence/src/sql-names';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, PrivateNatsServer, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { bootstrapService, type RunningService } from './bootstrap';

const T0 = Date.UTC(2024, 0, 2, 10, 0);
const ACCOUNT = 'paper';

let server: PrivateNatsServer;

beforeAll(async () => {
  server = await PrivateNatsServer.start();
}, 30_000);

afterAll(async () => {
  await server?.dispose();
});

/** One test's world: a namespace on the private server, a PostgreSQL schema, the governor. */
class World {
  readonly topo: Topology;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  db!: TestDatabase;
  governor?: RunningService;
  private sent = 0;

  constructor(label: string) {
    this.topo = topology({ ns: uniqueNs(label) });
  }

  get inbox(): string {
    return `${this.topo.ns}_IN_GOVERNOR`;
  }

  async open(): Promise<void> {
    this.db = await openTestDatabase({ poolSize: 2 });
    // Every attempt to write a command's answer, counted by the database: a BEFORE INSERT trigger
    // fires for each row offered, also one the table's key then turns away (ON CONFLICT DO
    // NOTHING). The read model alone cannot show work done twice: its writes are idempotent.
    const s = quoteIdent(this.db.schema);
    await this.db.ds.query(`CREATE TABLE ${s}."answer_writes" ("command_id" text NOT NULL)`);
    await this.db.ds.query(
      `CREATE FUNCTION ${s}."count_answer_write"() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN INSERT INTO ${s}."answer_writes" VALUES (NEW."command_id"); RETURN NEW; END $$`,
    );
    await this.db.ds.query(`CREATE TRIGGER "count_answer_write" BEFORE INSERT ON ${s}."command_results" FOR EACH ROW EXECUTE FUNCTION ${s}."count_answer_write"()`);
    await this.connect();
  }

  async connect(): Promise<void> {
    this.nc = await connectNats(server.url);
    this.jsm = await jetstreamManager(this.nc);
  }

  async startGovernor(): Promise<void> {
    this.governor = await bootstrapService({
      name: 'governor',
      env: {
        NATS_URL: `nats://${server.url}`,
        NATS_NAMESPACE: this.topo.ns,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: this.db.schema,
        ACCOUNT,
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
      },
    });
  }

  async stopGovernor(): Promise<void> {
    await this.governor?.close();
    this.governor = undefined;
  }

  /** Halt and resume, alternately (each applied, each answered), a minute apart in event time. */
  async sendCommands(n: number): Promise<string[]> {
    const publisher = new JetStreamPublisher(jetstream(this.nc), this.topo);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.sent++;
      const id = `${this.topo.ns}-cmd-${k}`;
      const meta = { id, ts: T0 + k * 60_000, account: ACCOUNT, correlationId: id, causationId: id };
      const command: Message =
        k % 2 === 0
          ? sampleOf('HaltTrading', meta, { by: 'alice', reason: `halt #${k}`, cancelWorkingOrders: false })
          : sampleOf('ResumeTrading', meta, { by: 'alice', reason: `resume #${k}`, state: 'ACTIVE' });
      await publisher.publish(command);
      ids.push(id);
    }
    await publisher.flush();
    return ids;
  }

  /** Waits until the governor has handled, committed and acked everything its inbox holds. */
  async allHandled(atLeast: number): Promise<void> {
    await waitFor(`the governor to ack its inbox (at least ${atLeast} messages)`, async () => {
      const stream = await this.jsm.streams.info(this.inbox).catch(() => undefined);
      if (stream === undefined || stream.state.last_seq < atLeast) return false;
      const consumer = await this.jsm.consumers.info(this.inbox, 'governor').catch(() => undefined);
      return consumer !== undefined && consumer.ack_floor.stream_seq === stream.state.last_seq && consumer.num_pending === 0;
    });
  }

  /** The commands that have an answer in the read model, of those given. */
  async answered(ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids) if ((await getCommandResult(this.db.ds, id))?.outcome === 'applied') out.push(id);
    return out;
  }

  async answerWrites(): Promise<Record<string, number>> {
    const rows: { command_id: string; n: string }[] = await this.db.ds.query(
      `SELECT "command_id", count(*) AS n FROM ${quoteIdent(this.db.schema)}."answer_writes" GROUP BY "command_id"`,
    );
    return Object.fromEntries(rows.map((r) => [r.command_id, Number(r.n)]));
  }

  async processedRecords(): Promise<string[]> {
    const rows: { message_id: string }[] = await this.db.ds.query(
      `SELECT "message_id" FROM ${quoteIdent(this.db.schema)}."processed_messages" WHERE "consumer" = 'governor' ORDER BY "message_id"`,
    );
    return rows.map((r) => r.message_id);
  }

  async close(): Promise<void> {
    await this.stopGovernor().catch(() => undefined);
    if (this.jsm) {
      await deleteTopology(this.jsm, this.topo).catch(() => undefined);
      await this.jsm.streams.delete(this.inbox).catch(() => undefined);
    }
    await this.nc?.close().catch(() => undefined);
    await this.db?.close();
  }
}

function once(ids: readonly string[]): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, 1]));
}

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

test('processed_records_when_the_nats_storage_is_lost_and_postgres_kept_then_the_commands_after_it_are_answered_in_the_read_model', async () => {
  const w = (world = new World('lostjs'));
  await w.open();
  await w.startGovernor();
  const before = await w.sendCommands(4);
  await w.allHandled(4);
  expect(await w.answered(before)).toEqual(before);

  // The server's JetStream storage is lost (a new volume); PostgreSQL keeps its data.
  await w.stopGovernor();
  await w.nc.close();
  await server.kill();
  rmSync(join(server.storeDir, 'jetstream'), { recursive: true, force: true });
  mkdirSync(server.storeDir, { recursive: true });
  await server.launch();
  await w.connect();
  expect(await w.jsm.streams.info(w.inbox).catch(() => 'gone')).toBe('gone');

  // The governor starts on new, empty streams; its inbox numbers from 1 again.
  await w.startGovernor();
  const after = await w.sendCommands(2);
  await w.allHandled(2);
  expect((await w.jsm.streams.info(w.inbox)).state.last_seq).toBe(2);
  // Both answered, and the trading state is the last command's: HALTED by the first, ACTIVE by the second.
  expect(await w.answered(after)).toEqual(after);
  expect(await getTradingState(w.db.ds, ACCOUNT)).toMatchObject({ state: 'ACTIVE', stateCauseId: after[1] });
  expect(await countRows(w.db.ds, w.db.schema, 'command_results')).toBe(6);
  expect(await w.answerWrites()).toEqual(once([...before, ...after]));
}, 90_000);

test('processed_records_when_the_inbox_is_made_again_from_what_its_sources_still_hold_then_new_commands_are_answered_and_old_ones_not_written_again', async () => {
  const w = (world = new World('reinbox'));
  await w.open();
  await w.startGovernor();
  const before = await w.sendCommands(4);
  await w.allHandled(4);
  expect(await w.answered(before)).toEqual(before);

  // The CMD stream has dropped its two oldest commands (as max-age or max-bytes limits do); the
  // inbox is deleted and the governor, started again, makes it anew from what CMD still holds.
  await w.stopGovernor();
  await w.jsm.streams.purge(w.topo.streams.CMD.name, { keep: 2 });
  await w.jsm.streams.delete(w.inbox);
  await w.startGovernor();
  await w.allHandled(2);
  // The two commands still in CMD are at inbox #1 and #2 now, positions the first two held before.
  expect((await w.jsm.streams.info(w.inbox)).state.last_seq).toBe(2);

  const after = await w.sendCommands(2);
  await w.allHandled(4);
  expect(await w.answered(after)).toEqual(after);
  expect(await getTradingState(w.db.ds, ACCOUNT)).toMatchObject({ state: 'ACTIVE', stateCauseId: after[1] });
  // The two old commands handled again from the new inbox wrote nothing again.
  expect(await w.answerWrites()).toEqual(once([...before, ...after]));
}, 90_000);

test('processed_records_when_the_same_inbox_messages_are_delivered_again_then_nothing_is_written_twice', async () => {
  const w = (world = new World('redeliver'));
  await w.open();
  await w.startGovernor();
  const sent = await w.sendCommands(5);
  await w.allHandled(5);
  expect(await w.answered(sent)).toEqual(sent);
  const records = await w.processedRecords();
  expect(records.length).toBeGreaterThanOrEqual(5);

  // The durable consumer is deleted: the governor starts from the inbox's first message and
  // handles all five again, as after a crash that lost every ack.
  await w.stopGovernor();
  await w.jsm.consumers.delete(w.inbox, 'governor');
  await w.startGovernor();
  await w.allHandled(5);
  // Handled again, not skipped as already acked: the second process rebuilt nothing.
  const health = (await (await fetch(`http://127.0.0.1:${w.governor!.port}/health`)).json()) as { worker: { rebuilt: number; handled: number } };
  expect(health.worker).toMatchObject({ rebuilt: 0, handled: 5 });

  expect(await w.processedRecords()).toEqual(records);
  expect(await w.answerWrites()).toEqual(once(sent));
  expect(await countRows(w.db.ds, w.db.schema, 'command_results')).toBe(5);
}, 90_000);
