import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { marketKey, type Envelope } from '@tradeloop/kernel';
import { replayFeed } from '@tradeloop/market-data';
import { PROJECTED_TYPES, handleOnce, projectMessage } from '@tradeloop/persistence';
import { createPipeline, isLoggedType, runMarkers, type Pipeline, type PipelineConfig, type RejectedInput } from '@tradeloop/runtime';
import type { DataFileInfo, Message } from '@tradeloop/contracts';
import type { ServiceEffects, ServiceMetrics } from '@tradeloop/service';
import { NOTIFIED } from '@tradeloop/nest-service';
import { quietWaitMs, skipQuietStretches, systemClock, type FeedSource } from '@tradeloop/market-data-app';
import { lastPriceOf, type CommandSink, type MarketPrices } from '@tradeloop/gateway';
import { describeError, metricsView, sleep, type Engine } from './engine';
import type { EventLogFile } from './event-log-file';
import type { RunSummary } from './summary';

/** The processed-message consumer name of the quickstart's projection. */
export const QUICKSTART_CONSUMER = 'quickstart';

export interface InProcessOptions {
  readonly cfg: PipelineConfig;
  readonly ds: DataSource;
  readonly source: FeedSource;
  readonly speed: number;
  readonly summary: RunSummary;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The notifier's effect (log lines, webhook), run for every notified message. */
  readonly notifier?: ServiceEffects;
  /** MARKET_DATA_MAX_QUIET_MS: longer stretches without data pass in the time this much event time takes (quietWaitMs). */
  readonly maxQuietMs: number;
  /** Delays between attempts to write to the store; the last repeats. */
  readonly retryBackoffMs?: readonly number[];
  readonly maxWriteAttempts?: number;
  /**
   * The run's event log (every message but the market data), opened by RunStarted and closed by
   * RunEnded at the end of the data, as a backtest's; commands sent after the end follow it.
   */
  readonly eventLog?: EventLogFile;
  /** How the source read its files, recorded in RunStarted as a backtest records it. */
  readonly readOptions?: Readonly<Record<string, string | number | boolean>>;
}

/** A run stopped before the end of the data: the bars it fed, and the end of its read window (epoch ms, exclusive, on bar open times). */
export interface StoppedRun {
  readonly bars: number;
  readonly to: number;
}

interface QueuedCommand {
  readonly command: Envelope;
  resolve(): void;
  reject(e: unknown): void;
}

const NOTIFIED_TYPES: ReadonlySet<string> = new Set(NOTIFIED);
const DEFAULT_RETRY_MS = [100, 250, 500, 1_000, 2_000, 5_000];
/** Messages waiting for the store before the feed pauses (speed 0 outruns a one-connection store). */
const MAX_PENDING_WRITES = 2_000;

/**
 * The whole pipeline on the runtime's InProcessBus (createPipeline, as in a backtest), fed the
 * bars at the configured pace. Every message is counted for the summary and every one a read
 * model needs is projected to the store (projectMessage inside handleOnce, keyed by its envelope
 * id), in bus order, by one writer. The bus stays single-threaded: gateway commands wait in a
 * queue and enter the bus between bars.
 */
export class InProcessEngine implements Engine {
  readonly kind = 'in-process' as const;
  readonly pipeline: Pipeline;
  readonly sink: CommandSink;
  private readonly commands: QueuedCommand[] = [];
  /** The last bar of each market (venue, symbol) fed: the gateway's market prices. */
  private readonly lastBars = new Map<string, Message<'BarClosed'>>();
  private writes: Envelope[] = [];
  private head = 0;
  private writing = false;
  private writerDone: Promise<void> = Promise.resolve();
  private readonly written: (() => void)[] = [];
  private feeding = false;
  private started = false;
  private drainScheduled = false;
  private failure: Error | undefined;
  private closed = false;
  private stored = 0;
  private readonly views = new Map<string, ServiceMetrics>();
  private stop: StoppedRun | undefined;

  constructor(private readonly o: InProcessOptions) {
    this.pipeline = createPipeline(o.cfg);
    this.pipeline.bus.observe((m) => this.observed(m));
    this.sink = {
      send: (command) =>
        new Promise<void>((resolve, reject) => {
          if (this.closed) return reject(new Error('the quickstart is stopping'));
          this.commands.push({ command, resolve, reject });
          // While the feed runs it takes the queue between bars; afterwards nothing else would.
          // Before it starts they wait: the first batch takes them, after RunStarted.
          if (this.started && !this.feeding) this.scheduleDrain();
        }),
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const { source, speed, summary } = this.o;
    // The run's identity as a backtest of the same file, read the same way, has it.
    const files = source.files.map((f) => ({ name: f.file, sha256: f.sha256, rows: f.rows }));
    const markers = runMarkers({ files, readOptions: this.o.readOptions }, this.o.cfg);
    let firstTs: number | undefined;
    let last: Envelope | undefined;
    let fed = 0;
    this.started = true;
    this.feeding = true;
    try {
      const clock = skipQuietStretches(systemClock(signal), quietWaitMs(this.o.maxQuietMs, speed));
      const batches = replayFeed(source.messages(), { speed, clock, signal, maxBatch: speed === 0 ? 200 : 500 });
      for await (const batch of batches) {
        // Nothing is fed after the stop: the log's window ends at the last bar the run saw.
        if (signal.aborted) break;
        this.throwIfFailed();
        if (firstTs === undefined) {
          firstTs = batch[0].ts;
          this.publish(markers.started(firstTs));
          // Refused rows as a backtest logs them: named by file and line, in the run's correlation.
          for (const { data: r } of source.rejected) {
            this.publish(markers.rejected(rejectedInput(r), firstTs));
          }
        }
        this.drainCommands();
        for (const bar of batch) this.publish(bar);
        fed += batch.length;
        last = batch[batch.length - 1];
        summary.fed(batch.length, last.ts);
        // Let HTTP requests and the store writer in; at speed 0 also keep the writer within reach.
        await new Promise<void>((r) => setImmediate(r));
        while (this.pending() > MAX_PENDING_WRITES && !signal.aborted) await this.nextWrite();
      }
      if (firstTs !== undefined && !signal.aborted) this.publish(markers.ended(Math.max(this.pipeline.bus.now, firstTs), fed));
    } finally {
      this.feeding = false;
      this.drainCommands();
      if (signal.aborted && firstTs !== undefined && last !== undefined) this.endStopped(files, firstTs, last, fed);
      this.o.eventLog?.flush();
    }
    // Stopped early: close() drops what the store has not taken yet.
    if (!signal.aborted) await this.flushed();
  }

  /** Where the run stopped, when it was stopped before the end of the data (after run() returns). */
  get stopped(): StoppedRun | undefined {
    return this.stop;
  }

  async health(): Promise<{ healthy: boolean } & Record<string, unknown>> {
    return {
      healthy: this.failure === undefined,
      bus: 'in-process',
      clock: Number.isFinite(this.pipeline.bus.now) ? this.pipeline.bus.now : null,
      storedMessages: this.stored,
      pendingWrites: this.pending(),
      queuedCommands: this.commands.length,
      ...(this.o.eventLog
        ? { eventLog: { events: this.o.eventLog.count, ...(this.o.eventLog.failure ? { error: this.o.eventLog.failure.message } : {}) } }
        : {}),
      ...(this.failure ? { error: this.failure.message } : {}),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.commands.splice(0)) c.reject(new Error('the quickstart is stopping'));
    // The message in hand finishes; what is still queued is dropped (the store is idempotent
    // by envelope id, and the in-process pipeline starts over on the next run anyway).
    this.writes.length = this.head;
    await this.writerDone;
    this.o.eventLog?.close();
  }

  // ------------------------------------------------------------------------------------------

  /**
   * Stopped before the end of the data: the run is a backtest of the file up to the last bar fed,
   * and its log says so — RunStarted's window (`input.to`, so `tradeloop replay --log` reads just
   * those bars; the run id changes with it, as a backtest's with `--to` does), the DataRejected
   * lines in that run's correlation, and a RunEnded with the bars fed, after the commands that
   * came in before the stop. The log is then the log of `tradeloop backtest --to <stop>`.
   */
  private endStopped(files: DataFileInfo[], firstTs: number, last: Envelope, fed: number): void {
    const to = windowEndAfter(last);
    const markers = runMarkers({ files, readOptions: { ...this.o.readOptions, to } }, this.o.cfg);
    const head = [markers.started(firstTs), ...this.o.source.rejected.map(({ data: r }) => markers.rejected(rejectedInput(r), firstTs))];
    this.publish(markers.ended(Math.max(this.pipeline.bus.now, firstTs), fed));
    this.o.eventLog?.replaceHead(head);
    this.stop = { bars: fed, to };
  }

  private publish(m: Envelope): void {
    this.pipeline.bus.publish(m);
  }

  /**
   * The last price of each market fed, as the gateway shows it to a person deciding an approval
   * (the last bar's mid, as risk and the executor mark it; see lastPriceOf).
   */
  readonly marketPrices: MarketPrices = async (venue, symbol) => {
    const bar = this.lastBars.get(marketKey(venue, symbol));
    return bar === undefined ? null : lastPriceOf([bar]);
  };

  private observed(m: Envelope): void {
    this.o.summary.count(m);
    if (m.type === 'BarClosed') {
      const d = (m as Message<'BarClosed'>).data;
      this.lastBars.set(marketKey(d.venue, d.symbol), m as Message<'BarClosed'>);
      return;
    }
    if (this.o.eventLog !== undefined && isLoggedType(m.type)) this.o.eventLog.append(m);
    let view = this.views.get(m.source);
    if (view === undefined) this.views.set(m.source, (view = metricsView(this.o.metrics, m.source)));
    view.observeOutput(m);
    if (this.closed || this.failure) return;
    if (PROJECTED_TYPES.has(m.type as Message['type']) || NOTIFIED_TYPES.has(m.type)) {
      this.writes.push(m);
      if (!this.writing) {
        this.writing = true;
        this.writerDone = this.writeLoop();
      }
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drainCommands();
    });
  }

  private drainCommands(): void {
    while (this.commands.length > 0) {
      const c = this.commands.shift()!;
      try {
        // The gateway stamped the command with the newest bar when the request came in; on a
        // busy machine more batches may have been fed before it gets here. It enters the bus
        // now, after those bars: stamped with their time, the log says where it entered, and a
        // replay (which sends a recorded command after every bar at or before its time) sends
        // it at the same place. Stamped earlier, the replay sent it bars before and diverged.
        const now = this.pipeline.bus.now;
        this.publish(c.command.ts < now ? { ...c.command, ts: now } : c.command);
        c.resolve();
      } catch (e) {
        c.reject(e);
      }
    }
  }

  private pending(): number {
    return this.writes.length - this.head;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.head < this.writes.length) {
        const m = this.writes[this.head];
        await this.write(m);
        this.head++;
        this.stored++;
        for (const wake of this.written.splice(0)) wake();
      }
      this.writes = [];
      this.head = 0;
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.o.log.error({ err: this.failure.message }, 'store writer failed');
      for (const wake of this.written.splice(0)) wake();
    } finally {
      // Synchronously after the last check of the queue: a message observed from here on
      // starts a new loop.
      this.writing = false;
    }
  }

  private async write(m: Envelope): Promise<void> {
    if (PROJECTED_TYPES.has(m.type as Message['type'])) {
      await this.retry(`store ${m.type} ${m.id}`, () =>
        handleOnce(this.o.ds, QUICKSTART_CONSUMER, { id: m.id, ts: m.ts }, async (tx) => {
          await projectMessage(tx, m as Message);
        }),
      );
    }
    const notifier = this.o.notifier?.observe;
    if (notifier && NOTIFIED_TYPES.has(m.type)) {
      // Best effort: a webhook that stays down is logged, not a reason to stop paper trading.
      try {
        await notifier.call(this.o.notifier, { stream: 'in-process', seq: this.stored, ts: m.ts }, [m]);
      } catch (e) {
        this.o.log.warn({ type: m.type, id: m.id, err: describeError(e) }, 'notification not delivered');
      }
    }
  }

  private async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const backoff = this.o.retryBackoffMs ?? DEFAULT_RETRY_MS;
    const max = this.o.maxWriteAttempts ?? 30;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= max || this.closed) throw new Error(`could not ${what} after ${attempt} attempts: ${describeError(e)}`);
        const delay = backoff[Math.min(attempt - 1, backoff.length - 1)];
        this.o.log.warn({ attempt, delayMs: delay, err: describeError(e) }, `could not ${what}; retrying`);
        await sleep(delay);
      }
    }
  }

  private nextWrite(): Promise<void> {
    this.throwIfFailed();
    return new Promise((r) => this.written.push(r));
  }

  private async flushed(): Promise<void> {
    while (this.pending() > 0 && !this.closed) await this.nextWrite();
    await this.writerDone;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** A refused row as the run's markers log it. */
function rejectedInput(r: { source: string; line: number; reason: string; field?: string }): RejectedInput {
  return { file: r.source, line: r.line, reason: r.reason, ...(r.field !== undefined ? { field: r.field } : {}) };
}

/**
 * The end of a read window ([from, to) on bar open times, as `--to` reads a file) that holds
 * `last` and nothing after it: a bar's close (the next bar opens there or later), else just
 * after its time.
 */
export function windowEndAfter(last: Envelope): number {
  const openTime = (last.data as { openTime?: unknown }).openTime;
  return typeof openTime === 'number' ? Math.max(last.ts, openTime + 1) : last.ts + 1;
}
