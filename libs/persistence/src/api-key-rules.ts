import type { ApiKeyScope } from './entities/api-key.entity';

/*
 * The rules of API key names and scopes, apart from the database code: the CLI checks its
 * arguments with them without loading TypeORM and pg (~0.2 s of every `tradeloop` start).
 */

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'trade', 'admin'];

const SCOPE_RANK: Readonly<Record<ApiKeyScope, number>> = { read: 0, trade: 1, admin: 2 };

/** Names appear as `by` in commands and audits: plain, short, no spaces. */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return Object.prototype.hasOwnProperty.call(SCOPE_RANK, value);
}

/** admin implies trade, trade implies read. */
export function scopeAllows(granted: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return granted.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[required]);
}

/** Validated, de-duplicated, in rank order: ['trade', 'read', 'trade'] → ['read', 'trade']. */
export function normalizeScopes(scopes: readonly string[]): ApiKeyScope[] {
  const bad = scopes.filter((s) => !isApiKeyScope(s));
  if (bad.length > 0) {
    throw new RangeError(`unknown API key scope(s) ${bad.map((s) => JSON.stringify(s)).join(', ')}: use ${API_KEY_SCOPES.join(', ')}`);
  }
  if (scopes.length === 0) throw new RangeError(`an API key needs at least one scope (${API_KEY_SCOPES.join(', ')})`);
  return API_KEY_SCOPES.filter((s) => scopes.includes(s));
}
