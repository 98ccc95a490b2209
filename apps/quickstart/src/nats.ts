import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Envelope } from '@tradeloop/kernel';
import { ServiceRunner, type ServiceMetrics } from '@tradeloop/service';
import { flatPipelineConfig } from '@tradeloop/runtime';
import { JetStreamPublisher, ensureTopology, type Area, type Topology } from '@tradeloop/transport-nats';
import {
  DECIDER_SERVICES,
  deciderFor,
  effectsFor,
  notifierDecider,
  notifierEffects,
  pipelineConfigFromEnv,
  runnerWorker,
  type ServiceEnv,
  type ServiceWorker,
} from '@tradeloop/nest-service';
import { quietWaitMs, resumeFeed, runFeed, skipQuietStretches, systemClock, type FeedSource, type ResumePlan } from '@tradeloop/market-data-app';
import type { CommandSink } from '@tradeloop/gateway';
import { describeError, metricsView, sleep, type Engine } from './engine';
import type { RunSummary } from './summary';

/** Every pipeline service of the distributed deployment, here in one process. */
export const NATS_SERVICES = [...DECIDER_SERVICES, 'notifier'] as const;

/** The streams whose messages the summary counts (market data is counted at the feed). */
const OBSERVED: readonly Area[] = ['SIG', 'DEC', 'EXE', 'LRN', 'CMD'];
/** Streams whose growth means the pipeline is still busy. */
const WATCHED: readonly Area[] = ['MD', 'SIG', 'DEC', 'EXE', 'LRN', 'CMD', 'SYS'];

export interface NatsEngineOptions {
  readonly nc: NatsConnection;
  readonly topo: Topology;
  readonly env: ServiceEnv;
  readonly ds: DataSource;
  readonly source: FeedSource;
  readonly speed: number;
  readonly summary: RunSummary;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** MARKET_DATA_MAX_QUIET_MS: longer stretches without data pass in the time this much event time takes (quietWaitMs). */
  readonly maxQuietMs: number;
  /** How often the end-of-data check polls the streams. Default 300 ms. */
  readonly settlePollMs?: number;
}

interface Observer {
  readonly area: Area;
  readonly stream: string;
  seq: number;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
  /** Removes the ordered consumer (the server would keep it 5 minutes after the last pull). */
  remove?: () => Promise<unknown>;
}

/**
 * Every pipeline service exactly as it runs distributed — its ServiceRunner on its JetStream
 * inbox, its read models in the store — in this one process, on the namespace NATS_NAMESPACE;
 * the market-data feed publishes the bundled file at the configured pace. The summary counts
 * what the streams hold, read from their start with ordered consumers, so after a restart on
 * the same namespace it describes the whole deployment, as the services' state does.
 */
export class NatsEngine implements Engine {
  readonly kind = 'nats' as const;
  readonly sink: CommandSink;
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly workers = new Map<string, ServiceWorker>();
  private readonly runners = new Map<string, ServiceRunner>();
  private readonly observers: Observer[] = [];
  /** The feed's publisher, and one for commands (a failure of either stays its own). */
  private readonly publisher: JetStreamPublisher;
  private readonly control: JetStreamPublisher;
  private failure: string | undefined;
  private closing: Promise<void> | undefined;
  /** Messages in the counted streams before this run published anything. */
  earlierEvents = 0;
  /**
   * Where the feed goes on, by the market-data service's rules (resumeFeed): each market after the
   * last message the MD stream holds of it (an earlier run on this namespace published up to there,
   * and the services have handled it already). Set by start().
   */
  resume: ResumePlan | undefined;

  constructor(private readonly o: NatsEngineOptions) {
    this.js = jetstream(o.nc);
    this.publisher = new JetStreamPublisher(this.js, o.topo);
    const gatewayMetrics = metricsView(o.metrics, 'gateway');
    const publisher = (this.control = new JetStreamPublisher(this.js, o.topo));
    this.sink = {
      async send(command) {
        await publisher.publish(command);
        gatewayMetrics.observeOutput(command);
      },
    };
  }

  /** Streams, inboxes, consumers; every service rebuilt from its inbox and consuming. */
  async start(): Promise<void> {
    const { nc, topo, env, ds, log, metrics } = this.o;
    const jsm = (this.jsm = await jetstreamManager(nc));
    await ensureTopology(jsm, topo);
    // Before any service starts: a stream holding another recording of a market (another file,
    // other settings, data beyond ours) stops the start with a ResumeError naming the remedy.
    this.resume = await resumeFeed(this.o.source, { js: this.js, jsm, topo });
    for (const area of OBSERVED) this.earlierEvents += (await jsm.streams.info(topo.streams[area].name)).state.messages;
    const cfg = pipelineConfigFromEnv(env);
    for (const name of NATS_SERVICES) {
      const serviceLog = log.child({ service: name });
      const serviceMetrics = metricsView(metrics, name);
      // As deciderWorker builds it for the service's own process, but kept at hand for its timers.
      const runner = new ServiceRunner({
        service: name,
        decider: name === 'notifier' ? notifierDecider : deciderFor(name, cfg),
        nc,
        topo,
        effects: name === 'notifier' ? notifierEffects({ log: serviceLog, webhookUrl: env.NOTIFIER_WEBHOOK_URL }) : effectsFor(name, ds, env.ACCOUNT, serviceLog),
        metrics: serviceMetrics,
        log: serviceLog,
        account: env.ACCOUNT,
        timerClock: env.TIMER_CLOCK,
        ...(name === 'notifier' ? {} : { startedConfig: flatPipelineConfig(cfg) }),
      });
      this.runners.set(name, runner);
      this.workers.set(name, runnerWorker(runner));
    }
    // Each runner ensures its own inbox and rebuilds from it; the area streams exist already.
    await Promise.all([...this.workers.values()].map((w) => w.start()));
    for (const area of OBSERVED) this.observers.push(await this.observe(area));
  }

  async run(signal: AbortSignal): Promise<void> {
    const { speed, summary } = this.o;
    const resume = this.resume;
    if (resume === undefined) throw new Error('NatsEngine.run: start() first');
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    // A service that fails for good stops the feed: its state is behind, and so would be the demo.
    const watchdog = setInterval(() => {
      void this.failedWorker().then((f) => {
        if (f !== undefined && this.failure === undefined) {
          this.failure = f;
          stop.abort();
        }
      });
    }, 1_000);
    const stored = resume.markets.reduce((n, m) => n + m.skipped, 0);
    if (resume.storedUpTo !== undefined) summary.fed(stored, resume.storedUpTo);
    try {
      await runFeed(resume.source, {
        publisher: this.publisher,
        clock: skipQuietStretches(systemClock(stop.signal), quietWaitMs(this.o.maxQuietMs, speed)),
        speed,
        signal: stop.signal,
        onBatch: (b) => {
          const ts = b.messages[b.messages.length - 1].ts;
          summary.fed(b.messages.length, ts);
        },
      });
      if (this.failure) throw new Error(this.failure);
      if (!signal.aborted) await this.settle(stop.signal);
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', onAbort);
    }
    if (this.failure) throw new Error(this.failure);
  }

  async health(): Promise<{ healthy: boolean } & Record<string, unknown>> {
    const services: Record<string, unknown> = {};
    let healthy = !this.o.nc.isClosed() && this.failure === undefined;
    for (const [name, w] of this.workers) {
      try {
        const h = await w.health();
        services[name] = h;
        healthy &&= h.healthy;
      } catch (e) {
        services[name] = { healthy: false, error: describeError(e) };
        healthy = false;
      }
    }
    return { healthy, bus: 'nats', server: this.o.nc.isClosed() ? null : this.o.nc.getServer(), services, ...(this.failure ? { error: this.failure } : {}) };
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (const o of this.observers) o.messages?.stop();
      await Promise.all(this.observers.map((o) => o.loop));
      await Promise.all(this.observers.map((o) => o.remove?.().catch(() => undefined)));
      await Promise.all([...this.workers.values()].map((w) => w.stop().catch((e: unknown) => this.o.log.error({ err: describeError(e) }, 'service stop failed'))));
      await this.publisher.flush().catch(() => undefined);
      await this.control.flush().catch(() => undefined);
    })());
  }

  // ------------------------------------------------------------------------------------------

  /** Counts one stream's messages from its first, in order (an ordered consumer, no acks). */
  private async observe(area: Area): Promise<Observer> {
    const stream = this.o.topo.streams[area].name;
    const obs: Observer = { area, stream, seq: 0 };
    const consumer = await this.js.consumers.get(stream);
    const messages = await consumer.consume({ max_messages: 500 });
    obs.messages = messages;
    obs.remove = () => consumer.delete();
    obs.loop = (async () => {
      for await (const m of messages) {
        try {
          this.o.summary.count(m.json<Envelope>());
        } catch (e) {
          this.o.log.warn({ stream, seq: m.seq, err: describeError(e) }, 'not counted: not a JSON envelope');
        }
        obs.seq = m.seq;
      }
    })().catch((e: unknown) => this.o.log.warn({ stream, err: describeError(e) }, 'summary observer stopped'));
    return obs;
  }

  /** The first service whose runner failed for good (a health check that errors is not that). */
  private async failedWorker(): Promise<string | undefined> {
    for (const [name, w] of this.workers) {
      const h = await w.health().catch(() => undefined);
      if (h !== undefined && !h.healthy) return `${name} stopped (${String(h['state'])}): ${String(h['error'] ?? 'unhealthy')}`;
    }
    return undefined;
  }

  /**
   * Waits until the pipeline is quiet: every inbox consumed (no pending or unacked message),
   * every counted message counted, and no stream or inbox grew over three polls in a row (a
   * stage's outputs reach the next inbox by stream sourcing, a few milliseconds later).
   */
  private async settle(signal: AbortSignal): Promise<void> {
    const jsm = this.jsm!;
    const every = this.o.settlePollMs ?? 300;
    let last = '';
    let stable = 0;
    while (!signal.aborted) {
      const failed = await this.failedWorker();
      if (failed !== undefined) throw new Error(failed);
      const marks: number[] = [];
      let busy = false;
      for (const w of this.workers.values()) {
        const h = (await w.health()) as { lag?: number; inbox?: string };
        if (h.lag !== 0) busy = true;
        if (typeof h.inbox === 'string') marks.push((await jsm.streams.info(h.inbox)).state.last_seq);
      }
      for (const area of WATCHED) {
        const lastSeq = (await jsm.streams.info(this.o.topo.streams[area].name)).state.last_seq;
        marks.push(lastSeq);
        const obs = this.observers.find((o) => o.area === area);
        if (obs !== undefined && obs.seq < lastSeq) busy = true;
      }
      const mark = marks.join(',');
      stable = !busy && mark === last ? stable + 1 : 0;
      if (stable >= 3) return;
      last = mark;
      await sleep(every);
    }
  }
}
