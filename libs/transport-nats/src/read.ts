import type { JetStreamClient, JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';

/** One stored message, as an audit reads it back. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers?: MsgHdrs;
  /** When the server stored it (ns since the epoch). */
  readonly nanos: bigint;
}

export interface ReadStoredOptions {
  /** Only subjects matching this pattern (namespace included). */
  readonly filter?: string;
  /** Stop after this stream sequence (default: the stream's last at the start of the read). */
  readonly toSeq?: number;
  /** Give up when nothing arrives for this long. Default 10 s; 0 waits as long as it takes. */
  readonly idleMs?: number;
}

export class StreamReadError extends Error {
  override readonly name = 'StreamReadError';
}

/**
 * Every message of a stream (or of one subject pattern in it) up to `toSeq`, in stream order,
 * through an ordered consumer: reading changes nothing on the server and leaves no consumer
 * behind. A stream that does not exist is a StreamReadError naming it.
 */
export async function readStoredMessages(js: JetStreamClient, jsm: JetStreamManager, stream: string, options: ReadStoredOptions = {}): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for await (const m of streamStoredMessages(js, jsm, stream, options)) out.push(m);
  return out;
}

/**
 * readStoredMessages one message at a time, for streams too large to hold: the consumer pulls
 * as the caller goes on (at most 1 000 messages buffered), and stopping early (`break`, or the
 * generator's `return`) closes it. `idleMs` counts only the time spent waiting for the server,
 * so a caller may take as long as it needs between messages (a merge of several streams).
 */
export async function* streamStoredMessages(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  options: ReadStoredOptions = {},
): AsyncGenerator<StoredMessage, void, undefined> {
  const info = await jsm.streams.info(stream, options.filter ? { subjects_filter: options.filter } : undefined).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    throw new StreamReadError(/not found/i.test(msg) ? `no stream ${stream}` : `stream ${stream}: ${msg}`);
  });
  const toSeq = Math.min(options.toSeq ?? info.state.last_seq, info.state.last_seq);
  // How many match: all of the stream's, or the sum over the subjects the filter matches.
  const matching = options.filter ? Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0) : info.state.messages;
  if (matching === 0 || toSeq < info.state.first_seq) return;
  const consumer = await js.consumers.get(stream, {
    opt_start_seq: info.state.first_seq,
    ...(options.filter ? { filter_subjects: options.filter } : {}),
  });
  const it = await consumer.consume({ max_messages: 1_000 });
  const idleMs = options.idleMs ?? 10_000;
  let read = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const arm = (): void => {
    if (idleMs === 0) return;
    idle = setTimeout(() => {
      timedOut = true;
      void it.close();
    }, idleMs);
  };
  const disarm = (): void => {
    if (idle) clearTimeout(idle);
    idle = undefined;
  };
  arm();
  try {
    for await (const m of it) {
      disarm();
      if (m.seq > toSeq) break;
      read++;
      yield { seq: m.seq, subject: m.subject, data: m.data, ...(m.headers ? { headers: m.headers } : {}), nanos: m.timestampNanos };
      // The last matching message at or before toSeq: nothing more to wait for.
      if (m.seq >= toSeq || m.info.pending === 0) break;
      arm();
    }
  } finally {
    disarm();
    await it.close();
    // An ordered consumer is ephemeral, but the server would keep it for its 5-minute
    // inactivity threshold: remove it now (already gone is fine).
    await consumer.delete().catch(() => undefined);
  }
  if (timedOut) throw new StreamReadError(`${stream}: read ${read} messages, then nothing for ${idleMs} ms (the stream ends at #${toSeq})`);
}

export interface StoredIdsOptions {
  /** Only messages on subjects matching this pattern (namespace included). */
  readonly filter?: string;
  /** Give up when nothing arrives for this long. Default 10 s. */
  readonly idleMs?: number;
}

/**
 * The Nats-Msg-Ids of the messages a stream stored at or after `sinceIso` (an RFC 3339 time on
 * the server's clock, as a stored message's `timestamp`; undefined: from its first message), up
 * to its last message at the start of the read: headers only, through an ordered consumer that is
 * removed afterwards. What a starting service checks the outputs it is about to make again
 * against, once JetStream's de-duplication window may have passed.
 */
export async function storedIdsSince(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  sinceIso: string | undefined,
  options: StoredIdsOptions = {},
): Promise<Set<string>> {
  const ids = new Set<string>();
  const { filter, idleMs = 10_000 } = options;
  const info = await jsm.streams.info(stream).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    throw new StreamReadError(/not found/i.test(msg) ? `no stream ${stream}` : `stream ${stream}: ${msg}`);
  });
  if (info.state.messages === 0) return ids;
  // The last message to read: with a filter, the last on its subjects.
  const last = filter === undefined ? await jsm.streams.getMessage(stream, { seq: info.state.last_seq }).catch(() => null) : await jsm.streams.getMessage(stream, { last_by_subj: filter });
  if (filter !== undefined && last === null) return ids;
  const toSeq = last?.seq ?? info.state.last_seq;
  // Nothing stored since then: a consumer from that time would deliver nothing, and the read
  // would only end at the idle timeout.
  if (sinceIso !== undefined && last !== null && last.time.getTime() < Date.parse(sinceIso)) return ids;
  const consumer = await js.consumers.get(stream, {
    headers_only: true,
    ...(sinceIso === undefined ? {} : { opt_start_time: sinceIso }),
    ...(filter === undefined ? {} : { filter_subjects: filter }),
  });
  const it = await consumer.consume({ max_messages: 1_000 });
  let idle: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const arm = (): void => {
    idle = setTimeout(() => {
      timedOut = true;
      void it.close();
    }, idleMs);
  };
  arm();
  try {
    for await (const m of it) {
      clearTimeout(idle);
      if (m.seq > toSeq) break;
      const id = m.headers?.get('Nats-Msg-Id');
      // A copy of its own: the header's substring would keep the whole header text alive.
      if (id) ids.add(Buffer.from(id).toString());
      if (m.seq >= toSeq || m.info.pending === 0) break;
      arm();
    }
  } finally {
    clearTimeout(idle);
    await it.close();
    await consumer.delete().catch(() => undefined);
  }
  // Within the millisecond of the last message: the consumer may start past the end.
  if (timedOut && ids.size > 0) throw new StreamReadError(`${stream}: read ${ids.size} ids since ${sinceIso ?? 'its first message'}, then nothing for ${idleMs} ms (the stream ends at #${toSeq})`);
  return ids;
}

/** Where a message a stream copied from another (a source) was stored first. */
export interface SourcedFrom {
  /** The source stream's name. */
  readonly stream: string;
  /** Its sequence there. */
  readonly seq: number;
}

/** The header the server puts on every message a stream copies from a source. */
export const STREAM_SOURCE_HEADER = 'Nats-Stream-Source';

/**
 * The source stream and sequence of a sourced message, from its Nats-Stream-Source header:
 * `<stream> <seq>` on nats-server 2.9, with the source's filter and transform after them on
 * 2.10 and later, and `<stream>:<hash>` for a source in another domain. Undefined when the
 * header is absent or not of that form.
 */
export function sourcedFrom(headers: MsgHdrs | undefined): SourcedFrom | undefined {
  const value = headers?.get(STREAM_SOURCE_HEADER);
  if (!value) return undefined;
  const [name, seq] = value.split(' ');
  const n = Number(seq);
  if (!name || !Number.isSafeInteger(n) || n < 1) return undefined;
  const colon = name.indexOf(':');
  return { stream: colon < 0 ? name : name.slice(0, colon), seq: n };
}

/**
 * The first message at or after `seq` on a subject (wildcards allowed), or null. The server's
 * message-get API takes `next_by_subj` (nats-server 2.9 on), though nats.js types it for direct
 * gets only, which need allow_direct on the stream.
 */
export function nextStoredMessage(jsm: JetStreamManager, stream: string, subject: string, seq: number): Promise<StoredMsg | null> {
  return jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as MsgRequest);
}
