import { createHash } from 'node:crypto';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import type { Reader } from './queries';

/*
 * Idempotency-Keys (IETF draft "The Idempotency-Key HTTP Header Field"): the first request under
 * a key claims it with a hash of what it asked for; a later request under the same key either asks
 * for the same thing (a retry: answered with the same command id) or for something else (refused:
 * answering it with the first command's id would tell the client its new order was accepted
 * when nothing was done with it).
 */

export interface IdempotencyClaim {
  readonly apiKeyId: string;
  readonly commandType: string;
  /** The approval or order acted on; '' for commands without one. */
  readonly target: string;
  readonly idempotencyKey: string;
  /** requestHashOf(the command's data). */
  readonly requestHash: string;
  readonly commandId: string;
  readonly now: number;
}

export type IdempotencyOutcome =
  /** First use of the key: it now names this command. */
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

/**
 * Claims an Idempotency-Key for a command, atomically: of two requests racing with one key, one
 * inserts and the other reads the winner's row.
 */
export async function claimIdempotencyKey(db: Reader, claim: IdempotencyClaim): Promise<IdempotencyOutcome> {
  const repo = db.getRepository(IdempotencyKeyEntity);
  const inserted = await repo
    .createQueryBuilder()
    .insert()
    .values({
      apiKeyId: claim.apiKeyId,
      commandType: claim.commandType,
      target: claim.target,
      idempotencyKey: claim.idempotencyKey,
      requestHash: claim.requestHash,
      commandId: claim.commandId,
      createdAt: claim.now,
    })
    .orIgnore()
    .returning(['commandId'])
    .execute();
  if (inserted.raw.length > 0) return { kind: 'new' };
  const first = await repo.findOneByOrFail({
    apiKeyId: claim.apiKeyId,
    commandType: claim.commandType,
    target: claim.target,
    idempotencyKey: claim.idempotencyKey,
  });
  return first.requestHash === claim.requestHash
    ? { kind: 'repeat', commandId: first.commandId }
    : { kind: 'conflict', commandId: first.commandId, firstUsedAt: first.createdAt };
}
