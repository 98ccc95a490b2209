import { token, type MessageType, type ServiceStartedData } from '@tradeloop/contracts';
import type { Decider, Envelope } from '@tradeloop/kernel';
import { qualify, readStoredMessages, streamStoredMessages, type Area, type StoredMessage, type Topology } from '@tradeloop/transport-nats';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { handledFloor, inboxFor } from './inbox';
import { InboxFold } from './inbox-fold';

type Scalar = string | number | boolean;

export interface ServiceReplayOptions {
  readonly nc: NatsConnection;
  readonly topo: Topology;
  readonly service: string;
  /** Builds the service's decider from the configuration a ServiceStarted recorded. */
  readonly deciderFor: (config: Readonly<Record<string, Scalar>>) => Decider<any, any, any>;
  /** Give up reading a stream when nothing arrives for this long. Default 10 s. */
  readonly idleMs?: number;
}

/** The inbox range one recorded configuration decided. */
export interface ReplaySegment {
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The ServiceStarted that recorded it. */
  readonly startedId: string;
}

/** An output that is not what the service recorded: different bytes, never recorded, or recorded and not produced. */
export interface OutputDifference {
  readonly inboxSeq: number;
  readonly id: string;
  readonly type: string;
  readonly recorded?: string;
  readonly replayed?: string;
}

export interface ServiceReplayReport {
  readonly service: string;
  readonly inbox: string;
  /** The last inbox sequence the service had handled (its consumer's ack floor). */
  readonly handledTo: number;
  /** Inbox messages handled before the first ServiceStarted: folded into the state, not compared. */
  readonly unrecordedBefore: number;
  readonly segments: readonly ReplaySegment[];
  /** Inbox messages whose outputs were compared. */
  readonly messages: number;
  /** Outputs the replay produced and compared with the recorded ones. */
  readonly outputs: number;
  readonly differing: number;
  readonly identical: boolean;
  readonly first?: OutputDifference;
}

export class ServiceReplayError extends Error {
  override readonly name = 'ServiceReplayError';
}

/** The areas a decider's outputs are published to. */
const OUTPUT_AREAS: readonly Area[] = ['SIG', 'DEC', 'EXE', 'LRN', 'SYS'];
/** Published by the runner itself, not decided: not part of the comparison. */
const RUNNER_TYPES: ReadonlySet<string> = new Set(['TimerFired', 'ServiceStarted']);

const UTF8 = new TextDecoder();

function parse(m: StoredMessage, stream: string): Envelope {
  try {
    return JSON.parse(UTF8.decode(m.data)) as Envelope;
  } catch {
    throw new ServiceReplayError(`${stream} #${m.seq}: not JSON`);
  }
}

/**
 * Audits one service of a deployment (DESIGN §7.6): re-runs its decider over its recorded inbox
 * — through InboxFold, the code the runner itself decides with — under the configuration each
 * of its ServiceStarted recorded, and compares every output, byte for byte, with the one the
 * service published (outputs have deterministic ids). Only messages the service had handled
 * (up to its consumer's ack floor) are compared. Reads only: the streams are left as they were.
 */
export async function replayServiceInbox(o: ServiceReplayOptions): Promise<ServiceReplayReport> {
  const js = jetstream(o.nc);
  const jsm = await jetstreamManager(o.nc);
  const idleMs = o.idleMs ?? 10_000;
  const sys = o.topo.streams.SYS.name;
  const started = (await readStoredMessages(js, jsm, sys, { filter: qualify(o.topo.ns, `sys.service.started.${token(o.service)}`), idleMs }))
    .map((m) => parse(m, sys))
    .filter((e) => e.type === 'ServiceStarted' && (e.data as ServiceStartedData).service === o.service);
  if (started.length === 0) {
    throw new ServiceReplayError(`no ServiceStarted of ${o.service} in ${sys}: it never ran, or ran a version that did not record its configuration`);
  }
  const first = started[0].data as ServiceStartedData;
  const probe = o.deciderFor(first.config);
  const spec = inboxFor(o.topo, o.service, probe.consumes as readonly MessageType[], { clock: probe.wakeAt !== undefined });
  if (spec.stream !== first.inbox) throw new ServiceReplayError(`${o.service}'s inbox is ${spec.stream} here, ${first.inbox} in its ServiceStarted: another namespace?`);

  const consumer = await jsm.consumers.info(spec.stream, spec.durable).catch((e: unknown) => {
    throw new ServiceReplayError(`${spec.stream}: no consumer ${spec.durable} (${e instanceof Error ? e.message : String(e)})`);
  });
  const handledTo = handledFloor(consumer);

  // Configurations by the inbox sequence they start at; a later record for the same start wins
  // (a restart with a new configuration before anything was handled).
  const byFrom = new Map<number, Envelope>();
  for (const e of started) byFrom.set((e.data as ServiceStartedData).fromSeq, e);
  const starts = [...byFrom.keys()].filter((s) => s <= handledTo).sort((a, b) => a - b);
  const segments: ReplaySegment[] = starts.map((fromSeq, i) => ({
    fromSeq,
    toSeq: i + 1 < starts.length ? starts[i + 1] - 1 : handledTo,
    startedId: byFrom.get(fromSeq)!.id,
  }));

  // What the service published, by id, and by the input that caused it: its outputs only
  // (the other services' are read past), far fewer than its inbox.
  const recorded = new Map<string, string>();
  const causedBy = new Map<string, string[]>();
  for (const area of OUTPUT_AREAS) {
    const stream = o.topo.streams[area].name;
    for await (const m of streamStoredMessages(js, jsm, stream, { idleMs })) {
      const text = UTF8.decode(m.data);
      const e = parse(m, stream);
      if (e.source !== o.service || RUNNER_TYPES.has(e.type)) continue;
      recorded.set(e.id, text);
      let list = causedBy.get(e.causationId);
      if (!list) causedBy.set(e.causationId, (list = []));
      list.push(e.id);
    }
  }

  let messages = 0;
  let outputs = 0;
  let differing = 0;
  let firstDiff: OutputDifference | undefined;
  const differ = (d: OutputDifference): void => {
    differing++;
    firstDiff ??= d;
  };
  // One pass over the inbox, streamed (a deployment's inbox holds every market-data batch it
  // was sent): each segment's decider, built from its recorded configuration, folds the inbox
  // from its beginning — as the restart that began the segment did — and is compared over its
  // own range. The ranges follow each other, so the first difference is the earliest.
  const folds = segments.map((seg) => {
    const cfg = byFrom.get(seg.fromSeq)!.data as ServiceStartedData;
    return { seg, fold: new InboxFold(o.deciderFor(cfg.config), spec, cfg.dedupWindow) };
  });
  let atStart = true;
  for await (const m of handledTo > 0 ? streamStoredMessages(js, jsm, spec.stream, { toSeq: handledTo, idleMs }) : []) {
    if (atStart && m.seq !== 1) throw new ServiceReplayError(`${spec.stream} starts at #${m.seq}: earlier messages were removed, so the state cannot be rebuilt`);
    atStart = false;
    for (const { seg, fold } of folds) {
      if (m.seq > seg.toSeq) continue;
      const outcome = fold.handle(m.subject, m.data, m.seq, m.headers);
      if (m.seq < seg.fromSeq) continue;
      messages++;
      const produced = new Set<string>();
      for (const out of outcome.outputs) {
        outputs++;
        produced.add(out.id);
        const text = JSON.stringify(out);
        const rec = recorded.get(out.id);
        if (rec !== text) differ({ inboxSeq: m.seq, id: out.id, type: out.type, replayed: text, ...(rec !== undefined ? { recorded: rec } : {}) });
      }
      for (const input of outcome.inputs) {
        for (const id of causedBy.get(input.id) ?? []) {
          if (!produced.has(id)) {
            const rec = recorded.get(id)!;
            differ({ inboxSeq: m.seq, id, type: (JSON.parse(rec) as Envelope).type, recorded: rec });
          }
        }
      }
    }
  }
  return {
    service: o.service,
    inbox: spec.stream,
    handledTo,
    unrecordedBefore: segments.length > 0 ? segments[0].fromSeq - 1 : handledTo,
    segments,
    messages,
    outputs,
    differing,
    identical: differing === 0,
    ...(firstDiff ? { first: firstDiff } : {}),
  };
}
