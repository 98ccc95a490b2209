import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join, relative } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource, getAccount, recordAccountStart, recordGovernorStart, runMigrations } from '@tradeloop/persistence';
import { accountStartOf, governorStartOf, ServiceMetrics } from '@tradeloop/service';
import type { GovernorState } from '@tradeloop/governor';
import type { ExecutorState } from '@tradeloop/executor';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureTopology, topology, type Topology } from '@tradeloop/transport-nats';
import { unconvertibleInstruments } from '@tradeloop/runtime';
import { ConfigError, PinoNestLogger, notifierEffects, pipelineConfigFromEnv, redactUrl, withTimeout, type ServiceEnv } from '@tradeloop/nest-service';
import { fileSource, quietWaitMs, type MarketResume } from '@tradeloop/market-data-app';
import { GatewayModule, configureGateway, marketDataPrices, setupOpenApi } from '@tradeloop/gateway';
import { ensureApiKey } from './api-key';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { describeError, type Engine } from './engine';
import { QuickstartHttpModule, type QuickstartHttpContext } from './http';
import { InProcessEngine } from './in-process';
import { EventLogFile } from './event-log-file';
import { NatsEngine } from './nats';
import { probeNats, probePostgres } from './probe';
import { BUNDLED_DATA_FILE, DEFAULT_STATE_DIR, loadQuickstartSettings, type QuickstartSettings } from './settings';
import { RunSummary, formatFinal, formatProgress, utcMinute, type SummarySnapshot } from './summary';

export interface QuickstartOptions {
  /** The environment to read (default process.env): the services' variables plus MARKET_DATA_SPEED, QUICKSTART_*. */
  readonly env?: Record<string, string | undefined>;
  /**
   * Where to look for NATS and PostgreSQL when NATS_URL / DATABASE_URL are not set; if nothing
   * answers there the quickstart falls back to the in-process bus and the embedded store.
   * Default: the services' defaults (nats://127.0.0.1:4222, postgres://postgres@127.0.0.1:5432/postgres).
   */
  readonly defaultNatsUrl?: string;
  readonly defaultDatabaseUrl?: string;
  /** Connect timeout of each probe. Default 1500 ms. */
  readonly probeTimeoutMs?: number;
  /** API key file, log, embedded database. Default `<repo>/.tradeloop`. */
  readonly stateDir?: string;
  /** Default: the bundled EURUSD file under `<repo>/data`. */
  readonly dataFile?: string;
  /** Console output, one line per call. Default stdout. */
  readonly print?: (line: string) => void;
  /** Interval of the live summary line. Default 5000 ms. */
  readonly summaryEveryMs?: number;
  /** performance.now() at which "ready in … s" starts counting. Default: the call. */
  readonly startedAt?: number;
}

export interface Quickstart {
  readonly bus: 'nats' | 'in-process';
  readonly store: 'postgres' | 'pglite';
  /** Base URL of the HTTP app: the gateway under /v1, /docs, /health, /metrics. */
  readonly url: string;
  readonly port: number;
  /** The file holding an admin API key (mode 0600). */
  readonly keyFile: string;
  /** QUICKSTART_EXIT_WHEN_DONE: the caller should close once `done` resolves. */
  readonly exitWhenDone: boolean;
  /** Resolves with the final summary at the end of the data; rejects if a stage fails or the run is stopped first. */
  readonly done: Promise<SummarySnapshot>;
  summary(): SummarySnapshot;
  /** Stops the feed and every stage, the HTTP app and the connections; idempotent. */
  close(): Promise<void>;
}

/** Why the quickstart cannot start, naming the variable to fix; the CLI prints it and exits 1. */
export class QuickstartError extends Error {
  override readonly name = 'QuickstartError';
}

const LOCK_FILE = 'quickstart.pid';
const LOG_FILE = 'quickstart.log';
const EVENT_LOG_FILE = 'events.ndjson';
/** Which streams the embedded store beside NATS holds the read models of (see streamsOf). */
const EMBEDDED_STREAMS_FILE = 'pglite-streams';
const READ_OPTIONS = { barTimestamp: 'open', aggregate: '1m' } as const;

/**
 * Paper trading with every service in one process on the bundled real data (DESIGN §6, "paper
 * (single process)"): NATS JetStream and PostgreSQL when they answer, otherwise the in-process
 * bus and an embedded PGlite; the gateway, /docs, /health and /metrics on one HTTP port; an admin
 * API key in `<stateDir>/api-key`; a summary line every few seconds and a final one at the end of
 * the data. Resolves once everything is up and the feed has started.
 */
export async function startQuickstart(options: QuickstartOptions = {}): Promise<Quickstart> {
  const t0 = options.startedAt ?? performance.now();
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const settings = loadQuickstartSettings(options.env ?? process.env);
  const env = settings.env;
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const dataFile = options.dataFile ?? BUNDLED_DATA_FILE;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_500;

  // Read as `tradeloop backtest` reads a file by default, and recorded so in RunStarted: the
  // in-process run's log can be replayed from the file (`tradeloop replay --log`).
  const source = fileSource([dataFile], { account: env.ACCOUNT, ...READ_OPTIONS });
  const bars = [...source.messages()];
  if (bars.length === 0) throw new QuickstartError(`${dataFile} holds no market data`);
  const firstTs = bars[0].ts;
  const openTime = (m: (typeof bars)[number]): number => (m.data as { openTime?: number }).openTime ?? m.ts;
  const dataRange = `${utcMinute(openTime(bars[0]))} → ${utcMinute(openTime(bars[bars.length - 1]))}, bar opens`;
  const info = source.files[0];

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  // Before anything is made (state folder, streams, schema): a busy port found only at listen
  // would leave a namespace's streams and a schema behind for a run that never started.
  await checkPortFree(settings.httpPort, settings.httpHost);
  try {
    prepareStateDir(stateDir);
    cleanups.push(lockStateDir(stateDir));
    const log = pino({ name: 'tradeloop-quickstart', level: env.LOG_LEVEL }, pino.destination({ dest: join(stateDir, LOG_FILE), sync: true, mkdir: true }));

    // ---- bus and store: the configured ones, or the fallbacks when the defaults do not answer
    const natsUrl = settings.natsExplicit ? env.NATS_URL : (options.defaultNatsUrl ?? env.NATS_URL);
    const databaseUrl = settings.databaseExplicit ? env.DATABASE_URL : (options.defaultDatabaseUrl ?? env.DATABASE_URL);
    const [nats, pg] = await Promise.all([probeNats(natsUrl, probeTimeoutMs, 'tradeloop-quickstart'), probePostgres(databaseUrl, probeTimeoutMs)]);
    if (nats.ok) cleanups.push(() => nats.value.drain());
    const problems: string[] = [];
    if (!nats.ok && settings.natsExplicit) {
      problems.push(`NATS_URL is set to ${redactUrl(natsUrl)}, but no NATS JetStream answers there (${nats.reason}); start NATS, fix NATS_URL, or unset it to run on the in-process bus`);
    }
    if (!pg.ok && settings.databaseExplicit) {
      problems.push(`DATABASE_URL is set to ${redactUrl(databaseUrl)}, but PostgreSQL does not answer there (${pg.reason}); start PostgreSQL, fix DATABASE_URL, or unset it to use the embedded PGlite store`);
    }
    if (problems.length > 0) throw new QuickstartError(problems.join('\n'));
    const nc: NatsConnection | undefined = nats.ok ? nats.value : undefined;

    print('Tradeloop quickstart: paper trading, every service in one process');
    print(
      nats.ok
        ? `  bus        NATS JetStream at ${redactUrl(natsUrl)}${env.NATS_NAMESPACE ? ` (namespace ${env.NATS_NAMESPACE})` : ''}`
        : `  bus        in-process (no NATS JetStream at ${redactUrl(natsUrl)}: ${nats.reason})`,
    );
    print(
      pg.ok
        ? `  store      PostgreSQL at ${redactUrl(databaseUrl)}${env.DATABASE_SCHEMA ? ` (schema ${env.DATABASE_SCHEMA})` : ''}`
        : `  store      embedded PGlite, a demo store: one connection, fsync off, ${nc ? `kept in ${shown(join(stateDir, 'pglite'))} with the streams` : 'emptied at every start'} (no PostgreSQL at ${redactUrl(databaseUrl)}: ${pg.reason})`,
    );
    log.info({ bus: nc ? 'nats' : 'in-process', store: pg.ok ? 'postgres' : 'pglite', nats: redactUrl(natsUrl), postgres: redactUrl(databaseUrl) }, 'quickstart starting');

    const notes: string[] = [];
    // ACCOUNT_CURRENCY that the data cannot be converted into: every order would be denied.
    notes.push(...unconvertibleInstruments([info.symbol], env.ACCOUNT_CURRENCY, env.instruments ?? {}));
    let embedded: EmbeddedPostgres | undefined;
    let ds: DataSource;
    if (pg.ok) {
      ds = createDataSource({ url: databaseUrl, schema: env.DATABASE_SCHEMA, applicationName: 'tradeloop-quickstart', poolSize: 10 });
    } else {
      embedded = await startEmbeddedPostgres({ dataDir: join(stateDir, 'pglite') });
      cleanups.push(() => embedded!.close());
      if (embedded.recovered) {
        notes.push(`the embedded store's data in ${shown(join(stateDir, 'pglite'))} was unusable (a killed run?) and was started over`);
        log.warn({}, 'the embedded store’s data directory was unusable and was started over');
      }
      // PGlite serves one connection at a time.
      ds = createDataSource({ url: embedded.url, schema: env.DATABASE_SCHEMA, applicationName: 'tradeloop-quickstart', poolSize: 1 });
    }
    cleanups.push(async () => {
      if (ds.isInitialized) await ds.destroy();
    });
    const topo = topology({ ns: env.NATS_NAMESPACE, replicas: env.NATS_STREAM_REPLICAS });
    const storeStreamsFile = join(stateDir, EMBEDDED_STREAMS_FILE);
    let keptWithStreams: string | undefined;
    const streams = embedded && nc ? await streamsOf(nc, topo, env.DATABASE_SCHEMA) : undefined;
    try {
      // The in-process pipeline starts afresh, and so does its embedded store. With NATS the
      // services resume from their inboxes and do not project again what they did before, so
      // the store keeps its read models, like PostgreSQL does — but only those of the streams it
      // was kept with: an in-process run's, another namespace's, or those of streams since
      // deleted would show another run's balance, orders and fills beside this one's.
      if (embedded && !nc) {
        await emptyEmbeddedStore(ds, env.DATABASE_SCHEMA);
        rmSync(storeStreamsFile, { force: true });
      } else if (streams !== undefined) {
        const keptWith = existsSync(storeStreamsFile) ? readFileSync(storeStreamsFile, 'utf8').trim() : undefined;
        if (keptWith !== streams.id) {
          await emptyEmbeddedStore(ds, env.DATABASE_SCHEMA);
          if (streams.earlier) {
            notes.push(
              `the embedded store held the read models of other streams (an in-process run, another namespace) and was emptied: ` +
                `this namespace's earlier orders, fills and positions are not in it (use PostgreSQL to keep a deployment's read models)`,
            );
          }
        }
        keptWithStreams = streams.id;
      }
      await runMigrations(ds);
      // Recorded once the store is ready for these streams (a start that fails before empties it again).
      if (keptWithStreams !== undefined) writeFileSync(storeStreamsFile, `${keptWithStreams}\n`);
    } catch (e) {
      throw new QuickstartError(`the store (${pg.ok ? `PostgreSQL at ${redactUrl(databaseUrl)}` : 'embedded PGlite'}) failed: ${describeError(e)}`);
    }
    const key = await ensureApiKey(ds, stateDir, Date.now());

    // ---- the pipeline
    const summary = new RunSummary(bars.length, env.STARTING_CASH, env.ACCOUNT_CURRENCY);
    const metrics = new ServiceMetrics('quickstart', { defaultMetrics: true });
    let engine: Engine;
    let inProcessEngine: InProcessEngine | undefined;
    let eventLog: EventLogFile | undefined;
    if (nc) {
      const natsEngine = new NatsEngine({ nc, topo, env, ds, source, speed: settings.speed, maxQuietMs: settings.maxQuietMs, summary, log, metrics });
      cleanups.push(() => natsEngine.close());
      await natsEngine.start();
      const resumeText = resumeNote(natsEngine.resume!.markets);
      // The embedded store beside NATS goes with the namespace (emptied for a new one); PostgreSQL is
      // the user's, kept whatever namespace wrote it.
      const afresh = pg.ok ? 'NATS_NAMESPACE=<new name> with DATABASE_SCHEMA=<new schema> starts afresh' : 'NATS_NAMESPACE=<new name> starts afresh';
      if (natsEngine.earlierEvents > 0 || resumeText !== undefined) {
        notes.push(
          `the namespace holds ${natsEngine.earlierEvents} events of earlier runs: the services resumed from them and the counts include them${resumeText === undefined ? '' : `; ${resumeText}`} ` +
            `(${afresh})`,
        );
      } else if (pg.ok && (await getAccount(ds, env.ACCOUNT)) !== null) {
        // A new namespace's services start afresh, but their read models land beside another run's
        // (and the account's newer-sequence snapshot keeps winning over this run's first ones).
        notes.push(
          `the store holds read models of other runs (another namespace, or an in-process run): the API shows their orders, fills, positions and balance with this run's ` +
            `(DATABASE_SCHEMA=<new schema> for an empty store)`,
        );
      }
      engine = natsEngine;
    } else {
      if (pg.ok && (await getAccount(ds, env.ACCOUNT)) !== null) {
        notes.push(`the store holds read models of earlier runs; the in-process pipeline starts afresh and writes each message once by its id (DATABASE_SCHEMA=<new schema> for an empty store)`);
      }
      eventLog = new EventLogFile(join(stateDir, EVENT_LOG_FILE), (e) => {
        // The audit trail is incomplete from here on: say so where the person looks.
        print(`event log stopped: cannot write ${shown(join(stateDir, EVENT_LOG_FILE))} (${describeError(e)}); trading goes on, the log is incomplete`);
        log.error({ err: describeError(e) }, 'event log stopped');
      });
      const inProcess = new InProcessEngine({
        eventLog,
        readOptions: READ_OPTIONS,
        cfg: pipelineConfigFromEnv(env),
        ds,
        source,
        speed: settings.speed,
        maxQuietMs: settings.maxQuietMs,
        summary,
        log,
        metrics,
        notifier: notifierEffects({ log: log.child({ service: 'notifier' }), webhookUrl: env.NOTIFIER_WEBHOOK_URL }),
      });
      cleanups.push(() => inProcess.close());
      // What the governor runs in before any command changes it (on NATS its service records it
      // once rebuilt): GET /v1/status shows it rather than no mode at all.
      await recordGovernorStart(ds, governorStartOf(inProcess.pipeline.hosts.governor.state as GovernorState, env.ACCOUNT, Date.now()));
      // Likewise the account its fresh executor holds (STARTING_CASH in ACCOUNT_CURRENCY): the
      // executor publishes AccountUpdated only with a fill, and the balance was null until then.
      const accountStart = accountStartOf(inProcess.pipeline.hosts.executor.state as ExecutorState, env.ACCOUNT, Date.now());
      if (accountStart) await recordAccountStart(ds, accountStart);
      engine = inProcessEngine = inProcess;
    }

    // ---- one HTTP app: the gateway's API, /docs, /health, /metrics
    let finished = false;
    const storeKind = pg.ok ? 'postgres' : 'pglite';
    const ctx: QuickstartHttpContext = {
      metrics,
      async health() {
        const pipeline = await engine.health();
        let store: { kind: string; ok: boolean; error?: string };
        try {
          await withTimeout(ds.query('SELECT 1'), 2_000, 'the store');
          store = { kind: storeKind, ok: true };
        } catch (e) {
          store = { kind: storeKind, ok: false, error: describeError(e) };
        }
        const s = summary.snapshot();
        return { healthy: pipeline.healthy && store.ok, store, pipeline, feed: { bars: s.bars, totalBars: s.totalBars, replayTs: s.replayTs ?? null, done: finished } };
      },
    };
    // Commands carry the replay's event time, not the wall clock: a 2014 replay must not see
    // an approval or a manual order from today (it would expire every pending approval at once).
    // That is the time of the last bar fed (they enter the bus before the next one), or just
    // before the first bar: a replay of the run's log sends them again by that rule.
    const gateway = GatewayModule.forRoot({
      dataSource: ds,
      sink: engine.sink,
      account: env.ACCOUNT,
      clock: () => summary.snapshot().replayTs ?? firstTs - 1,
      idempotencyKeyTtlMs: env.IDEMPOTENCY_KEY_TTL_MS,
      // Where the market is now, shown with each pending approval: the MD stream's last batch of
      // the market on NATS (as the gateway service reads it), the last bar fed in process.
      marketPrices: inProcessEngine !== undefined ? inProcessEngine.marketPrices : nc !== undefined ? marketDataPrices(nc, topo) : undefined,
    });
    const app: INestApplication = await NestFactory.create(QuickstartHttpModule.forContext(ctx, [gateway]), { logger: new PinoNestLogger(log.child({ component: 'http' })) });
    cleanups.push(() => app.close());
    configureGateway(app);
    setupOpenApi(app);
    try {
      await app.listen(settings.httpPort, settings.httpHost);
    } catch (e) {
      // Taken since checkPortFree, or another failure to listen.
      throw portError(settings.httpPort, settings.httpHost, e);
    }
    const port = (app.getHttpServer().address() as { port: number }).port;
    const host = settings.httpHost === '0.0.0.0' || settings.httpHost === '::' ? '127.0.0.1' : settings.httpHost;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

    // ---- say what runs, then go
    const keyPath = shown(key.path);
    for (const line of executionLines(env, settings)) print(line);
    print(`  data       ${shown(dataFile)}: ${bars.length} bars of ${info.symbol}@${info.venue}, ${dataRange}`);
    print(`  pace       ${paceText(settings.speed, settings.maxQuietMs)}`);
    print(`  API        ${url}/v1 (OpenAPI at ${url}/docs; ${url}/health, ${url}/metrics)`);
    print(`  API key    ${keyPath} (admin${key.created ? ', created now' : ''}; mode 0600; the key is never printed)`);
    print(`             curl -H "Authorization: Bearer $(cat ${keyPath})" ${url}/v1/status`);
    print(`  logs       ${shown(join(stateDir, LOG_FILE))} (JSON; the notifier's messages are there)`);
    if (nc) {
      // The audit trail lives in the streams: how to read it and check the services against it.
      const ns = env.NATS_NAMESPACE ? ` --namespace ${env.NATS_NAMESPACE}` : '';
      print(`  audit      npx tradeloop export${ns} --out audit.ndjson && npx tradeloop explain --log audit.ndjson`);
      print(`             npx tradeloop replay --service risk${ns}   (any decider service: its outputs re-derived from its inbox)`);
    }
    if (eventLog) {
      // The in-process run's log is a backtest's: explain reads it, replay re-runs it from the data.
      const logPath = shown(eventLog.path);
      print(`  audit      ${logPath} (every decision, order and fill; rewritten at every start)`);
      print(`             npx tradeloop explain --log ${logPath}`);
      print(`             ${replayCommand(logPath, dataFile)}   (at the end of the data, or after Ctrl-C: the log then ends where the run stopped)`);
    }
    for (const n of notes) print(`  note       ${n}`);
    const every = options.summaryEveryMs ?? 5_000;
    print(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; a summary line every ${Math.round(every / 1000)} s${settings.exitWhenDone ? '' : '; Ctrl-C stops'}`);
    log.info({ url, port, keyFile: key.path, keyCreated: key.created, speed: settings.speed }, 'quickstart ready');

    const abort = new AbortController();
    const ticker = setInterval(() => print(formatProgress(summary.snapshot())), every);
    const feedStarted = performance.now();
    const done = (async (): Promise<SummarySnapshot> => {
      try {
        await engine.run(abort.signal);
      } finally {
        clearInterval(ticker);
      }
      if (abort.signal.aborted) {
        const stopped = inProcessEngine?.stopped;
        if (stopped !== undefined && eventLog !== undefined && eventLog.failure === undefined) {
          // The log is that of a backtest up to the stop: replayed, it is this run again.
          const logPath = shown(eventLog.path);
          print(
            `stopped after ${stopped.bars} of ${bars.length} bars (data up to ${utcMinute(stopped.to)}): ${logPath} ends there (RunEnded; ` +
              `RunStarted's input.to) and replays as this run: ${replayCommand(logPath, dataFile)}`,
          );
          log.info({ bars: stopped.bars, to: new Date(stopped.to).toISOString() }, 'stopped before the end of the data');
        }
        throw new QuickstartError('stopped before the end of the data');
      }
      finished = true;
      const snap = summary.snapshot();
      for (const line of formatFinal(snap, dataRange, performance.now() - feedStarted)) print(line);
      print(settings.exitWhenDone ? 'exiting (QUICKSTART_EXIT_WHEN_DONE)' : `the API keeps serving at ${url}; Ctrl-C stops`);
      log.info({ summary: snap }, 'end of data');
      return snap;
    })();
    done.catch((e: unknown) => {
      if (!abort.signal.aborted) log.error({ err: describeError(e) }, 'quickstart failed');
    });

    let closing: Promise<void> | undefined;
    return {
      bus: nc ? 'nats' : 'in-process',
      store: storeKind,
      url,
      port,
      keyFile: key.path,
      exitWhenDone: settings.exitWhenDone,
      done,
      summary: () => summary.snapshot(),
      close: () =>
        (closing ??= (async () => {
          abort.abort();
          clearInterval(ticker);
          await done.catch(() => undefined);
          // Reverse order of start: HTTP app, pipeline, store, NATS, lock.
          await cleanup();
          log.info({}, 'quickstart stopped');
        })()),
    };
  } catch (e) {
    await cleanup();
    if (e instanceof ConfigError) throw e;
    throw e instanceof QuickstartError ? e : new QuickstartError(describeError(e));
  }
}

// ----------------------------------------------------------------------------------------------

function executionLines(env: ServiceEnv, settings: Pick<QuickstartSettings, 'speed' | 'approvalTtlExplicit'>): string[] {
  const mode = env.AUTO_EXECUTE ? env.EXECUTION_MODE : 'display_only';
  const how =
    mode === 'quality_based'
      ? `mode quality_based (quality ≥ ${env.QUALITY_THRESHOLD} executes; below it an approval is requested)`
      : `mode ${mode}`;
  const execution =
    mode === 'display_only'
      ? `  execution  OFF: display_only${env.AUTO_EXECUTE ? '' : ' (AUTO_EXECUTE=false)'}; orders are shown, never placed`
      : `  execution  ON: paper broker (simulated money, EXECUTION_MODE etc. to change), ${how}`;
  return [
    execution,
    ...(mode === 'quality_based' || mode === 'fully_manual' ? [approvalLine(env.APPROVAL_TTL_MS, settings)] : []),
    `  account    ${env.ACCOUNT}: ${env.STARTING_CASH} ${env.ACCOUNT_CURRENCY}, risk ${+(env.RISK_PER_TRADE * 100).toFixed(4)}% per trade, fees ${env.FEE_BPS} bps, slippage ${env.SLIPPAGE_BPS} bps, seed ${env.SEED}`,
  ];
}

/** How long an approval request stays open, in event time and (when paced) in wall time, and where to answer it. */
export function approvalLine(ttlMs: number, settings: Pick<QuickstartSettings, 'speed' | 'approvalTtlExplicit'>): string {
  const how = 'GET /v1/approvals?status=requested, then POST /v1/approvals/<id>/approve or /reject';
  const set = `APPROVAL_TTL_MS=${ttlMs}${settings.approvalTtlExplicit ? '' : ', scaled with the pace'}`;
  if (settings.speed === 0) return `  approvals  open ${duration(ttlMs)} of event time (${set}): at MARKET_DATA_SPEED=0 they expire before anyone can answer`;
  return `  approvals  open ${duration(ttlMs / settings.speed)} (${duration(ttlMs)} of market at ${settings.speed}×; ${set}): ${how}`;
}

/** 0.5 s, 5 min, 50 h: the largest unit in which `ms` is at least 1. */
function duration(ms: number): string {
  const units: [number, string][] = [
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${+(ms / size).toFixed(2)} ${unit}`;
  return `${+ms.toFixed(2)} ms`;
}

/** The start-up line's pace: bars within a session, and how stretches without data pass (the market-data service's rule, quietWaitMs). */
export function paceText(speed: number, maxQuietMs: number): string {
  if (speed === 0) return 'as fast as the pipeline goes (MARKET_DATA_SPEED=0)';
  const wall = (ms: number): string => (ms >= 1_000 ? `${+(ms / 1000).toFixed(2)} s` : `${+ms.toFixed(2)} ms`);
  const quiet =
    maxQuietMs === 0
      ? 'every stretch without data waited out at that pace (MARKET_DATA_MAX_QUIET_MS=0)'
      : `a stretch without data longer than ${duration(maxQuietMs)} of market, such as a weekend, passes in ${wall(quietWaitMs(maxQuietMs, speed))}`;
  return `${speed}× (a 1m bar every ${wall(60_000 / speed)}; ${quiet}; MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS to change)`;
}

/** Where the feed goes on after an earlier run on the namespace; undefined when nothing of its market was stored. */
function resumeNote(markets: readonly MarketResume[]): string | undefined {
  // The quickstart plays one file, one market.
  const m = markets.find((r) => r.rule !== 'fresh');
  if (m === undefined) return undefined;
  return m.rule === 'resumed'
    ? `the replay goes on after ${utcMinute(m.stored!.ts)}, its last bar there (${m.skipped} bars of the file already published)`
    : `the replay continues the market's data there, which ends at ${utcMinute(m.stored!.ts)}, with the file from its start`;
}

function replayCommand(logPath: string, dataFile: string): string {
  return `npx tradeloop replay --log ${logPath} --data ${shown(dataFile)}`;
}

/** A path relative to the working directory when it is inside it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? path : r;
}

function prepareStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The API key lives here: keep the whole folder out of git.
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
}

/** One quickstart per state folder (the key file, the embedded database); returns the release. */
function lockStateDir(dir: string): () => Promise<void> {
  const path = join(dir, LOCK_FILE);
  const mine = String(process.pid);
  try {
    writeFileSync(path, mine, { flag: 'wx' });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) {
      throw new QuickstartError(`another quickstart (pid ${pid}) is using ${shown(dir)}; stop it first`);
    }
    writeFileSync(path, mine);
  }
  return async () => {
    if (existsSync(path) && readFileSync(path, 'utf8').trim() === mine) rmSync(path, { force: true });
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * The namespace's streams, as the embedded store beside them records them: the namespace, the
 * creation time of its MD stream (a stream deleted and made again, or a NATS server started
 * anew, is other streams) and the store's schema. `earlier`: the MD stream held messages before
 * this start. Creates the streams if they are missing, as the NATS engine would.
 */
async function streamsOf(nc: NatsConnection, topo: Topology, schema: string | undefined): Promise<{ id: string; earlier: boolean }> {
  const jsm = await jetstreamManager(nc);
  const before = await jsm.streams.info(topo.streams.MD.name).catch(() => undefined);
  await ensureTopology(jsm, topo);
  const md = await jsm.streams.info(topo.streams.MD.name);
  return { id: JSON.stringify({ namespace: topo.ns, mdStreamCreated: md.created, schema: schema ?? null }), earlier: (before?.state.messages ?? 0) > 0 };
}

/** The embedded store of the in-process bus starts empty on every run, like the pipeline it serves. */
async function emptyEmbeddedStore(ds: DataSource, schema: string | undefined): Promise<void> {
  if (!ds.isInitialized) await ds.initialize();
  const name = schema ?? 'public';
  await ds.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await ds.query(`CREATE SCHEMA "${name}"`);
}

/** HTTP_PORT on QUICKSTART_HTTP_HOST cannot be listened on: the message names both settings. */
function portError(port: number, host: string, e: unknown): QuickstartError {
  const code = (e as { code?: string }).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is in use; set HTTP_PORT to another port'
      : code === 'EADDRNOTAVAIL'
        ? 'no interface of this machine has that address; set QUICKSTART_HTTP_HOST to one of its addresses'
        : describeError(e);
  return new QuickstartError(`HTTP_PORT ${port} on ${host}: ${why}`);
}

/**
 * Binds `port` on `host` and releases it at once: throws the QuickstartError of a busy port (or
 * an address that is not this machine's) before the quickstart makes anything. Port 0 (any free
 * port) is always free.
 */
async function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => resolve());
    });
  } catch (e) {
    throw portError(port, host, e);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
