import { CATALOG, SUBJECT_PATTERNS, isMarketDataType, subjectFilter, token, type MessageType } from '@tradeloop/contracts';
import { qualify, TopologyError, type Area, type Topology } from '@tradeloop/transport-nats';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamSource,
} from '@nats-io/jetstream';

/**
 * A service's inbox: one stream that sources, from the area streams, exactly the subjects the
 * service consumes. JetStream orders messages within a stream only, so a service that read
 * several area streams through several consumers would see them in an order that differs from
 * run to run and from replay. Reading one inbox gives every service a single, durable,
 * totally ordered input log: handling it in stream order is deterministic, and replaying the
 * inbox up to the consumer's ack floor rebuilds the decider's state exactly (DESIGN §7.6).
 */
export interface InboxSpec {
  readonly service: string;
  /** Inbox stream name: `IN_<SERVICE>` (namespaced like the area streams). */
  readonly stream: string;
  /** The service's durable pull consumer on its inbox. */
  readonly durable: string;
  readonly sources: readonly StreamSource[];
  /** The types the service's decider consumes; anything else in the inbox is acked and skipped. */
  readonly consumes: ReadonlySet<string>;
  /**
   * The (namespaced) subject patterns of those types, its timer subject and, when sourced, the
   * market-data batches. A source filter covers a whole area when the service reads several of
   * its types (one filter per source on nats-server 2.9), so the inbox also holds subjects
   * nothing here consumes: `accepts` tells them apart by subject, before any decoding.
   */
  readonly patterns: readonly string[];
  /** Whether a subject in the inbox can carry an input of the service (see `patterns`). */
  readonly accepts: (subject: string) => boolean;
  /** The subject its TimerFired messages go to (sourced back into the inbox). */
  readonly timerSubject: string;
  /** Stream replicas, as the area streams it sources (the topology's). */
  readonly replicas: number;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * One source per area the service reads, each with one filter subject (nats-server 2.9 allows
 * one per source): the type's own pattern when a single type is read from that area, the
 * whole area otherwise. Market data arrives in batches (`md.batch.>`). With `clock`, market data
 * is sourced even if not consumed, so the service's event time advances with the feed.
 */
export function inboxFor(topo: Topology, service: string, consumes: readonly MessageType[], options: { clock?: boolean } = {}): InboxSpec {
  if (!SERVICE_NAME.test(service)) throw new TopologyError(`service name ${JSON.stringify(service)} must match ${SERVICE_NAME}`);
  const byArea = new Map<Area, Set<string>>();
  const patterns = new Set<string>();
  // A service with timers needs event time to pass even when none of its inputs arrive: market
  // data is the clock of a replay (as the in-process bus's clock is every message's time).
  if (options.clock) {
    byArea.set('MD', new Set(['md.batch.>']));
    patterns.add('md.batch.>');
  }
  for (const type of consumes) {
    if (!(type in CATALOG)) throw new TopologyError(`${service} consumes unknown message type ${type}`);
    const area = CATALOG[type].stream;
    let set = byArea.get(area);
    if (!set) byArea.set(area, (set = new Set()));
    const pattern = isMarketDataType(type) ? 'md.batch.>' : type === 'TimerFired' ? `sys.timer.${token(service)}` : SUBJECT_PATTERNS[type];
    set.add(pattern);
    patterns.add(pattern);
  }
  const qualified = [...patterns].map((p) => qualify(topo.ns, p));
  const sources: StreamSource[] = [];
  for (const area of [...byArea.keys()].sort()) {
    const patterns = [...byArea.get(area)!];
    const filter = patterns.length === 1 ? patterns[0] : `${commonPrefix(patterns)}.>`;
    sources.push({ name: topo.streams[area].name, filter_subject: qualify(topo.ns, filter) });
  }
  const upper = service.toUpperCase().replace(/-/g, '_');
  return {
    service,
    stream: topo.ns === '' ? `IN_${upper}` : `${topo.ns}_IN_${upper}`,
    durable: service.replace(/[^A-Za-z0-9_-]/g, '_'),
    sources,
    consumes: new Set(consumes),
    patterns: qualified,
    accepts: subjectFilter(qualified),
    timerSubject: qualify(topo.ns, `sys.timer.${token(service)}`),
    replicas: topo.replicas,
  };
}

/** The literal tokens all patterns share (`cmd.governor.approve`, `cmd.governor.halt` → `cmd.governor`). */
function commonPrefix(patterns: readonly string[]): string {
  const split = patterns.map((p) => p.split('.'));
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const t = split[0][i];
    if (t === undefined || t === '*' || t === '>' || split.some((s) => s[i] !== t || s.length === i + 1)) break;
    out.push(t);
  }
  return out.join('.');
}

/**
 * Creates the inbox stream or brings its sources up to date. The inbox keeps its messages
 * (limits retention, no age limit): it is the log the service's state is rebuilt from.
 */
export async function ensureInbox(jsm: JetStreamManager, spec: InboxSpec): Promise<'created' | 'updated' | 'unchanged'> {
  const want = inboxStreamConfig(spec);
  let have: StreamConfig | undefined;
  try {
    have = (await jsm.streams.info(spec.stream)).config;
  } catch (e) {
    if (!(e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound)) throw e;
  }
  if (have === undefined) {
    await jsm.streams.add(want);
    return 'created';
  }
  const key = (s: StreamSource): string => `${s.name}|${s.filter_subject ?? ''}`;
  const haveKeys = (have.sources ?? []).map(key).sort().join(',');
  const wantKeys = spec.sources.map(key).sort().join(',');
  if (haveKeys === wantKeys && have.num_replicas === want.num_replicas) return 'unchanged';
  // A clustered server moves the stream to the new replica count in place.
  await jsm.streams.update(spec.stream, { ...have, sources: want.sources, num_replicas: want.num_replicas });
  return 'updated';
}

/** The inbox stream's configuration: file storage, kept until limits apply, replicated as the topology says. */
export function inboxStreamConfig(spec: InboxSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.stream,
    description: `Tradeloop ${spec.service} inbox: its inputs, sourced from the area streams, in one order`,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: spec.replicas,
    sources: spec.sources.map((s) => ({ ...s })),
  };
}

/**
 * The last inbox sequence the service handled: its durable consumer's ack floor. A consumer
 * (re)created at a start sequence reports ack floor 0 until its first ack: its floor is then the
 * message before its start.
 */
export function handledFloor(info: ConsumerInfo): number {
  return info.ack_floor.consumer_seq > 0 ? info.ack_floor.stream_seq : Math.max(0, (info.config.opt_start_seq ?? 1) - 1);
}
