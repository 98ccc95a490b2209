import type { Envelope } from '@tradeloop/kernel';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import { batchHeaders, encodeBatch, batchMsgId, batchSubject } from './batch';
import { subjectFor, type Topology } from './streams';

export interface PublisherOptions {
  /**
   * Publishes awaiting their PubAck at once. A serial `await publish` loop pays one round trip
   * per message (a few hundred msgs/s on a loaded 2-core machine); a window keeps the
   * connection busy while acks come back. Order is kept: one connection, sent in call order.
   */
  readonly window?: number;
  /** How long one publish waits for its PubAck. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface PublishFailure {
  readonly subject: string;
  readonly msgID: string;
  readonly cause: unknown;
}

/**
 * One or more publishes failed. The messages may or may not be stored (an ack can be lost
 * after the server stored the message): re-publish them with the same ids, and the server's
 * de-duplication stores each at most once.
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';

  constructor(readonly failures: readonly PublishFailure[]) {
    const first = failures[0];
    super(
      `${failures.length} publish(es) failed; first: ${first.subject} (Nats-Msg-Id ${first.msgID}): ${describe(first.cause)}`,
      { cause: first.cause },
    );
  }
}

const noop = (): void => undefined;

/**
 * Publishes envelopes to JetStream: the subject from the catalogue (namespaced), the envelope
 * id as Nats-Msg-Id so a retried publish is stored once, and a bounded window of publishes in
 * flight. No failure is lost: each publish's promise rejects, and `flush()` (and the next
 * `send()`) reject with every failure not yet reported.
 */
export class JetStreamPublisher {
  readonly window: number;
  private readonly timeoutMs: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private failures: PublishFailure[] = [];

  constructor(
    private readonly js: JetStreamClient,
    readonly topology: Topology,
    options: PublisherOptions = {},
  ) {
    this.window = options.window ?? 256;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isSafeInteger(this.window) || this.window < 1) throw new RangeError(`window must be a positive integer, got ${this.window}`);
  }

  /** Messages sent and not yet acknowledged (or failed). */
  get inflight(): number {
    return this.inFlight;
  }

  /**
   * Publishes one envelope; resolves with its PubAck (`duplicate: true` when the server had it
   * already). Does not wait for room: beyond the window, calls queue in order. A producer that
   * must not outrun the server uses `send`. Throws at once for a type the catalogue does not know
   * (a programming error, not a delivery failure).
   */
  publish(m: Envelope): Promise<PubAck> {
    return this.publishRaw(subjectFor(this.topology, m), JSON.stringify(m), m.id);
  }

  /**
   * Waits for room in the window, then sends; resolves once the message is on its way (not
   * acknowledged). Rejects at once if an earlier publish failed and was not yet reported by
   * `flush()`, so a producer loop stops instead of running past a loss.
   */
  async send(m: Envelope): Promise<void> {
    this.throwIfFailed();
    const subject = subjectFor(this.topology, m);
    const data = JSON.stringify(m);
    const room = this.acquire();
    if (room !== undefined) await room;
    this.track(this.start(subject, data, m.id, undefined));
  }

  /**
   * Publishes a market-data batch (many bars/ticks in one message) on
   * `md.batch.<venue>.<symbol>`, Nats-Msg-Id = first id + ':' + last id, header Tl-Batch-Ts =
   * the newest event time in it.
   */
  publishBatch(messages: readonly Envelope[]): Promise<PubAck> {
    const bytes = encodeBatch(messages);
    return this.publishRaw(batchSubject(this.topology, messages), bytes, batchMsgId(messages), batchHeaders(messages));
  }

  /** Publishes prepared bytes (dead letters, batches) through the same window. */
  publishRaw(subject: string, data: Uint8Array | string, msgID: string, headers?: MsgHdrs): Promise<PubAck> {
    const room = this.acquire();
    const p = room === undefined ? this.start(subject, data, msgID, headers) : room.then(() => this.start(subject, data, msgID, headers));
    this.track(p);
    return p;
  }

  /** Waits for every publish so far; rejects with a PublishError listing the failures. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.throwIfFailed(true);
  }

  private throwIfFailed(clear = false): void {
    if (this.failures.length === 0) return;
    const failures = this.failures;
    if (clear) this.failures = [];
    throw new PublishError(failures);
  }

  /** FIFO: while anyone waits, newcomers queue too, so messages leave in call order. */
  private acquire(): Promise<void> | undefined {
    if (this.inFlight < this.window && this.waiting.length === 0) {
      this.inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter, so the count never dips below a full window. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private start(subject: string, data: Uint8Array | string, msgID: string, headers: MsgHdrs | undefined): Promise<PubAck> {
    let sent: Promise<PubAck>;
    try {
      sent = this.js.publish(subject, data, headers ? { msgID, timeout: this.timeoutMs, headers } : { msgID, timeout: this.timeoutMs });
    } catch (e) {
      sent = Promise.reject(e);
    }
    return sent.then(
      (ack) => {
        this.release();
        return ack;
      },
      (cause: unknown) => {
        this.release();
        this.failures.push({ subject, msgID, cause });
        throw new PublishError([{ subject, msgID, cause }]);
      },
    );
  }

  /** The caller may drop the promise: the failure is recorded, so it must not also go unhandled. */
  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    const done = (): void => {
      this.pending.delete(p);
    };
    p.then(done, done).catch(noop);
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // nats.js reports "no stream stores this subject" as "jetstream is not enabled".
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return `${e.message}${cause}`;
}
