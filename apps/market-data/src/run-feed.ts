import { replayFeed, type FeedClock } from '@tradeloop/market-data';
import { MAX_BATCH_MESSAGES, type JetStreamPublisher } from '@tradeloop/transport-nats';
import { publishFeed, publishRejected, type FeedCounts, type PublishedBatch, type RejectedCounts } from './feed-publisher';
import type { FeedSource } from './sources';

export interface RunFeedOptions {
  readonly publisher: JetStreamPublisher;
  readonly clock: FeedClock;
  /** Event time per wall time (60: a 1m bar per second); 0 = as fast as the server takes it. */
  readonly speed: number;
  /** Messages per batch, at most MAX_BATCH_MESSAGES (2000). Default 500. */
  readonly maxBatch?: number;
  /** Longest a paced message waits in an open batch (wall ms). Default 100. */
  readonly maxBatchDelayMs?: number;
  /** Event-time window on the envelope ts, [from, to). */
  readonly from?: number;
  readonly to?: number;
  readonly signal?: AbortSignal;
  readonly onBatch?: (batch: PublishedBatch) => void;
  /** Called once the data-quality events of refused rows are stored (before the first batch). */
  readonly onRejected?: (counts: RejectedCounts) => void;
}

export interface FeedRunReport extends FeedCounts {
  readonly rejected: number;
  readonly rejectedDuplicates: number;
}

/**
 * One run of the market-data service: the source's data-quality events first (they are known
 * before the first bar), then the data itself, replayed at `speed` in per-series batches.
 * Batch boundaries depend only on the data and the settings (the pacing schedule, not the
 * moment a timer fired), so a re-run publishes the same batches and the server stores none twice.
 */
export async function runFeed(source: FeedSource, options: RunFeedOptions): Promise<FeedRunReport> {
  const maxBatch = options.maxBatch ?? 500;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_MESSAGES) {
    throw new RangeError(`runFeed: maxBatch must be an integer in 1..${MAX_BATCH_MESSAGES}, got ${maxBatch}`);
  }
  const rejected = await publishRejected(source.rejected, options.publisher);
  options.onRejected?.(rejected);
  const batches = replayFeed(source.messages(), {
    speed: options.speed,
    maxBatch,
    clock: options.clock,
    ...(options.maxBatchDelayMs !== undefined && { maxBatchDelayMs: options.maxBatchDelayMs }),
    ...(options.from !== undefined && { from: options.from }),
    ...(options.to !== undefined && { to: options.to }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  const counts = await publishFeed(batches, {
    publisher: options.publisher,
    ...(options.onBatch !== undefined && { onBatch: options.onBatch }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  return { ...counts, rejected: rejected.published, rejectedDuplicates: rejected.duplicates };
}
