import { CATALOG } from '@tradeloop/contracts';
import { DeciderHost, nameId, type Decider, type Envelope } from '@tradeloop/kernel';
import {
  DeadLetterQueue,
  JetStreamPublisher,
  deadLetter,
  ensureConsumer,
  ensureTopology,
  dlqMsgId,
  storedIdsSince,
  streamStoredMessages,
  subjectFor,
  type Topology,
} from '@tradeloop/transport-nats';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { ensureInbox, handledFloor, inboxFor, type InboxSpec } from './inbox';
import type { ServiceMetrics } from './metrics';
import { DEFAULT_DEDUP_WINDOW, InboxFold, type Dead, type FoldHooks, type Outcome } from './inbox-fold';
import { recallStoredOutputs, type StoredOutputs } from './stored-outputs';

/** The log methods the runner uses (pino's signature: object first, then the message). */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where one inbox message sits: its stream position and its first envelope's event time. */
export interface InboxRef {
  readonly stream: string;
  readonly seq: number;
  readonly ts: number;
}

/** One inbox message's part of a group commit. */
export interface EffectItem {
  readonly ref: InboxRef;
  readonly inputs: readonly Envelope[];
  readonly outputs: readonly Envelope[];
}

/**
 * What a service does besides publishing its decider's outputs. Both hooks must be idempotent:
 * after a crash the runner repeats the message whose effects may or may not have committed.
 */
export interface ServiceEffects {
  /**
   * Commits the effects of one inbox message (read models, the broker's order book) after its
   * outputs are published and before it is acked. Called only when there are outputs.
   */
  apply?(ref: InboxRef, inputs: readonly Envelope[], outputs: readonly Envelope[]): Promise<void>;
  /**
   * `apply` for several inbox messages (those with outputs, in inbox order) in one transaction:
   * a group commit. Optional; without it `apply` runs once per message.
   */
  applyMany?(items: readonly EffectItem[]): Promise<void>;
  /**
   * Runs once after the state is rebuilt and before new messages are handled: reconcile with
   * the outside world (the executor with its broker). Returns envelopes to publish, if any.
   */
  afterRebuild?(host: DeciderHost<any, any, any>): Promise<readonly Envelope[]>;
  /**
   * Sees every handled input (not during rebuild) before the message is acked: notifications.
   * At least once: a repeat after a crash is possible, so receivers de-duplicate by envelope id.
   */
  observe?(ref: InboxRef, inputs: readonly Envelope[]): Promise<void>;
}

export interface RunnerOptions {
  readonly service: string;
  readonly decider: Decider<any, any, any>;
  readonly nc: NatsConnection;
  readonly topo: Topology;
  readonly effects?: ServiceEffects;
  readonly metrics?: ServiceMetrics;
  readonly log?: ServiceLogger;
  /** Server redelivers an unacked message after this long. Default 30 s. */
  readonly ackWaitMs?: number;
  /** Delays between attempts to commit effects or publish outputs; the last repeats. */
  readonly retryBackoffMs?: readonly number[];
  /** Attempts before the runner gives up and stops (the process should exit and restart). */
  readonly maxEffectAttempts?: number;
  /**
   * Messages that may be decided and published ahead of their effects' commit (read models,
   * processed-message records). Commits and acks still happen one at a time in inbox order.
   * Default 256; 1 commits each message before the next is handled.
   */
  readonly maxPendingCommits?: number;
  /**
   * How long the commit lane lets messages gather before it commits them as one group (and
   * keeps the commit's work off the moments a burst of messages is being handled). Default 10.
   */
  readonly commitLingerMs?: number;
  /** Most messages committed in one group. Default 64. */
  readonly maxCommitGroup?: number;
  /** Remembered envelope ids for de-duplication of redelivered or re-published inputs. */
  readonly dedupWindow?: number;
  /** Account of the service's own timer messages. Default 'paper'. */
  readonly account?: string;
  /**
   * What decides that a decider's wake time has come. 'event' (default): the newest event time
   * in the inbox — replays of recorded data, where the data's time is the clock. 'wall': the
   * wall clock, checked every `wallTimerMs` — live feeds, where an approval must expire even if
   * nothing else arrives. Either way the TimerFired is published and handled when it comes back
   * through the inbox, so a replay of the inbox sees it at the same place.
   */
  readonly timerClock?: 'event' | 'wall';
  readonly wallTimerMs?: number;
  /**
   * The decider's configuration, flat (scalars; sections as JSON). When given, the runner
   * publishes a ServiceStarted with it at every start, naming the first inbox sequence it
   * applies to: what an audit replay of the inbox needs (`tradeloop replay --service`).
   */
  readonly startedConfig?: Readonly<Record<string, string | number | boolean>>;
}

export type RunnerState = 'idle' | 'rebuilding' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface RunnerStatus {
  readonly state: RunnerState;
  readonly inbox: string;
  /** Inbox sequence of the last message whose effects are committed and acked. */
  readonly lastSeq: number;
  readonly rebuilt: number;
  readonly handled: number;
  readonly deadLettered: number;
  /**
   * Outputs (timers included) of inputs handled again that were already stored, so not published
   * again: after a restart, or after the inbox or its consumer was made anew.
   */
  readonly notRepublished: number;
  /** Event time of the newest input seen. */
  readonly clock: number;
  readonly error?: string;
}

interface PendingCommit {
  readonly m: JsMsg;
  readonly ref: InboxRef;
  readonly inputs: readonly Envelope[];
  readonly outputs: readonly Envelope[];
  /** The outputs' publish (with its retries), when there are outputs. */
  readonly published?: Promise<void>;
}

const DEFAULT_RETRY_MS = [100, 250, 500, 1_000, 2_000, 5_000];
const noop = (): void => undefined;
const silent: ServiceLogger = { info: noop, warn: noop, error: noop };

/**
 * Hosts one decider on JetStream (DESIGN §2: "a consumer binds JetStream subjects to the
 * decider host, publishes its outputs, writes read models").
 *
 * Start: ensure the area streams, the service's inbox and its durable consumer; rebuild the
 * decider's state by replaying the inbox up to the consumer's ack floor through the same
 * code path as live handling (outputs discarded: they were published the first time); read the
 * ids already stored downstream for inputs stored before the start and not yet handled (an
 * earlier process, or an earlier inbox of the same name, may have published their outputs: see
 * recallStoredOutputs), so that handling them again publishes nothing twice; let the effects
 * reconcile; then consume.
 *
 * Each message, in inbox order, one at a time: decode (an undecodable message goes to the
 * DLQ with its field errors — replay decodes the same bytes and skips it the same way),
 * skip inputs already seen (a re-published envelope id, a bar not newer than the last one of
 * its series), handle, publish the outputs (Nats-Msg-Id = envelope id, so a repeat after a
 * crash is stored once) without waiting for their PubAcks. A commit lane then takes the
 * messages in inbox order, in groups gathered for `commitLingerMs`: it waits for their PubAcks,
 * commits their effects (read models with a processed-message record per output written) in one
 * transaction and only then acks them — while the loop already decides and publishes the next
 * messages (at most `maxPendingCommits` ahead). A crash loses nothing: every message
 * after the ack floor is handled again on restart, its outputs already stored not published
 * again, its effects idempotent. Failures of effects or publishes are retried in place, never skipped:
 * order is the state's correctness; a commit that keeps failing stops the runner with the
 * message unacked.
 */
export class ServiceRunner {
  readonly inbox: InboxSpec;
  readonly host: DeciderHost<any, any, any>;
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly publisher: JetStreamPublisher;
  private readonly dlq: DeadLetterQueue;
  private readonly log: ServiceLogger;
  private readonly retryMs: readonly number[];
  private readonly maxAttempts: number;
  private readonly fold: InboxFold;
  /** Counts skipped and handled inputs while running (not during rebuilds). */
  private readonly metricHooks?: FoldHooks;
  private state: RunnerState = 'idle';
  /** Inbox sequence of the last message whose effects are committed and acked. */
  private lastSeq = 0;
  /** Inbox sequence of the last message decided and published (≥ lastSeq: commits trail it). */
  private handledSeq = 0;
  /** Messages decided and published whose effects are not yet committed and acked, oldest first. */
  private readonly commits: PendingCommit[] = [];
  private committing?: Promise<void>;
  /** The consume loop, waiting at the bound for the next group to commit. */
  private readonly groupWaiters: Array<() => void> = [];
  private commitError?: unknown;
  private rebuilt = 0;
  /**
   * From the start until the inbox has handed out every input stored before it: the ids already
   * stored downstream that an earlier process may have published for them (see
   * recallStoredOutputs). Those outputs are not published again.
   */
  private stored?: StoredOutputs;
  /** Outputs of re-handled messages found already stored and not published again. */
  private republishSkipped = 0;
  private handled = 0;
  private deadLettered = 0;
  private error?: string;
  private stopRequested = false;
  private loop?: Promise<void>;
  private lagTimer?: ReturnType<typeof setInterval>;
  private wallTimer?: ReturnType<typeof setInterval>;
  private stopIterator?: () => void;
  private timerSent = Number.NaN;

  private readonly maxPendingCommits: number;
  private readonly commitLingerMs: number;
  private readonly maxCommitGroup: number;

  constructor(private readonly options: RunnerOptions) {
    this.inbox = inboxFor(options.topo, options.service, options.decider.consumes as never, { clock: options.decider.wakeAt !== undefined });
    this.fold = new InboxFold(options.decider, this.inbox, options.dedupWindow);
    this.host = this.fold.host;
    const metrics = options.metrics;
    if (metrics) this.metricHooks = { skipped: (t) => metrics.countSkipped(t), handled: (t) => metrics.countIn(t) };
    this.js = jetstream(options.nc);
    this.publisher = new JetStreamPublisher(this.js, options.topo, { window: 256 });
    this.dlq = new DeadLetterQueue(this.js, options.topo);
    this.log = options.log ?? silent;
    this.retryMs = options.retryBackoffMs ?? DEFAULT_RETRY_MS;
    this.maxAttempts = options.maxEffectAttempts ?? 30;
    this.maxPendingCommits = options.maxPendingCommits ?? 256;
    this.commitLingerMs = options.commitLingerMs ?? 10;
    this.maxCommitGroup = options.maxCommitGroup ?? 64;
    if (!(Number.isFinite(this.commitLingerMs) && this.commitLingerMs >= 0)) throw new RangeError(`commitLingerMs must be a number ≥ 0, got ${this.commitLingerMs}`);
    if (!(Number.isInteger(this.maxCommitGroup) && this.maxCommitGroup >= 1)) throw new RangeError(`maxCommitGroup must be an integer ≥ 1, got ${this.maxCommitGroup}`);
    if (!(Number.isInteger(this.maxPendingCommits) && this.maxPendingCommits >= 1 && this.maxPendingCommits < 1_000)) {
      throw new RangeError(`maxPendingCommits must be an integer from 1 to 999 (below the consumer's max_ack_pending), got ${this.maxPendingCommits}`);
    }
  }

  status(): RunnerStatus {
    return {
      state: this.state,
      inbox: this.inbox.stream,
      lastSeq: this.lastSeq,
      rebuilt: this.rebuilt,
      handled: this.handled,
      deadLettered: this.deadLettered,
      notRepublished: this.republishSkipped,
      clock: this.fold.clock,
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  /** Resolves once the state is rebuilt and consumption has begun. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`runner ${this.options.service} already started`);
    const jsm = (this.jsm = await jetstreamManager(this.options.nc));
    await ensureTopology(jsm, this.options.topo);
    await ensureInbox(jsm, this.inbox);
    // First start: a durable from the beginning of the inbox. Later starts keep the existing
    // one: its ack floor is where the rebuild stops.
    const existing = await jsm.consumers.info(this.inbox.stream, this.inbox.durable).catch((e: unknown) => {
      if (/consumer not found/i.test(describe(e))) return undefined;
      throw e;
    });
    if (!existing) {
      await ensureConsumer(jsm, { stream: this.inbox.stream, durable: this.inbox.durable, ackWaitMs: this.options.ackWaitMs ?? 30_000, maxAckPending: 1_000 });
    }
    this.state = 'rebuilding';
    await this.rebuild(jsm);
    await this.recallStored(jsm, existing === undefined);
    await this.resync(jsm);
    if (this.options.effects?.afterRebuild) {
      const extra = this.unpublished(await this.options.effects.afterRebuild(this.host));
      if (extra.length > 0) await this.publishAll(extra, []);
    }
    if (this.options.startedConfig) await this.publishStarted(this.options.startedConfig);
    await this.fireDueTimer();
    this.state = 'running';
    this.log.info({ service: this.options.service, inbox: this.inbox.stream, rebuilt: this.rebuilt, lastSeq: this.lastSeq }, 'consuming');
    this.loop = this.consumeLoop().catch((e: unknown) => {
      this.state = 'failed';
      this.error = e instanceof Error ? e.message : String(e);
      this.log.error({ service: this.options.service, err: this.error }, 'runner failed');
    });
    if (this.options.timerClock === 'wall' && this.options.decider.wakeAt) {
      this.wallTimer = setInterval(() => {
        if (this.state !== 'running') return;
        this.fireDueTimer(Date.now()).catch((e: unknown) => this.log.warn({ service: this.options.service, err: describe(e) }, 'timer publish failed'));
      }, this.options.wallTimerMs ?? 1_000);
      this.wallTimer.unref?.();
    }
    if (this.options.metrics) {
      const metrics = this.options.metrics;
      this.lagTimer = setInterval(() => void this.lag().then((n) => metrics.consumerLag.set({ service: this.options.service }, n), noop), 2_000);
      this.lagTimer.unref?.();
    }
  }

  /** Inbox messages not yet handled: pending for the consumer plus delivered and unacked. */
  async lag(): Promise<number> {
    const jsm = this.jsm ?? (await jetstreamManager(this.options.nc));
    const info = await jsm.consumers.info(this.inbox.stream, this.inbox.durable);
    return info.num_pending + info.num_ack_pending;
  }

  /** Stops after the message in hand is done (effects committed, acked). */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.wallTimer) clearInterval(this.wallTimer);
    if (this.state === 'running') this.state = 'stopping';
    this.stopIterator?.();
    await this.loop;
    await this.drainCommits().catch(noop);
    await this.publisher.flush().catch(noop);
    if (this.state !== 'failed') this.state = 'stopped';
  }

  /** Settles when the consume loop ends (stopped or failed). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  // --------------------------------------------------------------------------------------------

  private async rebuild(jsm: JetStreamManager): Promise<void> {
    const info = await jsm.consumers.info(this.inbox.stream, this.inbox.durable);
    const floor = handledFloor(info);
    if (floor === 0) return;
    // The inbox from its first message to the floor, as an audit reads it; no time limit: a
    // start waits for its state however long the server takes.
    for await (const m of streamStoredMessages(this.js, jsm, this.inbox.stream, { toSeq: floor, idleMs: 0 })) {
      this.handleMessage(m.subject, m.data, m.seq, m.headers);
      this.rebuilt++;
    }
    this.lastSeq = floor;
    this.handledSeq = floor;
    this.options.metrics?.rebuiltMessages.set({ service: this.options.service }, this.rebuilt);
  }

  /**
   * Inputs stored before this start that the inbox has yet to hand out may have been handled by
   * an earlier process that published their outputs: one that stopped before acking them (its
   * outputs go out before the commit and the ack), or one that read an earlier inbox of the same
   * name, or the same inbox through a consumer since deleted. Handled again, they make the same
   * outputs with the same ids, which JetStream drops only inside its de-duplication window (2 min
   * by default). The ids stored downstream since the first of those inputs was stored are read
   * once, here (see recallStoredOutputs), and such outputs are not published again; the state
   * still folds them, and their effects still commit before the ack.
   */
  private async recallStored(jsm: JetStreamManager, newConsumer: boolean): Promise<void> {
    const fromSeq = this.lastSeq + 1;
    const stored = await recallStoredOutputs(this.js, jsm, this.options.topo, this.inbox, fromSeq);
    if (stored === undefined) return;
    this.stored = stored;
    this.log.info(
      { service: this.options.service, newConsumer, fromSeq, since: stored.since ?? 'first messages', storedIds: stored.size },
      'start: outputs of inputs stored before it that are already stored downstream are not published again',
    );
  }

  /** The ids stored before the start, while the inbox may still hand out an input they answer. */
  private storedFor(m: JsMsg): StoredOutputs | undefined {
    const stored = this.stored;
    if (stored === undefined) return undefined;
    if (stored.done) {
      this.stored = undefined;
      this.log.info({ service: this.options.service, seq: m.seq }, 'every input stored before the start handed out');
      return undefined;
    }
    stored.see(m.headers);
    return stored;
  }

  /** The outputs still to publish: those not already stored. */
  private unpublished(outputs: readonly Envelope[], stored = this.stored): readonly Envelope[] {
    if (stored === undefined || outputs.length === 0) return outputs;
    const rest = outputs.filter((o) => !stored.has(o.id));
    this.republishSkipped += outputs.length - rest.length;
    return rest;
  }

  /**
   * Starts the durable consumer afresh at the first message not yet handled. A consumer that
   * lived through a crash still holds the messages it had handed to the dead process; the
   * server would redeliver them only after ack_wait, behind newer ones — out of inbox order.
   * Recreated at lastSeq + 1 it delivers in order from there, nothing pending.
   */
  private async resync(jsm: JetStreamManager): Promise<void> {
    await jsm.consumers.delete(this.inbox.stream, this.inbox.durable).catch((e: unknown) => {
      if (!/consumer not found/i.test(describe(e))) throw e;
    });
    await ensureConsumer(jsm, {
      stream: this.inbox.stream,
      durable: this.inbox.durable,
      ackWaitMs: this.options.ackWaitMs ?? 30_000,
      maxAckPending: 1_000,
      startSeq: this.lastSeq + 1,
    });
  }

  private async consumeLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopRequested) {
      try {
        const consumer = await this.js.consumers.get(this.inbox.stream, this.inbox.durable);
        const it = await consumer.consume({ max_messages: 256, expires: 5_000 });
        this.stopIterator = () => it.stop();
        if (this.stopRequested) it.stop();
        attempt = 0;
        for await (const m of it) {
          if (this.stopRequested) {
            m.nak();
            continue;
          }
          await this.process(m);
        }
        if (this.commitError !== undefined) throw this.commitError;
        if (this.stopRequested) return;
      } catch (e) {
        if (this.stopRequested) return;
        if (e instanceof FatalRunnerError) throw e;
        if (e instanceof InboxGap) {
          this.log.warn({ service: this.options.service, expected: e.expected, got: e.got }, 'inbox gap: restarting the consumer at the first unhandled message');
          this.stopIterator?.();
          // The consumer is recreated at the first unhandled message: everything before it must
          // be committed and acked first, or a crash would leave it below the new floor unapplied.
          await this.drainCommits();
          await this.resync(this.jsm ?? (await jetstreamManager(this.options.nc)));
          continue;
        }
        if (this.options.nc.isClosed()) throw new FatalRunnerError(`NATS connection closed: ${describe(e)}`);
        const delay = this.retryMs[Math.min(attempt++, this.retryMs.length - 1)];
        this.log.warn({ service: this.options.service, err: describe(e), delayMs: delay }, 'consumer interrupted; resuming');
        await sleep(delay);
      }
    }
  }

  private async process(m: JsMsg): Promise<void> {
    if (this.commitError !== undefined) throw this.commitError;
    if (m.seq <= this.handledSeq) {
      // Redelivered after its ack was lost or late: already handled in this session. One whose
      // commit is still pending is acked by the commit lane.
      if (m.seq <= this.lastSeq) m.ack();
      return;
    }
    if (m.seq !== this.handledSeq + 1) {
      // A gap: an earlier message is still pending (handed out before a reconnect). Handling
      // this one first would break inbox order, so start the consumer again at the gap.
      throw new InboxGap(this.handledSeq + 1, m.seq);
    }
    const started = performance.now();
    const outcome = this.handleMessage(m.subject, m.data, m.seq, m.headers);
    const ref: InboxRef = { stream: this.inbox.stream, seq: m.seq, ts: outcome.inputs[0]?.ts ?? 0 };
    const stored = this.storedFor(m);
    if (outcome.dead && !stored?.has(dlqMsgId(this.inbox.stream, this.inbox.durable, m.seq))) await this.deadLetter(m, outcome.dead);
    // Publish first: downstream stages do not wait for this one's read models. Both steps are
    // idempotent (Nats-Msg-Id; the processed-message records), and the ack waits for both, so a
    // crash between them repeats the message and completes whichever did not happen. The
    // publish is not awaited here (the commit lane waits for its PubAcks before committing):
    // the next message is decided while these outputs travel. The server stores one
    // connection's publishes to a stream in the order sent, and a retry of one it did store is
    // dropped as a duplicate, so pipelining keeps each stream in decision order.
    const metrics = this.options.metrics;
    const type = outcome.inputs.length > 1 ? 'MarketDataBatch' : (outcome.inputs[0]?.type ?? 'none');
    let published: Promise<void> | undefined;
    const toPublish = this.unpublished(outcome.outputs, stored);
    // Everything already stored (a re-handled message): nothing to publish, but the effects
    // still commit through the lane before the ack.
    if (toPublish.length === 0 && outcome.outputs.length > 0) published = Promise.resolve();
    if (toPublish.length > 0) {
      published = this.publishAll(toPublish, [m]);
      published.catch(noop); // awaited (and reported) by the commit lane
      if (metrics) {
        // The stage's latency: from its input being stored in the inbox to its outputs being
        // stored downstream (waiting in the inbox, handling, publishing), on the server's clock
        // for the first and this host's for the second.
        const storedMs = m.info.timestampNanos / 1e6;
        published.then(() => metrics.observeStage(type, Math.max(0, Date.now() - storedMs) / 1000), noop);
      }
    }
    await this.fireDueTimer();
    this.handledSeq = m.seq;
    if (metrics) metrics.observeHandle(type, (performance.now() - started) / 1000);
    this.enqueueCommit({ m, ref, inputs: outcome.inputs, outputs: outcome.outputs, published });
    // At the bound, wait for the next group to commit (not for the whole lane to drain).
    while (this.commits.length >= this.maxPendingCommits && this.committing !== undefined) {
      await new Promise<void>((resolve) => this.groupWaiters.push(resolve));
    }
  }

  /**
   * The commit lane: effects (read models, notifications) commit in inbox order, in groups,
   * each message acked once its group is committed, while the consume loop goes on deciding and
   * publishing the next messages. A message with nothing to publish or commit and nothing
   * ahead of it is acked at once.
   */
  private enqueueCommit(c: PendingCommit): void {
    if (this.commits.length === 0 && c.published === undefined && !this.notifies(c)) {
      this.acked(c);
      return;
    }
    this.commits.push(c);
    if (this.committing === undefined) this.committing = this.runCommits();
  }

  /** Whether the effects see this message's inputs (a message with outputs always has a publish to wait for). */
  private notifies(c: PendingCommit): boolean {
    return this.options.effects?.observe !== undefined && c.inputs.length > 0;
  }

  private async runCommits(): Promise<void> {
    try {
      while (this.commits.length > 0) {
        if (this.commitLingerMs > 0) await sleep(this.commitLingerMs);
        const group = this.commits.slice(0, this.maxCommitGroup);
        for (const c of group) if (c.published !== undefined) await c.published;
        const effects = this.options.effects;
        if (effects?.observe) {
          for (const c of group) if (c.inputs.length > 0) await this.retry('notify', [c.m], () => effects.observe!(c.ref, c.inputs));
        }
        const withOutputs = group.filter((c) => c.outputs.length > 0);
        if (withOutputs.length > 0 && effects?.applyMany) {
          const items: EffectItem[] = withOutputs.map((c) => ({ ref: c.ref, inputs: c.inputs, outputs: c.outputs }));
          await this.retry('commit effects', group.map((c) => c.m), () => effects.applyMany!(items));
        } else if (withOutputs.length > 0 && effects?.apply) {
          for (const c of withOutputs) await this.retry('commit effects', [c.m], () => effects.apply!(c.ref, c.inputs, c.outputs));
        }
        this.commits.splice(0, group.length);
        for (const c of group) this.acked(c);
        this.wakeGroupWaiters();
      }
    } catch (e) {
      this.commitError = e instanceof FatalRunnerError ? e : new FatalRunnerError(`${this.options.service}: commit failed: ${describe(e)}`);
      // Wake the consume loop even if no message is arriving: it ends and reports the failure.
      this.stopIterator?.();
    } finally {
      this.committing = undefined;
      this.wakeGroupWaiters();
    }
  }

  private wakeGroupWaiters(): void {
    const waiters = this.groupWaiters.splice(0);
    for (const w of waiters) w();
  }

  private acked(c: PendingCommit): void {
    c.m.ack();
    this.lastSeq = c.m.seq;
    this.handled++;
  }

  /** Waits until every pending commit is done and acked; rethrows a commit failure. */
  private async drainCommits(): Promise<void> {
    while (this.committing !== undefined) await this.committing;
    if (this.commitError !== undefined) throw this.commitError;
  }

  /** The deterministic part (decode, de-duplicate, decide), shared with rebuild and audit replays. */
  private handleMessage(subject: string, data: Uint8Array, seq: number, headers?: MsgHdrs): Outcome {
    return this.fold.handle(subject, data, seq, headers, this.state === 'running' ? this.metricHooks : undefined);
  }

  /**
   * ServiceStarted: this configuration decides from the first unhandled inbox message on. Its id
   * derives from the service, that sequence and the configuration, so a start repeated before
   * any message was handled publishes it once, and a changed configuration publishes anew.
   */
  private async publishStarted(config: Readonly<Record<string, string | number | boolean>>): Promise<void> {
    const service = this.options.service;
    const fromSeq = this.lastSeq + 1;
    const dedupWindow = this.options.dedupWindow ?? DEFAULT_DEDUP_WINDOW;
    const id = nameId(`service-started|${service}|${fromSeq}|${dedupWindow}|${JSON.stringify(config)}`);
    const started: Envelope = {
      id,
      type: 'ServiceStarted',
      version: CATALOG.ServiceStarted.version,
      // When it started, by the wall clock: no decider reads it, audits do.
      ts: Date.now(),
      correlationId: id,
      causationId: id,
      account: this.options.account ?? 'paper',
      source: service,
      data: { service, inbox: this.inbox.stream, fromSeq, dedupWindow, config },
    };
    // Recorded already, maybe longer ago than the de-duplication window: a start again before
    // anything was handled, or an inbox made anew, which starts at #1 again as the first did.
    // One message per start on this subject: a short read.
    const jsm = this.jsm ?? (await jetstreamManager(this.options.nc));
    const recorded = await storedIdsSince(this.js, jsm, this.options.topo.streams.SYS.name, undefined, { filter: subjectFor(this.options.topo, started) });
    if (recorded.has(id)) return;
    await this.publishAll([started], []);
  }

  /** Publishes the TimerFired the decider asked for once the inbox's event time has passed it. */
  private async fireDueTimer(wallNow?: number): Promise<void> {
    const d = this.options.decider;
    if (!d.wakeAt) return;
    const at = d.wakeAt(this.host.state);
    const now = this.options.timerClock === 'wall' ? (wallNow ?? Date.now()) : this.fold.clock;
    if (at === undefined || at > now || at === this.timerSent) return;
    const name = this.options.service;
    const id = `timer:${name}:${at}`;
    if (this.stored?.has(id)) {
      // Published by an earlier process and sourced into the inbox: the decider gets it from there.
      this.timerSent = at;
      this.republishSkipped++;
      return;
    }
    const timer: Envelope = {
      id,
      type: 'TimerFired',
      version: 1,
      ts: at,
      correlationId: id,
      causationId: id,
      account: this.options.account ?? 'paper',
      source: name,
      data: { at },
    };
    await this.publishAll([timer], []);
    this.timerSent = at;
  }

  private async publishAll(outputs: readonly Envelope[], held: readonly JsMsg[]): Promise<void> {
    await this.retry('publish outputs', held, async () => {
      await Promise.all(outputs.map((o) => this.publisher.publish(o)));
    });
    const metrics = this.options.metrics;
    if (metrics) for (const o of outputs) metrics.observeOutput(o);
  }

  private async deadLetter(m: JsMsg, dead: Dead): Promise<void> {
    const letter = deadLetter({
      reason: dead.reason,
      detail: dead.detail,
      ...(dead.errors ? { errors: dead.errors } : {}),
      stream: this.inbox.stream,
      subject: m.subject,
      durable: this.inbox.durable,
      streamSeq: m.seq,
      deliveryCount: m.info.deliveryCount,
      data: m.data,
    });
    await this.retry('dead-letter', [m], () => this.dlq.send(letter));
    this.deadLettered++;
    this.options.metrics?.deadLetters.inc({ service: this.options.service, reason: dead.reason });
    this.log.warn({ service: this.options.service, reason: dead.reason, seq: m.seq, subject: m.subject, detail: dead.detail.slice(0, 500) }, 'dead-lettered');
  }

  /** Retries `fn` with backoff, keeping `held` (the messages it works for) from being redelivered meanwhile. */
  private async retry<T>(what: string, held: readonly JsMsg[], fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= this.maxAttempts) {
          throw new FatalRunnerError(`${this.options.service}: could not ${what} after ${attempt} attempts: ${describe(e)}`);
        }
        const delay = this.retryMs[Math.min(attempt - 1, this.retryMs.length - 1)];
        this.log.warn({ service: this.options.service, attempt, delayMs: delay, err: describe(e) }, `could not ${what}; retrying`);
        for (const m of held) m.working();
        await sleep(delay);
      }
    }
  }
}

class InboxGap extends Error {
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super(`inbox gap: expected seq ${expected}, got ${got}`);
  }
}

/** Effects or publishes failed for good: the process should exit and be restarted. */
export class FatalRunnerError extends Error {
  override readonly name = 'FatalRunnerError';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
