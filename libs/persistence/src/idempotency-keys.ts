import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { tablesOf } from './sql-names';

/*
 * Idempotency-Keys (IETF draft "The Idempotency-Key HTTP Header Field"): the first request under
 * a key claims it with a hash of what it asked for; a later request under the same key either asks
 * for the same thing (a retry: answered with the same command id) or for something else (refused:
 * answering it with the first command's id would tell the client its new order was accepted
 * when nothing was done with it).
 *
 * Keys are kept for a retention time (`ttlMs`, as payment APIs do: Stripe keeps them 24 h), counted
 * from their first use. After it the key is free: the next request under it is a new command, and
 * the expired rows are deleted a bounded batch at a time in the transaction of a claim, so the
 * table holds about the keys of one retention period instead of growing forever.
 */

/** Default retention of an Idempotency-Key: 24 hours, Stripe's. */
export const DEFAULT_IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Most expired keys one claim deletes. Every claim adds at most one row and removes up to this
 * many expired ones, so a backlog (a gateway that was down, a burst of keys) shrinks with use.
 */
export const IDEMPOTENCY_PURGE_BATCH = 100;

export interface IdempotencyClaim {
  readonly apiKeyId: string;
  readonly commandType: string;
  /** The approval or order acted on; '' for commands without one. */
  readonly target: string;
  readonly idempotencyKey: string;
  /** requestHashOf(the command's data). */
  readonly requestHash: string;
  /** The command id the key names if this claim takes it (first use, or the earlier use expired). */
  readonly commandId: string;
  /** Epoch ms by the wall clock: keys expire in the time clients retry in, not in a replay's. */
  readonly now: number;
  /** How long a key is kept after its first use, ms; at `createdAt + ttlMs` it is free again. */
  readonly ttlMs: number;
}

export type IdempotencyOutcome =
  /** The key was free (never used, or its use expired): it now names this claim's command. */
  | { readonly kind: 'new' }
  /** The key was used before for the same request: the command it named then. */
  | { readonly kind: 'repeat'; readonly commandId: string }
  /** The key was used before for a different request. */
  | { readonly kind: 'conflict'; readonly commandId: string; readonly firstUsedAt: number };

/** JSON with object keys sorted at every level, so the same request always hashes alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Hex SHA-256 of a request's canonical JSON. */
export function requestHashOf(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request), 'utf8').digest('hex');
}

function assertClaimTimes(claim: Pick<IdempotencyClaim, 'now' | 'ttlMs'>): void {
  if (!Number.isSafeInteger(claim.now) || claim.now < 0) throw new RangeError(`idempotency claim: now must be epoch ms, got ${claim.now}`);
  if (!Number.isSafeInteger(claim.ttlMs) || claim.ttlMs <= 0) throw new RangeError(`idempotency claim: ttlMs must be a positive integer, got ${claim.ttlMs}`);
}

/**
 * Deletes up to `limit` keys whose retention ended at or before `expiredAt` (created at or before
 * it), oldest first; rows another transaction holds are skipped, not waited for. Returns how many.
 */
export async function purgeExpiredIdempotencyKeys(db: EntityManager, expiredAt: number, limit = IDEMPOTENCY_PURGE_BATCH): Promise<number> {
  const table = tablesOf(db.connection).idempotencyKeys;
  const result: [unknown[], number] = await db.query(
    `DELETE FROM ${table}
      WHERE ("api_key_id", "command_type", "target", "idempotency_key") IN (
        SELECT "api_key_id", "command_type", "target", "idempotency_key" FROM ${table}
         WHERE "created_at" <= $1 ORDER BY "created_at" LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [expiredAt, limit],
  );
  return result[1];
}

/** The key an Idempotency-Key request names: API key, command type, target and the client's key. */
export type IdempotencyKeyRef = Pick<IdempotencyClaim, 'apiKeyId' | 'commandType' | 'target' | 'idempotencyKey' | 'now' | 'ttlMs'>;

/**
 * Whether the key names a command still kept (claimed within its retention), without claiming it.
 * The gateway asks before refusing a request whose target is already decided (a cancelled
 * order, a granted approval): a kept key means the request is a retry, or reuses the key, and
 * the claim answers it as it answered the first (202 with the first command id, or 422).
 */
export async function idempotencyKeyKept(ds: DataSource, ref: IdempotencyKeyRef): Promise<boolean> {
  assertClaimTimes(ref);
  const rows: unknown[] = await ds.query(
    `SELECT 1 FROM ${tablesOf(ds).idempotencyKeys}
      WHERE "api_key_id" = $1 AND "command_type" = $2 AND "target" = $3 AND "idempotency_key" = $4 AND "created_at" > $5`,
    [ref.apiKeyId, ref.commandType, ref.target, ref.idempotencyKey, ref.now - ref.ttlMs],
  );
  return rows.length > 0;
}

interface KeyRow {
  readonly request_hash: string;
  readonly command_id: string;
  readonly created_at: string;
}

/**
 * Claims an Idempotency-Key for a command, atomically: of two requests racing with one key, one
 * inserts (or takes over the expired row) and the other reads the winner's row. In the same
 * transaction it deletes a bounded batch of expired keys.
 */
export async function claimIdempotencyKey(ds: DataSource, claim: IdempotencyClaim): Promise<IdempotencyOutcome> {
  assertClaimTimes(claim);
  const table = tablesOf(ds).idempotencyKeys;
  // A key claimed at T is kept until T + ttl: from then on it is expired.
  const expiredAt = claim.now - claim.ttlMs;
  const key = [claim.apiKeyId, claim.commandType, claim.target, claim.idempotencyKey];
  return ds.transaction(async (tx) => {
    await purgeExpiredIdempotencyKeys(tx, expiredAt);
    // The row read below can only vanish if it expired in the meantime and another claim purged
    // it: then the key is free, and the next round takes it.
    for (let round = 0; round < 3; round++) {
      const taken: unknown[] = await tx.query(
        `INSERT INTO ${table} AS k ("api_key_id", "command_type", "target", "idempotency_key", "request_hash", "command_id", "created_at")
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ("api_key_id", "command_type", "target", "idempotency_key") DO UPDATE SET
           "request_hash" = EXCLUDED."request_hash", "command_id" = EXCLUDED."command_id", "created_at" = EXCLUDED."created_at"
         WHERE k."created_at" <= $8
         RETURNING "command_id"`,
        [...key, claim.requestHash, claim.commandId, claim.now, expiredAt],
      );
      if (taken.length > 0) return { kind: 'new' } as const;
      const rows: KeyRow[] = await tx.query(
        `SELECT "request_hash", "command_id", "created_at" FROM ${table}
          WHERE "api_key_id" = $1 AND "command_type" = $2 AND "target" = $3 AND "idempotency_key" = $4`,
        key,
      );
      const first = rows[0];
      if (first === undefined) continue;
      return first.request_hash === claim.requestHash
        ? ({ kind: 'repeat', commandId: first.command_id } as const)
        : ({ kind: 'conflict', commandId: first.command_id, firstUsedAt: Number(first.created_at) } as const);
    }
    throw new Error(`idempotency key of ${claim.commandType} could not be claimed or read (three rounds)`);
  });
}
