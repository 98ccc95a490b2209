import { CATALOG, isMessageType, type StreamName } from '@tradeloop/contracts';
import type { Envelope } from '@tradeloop/kernel';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';

/** One JetStream stream per area of the catalogue, plus the dead-letter queue. */
export type Area = StreamName | 'DLQ';
export const AREAS: readonly Area[] = ['MD', 'SIG', 'DEC', 'EXE', 'LRN', 'CMD', 'SYS', 'DLQ'];

const DESCRIPTIONS: Readonly<Record<Area, string>> = {
  MD: 'Tradeloop market data (bars, ticks, books, batches, data-quality events)',
  SIG: 'Tradeloop signals and plans',
  DEC: 'Tradeloop decisions, risk verdicts, approvals, trading state',
  EXE: 'Tradeloop order lifecycle, fills, positions, account',
  LRN: 'Tradeloop experiences and learned parameters',
  CMD: 'Tradeloop commands from people and the gateway',
  SYS: 'Tradeloop timers and run markers',
  DLQ: 'Tradeloop dead letters: messages a consumer could not decode or handle, with the reason',
};

const MS = 1_000_000;
const DAY_MS = 86_400_000;

/**
 * Market data is re-creatable (files, venues) and dominates volume; decisions, orders, commands
 * and experiences are the audit trail that replay reads (DESIGN §6), so they are kept until an
 * operator sets a limit. So is SYS: its ServiceStarted records are the configurations
 * `tradeloop replay --service` audits each inbox segment under (inboxes keep every input without
 * age limit), and it is small — those, timers and run markers.
 */
const DEFAULT_MAX_AGE_MS: Readonly<Record<Area, number>> = {
  MD: 7 * DAY_MS,
  SIG: 0,
  DEC: 0,
  EXE: 0,
  LRN: 0,
  CMD: 0,
  SYS: 0,
  DLQ: 30 * DAY_MS,
};

export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** Namespaces, stream and durable names become subject tokens and stream names. */
const NAME = /^[A-Za-z0-9_-]+$/;

export interface TopologyOptions {
  /**
   * Isolates a deployment (or a test) on a shared server: streams `${ns}_MD`…, subjects
   * `${ns}.md.>`…. Empty (the default) gives the plain names of DESIGN §3.
   */
  readonly ns?: string;
  /** Nats-Msg-Id de-duplication window; a re-publish inside it is stored once. */
  readonly duplicateWindowMs?: number;
  /** Per-area retention by age; 0 keeps messages until another limit applies. */
  readonly maxAgeMs?: Partial<Record<Area, number>>;
  /** Per-area size bound in bytes (oldest discarded first); -1 (default) is unbounded. */
  readonly maxBytes?: Partial<Record<Area, number>>;
  /** Stream replicas; 1 on a single server, 3 on the production cluster. */
  readonly replicas?: number;
}

export interface StreamSpec {
  readonly area: Area;
  readonly name: string;
  readonly subjects: readonly string[];
  readonly config: StreamConfigSubset;
}

/** The stream settings Tradeloop manages; everything else is left at the server's default. */
export type StreamConfigSubset = Pick<
  StreamConfig,
  | 'name'
  | 'description'
  | 'subjects'
  | 'storage'
  | 'retention'
  | 'discard'
  | 'max_age'
  | 'max_bytes'
  | 'duplicate_window'
  | 'num_replicas'
>;

export interface Topology {
  readonly ns: string;
  readonly streams: Readonly<Record<Area, StreamSpec>>;
  /** Replicas of every stream, the area streams and the services' inboxes alike. */
  readonly replicas: number;
}

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

/** Builds the one stream topology every service and test derives its names from. */
export function topology(options: TopologyOptions = {}): Topology {
  const ns = options.ns ?? '';
  if (ns !== '' && !NAME.test(ns)) {
    throw new TopologyError(`namespace ${JSON.stringify(ns)} must match ${NAME} (it becomes a subject token and a stream-name prefix)`);
  }
  const dup = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  if (!Number.isSafeInteger(dup) || dup <= 0) throw new TopologyError(`duplicateWindowMs must be a positive integer, got ${dup}`);
  const replicas = options.replicas ?? 1;
  if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new TopologyError(`replicas must be an integer in 1..5, got ${replicas}`);
  }
  const streams = {} as Record<Area, StreamSpec>;
  for (const area of AREAS) {
    const maxAge = options.maxAgeMs?.[area] ?? DEFAULT_MAX_AGE_MS[area];
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TopologyError(`maxAgeMs.${area} must be a non-negative integer, got ${maxAge}`);
    // The server silently shrinks the window to max_age; the stored config would then never
    // match ours and every start would "update" the stream.
    if (maxAge > 0 && dup > maxAge) {
      throw new TopologyError(`duplicateWindowMs (${dup}) exceeds maxAgeMs.${area} (${maxAge}); the window cannot outlive the messages`);
    }
    const maxBytes = options.maxBytes?.[area] ?? -1;
    if (!Number.isSafeInteger(maxBytes) || (maxBytes < 1 && maxBytes !== -1)) {
      throw new TopologyError(`maxBytes.${area} must be a positive integer or -1, got ${maxBytes}`);
    }
    const name = streamName(ns, area);
    const subjects = [qualify(ns, `${area.toLowerCase()}.>`)];
    streams[area] = {
      area,
      name,
      subjects,
      config: {
        name,
        description: DESCRIPTIONS[area],
        subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: maxAge * MS,
        max_bytes: maxBytes,
        duplicate_window: dup * MS,
        num_replicas: replicas,
      },
    };
  }
  return { ns, streams, replicas };
}

function streamName(ns: string, area: Area): string {
  return ns === '' ? area : `${ns}_${area}`;
}

/** Puts a catalogue subject (`exe.filled.paper.BTCUSDT`) into the namespace. */
export function qualify(ns: string, subject: string): string {
  return ns === '' ? subject : `${ns}.${subject}`;
}

/** The namespaced subject an envelope is published on, from the catalogue. */
export function subjectFor(topo: Topology, m: Envelope): string {
  if (!isMessageType(m.type)) throw new TopologyError(`unknown message type ${JSON.stringify(m.type)}: not in the catalogue`);
  const def = CATALOG[m.type] as { subject: (x: Envelope) => string };
  return qualify(topo.ns, def.subject(m));
}

/** The stream that stores an envelope of this type. */
export function streamOf(topo: Topology, type: string): string {
  if (!isMessageType(type)) throw new TopologyError(`unknown message type ${JSON.stringify(type)}: not in the catalogue`);
  return topo.streams[CATALOG[type].stream].name;
}

export interface EnsureReport {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
}

/**
 * Creates every stream of the topology, or brings an existing one to the configured settings.
 * Idempotent: a second call with the same topology sends no create or update. Settings the
 * server cannot change in place (storage, retention) are refused with an error naming them,
 * never papered over by deleting the stream.
 */
export async function ensureTopology(jsm: JetStreamManager, topo: Topology): Promise<EnsureReport> {
  const report: EnsureReport = { created: [], updated: [], unchanged: [] };
  for (const area of AREAS) {
    const want = topo.streams[area].config;
    const have = await streamConfig(jsm, want.name);
    if (have === undefined) {
      await jsm.streams.add({ ...want, subjects: [...want.subjects] });
      report.created.push(want.name);
      continue;
    }
    for (const field of ['storage', 'retention'] as const) {
      if (have[field] !== want[field]) {
        throw new TopologyError(`stream ${want.name} has ${field} ${have[field]}, configured ${want[field]}: the server cannot change it in place; migrate the stream`);
      }
    }
    if (streamDiffers(have, want)) {
      await jsm.streams.update(want.name, {
        description: want.description,
        subjects: [...want.subjects],
        discard: want.discard,
        max_age: want.max_age,
        max_bytes: want.max_bytes,
        duplicate_window: want.duplicate_window,
        num_replicas: want.num_replicas,
      });
      report.updated.push(want.name);
    } else {
      report.unchanged.push(want.name);
    }
  }
  return report;
}

async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw e;
  }
}

function streamDiffers(have: StreamConfig, want: StreamConfigSubset): boolean {
  return (
    (have.description ?? '') !== (want.description ?? '') ||
    !sameSet(have.subjects ?? [], want.subjects) ||
    have.discard !== want.discard ||
    have.max_age !== want.max_age ||
    have.max_bytes !== want.max_bytes ||
    have.duplicate_window !== want.duplicate_window ||
    have.num_replicas !== want.num_replicas
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export interface ConsumerSpec {
  /** The stream's full name (`topo.streams.EXE.name`). */
  readonly stream: string;
  readonly durable: string;
  /**
   * One subject filter (nats-server 2.9 allows one per consumer; a service that reads several
   * subjects in different streams gets one consumer per stream). Omitted: the whole stream.
   */
  readonly filterSubject?: string;
  /** How long the server waits for an ack before redelivering. Default 30 s. */
  readonly ackWaitMs?: number;
  /**
   * Server-side delivery bound. Default -1 (unbounded): the consumer loop owns the retry budget
   * and dead-letters after its own maxDeliver, and a finite server bound at or below that would
   * strand a message whose dead-lettering failed (the server stops delivering it, silently).
   */
  readonly maxDeliver?: number;
  /** Delivered-but-unacked messages the server allows in flight. Default 1000. */
  readonly maxAckPending?: number;
  /** Redelivery delays after ack timeouts (not naks); needs maxDeliver > backoff length. */
  readonly backoffMs?: readonly number[];
  /** Where a new durable starts. Default 'all' (the whole retained stream). */
  readonly deliverPolicy?: 'all' | 'new';
  /** Start at this stream sequence instead (deliver policy by_start_sequence). */
  readonly startSeq?: number;
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/** Creates a durable pull consumer with explicit acks, or updates it in place. Idempotent. */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<EnsureOutcome> {
  if (!NAME.test(spec.durable)) throw new TopologyError(`durable name ${JSON.stringify(spec.durable)} must match ${NAME}`);
  const want = consumerConfig(spec);
  const have = await consumerInfo(jsm, spec.stream, spec.durable);
  if (have === undefined) {
    await jsm.consumers.add(spec.stream, want);
    return 'created';
  }
  const c = have.config;
  for (const field of ['ack_policy', 'deliver_policy'] as const) {
    if (c[field] !== want[field]) {
      throw new TopologyError(`consumer ${spec.stream}/${spec.durable} has ${field} ${c[field]}, configured ${want[field]}: delete and recreate it deliberately`);
    }
  }
  const differs =
    (c.filter_subject ?? '') !== (want.filter_subject ?? '') ||
    c.ack_wait !== want.ack_wait ||
    c.max_deliver !== want.max_deliver ||
    c.max_ack_pending !== want.max_ack_pending ||
    !sameList(c.backoff ?? [], want.backoff ?? []);
  if (!differs) return 'unchanged';
  await jsm.consumers.update(spec.stream, spec.durable, {
    // Undefined (not '') removes a filter: the client puts the filter in the API subject.
    filter_subject: want.filter_subject,
    ack_wait: want.ack_wait,
    max_deliver: want.max_deliver,
    max_ack_pending: want.max_ack_pending,
    backoff: want.backoff,
  });
  return 'updated';
}

function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  const ackWait = spec.ackWaitMs ?? 30_000;
  const maxDeliver = spec.maxDeliver ?? -1;
  const backoff = spec.backoffMs?.map((ms) => ms * MS);
  if (!Number.isSafeInteger(ackWait) || ackWait < 1) throw new TopologyError(`ackWaitMs must be a positive integer, got ${ackWait}`);
  if (!Number.isSafeInteger(maxDeliver) || maxDeliver === 0 || maxDeliver < -1) {
    throw new TopologyError(`maxDeliver must be -1 (unbounded) or a positive integer, got ${maxDeliver}`);
  }
  if (backoff && maxDeliver !== -1 && maxDeliver <= backoff.length) {
    throw new TopologyError(`maxDeliver (${maxDeliver}) must exceed the number of backoff steps (${backoff.length})`);
  }
  const cfg: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.startSeq !== undefined ? DeliverPolicy.StartSequence : spec.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: ackWait * MS,
    max_deliver: maxDeliver,
    max_ack_pending: spec.maxAckPending ?? 1000,
  };
  if (spec.filterSubject !== undefined) cfg.filter_subject = spec.filterSubject;
  if (spec.startSeq !== undefined) {
    if (!Number.isSafeInteger(spec.startSeq) || spec.startSeq < 1) throw new TopologyError(`startSeq must be a positive integer, got ${spec.startSeq}`);
    cfg.opt_start_seq = spec.startSeq;
  }
  if (backoff && backoff.length > 0) cfg.backoff = backoff;
  return cfg;
}

async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
    throw e;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
