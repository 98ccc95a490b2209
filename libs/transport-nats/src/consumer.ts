import { decodeMessage, formatFieldErrors, type FieldError, type Message } from '@tradeloop/contracts';
import type { Result } from '@tradeloop/kernel';
import { ClosedConnectionError } from '@nats-io/nats-core';
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { KeyedSerializer, Semaphore } from './concurrency';
import { deadLetter, type DeadLetter, type DeadLetterQueue, type DeadLetterReason } from './dlq';

export interface DeliveryContext {
  readonly subject: string;
  readonly streamSeq: number;
  /** 1 on first delivery; counts every redelivery (nak, ack timeout, restart). */
  readonly deliveryCount: number;
}

export type Decoder<T> = (data: Uint8Array) => Result<T, FieldError[]>;

/**
 * Thrown by a handler for a message that can never succeed (e.g. it refers to an order that
 * does not exist): the message goes to the DLQ at once instead of burning its retries.
 */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export class ConsumerConfigError extends Error {
  override readonly name = 'ConsumerConfigError';
}

export type ConsumerEvent =
  | { readonly type: 'retry'; readonly subject: string; readonly streamSeq: number; readonly deliveryCount: number; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'dead_lettered'; readonly letter: DeadLetter }
  | { readonly type: 'dead_letter_failed'; readonly subject: string; readonly streamSeq: number; readonly error: unknown }
  | { readonly type: 'ack_failed'; readonly op: AckOp; readonly subject: string; readonly streamSeq: number; readonly error: unknown }
  | { readonly type: 'consuming' }
  | { readonly type: 'restarting'; readonly attempt: number; readonly delayMs: number; readonly error?: unknown }
  | { readonly type: 'closed' };

export interface ConsumerOptions<T = Message> {
  readonly js: JetStreamClient;
  /** Full stream name (`topo.streams.DEC.name`). */
  readonly stream: string;
  /** An existing durable pull consumer (see ensureConsumer). */
  readonly durable: string;
  /**
   * Does the work. The message is acked only after the returned promise resolves, so the
   * handler must have committed its effects by then; a rejection means "not done, retry".
   * Delivery is at least once: make effects idempotent (key them by the envelope id).
   */
  readonly handler: (value: T, ctx: DeliveryContext) => Promise<void>;
  /** Default `decodeMessage` (an envelope, T = Message); `decodeBatch` for market-data batches. */
  readonly decode?: Decoder<T>;
  readonly dlq: DeadLetterQueue;
  /** Deliveries a failing message gets before it is dead-lettered. */
  readonly maxDeliver: number;
  /** Nak delay by delivery count (1st failure → [0], …; the last entry repeats). */
  readonly backoffMs?: readonly number[];
  /** Handlers running at once. Default 1. */
  readonly concurrency?: number;
  /**
   * Messages with the same key (an account, say) are handled one after another in delivery
   * order. A retried message is redelivered later, behind its successors; a consumer that needs
   * strict order across failures uses max_ack_pending 1 instead.
   */
  readonly orderingKey?: (value: T) => string | undefined;
  /**
   * How long one pull request waits for messages before it is renewed (the library's idle
   * heartbeat is half of it). Default 10 s; at least 1 s.
   */
  readonly pullExpiresMs?: number;
  /** Delays between attempts to re-establish consumption. Default 100 ms … 5 s. */
  readonly restartBackoffMs?: readonly number[];
  /** Observability hook (logs, metrics); must not throw. */
  readonly onEvent?: (e: ConsumerEvent) => void;
}

export interface ConsumerStats {
  delivered: number;
  acked: number;
  retried: number;
  deadLettered: number;
  restarts: number;
}

export interface RunningConsumer {
  /**
   * Stops pulling, hands back (nak) any message that arrives meanwhile, and waits for running
   * handlers and their acks. A handler that never settles keeps stop() waiting: its effects
   * may be half done, and only the handler knows.
   */
  stop(): Promise<void>;
  /** Settles when the loop has ended: stopped, or the connection was closed. */
  readonly done: Promise<void>;
  readonly stats: Readonly<ConsumerStats>;
  /** Handlers running or waiting for their key. */
  readonly inFlight: number;
}

type AckOp = 'ack' | 'nak' | 'term' | 'working';

const noop = (): void => undefined;

const DEFAULT_BACKOFF_MS = [500, 2_000, 10_000, 30_000];
const DEFAULT_RESTART_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];
const NANOS_PER_MS = 1_000_000;

/**
 * Runs a durable pull consumer: decode, handle, then ack; nak with backoff on failure;
 * dead-letter poison (undecodable at once, failing after maxDeliver) and term it. Survives
 * server restarts: nats.js reconnects and re-issues the pull; when a pull fails instead
 * (heartbeats missed, consumer deleted or not found, …) consumption is re-established with
 * backoff until `stop()` or the connection is closed.
 *
 * Resolves once the consumer exists and its settings are checked; rejects if the durable is
 * missing or its server-side max_deliver could strand a message (see ensureConsumer).
 */
export async function runConsumer<T = Message>(options: ConsumerOptions<T>): Promise<RunningConsumer> {
  const concurrency = options.concurrency ?? 1;
  positiveInt('concurrency', concurrency);
  positiveInt('maxDeliver', options.maxDeliver);
  const pullExpiresMs = options.pullExpiresMs ?? 10_000;
  if (!Number.isSafeInteger(pullExpiresMs) || pullExpiresMs < 1_000) {
    throw new ConsumerConfigError(`pullExpiresMs must be an integer ≥ 1000, got ${pullExpiresMs}`);
  }
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const restartBackoffMs = options.restartBackoffMs ?? DEFAULT_RESTART_BACKOFF_MS;
  for (const [name, list] of [['backoffMs', backoffMs], ['restartBackoffMs', restartBackoffMs]] as const) {
    if (list.length === 0 || list.some((ms) => !Number.isSafeInteger(ms) || ms < 0)) {
      throw new ConsumerConfigError(`${name} must be a non-empty list of non-negative integers`);
    }
  }
  const consumer = await options.js.consumers.get(options.stream, options.durable);
  const info = await consumer.info(true);
  const serverMax = info.config.max_deliver ?? -1;
  if (serverMax > 0 && serverMax <= options.maxDeliver) {
    throw new ConsumerConfigError(
      `consumer ${options.stream}/${options.durable} has max_deliver ${serverMax}, not above maxDeliver ${options.maxDeliver}: ` +
        'a message whose dead-lettering failed on its last delivery would never be delivered again. Use -1 (unbounded).',
    );
  }
  const ackWaitMs = Math.floor((info.config.ack_wait ?? 30_000 * NANOS_PER_MS) / NANOS_PER_MS);
  const loop = new ConsumerLoop<T>(options, {
    concurrency,
    pullExpiresMs,
    backoffMs,
    restartBackoffMs,
    keepAliveMs: Math.max(Math.floor(ackWaitMs / 2), 1),
  });
  const done = loop.run(consumer);
  return {
    stop: () => loop.stop(done),
    done,
    stats: loop.stats,
    get inFlight() {
      return loop.inFlight;
    },
  };
}

function positiveInt(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new ConsumerConfigError(`${name} must be a positive integer, got ${n}`);
}

interface LoopSettings {
  readonly concurrency: number;
  readonly pullExpiresMs: number;
  readonly backoffMs: readonly number[];
  readonly restartBackoffMs: readonly number[];
  readonly keepAliveMs: number;
}

class ConsumerLoop<T> {
  readonly stats: ConsumerStats = { delivered: 0, acked: 0, retried: 0, deadLettered: 0, restarts: 0 };
  private readonly slots: Semaphore;
  private readonly serial = new KeyedSerializer();
  private readonly running = new Set<Promise<void>>();
  private readonly decode: Decoder<T>;
  private stopping = false;
  private batch: ConsumerMessages | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly o: ConsumerOptions<T>,
    private readonly s: LoopSettings,
  ) {
    this.slots = new Semaphore(s.concurrency);
    this.decode = o.decode ?? (decodeMessage as unknown as Decoder<T>);
  }

  get inFlight(): number {
    return this.running.size;
  }

  async stop(done: Promise<void>): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      // Not awaited: close() settles once the pull's iterator has been read to its end,
      // which is the pull loop's job.
      void this.batch?.close();
      this.wake?.();
    }
    await done;
  }

  async run(first: Consumer): Promise<void> {
    let consumer: Consumer | undefined = first;
    let attempt = 0;
    while (!this.stopping) {
      let failure: unknown;
      const before = this.stats.delivered;
      try {
        consumer ??= await this.o.js.consumers.get(this.o.stream, this.o.durable);
        this.emit({ type: 'consuming' });
        await this.pull(consumer);
      } catch (e) {
        failure = e;
      }
      if (this.stopping) break;
      if (failure instanceof ClosedConnectionError) {
        this.emit({ type: 'closed' });
        break;
      }
      if (this.stats.delivered > before) attempt = 0;
      consumer = undefined;
      const delayMs = this.s.restartBackoffMs[Math.min(attempt, this.s.restartBackoffMs.length - 1)];
      attempt++;
      this.stats.restarts++;
      this.emit({ type: 'restarting', attempt, delayMs, error: failure });
      await this.sleep(delayMs);
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Asks the server for exactly as many messages as there are free handler slots, so nothing
   * waits in a client buffer: a delivered message starts at once (its ack_wait is not spent
   * queueing), and on stop there is nothing pulled-but-unstarted to hand back except what was
   * already on the wire. Returns only when stopping; a failed pull throws.
   */
  private async pull(consumer: Consumer): Promise<void> {
    while (!this.stopping) {
      const reserved = await this.slots.acquireAll();
      let used = 0;
      try {
        if (this.stopping) return;
        const batch = await consumer.fetch({ max_messages: reserved, expires: this.s.pullExpiresMs });
        this.batch = batch;
        if (this.stopping) void batch.close();
        for await (const m of batch) {
          used++;
          this.stats.delivered++;
          if (this.stopping) {
            // Hand it straight back so another instance need not wait out ack_wait.
            this.reply(m, 'nak');
            this.slots.release();
            continue;
          }
          const p = this.process(m)
            .catch(noop)
            .finally(() => {
              this.slots.release();
              this.running.delete(p);
            });
          this.running.add(p);
        }
        const failure = await batch.closed();
        if (failure) throw failure;
      } finally {
        this.batch = undefined;
        if (reserved > used) this.slots.release(reserved - used);
      }
    }
  }

  private async process(m: JsMsg): Promise<void> {
    const info = m.info;
    const ctx: DeliveryContext = { subject: m.subject, streamSeq: info.streamSequence, deliveryCount: info.deliveryCount };
    // Also covers time spent queued behind the same ordering key.
    const keepAlive = setInterval(() => this.reply(m, 'working'), this.s.keepAliveMs);
    keepAlive.unref();
    try {
      const decoded = this.decode(m.data);
      if (!decoded.ok) {
        await this.deadLetter(m, ctx, 'invalid_message', formatFieldErrors(decoded.error), decoded.error);
        return;
      }
      const value = decoded.value;
      let key: string | undefined;
      try {
        key = this.o.orderingKey?.(value);
      } catch (e) {
        await this.failed(m, ctx, e);
        return;
      }
      await this.serial.run(key, () => this.handle(m, ctx, value));
    } catch (e) {
      // Only a bug in this file lands here; never let it escape as an unhandled rejection.
      await this.failed(m, ctx, e);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async handle(m: JsMsg, ctx: DeliveryContext, value: T): Promise<void> {
    try {
      await this.o.handler(value, ctx);
    } catch (e) {
      await this.failed(m, ctx, e);
      return;
    }
    if (this.reply(m, 'ack')) this.stats.acked++;
  }

  private async failed(m: JsMsg, ctx: DeliveryContext, error: unknown): Promise<void> {
    if (error instanceof PoisonMessageError) {
      await this.deadLetter(m, ctx, 'rejected', error.message);
      return;
    }
    if (ctx.deliveryCount >= this.o.maxDeliver) {
      await this.deadLetter(m, ctx, 'handler_failed', `failed on all ${ctx.deliveryCount} deliveries; last error: ${message(error)}`);
      return;
    }
    const delayMs = this.backoff(ctx.deliveryCount);
    this.reply(m, 'nak', delayMs);
    this.stats.retried++;
    this.emit({ type: 'retry', subject: ctx.subject, streamSeq: ctx.streamSeq, deliveryCount: ctx.deliveryCount, delayMs, error });
  }

  /** Term only once the dead letter is stored; if that fails, the message comes back later. */
  private async deadLetter(m: JsMsg, ctx: DeliveryContext, reason: DeadLetterReason, detail: string, errors?: readonly FieldError[]): Promise<void> {
    const letter = deadLetter({
      reason,
      detail,
      errors,
      stream: this.o.stream,
      subject: ctx.subject,
      durable: this.o.durable,
      streamSeq: ctx.streamSeq,
      deliveryCount: ctx.deliveryCount,
      data: m.data,
    });
    try {
      await this.o.dlq.send(letter);
    } catch (error) {
      this.reply(m, 'nak', this.backoff(ctx.deliveryCount));
      this.emit({ type: 'dead_letter_failed', subject: ctx.subject, streamSeq: ctx.streamSeq, error });
      return;
    }
    this.reply(m, 'term');
    this.stats.deadLettered++;
    this.emit({ type: 'dead_lettered', letter });
  }

  /**
   * Acks are fire-and-forget publishes and throw once the connection is closed. A lost reply
   * is safe: the server redelivers after ack_wait (at least once), so it is reported, not fatal.
   */
  private reply(m: JsMsg, op: AckOp, delayMs?: number): boolean {
    try {
      if (op === 'ack') m.ack();
      else if (op === 'nak') m.nak(delayMs);
      // No reason argument: servers before 2.11 do not parse "+TERM <reason>".
      else if (op === 'term') m.term();
      else m.working();
      return true;
    } catch (error) {
      this.emit({ type: 'ack_failed', op, subject: m.subject, streamSeq: m.seq, error });
      return false;
    }
  }

  private backoff(deliveryCount: number): number {
    const b = this.s.backoffMs;
    return b[Math.min(Math.max(deliveryCount - 1, 0), b.length - 1)];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private emit(e: ConsumerEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch {
      // An observer's bug must not take the consumer down.
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
