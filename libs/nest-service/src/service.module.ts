import { Controller, Get, Header, HttpCode, Inject, Module, Res, type DynamicModule, type Type } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import type { ServiceMetrics } from '@tradeloop/service';

export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');

/** The part of Express's response these controllers use. */
interface Response {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** Something a service runs besides its HTTP endpoints: a decider runner, a market-data feed. */
export interface ServiceWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Shown under `worker` in /health; `healthy: false` turns /health into a 503. */
  health(): Promise<{ healthy: boolean } & Record<string, unknown>>;
  /**
   * Why the worker has stopped for good (a runner that gave up), or undefined while it works. A
   * service whose worker failed exits 1 (runServiceMain), so the orchestrator restarts it and
   * the restart rebuilds its state: sitting unhealthy forever helps nobody.
   */
  failure?(): string | undefined;
}

export interface ServiceContext {
  readonly name: string;
  readonly nc: NatsConnection;
  readonly ds?: DataSource;
  readonly metrics: ServiceMetrics;
  readonly worker?: ServiceWorker;
}

/** Rejects with a message naming `what` if `p` has not settled within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

@Controller()
export class HealthController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  /** 200 when NATS is connected, PostgreSQL answers (if used) and the worker is healthy; else 503. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const { nc, ds, worker, name } = this.ctx;
    // A round trip, not isClosed(): a client that lost its server and is reconnecting is not
    // closed, yet nothing it publishes gets through.
    let nats: { ok: boolean; server?: string; error?: string };
    if (nc.isClosed()) nats = { ok: false, error: 'connection closed' };
    else {
      try {
        await withTimeout(nc.flush(), 1_000, 'NATS');
        nats = { ok: true, server: nc.getServer() };
      } catch (e) {
        nats = { ok: false, error: `${e instanceof Error ? e.message : String(e)} (disconnected, reconnecting)` };
      }
    }
    let postgres: { ok: boolean; error?: string } | undefined;
    if (ds) {
      try {
        await withTimeout(ds.query('SELECT 1'), 2_000, 'PostgreSQL');
        postgres = { ok: true };
      } catch (e) {
        postgres = { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    let w: Record<string, unknown> | undefined;
    let workerOk = true;
    if (worker) {
      try {
        const h = await withTimeout(worker.health(), 2_000, 'worker');
        workerOk = h.healthy;
        w = h;
      } catch (e) {
        workerOk = false;
        w = { healthy: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    const ok = nats.ok && (postgres?.ok ?? true) && workerOk;
    res.status(ok ? 200 : 503).json({ service: name, status: ok ? 'ok' : 'error', nats, ...(postgres ? { postgres } : {}), ...(w ? { worker: w } : {}) });
  }
}

@Controller()
export class MetricsController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  @Get('metrics')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    const registry = this.ctx.metrics.registry;
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  }
}

/** /health and /metrics for a service, over the context its bootstrap built. */
@Module({})
export class ServiceModule {
  static forContext(ctx: ServiceContext, imports: (DynamicModule | Type)[] = []): DynamicModule {
    return {
      module: ServiceModule,
      imports,
      controllers: [HealthController, MetricsController],
      providers: [{ provide: SERVICE_CONTEXT, useValue: ctx }],
      exports: [SERVICE_CONTEXT],
    };
  }
}
