import { Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Envelope } from '@tradeloop/kernel';
import { createApiKey, revokeApiKey } from '@tradeloop/persistence';
// Test fixtures of the persistence library (per-file schema, contract samples).
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { bootstrapService, type RunningService } from '@tradeloop/nest-service';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, NATS_URL, readStream, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { configureGateway, GatewayModule, setupOpenApi, type CommandSink } from './index';
import { marketDataPrices, type MarketPrices } from './market-prices';

export const ACCOUNT = 'paper';
export const NOW = 1_709_660_000_000;
/** The wall clock Idempotency-Keys expire by (the commands' clock, NOW, is the replay's). */
export const WALL_NOW = 1_780_000_000_000;

/** Collects what the gateway publishes; can be told to fail or to never answer. */
export class CollectingSink implements CommandSink {
  readonly sent: Envelope[] = [];
  failure: Error | undefined;
  hang = false;

  /** Where commands also go once collected (a real bus), when given. */
  constructor(private readonly forward?: (command: Envelope) => Promise<void>) {}

  async send(command: Envelope): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.hang) return new Promise<void>(() => undefined);
    this.sent.push(command);
    await this.forward?.(command);
  }

  last(): Envelope {
    const e = this.sent[this.sent.length - 1];
    if (e === undefined) throw new Error('nothing was sent');
    return e;
  }
}

/** Everything the app logged, to check that no key ever appears there. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(`${level} ${[message, ...rest].map((x) => (x instanceof Error ? `${x.message} ${x.stack}` : String(x))).join(' ')}`);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.add('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.add('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.add('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.add('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.add('fatal', message, rest);
  }
}

export interface TestKeys {
  readonly read: string;
  readonly trade: string;
  readonly admin: string;
  readonly revoked: string;
}

export interface TestGateway {
  readonly url: string;
  readonly db: TestDatabase;
  readonly sink: CollectingSink;
  readonly logger: CapturingLogger;
  readonly keys: TestKeys;
  /** Advances the gateway's clock. */
  setNow(ms: number): void;
  /** Moves the wall clock that Idempotency-Keys expire by. */
  setWallNow(ms: number): void;
  close(): Promise<void>;
}

export interface HttpResult {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of any route; each test asserts the shape it expects
  readonly body: any;
  readonly headers: Headers;
}

/** A gateway on an ephemeral port over a fresh schema, with one key per scope and a revoked one. */
export interface TestGatewayOptions {
  readonly sinkTimeoutMs?: number;
  readonly idempotencyKeyTtlMs?: number;
  /** A database the services under test write too (its owner closes it); default a fresh schema of its own. */
  readonly db?: TestDatabase;
  /** Also hands every command to this (a real bus), after collecting it. */
  readonly forward?: (command: Envelope) => Promise<void>;
  /** Where the gateway looks up a market's last price (a real MD stream), when given. */
  readonly marketPrices?: MarketPrices;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const ownDb = options.db === undefined;
  const db = options.db ?? (await openTestDatabase({ poolSize: 4 }));
  const sink = new CollectingSink(options.forward);
  const logger = new CapturingLogger();
  let now = NOW;
  let wallNow = WALL_NOW;
  const keys: TestKeys = {
    read: (await createApiKey(db.ds, { name: 'dashboard', scopes: ['read'], now })).key,
    trade: (await createApiKey(db.ds, { name: 'trader-bot', scopes: ['read', 'trade'], now })).key,
    admin: (await createApiKey(db.ds, { name: 'alice', scopes: ['admin'], now })).key,
    revoked: (await createApiKey(db.ds, { name: 'old-key', scopes: ['admin'], now })).key,
  };
  await revokeApiKey(db.ds, { name: 'old-key' }, now);

  @Module({
    imports: [
      GatewayModule.forRoot({
        dataSource: db.ds,
        sink,
        account: ACCOUNT,
        clock: () => now,
        wallClock: () => wallNow,
        sinkTimeoutMs: options.sinkTimeoutMs,
        idempotencyKeyTtlMs: options.idempotencyKeyTtlMs,
        marketPrices: options.marketPrices,
      }),
    ],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger });
  configureGateway(app);
  setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    db,
    sink,
    logger,
    keys,
    setNow: (ms) => {
      now = ms;
    },
    setWallNow: (ms) => {
      wallNow = ms;
    },
    async close() {
      try {
        await app.close();
      } finally {
        if (ownDb) await db.close();
      }
    },
  };
}

export interface RequestOptions {
  readonly key?: string;
  /** JSON-encoded unless a string (sent as is, with a JSON content type). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export async function call(gw: TestGateway, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${gw.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON (the OpenAPI UI's HTML): keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * The environment a pipeline service (risk, governor, executor) starts with in the gateway's
 * tests, as its container would: this test's NATS namespace and PostgreSQL schema, any free port,
 * silent logs, then `extra`.
 */
export function serviceTestEnv(ns: string, schema: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: `nats://${NATS_URL}`,
    NATS_NAMESPACE: ns,
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/**
 * The pipeline services a gateway test needs, running on NATS and PostgreSQL as their containers
 * start them, with the gateway sending its commands onto the same bus. Bars are the test's to
 * publish (`publisher`); `close` stops everything and deletes the namespace's streams.
 */
export interface TestFleet {
  readonly db: TestDatabase;
  readonly nc: NatsConnection;
  readonly topo: Topology;
  readonly publisher: JetStreamPublisher;
  readonly gw: TestGateway;
  /** Every message of an area stream so far. */
  streamMessages(area: 'DEC' | 'EXE'): Promise<Envelope[]>;
  /** Stops one of the services (to let commands queue in its inbox) and starts it again. */
  stopService(name: FleetService): Promise<void>;
  startService(name: FleetService): Promise<void>;
  close(): Promise<void>;
}

export type FleetService = 'risk' | 'governor' | 'executor';

export interface TestFleetOptions {
  /** Prefix of the test's own NATS namespace. */
  readonly ns: string;
  /** Started in this order. */
  readonly services: readonly FleetService[];
  /** Over serviceTestEnv, for every service. */
  readonly env: Record<string, string>;
  /** The gateway looks up market prices on the MD stream, as the gateway service does. */
  readonly marketPrices?: boolean;
}

export async function startTestFleet(options: TestFleetOptions): Promise<TestFleet> {
  const db = await openTestDatabase({ poolSize: 4 });
  const nc = await connectNats();
  const jsm = await jetstreamManager(nc);
  const topo = topology({ ns: uniqueNs(options.ns) });
  const publisher = new JetStreamPublisher(jetstream(nc), topo);
  const services = new Map<FleetService, RunningService>();
  const startService = async (name: FleetService): Promise<void> => {
    services.set(name, await bootstrapService({ name, env: serviceTestEnv(topo.ns, db.schema, options.env) }));
  };
  const stopService = async (name: FleetService): Promise<void> => {
    const svc = services.get(name);
    services.delete(name);
    await svc?.close();
  };
  let gw: TestGateway | undefined;
  const close = async (): Promise<void> => {
    for (const name of [...services.keys()]) await stopService(name);
    await gw?.close();
    await deleteTopology(jsm, topo);
    for (const s of await jsm.streams.names().next()) if (s.startsWith(`${topo.ns}_IN_`)) await jsm.streams.delete(s);
    await nc.close();
    await db.close();
  };
  try {
    gw = await startTestGateway({
      db,
      forward: async (command) => void (await publisher.publish(command)),
      ...(options.marketPrices ? { marketPrices: marketDataPrices(nc, topo) } : {}),
    });
    for (const name of options.services) await startService(name);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    db,
    nc,
    topo,
    publisher,
    gw,
    async streamMessages(area) {
      const name = topo.streams[area].name;
      const n = (await jsm.streams.info(name)).state.messages;
      return (await readStream(jetstream(nc), name, n)).map((m) => m.json<Envelope>());
    },
    stopService,
    startService,
    close,
  };
}
