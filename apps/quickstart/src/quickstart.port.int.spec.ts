/**
 * A busy HTTP_PORT is found before anything is made: no NATS streams of the namespace, no schema
 * in PostgreSQL, no state folder contents; the message names the port and the setting.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { TEST_DATABASE_URL, testSchemaName } from '@tradeloop/persistence/src/persistence.test-support';
import { QuickstartError, startQuickstart } from './quickstart';
import { tempStateDir } from './quickstart.test-support';

const ns = uniqueNs('qsport');
const schema = testSchemaName();
let nc: NatsConnection;
let jsm: JetStreamManager;
let pg: Client;
let busy: Server;
let port: number;
let stateDir: string;

async function streamsOfNs(): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_`)) names.push(name);
  return names;
}

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  port = (busy.address() as { port: number }).port;
  stateDir = tempStateDir('port');
});

afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
  if (jsm) {
    await deleteTopology(jsm, topology({ ns }));
    for (const name of await streamsOfNs()) await jsm.streams.delete(name);
  }
  await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pg?.end();
  await nc?.drain();
  rmSync(stateDir, { recursive: true, force: true });
});

test('http_port_when_in_use_then_refuses_naming_the_port_and_HTTP_PORT_before_making_streams_or_schema', async () => {
  const error = await startQuickstart({
    env: {
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_NAMESPACE: ns,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'silent',
    },
    stateDir,
    print: () => undefined,
  }).then(
    async (qs) => {
      await qs.close();
      return new Error('started, but should have refused');
    },
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(QuickstartError);
  expect(error.message).toBe(`HTTP_PORT ${port} on 127.0.0.1: the port is in use; set HTTP_PORT to another port`);
  expect(await streamsOfNs()).toEqual([]);
  const schemas = await pg.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
  expect(schemas.rowCount).toBe(0);
  expect(existsSync(join(stateDir, 'quickstart.pid'))).toBe(false);
}, 30_000);
