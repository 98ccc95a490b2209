import 'reflect-metadata';
import { setPriority } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger } from './pino-nest-logger';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import pino, { type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { assertSchemaReady, createDataSource, runMigrations, SchemaNotReadyError, sqlStateOf } from '@tradeloop/persistence';
import { NATS_CLIENT_DEFAULTS, topology, type Topology } from '@tradeloop/transport-nats';
import { ExecutorEffects, ServiceMetrics, ServiceRunner } from '@tradeloop/service';
import { equityOf, type ExecutorState } from '@tradeloop/executor';
import { flatPipelineConfig } from '@tradeloop/runtime';
import { loadServiceEnv, redactUrl, type ServiceEnv } from './config';
import { DECIDER_SERVICES, DEFAULT_NICE, DEFAULT_PORTS, deciderFor, effectsFor, pipelineConfigFromEnv, writesReadModels, type DeciderService, type ServiceName } from './definitions';
import { ServiceModule, type ServiceContext, type ServiceWorker } from './service.module';

export interface Infrastructure {
  readonly env: ServiceEnv;
  readonly log: Logger;
  readonly nc: NatsConnection;
  readonly ds?: DataSource;
  readonly topo: Topology;
  readonly metrics: ServiceMetrics;
}

export interface BootstrapOptions {
  readonly name: ServiceName;
  /** Default process.env. */
  readonly env?: Record<string, string | undefined>;
  /** Builds what the service runs (default: the decider runner for decider services). */
  readonly worker?: (infra: Infrastructure) => ServiceWorker | undefined;
  /** Extra Nest modules (the gateway's API). */
  readonly imports?: (infra: Infrastructure) => (DynamicModule | Type)[];
  /**
   * The service's own settings, checked before anything connects: a bad one throws (a
   * ConfigError naming the variable) and is reported the same whether NATS and PostgreSQL answer
   * or not.
   */
  readonly validate?: (env: ServiceEnv) => void;
  /** Called with the Nest app before it listens (global pipes, OpenAPI). */
  readonly configure?: (app: INestApplication, infra: Infrastructure) => void;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly infra: Infrastructure;
  readonly port: number;
  /** The worker's failure() (undefined while it works, or without a worker). */
  failure(): string | undefined;
  close(): Promise<void>;
}

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Connects NATS, and PostgreSQL for services that use it: with DATABASE_MIGRATIONS=apply it runs
 * the pending migrations, with check it only checks that the schema is at the latest and that
 * its role holds the services' privileges, and refuses to start otherwise.
 */
export async function connectInfrastructure(name: ServiceName, env: ServiceEnv): Promise<Infrastructure> {
  const log = pino({ name: `tradeloop-${name}`, level: env.LOG_LEVEL });
  let nc: NatsConnection;
  try {
    nc = await connect({ ...NATS_CLIENT_DEFAULTS, servers: env.NATS_URL.split(','), name: `tradeloop-${name}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (e) {
    throw new Error(`${name}: NATS at ${redactUrl(env.NATS_URL)} is unreachable: ${e instanceof Error ? e.message : String(e)}`);
  }
  let ds: DataSource | undefined;
  let migrations: Record<string, unknown> | undefined;
  if (writesReadModels(name)) {
    ds = createDataSource({ url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, applicationName: `tradeloop-${name}`, poolSize: 5 });
    const where = `PostgreSQL at ${redactUrl(env.DATABASE_URL)}`;
    try {
      if (env.DATABASE_MIGRATIONS === 'check') {
        const check = await assertSchemaReady(ds);
        migrations = { migrations: 'checked', schema: check.schema, role: check.role };
        // A newer release migrated the schema (a rollback of the services): they run on it, but say so.
        if (check.unknown.length > 0) log.warn({ unknown: check.unknown }, `schema "${check.schema}" has migrations this release does not know: a newer release migrated it`);
      } else {
        migrations = { migrations: 'applied', applied: await runMigrations(ds) };
      }
    } catch (e) {
      await nc.close();
      await ds.destroy().catch(() => undefined);
      if (e instanceof SchemaNotReadyError) throw new Error(`${name}: ${where} is not ready and DATABASE_MIGRATIONS=check: ${e.message}`);
      const why = e instanceof Error ? e.message : String(e);
      const hint =
        sqlStateOf(e) === INSUFFICIENT_PRIVILEGE
          ? ' — this role may not change the schema: run `tradeloop migrate` as the tables\' owner and start the services with DATABASE_MIGRATIONS=check'
          : '';
      throw new Error(`${name}: ${where} failed: ${why}${hint}`);
    }
  }
  const topo = topology({ ns: env.NATS_NAMESPACE, replicas: env.NATS_STREAM_REPLICAS });
  const metrics = new ServiceMetrics(name, { defaultMetrics: true });
  log.info({ nats: redactUrl(env.NATS_URL), postgres: ds ? redactUrl(env.DATABASE_URL) : undefined, ...migrations, ns: env.NATS_NAMESPACE || undefined }, 'connected');
  return { env, log, nc, ds, topo, metrics };
}

/** The decider runner of a pipeline service as a ServiceWorker. */
export function deciderWorker(name: DeciderService, infra: Infrastructure): ServiceWorker {
  const cfg = pipelineConfigFromEnv(infra.env);
  const effects = effectsFor(name, infra.ds, infra.env.ACCOUNT, infra.log);
  const runner = new ServiceRunner({
    service: name,
    decider: deciderFor(name, cfg),
    nc: infra.nc,
    topo: infra.topo,
    effects,
    metrics: infra.metrics,
    log: infra.log,
    account: infra.env.ACCOUNT,
    timerClock: infra.env.TIMER_CLOCK,
    startedConfig: flatPipelineConfig(cfg),
  });
  const worker = runnerWorker(runner);
  if (!(effects instanceof ExecutorEffects)) return worker;
  // The executor also reports its reconciliation with the broker and the equity at the last marks.
  let gauge: ReturnType<typeof setInterval> | undefined;
  return {
    async start() {
      await worker.start();
      gauge = setInterval(() => {
        const state = runner.host.state as ExecutorState;
        infra.metrics.equity.set({ service: name, account: infra.env.ACCOUNT, currency: state.currency ?? infra.env.ACCOUNT_CURRENCY }, equityOf(state));
      }, 2_000);
      gauge.unref?.();
    },
    async stop() {
      if (gauge) clearInterval(gauge);
      await worker.stop();
    },
    failure: () => worker.failure?.(),
    async health() {
      return { ...(await worker.health()), reconciliation: effects.last };
    },
  };
}

/** A ServiceRunner as a ServiceWorker: healthy while rebuilding or running; /health shows its lag. */
export function runnerWorker(runner: ServiceRunner): ServiceWorker {
  return {
    start: () => runner.start(),
    stop: () => runner.stop(),
    async health() {
      const s = runner.status();
      const lag = await runner.lag().catch(() => -1);
      return { healthy: s.state === 'running' || s.state === 'rebuilding', ...s, lag };
    },
    failure() {
      const s = runner.status();
      return s.state === 'failed' ? (s.error ?? 'runner failed') : undefined;
    },
  };
}

/**
 * Starts one service: validated configuration (`validate` too), NATS (+ PostgreSQL), its worker, and a Nest HTTP
 * app with /health and /metrics (plus the gateway's API). SIGTERM/SIGINT stop it cleanly: the
 * worker finishes the message in hand, then connections close.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<RunningService> {
  const env = loadServiceEnv(options.env ?? process.env);
  options.validate?.(env);
  const infra = await connectInfrastructure(options.name, env);
  applyNice(options.name, env.PROCESS_NICE ?? DEFAULT_NICE[options.name], infra.log);
  const worker = options.worker
    ? options.worker(infra)
    : (DECIDER_SERVICES as readonly string[]).includes(options.name)
      ? deciderWorker(options.name as DeciderService, infra)
      : undefined;
  const ctx: ServiceContext = { name: options.name, nc: infra.nc, ds: infra.ds, metrics: infra.metrics, worker };
  const app = await NestFactory.create(ServiceModule.forContext(ctx, options.imports?.(infra) ?? []), { logger: new PinoNestLogger(infra.log.child({ component: 'nest' }), 'debug') });
  options.configure?.(app, infra);
  const port = env.HTTP_PORT ?? DEFAULT_PORTS[options.name];
  // The port first: a second instance on a busy port must exit before it rebuilds, recreates
  // consumers or publishes anything (a worker started first did all that, then died on EADDRINUSE).
  await app.listen(port, '0.0.0.0');
  await worker?.start();
  const actual = (app.getHttpServer().address() as { port: number }).port;
  infra.log.info({ port: actual }, `${options.name} listening (/health, /metrics)`);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await worker?.stop().catch((e: unknown) => infra.log.error({ err: String(e) }, 'worker stop failed'));
      await app.close();
      await infra.nc.drain().catch(() => undefined);
      await infra.ds?.destroy().catch(() => undefined);
    })());
  return { app, infra, port: actual, close, failure: () => worker?.failure?.() };
}

/** How often runServiceMain looks whether the worker has failed for good. */
export const FAILURE_CHECK_MS = 1_000;

/**
 * Sets the CPU priority of the calling thread — the main thread, where messages are handled
 * (on Linux, setpriority on pid 0 is per thread). Lowering it is always allowed; raising it
 * needs privileges, so a refusal is logged and the service runs at the default.
 */
function applyNice(name: ServiceName, nice: number, log: Logger): void {
  if (nice === 0) return;
  try {
    setPriority(0, nice);
    log.info({ nice }, `${name} runs at CPU priority nice ${nice}`);
  } catch (e) {
    log.warn({ nice, err: e instanceof Error ? e.message : String(e) }, 'could not set the CPU priority; running at the default');
  }
}

/** For an app's main.ts: start, log a fatal start error clearly and exit 1, stop on signals. */
export function runServiceMain(options: BootstrapOptions): void {
  bootstrapService(options).then(
    (svc) => {
      const stop = (signal: string): void => {
        svc.infra.log.info({ signal }, 'stopping');
        svc.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      // A worker that gave up (a runner out of retries: PostgreSQL down too long) leaves the
      // process unhealthy for good; exit 1 so compose or Kubernetes restarts it, and the restart
      // rebuilds the state and carries on where the inbox's ack floor is.
      const watch = setInterval(() => {
        const why = svc.failure();
        if (why === undefined) return;
        clearInterval(watch);
        svc.infra.log.error({ err: why }, 'worker failed for good: exiting 1 so that the service is restarted');
        // Closing may wait on what failed (a database that does not answer): not for long.
        setTimeout(() => process.exit(1), 5_000).unref?.();
        svc.close().finally(() => process.exit(1));
      }, FAILURE_CHECK_MS);
      watch.unref?.();
    },
    (e: unknown) => {
      process.stderr.write(`tradeloop ${options.name}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
