import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ApiKeyNameTakenError, createApiKey, verifyApiKey } from '@tradeloop/persistence';

export const API_KEY_FILE = 'api-key';
const KEY_NAME = 'quickstart';

export interface QuickstartKey {
  /** The file holding the key (mode 0600). The key itself is never printed or logged. */
  readonly path: string;
  /** A new admin key was created in this store (else the file already held a live one). */
  readonly created: boolean;
}

/**
 * Makes sure `<stateDir>/api-key` holds a live key of this store: kept if it does (PostgreSQL
 * keeps keys across runs), otherwise a new admin key is created and written there, readable by
 * the owner only. A file from another store (the embedded one starts empty every run) or a
 * revoked key is replaced the same way.
 */
export async function ensureApiKey(ds: DataSource, stateDir: string, now: number): Promise<QuickstartKey> {
  const path = join(stateDir, API_KEY_FILE);
  if (existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim();
    if ((await verifyApiKey(ds, key)) !== null) {
      chmodSync(path, 0o600);
      return { path, created: false };
    }
  }
  let created;
  try {
    created = await createApiKey(ds, { name: KEY_NAME, scopes: ['admin'], now });
  } catch (e) {
    // The name stays taken after its key is revoked or its file is lost: take a fresh one.
    if (!(e instanceof ApiKeyNameTakenError)) throw e;
    created = await createApiKey(ds, { name: `${KEY_NAME}-${now}`, scopes: ['admin'], now });
  }
  // Written next to the target and renamed over it, so the file never exists with a looser mode.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${created.key}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return { path, created: true };
}
