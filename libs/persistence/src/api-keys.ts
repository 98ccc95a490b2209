import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKeyEntity, type ApiKeyScope } from './entities/api-key.entity';
import { sqlStateOf } from './pg-errors';
import { API_KEY_NAME_PATTERN, normalizeScopes } from './api-key-rules';
import type { Reader } from './queries';

export { API_KEY_NAME_PATTERN, API_KEY_SCOPES, isApiKeyScope, normalizeScopes, scopeAllows } from './api-key-rules';

/*
 * Gateway API keys: `tl_<id>_<secret>`, a 16-hex-digit public id and a 32-byte random secret
 * (base64url). Only SHA-256(secret) is stored. A fast unsalted hash is enough here because the
 * secret is 256 random bits, not a password: there is nothing to guess and no dictionary to try.
 * The plaintext key exists only in createApiKey's return value.
 */

const KEY_PATTERN = /^tl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const SECRET_BYTES = 32;
const ID_BYTES = 8;
const UNIQUE_VIOLATION = '23505';

export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: ApiKeyScope[];
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The plaintext key: shown once, never stored. */
  readonly key: string;
}

export interface VerifiedApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: ApiKeyScope[];
}

export interface CreateApiKeyRequest {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Epoch ms for created_at (default: the wall clock). */
  readonly now?: number;
}

export class ApiKeyNameTakenError extends Error {
  constructor(name: string) {
    super(`an API key named ${JSON.stringify(name)} already exists (names stay taken after a key is revoked)`);
    this.name = 'ApiKeyNameTakenError';
  }
}

/** The public id of a well-formed key, for logs (never log the key itself); undefined otherwise. */
export function apiKeyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function infoOf(row: ApiKeyEntity): ApiKeyInfo {
  return { id: row.id, name: row.name, scopes: [...row.scopes], createdAt: row.createdAt, revokedAt: row.revokedAt };
}

export async function createApiKey(db: Reader, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
  if (typeof request.name !== 'string' || !API_KEY_NAME_PATTERN.test(request.name)) {
    throw new RangeError(
      `API key name must be 1-64 characters of letters, digits and . _ : @ - (starting with a letter or digit), got ${JSON.stringify(request.name)}`,
    );
  }
  const scopes = normalizeScopes(request.scopes);
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const row: ApiKeyEntity = {
    id,
    name: request.name,
    keyHash: hashSecret(secret).toString('hex'),
    scopes,
    createdAt: request.now ?? Date.now(),
    revokedAt: null,
  };
  try {
    await db.getRepository(ApiKeyEntity).insert(row);
  } catch (err) {
    if (sqlStateOf(err) === UNIQUE_VIOLATION) throw new ApiKeyNameTakenError(request.name);
    throw err;
  }
  return { ...infoOf(row), key: `tl_${id}_${secret}` };
}

/**
 * Revokes a key by id or name; from then on verifyApiKey refuses it. Revoking a revoked key
 * keeps its first revocation time. Null when no such key exists.
 */
export async function revokeApiKey(
  db: Reader,
  ref: { readonly id: string } | { readonly name: string },
  now: number = Date.now(),
): Promise<ApiKeyInfo | null> {
  const repo = db.getRepository(ApiKeyEntity);
  const row = await repo.findOneBy('id' in ref ? { id: ref.id } : { name: ref.name });
  if (row === null) return null;
  if (row.revokedAt === null) {
    await repo.update({ id: row.id }, { revokedAt: now });
    row.revokedAt = now;
  }
  return infoOf(row);
}

export async function listApiKeys(db: Reader): Promise<ApiKeyInfo[]> {
  const rows = await db.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC', name: 'ASC' } });
  return rows.map(infoOf);
}

/** A stand-in hash compared when the id is unknown, so both failures cost the same. */
const NO_KEY_HASH = hashSecret('no such key');

/**
 * The key's identity and scopes if `presented` is a live key, else null (malformed, unknown,
 * wrong secret or revoked: the caller answers all of them the same way).
 */
export async function verifyApiKey(db: Reader, presented: string): Promise<VerifiedApiKey | null> {
  const m = typeof presented === 'string' ? KEY_PATTERN.exec(presented) : null;
  if (m === null) return null;
  const [, id, secret] = m;
  const row = await db.getRepository(ApiKeyEntity).findOneBy({ id });
  const stored = row === null ? NO_KEY_HASH : Buffer.from(row.keyHash, 'hex');
  const given = hashSecret(secret);
  const match = stored.length === given.length && timingSafeEqual(stored, given);
  if (row === null || !match || row.revokedAt !== null) return null;
  return { id: row.id, name: row.name, scopes: [...row.scopes] };
}
