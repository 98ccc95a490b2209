import type { DataSource, EntityManager } from 'typeorm';
import { isRetryableTransactionError } from './pg-errors';
import { tablesOf } from './sql-names';

export type HandleOutcome = 'applied' | 'duplicate';

/** What handleOnce needs of an envelope: its id, and its event time for the record. */
export interface MessageRef {
  readonly id: string;
  readonly ts: number;
}

export type Work = (manager: EntityManager) => Promise<void>;

/**
 * Records (consumer, message id) and runs `work` in the same transaction (the idempotent
 * consumer of DESIGN §4). The insert comes first: a second delivery of the message — a
 * redelivery, or the same message on another replica at the same moment — blocks on the
 * primary key until the first transaction ends, then finds the row and skips the work
 * ('duplicate'); if the first rolled back, the second applies it. The caller acks the
 * message only after this resolves; if it throws, nothing was recorded and a redelivery
 * applies the message again.
 */
export async function handleOnce(ds: DataSource, consumer: string, message: MessageRef, work: Work): Promise<HandleOutcome> {
  return ds.transaction((manager) => recordThenWork(manager, ds, consumer, message, work));
}

/**
 * handleOnce for several messages in one transaction (a group commit): the records of all of
 * them first, in one statement, then the work of each message whose record is new, in order (a
 * message recorded before, or earlier in the same group, is a 'duplicate'); all committed
 * together or not at all. Returns each message's outcome, in order.
 */
export async function handleEachOnce<M extends MessageRef>(
  ds: DataSource,
  consumer: string,
  messages: readonly M[],
  work: (manager: EntityManager, message: M) => Promise<void>,
): Promise<HandleOutcome[]> {
  if (messages.length === 0) return [];
  return ds.transaction(async (manager) => {
    // One round trip for the group's records instead of one per message. A record another
    // transaction holds uncommitted blocks this insert until that one ends, as in handleOnce.
    const inserted: { message_id: string }[] = await manager.query(
      `INSERT INTO ${tablesOf(ds).processedMessages} ("consumer", "message_id", "processed_ts")
       SELECT $1, m."id", m."ts" FROM unnest($2::text[], $3::bigint[]) AS m("id", "ts")
       ON CONFLICT DO NOTHING RETURNING "message_id"`,
      [consumer, messages.map((m) => m.id), messages.map((m) => m.ts)],
    );
    const fresh = new Set(inserted.map((r) => r.message_id));
    const outcomes: HandleOutcome[] = [];
    for (const m of messages) {
      if (!fresh.delete(m.id)) {
        outcomes.push('duplicate');
        continue;
      }
      await work(manager, m);
      outcomes.push('applied');
    }
    return outcomes;
  });
}

export interface SerializableOptions {
  /** Attempts in all, the first included (default 10). */
  readonly maxAttempts?: number;
  /** Backoff before retry n is up to min(baseDelayMs · 2^(n-1), maxDelayMs), jittered (default 5). */
  readonly baseDelayMs?: number;
  /** Default 200. */
  readonly maxDelayMs?: number;
}

/**
 * handleOnce at SERIALIZABLE isolation, retried on serialization failures and deadlocks: for
 * work that reads what it writes against (a limit check — open orders, daily loss — followed
 * by the write it guards) when more than one writer may touch the same account. Postgres
 * aborts all but one of any set of transactions whose outcome depends on order, so a limit
 * checked inside `work` holds however many signals race. `work` may run more than once and
 * must have no effect outside the transaction.
 */
export async function handleOnceSerializable(
  ds: DataSource,
  consumer: string,
  message: MessageRef,
  work: Work,
  options: SerializableOptions = {},
): Promise<HandleOutcome> {
  const maxAttempts = options.maxAttempts ?? 10;
  const baseDelayMs = options.baseDelayMs ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction('SERIALIZABLE', (manager) => recordThenWork(manager, ds, consumer, message, work));
    } catch (err) {
      if (attempt >= maxAttempts || !isRetryableTransactionError(err)) throw err;
      // Jitter spreads the retries of transactions that collided so they do not collide again.
      await sleep(Math.random() * Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs));
    }
  }
}

/**
 * Single writer per account inside one transaction: a transaction-scoped advisory lock, held
 * until commit or rollback. Every writer that takes it for the same account runs one at a
 * time, so read-check-write sequences (risk limits) need no SERIALIZABLE retries. Call it
 * first in the work, before reading anything the check depends on.
 */
export async function lockAccount(manager: EntityManager, account: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tradeloop.account:${account}`]);
}

async function recordThenWork(
  manager: EntityManager,
  ds: DataSource,
  consumer: string,
  message: MessageRef,
  work: Work,
): Promise<HandleOutcome> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${tablesOf(ds).processedMessages} ("consumer", "message_id", "processed_ts")
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING "message_id"`,
    [consumer, message.id, message.ts],
  );
  if (inserted.length === 0) return 'duplicate';
  await work(manager);
  return 'applied';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
