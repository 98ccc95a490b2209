import type { Message } from '@tradeloop/contracts';
import type { Envelope } from '@tradeloop/kernel';
import {
  batchHeaders,
  batchMsgId,
  batchSubject,
  DEFAULT_BATCH_BYTES,
  encodeBatches,
  PublishError,
  type JetStreamPublisher,
  type Topology,
} from '@tradeloop/transport-nats';

/**
 * Bytes a batch may take on the wire; larger ones are split (`encodeBatches`). The default,
 * DEFAULT_BATCH_BYTES (120 000), keeps each batch far under NATS' 1 MiB max_payload and under
 * the 128 KiB at which decoding it on the consumer side gets ~20× slower (see there).
 */
export const DEFAULT_MAX_BATCH_BYTES = DEFAULT_BATCH_BYTES;

const DEFAULT_WINDOW = 16;

export interface PublishedBatch {
  readonly subject: string;
  readonly msgID: string;
  readonly messages: readonly Envelope[];
  readonly bytes: number;
  /** The server already had this Nats-Msg-Id (a re-run inside the duplicate window). */
  readonly duplicate: boolean;
}

export interface PublishFeedOptions {
  readonly publisher: JetStreamPublisher;
  /** Defaults to the publisher's topology. */
  readonly topo?: Topology;
  /** Called for each batch once the server acknowledged it, in publish order. */
  readonly onBatch?: (batch: PublishedBatch) => void;
  /**
   * Batches awaiting their ack at once. Default 16 (or the publisher's window if smaller):
   * a batch is up to ~120 KB, and a few in flight already keep the connection busy.
   */
  readonly window?: number;
  readonly maxBatchBytes?: number;
  /** Stop taking batches (those already sent are still awaited). */
  readonly signal?: AbortSignal;
}

export interface FeedCounts {
  /** Batches acknowledged (duplicates included). */
  readonly batches: number;
  readonly messages: number;
  /** Batches the server de-duplicated (already stored from an earlier run). */
  readonly duplicates: number;
  readonly bytes: number;
  /** Event time of the earliest and the latest message published; undefined for an empty feed. */
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
}

const noop = (): void => undefined;

/**
 * Publishes a feed of market-data batches (each one (venue, symbol), e.g. from `replayFeed`)
 * on `md.batch.<venue>.<symbol>` with Nats-Msg-Id `<first id>:<last id>`, keeping at most
 * `window` batches unacknowledged: the feed is pulled only as fast as the server stores it.
 * Resolves once every batch is acknowledged. On a failed publish it stops pulling, waits for
 * what is in flight and rejects with the publisher's PublishError listing every failure;
 * re-running the same feed is safe (the server stores each batch once).
 */
export async function publishFeed(batches: AsyncIterable<readonly Envelope[]> | Iterable<readonly Envelope[]>, options: PublishFeedOptions): Promise<FeedCounts> {
  const { publisher, onBatch, signal } = options;
  const topo = options.topo ?? publisher.topology;
  const window = options.window ?? Math.min(publisher.window, DEFAULT_WINDOW);
  const maxBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  if (!Number.isSafeInteger(window) || window < 1) throw new RangeError(`publishFeed: window must be a positive integer, got ${window}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`publishFeed: maxBatchBytes must be a positive integer, got ${maxBytes}`);

  let batchCount = 0;
  let messageCount = 0;
  let duplicates = 0;
  let byteCount = 0;
  let firstTs = Infinity;
  let lastTs = -Infinity;
  const inflight: Promise<void>[] = [];
  // Set by the first failed publish, so no further batch goes out after it (a live feed may
  // wait minutes for its next batch; the window need not fill first).
  let failure: unknown;

  const send = (messages: readonly Envelope[], bytes: Uint8Array): Promise<void> => {
    const subject = batchSubject(topo, messages);
    const msgID = batchMsgId(messages);
    const p = publisher.publishRaw(subject, bytes, msgID, batchHeaders(messages)).then((ack) => {
      batchCount++;
      messageCount += messages.length;
      byteCount += bytes.length;
      if (ack.duplicate) duplicates++;
      // A batch is one series in time order: its ends are its extremes.
      if (messages[0].ts < firstTs) firstTs = messages[0].ts;
      if (messages[messages.length - 1].ts > lastTs) lastTs = messages[messages.length - 1].ts;
      onBatch?.({ subject, msgID, messages, bytes: bytes.length, duplicate: ack.duplicate });
    });
    p.catch((e: unknown) => {
      failure ??= e;
    });
    return p;
  };

  try {
    for await (const batch of batches) {
      for (const { messages, bytes } of encodeBatches(batch, maxBytes)) {
        if (failure !== undefined) throw failure;
        inflight.push(send(messages, bytes));
        if (inflight.length >= window) await inflight.shift();
      }
      if (signal?.aborted) break;
    }
    await Promise.all(inflight);
  } catch (e) {
    await Promise.allSettled(inflight);
    if (e instanceof PublishError) {
      // flush() reports every failure (ours and any other caller's) and clears them, so the
      // publisher is usable again for a retry.
      await publisher.flush();
    }
    throw e;
  }
  return {
    batches: batchCount,
    messages: messageCount,
    duplicates,
    bytes: byteCount,
    firstTs: batchCount > 0 ? firstTs : undefined,
    lastTs: batchCount > 0 ? lastTs : undefined,
  };
}

export interface RejectedCounts {
  readonly published: number;
  readonly duplicates: number;
}

/**
 * Publishes data-quality events (`md.rejected.<source>`), one JetStream message each (they are
 * few), pipelined through the publisher's window. Ids derive from file and line, so a re-run
 * stores each once.
 */
export async function publishRejected(rejected: readonly Message<'DataRejected'>[], publisher: JetStreamPublisher): Promise<RejectedCounts> {
  let duplicates = 0;
  const acks = rejected.map((m) => {
    const p = publisher.publish(m).then((ack) => {
      if (ack.duplicate) duplicates++;
    });
    p.catch(noop);
    return p;
  });
  const failed = (await Promise.allSettled(acks)).find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await publisher.flush(); // throws the PublishError listing every failure
    throw failed.reason;
  }
  return { published: rejected.length, duplicates };
}
