import { nextStoredMessage, sourcedFrom, storedIdsSince, type Topology } from '@tradeloop/transport-nats';
import type { JetStreamClient, JetStreamManager, StreamSource } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { InboxSpec } from './inbox';

/**
 * Read this much earlier than the first input's storage time: in a cluster, the area streams'
 * leaders stamp messages with their own clocks, which may differ a little.
 */
export const CLOCK_SKEW_MARGIN_MS = 60_000;

/**
 * The ids already stored in the area streams that a starting service must not publish again, and
 * how long it needs them: until its inbox has handed out every input stored before the start.
 */
export class StoredOutputs {
  /** Per source stream, the sequence of its last input stored before the start: not yet handed out. */
  private readonly pending: Map<string, number>;

  constructor(
    private readonly ids: ReadonlySet<string>,
    lastOldInput: ReadonlyMap<string, number>,
    /** Where the read began (RFC 3339), or undefined: at the area streams' first messages. */
    readonly since: string | undefined,
  ) {
    this.pending = new Map(lastOldInput);
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Notes an inbox message handed out (its Nats-Stream-Source header says where it came from). */
  see(headers: MsgHdrs | undefined): void {
    const from = sourcedFrom(headers);
    if (from === undefined) return;
    const last = this.pending.get(from.stream);
    if (last !== undefined && from.seq >= last) this.pending.delete(from.stream);
  }

  /** Every input stored before the start has been handed out: the ids are needed no longer. */
  get done(): boolean {
    return this.pending.size === 0;
  }
}

/** An area stream's inputs stored before the start that the inbox has yet to hand out. */
interface OldInputs {
  readonly source: string;
  /** Sequence of the source's last input stored before the start. */
  readonly lastSeq: number;
  /** When the first of them was stored in the source (ms); undefined: not known, it is gone from there. */
  readonly since: number | undefined;
}

/**
 * What a service starting at inbox sequence `fromSeq` may make again that is already stored.
 *
 * Any input stored in an area stream before this start may have been handled by an earlier
 * process — of this inbox, or of an inbox of the same name deleted since (a service reset by its
 * operator, or NATS storage lost for the inbox only): a new inbox sources everything its area
 * streams still hold, and a new consumer hands out the inbox from its first message. Handled
 * again, such an input makes the same outputs with the same ids, and JetStream drops a repeated
 * Nats-Msg-Id only inside its de-duplication window. So for each source, the first such input not
 * yet handled is found — in the inbox from `fromSeq` on, or in the area stream when the inbox has
 * not copied it yet — and the time it was stored in its area stream bounds the outputs it can have
 * caused (an inbox's own storage times do not: a new inbox stores old inputs today). The ids the
 * area streams (all but MD, where no service publishes) stored since the earliest of those times
 * are read, headers only; when such an input is no longer in its area stream (market data after 7
 * days), its time is unknown and they are read from their first messages. Undefined when the
 * inbox has handed out every input stored before the start: the usual restart.
 *
 * Dead letters are keyed by inbox position, and an earlier inbox of the same name numbered other
 * messages alike: only those stored since this inbox was made count, so a new inbox's poison
 * message is never taken for one an earlier inbox dead-lettered at the same position.
 */
export async function recallStoredOutputs(
  js: JetStreamClient,
  jsm: JetStreamManager,
  topo: Topology,
  inbox: InboxSpec,
  fromSeq: number,
): Promise<StoredOutputs | undefined> {
  const old: OldInputs[] = [];
  for (const source of inbox.sources) {
    const o = await oldInputsOf(jsm, inbox, source, fromSeq);
    if (o !== undefined) old.push(o);
  }
  if (old.length === 0) return undefined;
  const earliest = old.some((o) => o.since === undefined) ? undefined : Math.min(...old.map((o) => o.since!)) - CLOCK_SKEW_MARGIN_MS;
  const created = Date.parse((await jsm.streams.info(inbox.stream)).created);
  const ids = new Set<string>();
  for (const spec of Object.values(topo.streams)) {
    if (spec.area === 'MD') continue;
    const from = spec.area === 'DLQ' ? Math.max(earliest ?? Number.NEGATIVE_INFINITY, created) : earliest;
    for (const id of await storedIdsSince(js, jsm, spec.name, from === undefined ? undefined : new Date(from).toISOString())) ids.add(id);
  }
  return new StoredOutputs(ids, new Map(old.map((o) => [o.source, o.lastSeq])), earliest === undefined ? undefined : new Date(earliest).toISOString());
}

async function oldInputsOf(jsm: JetStreamManager, inbox: InboxSpec, source: StreamSource, fromSeq: number): Promise<OldInputs | undefined> {
  const filter = source.filter_subject ?? '>';
  const last = await jsm.streams.getMessage(source.name, { last_by_subj: filter });
  if (last === null) return undefined;
  const inInbox = await nextStoredMessage(jsm, inbox.stream, filter, fromSeq);
  if (inInbox !== null) {
    const from = sourcedFrom(inInbox.header);
    // Not copied from this source as far as its header tells: assume the oldest.
    if (from === undefined || from.stream !== source.name) return { source: source.name, lastSeq: last.seq, since: undefined };
    if (from.seq > last.seq) return undefined;
    const first = await jsm.streams.getMessage(source.name, { seq: from.seq });
    return { source: source.name, lastSeq: last.seq, since: first?.time.getTime() };
  }
  // Every input of this source the inbox holds is handled: the next is one it has yet to copy.
  const copied = await jsm.streams.getMessage(inbox.stream, { last_by_subj: filter });
  const copiedSeq = copied === null ? 0 : (sourcedFrom(copied.header)?.seq ?? 0);
  const next = await nextStoredMessage(jsm, source.name, filter, copiedSeq + 1);
  if (next === null || next.seq > last.seq) return undefined;
  return { source: source.name, lastSeq: last.seq, since: next.time.getTime() };
}
