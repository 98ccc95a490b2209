import { ApiKeys1700000001000 } from './migrations';
import {
  apiKeyIdOf,
  ApiKeyNameTakenError,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  scopeAllows,
  verifyApiKey,
} from './api-keys';
import { countOpenPositions, countWorkingOrders, getApproval } from './summary-queries';
import { projectMessage } from './projections';
import { openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';
import { quoteIdent } from './sql-names';

const T0 = 1_709_649_000_000;

describe('api keys', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db.close();
  });

  it('create_when_valid_then_key_verifies_and_only_a_hash_is_stored', async () => {
    const created = await createApiKey(db.ds, { name: 'ops-bot', scopes: ['trade', 'read', 'trade'], now: T0 });
    expect(created.key).toMatch(/^tl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'ops-bot', scopes: ['read', 'trade'], createdAt: T0, revokedAt: null });
    expect(apiKeyIdOf(created.key)).toBe(created.id);

    expect(await verifyApiKey(db.ds, created.key)).toEqual({ id: created.id, name: 'ops-bot', scopes: ['read', 'trade'] });

    const rows: Record<string, unknown>[] = await db.ds.query(`SELECT * FROM ${quoteIdent(db.schema)}.api_keys WHERE id = $1`, [created.id]);
    const secret = created.key.slice(`tl_${created.id}_`.length);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verify_when_secret_id_or_format_is_wrong_then_null', async () => {
    const { key, id } = await createApiKey(db.ds, { name: 'reader', scopes: ['read'] });
    const secret = key.slice(`tl_${id}_`.length);
    const flipped = secret[0] === 'A' ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
    expect(await verifyApiKey(db.ds, `tl_${id}_${flipped}`)).toBeNull();
    expect(await verifyApiKey(db.ds, `tl_0123456789abcdef_${secret}`)).toBeNull();
    expect(await verifyApiKey(db.ds, key.slice(0, -1))).toBeNull();
    expect(await verifyApiKey(db.ds, '')).toBeNull();
    expect(await verifyApiKey(db.ds, `${key} `)).toBeNull();
  });

  it('revoke_when_by_name_or_id_then_key_stops_verifying_and_first_revocation_time_stays', async () => {
    const a = await createApiKey(db.ds, { name: 'to-revoke', scopes: ['admin'] });
    const revoked = await revokeApiKey(db.ds, { name: 'to-revoke' }, T0 + 5);
    expect(revoked).toMatchObject({ id: a.id, revokedAt: T0 + 5 });
    expect(await verifyApiKey(db.ds, a.key)).toBeNull();
    expect((await revokeApiKey(db.ds, { id: a.id }, T0 + 9))?.revokedAt).toBe(T0 + 5);
    expect(await revokeApiKey(db.ds, { name: 'never-existed' })).toBeNull();
  });

  it('create_when_name_taken_or_invalid_or_scopes_bad_then_clear_errors', async () => {
    await createApiKey(db.ds, { name: 'dup', scopes: ['read'] });
    await expect(createApiKey(db.ds, { name: 'dup', scopes: ['read'] })).rejects.toBeInstanceOf(ApiKeyNameTakenError);
    await expect(createApiKey(db.ds, { name: 'has space', scopes: ['read'] })).rejects.toThrow(/API key name must be/);
    await expect(createApiKey(db.ds, { name: 'x', scopes: ['read', 'root'] })).rejects.toThrow(/unknown API key scope\(s\) "root"/);
    await expect(createApiKey(db.ds, { name: 'x', scopes: [] })).rejects.toThrow(/at least one scope/);
  });

  it('database_when_scopes_bypass_the_function_then_check_constraint_refuses', async () => {
    const table = `${quoteIdent(db.schema)}.api_keys`;
    await expect(
      db.ds.query(`INSERT INTO ${table} (id, name, key_hash, scopes, created_at) VALUES ('x1', 'raw', 'h', ARRAY['root'], 0)`),
    ).rejects.toThrow(/api_keys_scopes_check/);
    await expect(
      db.ds.query(`INSERT INTO ${table} (id, name, key_hash, scopes, created_at) VALUES ('x2', 'raw2', 'h', ARRAY[]::text[], 0)`),
    ).rejects.toThrow(/api_keys_scopes_check/);
  });

  it('list_when_keys_exist_then_all_with_scopes_and_revocation_no_secrets', async () => {
    const list = await listApiKeys(db.ds);
    expect(list.map((k) => k.name)).toEqual(expect.arrayContaining(['ops-bot', 'reader', 'to-revoke', 'dup']));
    expect(list.find((k) => k.name === 'to-revoke')?.revokedAt).toBe(T0 + 5);
    expect(JSON.stringify(list)).not.toMatch(/tl_|key_?hash/i);
  });

  it('scope_allows_when_ranked_then_admin_implies_trade_implies_read', () => {
    expect(scopeAllows(['admin'], 'read')).toBe(true);
    expect(scopeAllows(['admin'], 'trade')).toBe(true);
    expect(scopeAllows(['trade'], 'read')).toBe(true);
    expect(scopeAllows(['trade'], 'admin')).toBe(false);
    expect(scopeAllows(['read'], 'trade')).toBe(false);
    expect(scopeAllows([], 'read')).toBe(false);
  });

  it('api_keys_migration_when_reverted_and_rerun_then_table_goes_and_comes_back', async () => {
    const exists = async () =>
      (
        await db.ds.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'api_keys'`, [db.schema])
      ).length === 1;
    const qr = db.ds.createQueryRunner();
    try {
      await new ApiKeys1700000001000().up(qr); // idempotent on a migrated schema
      expect(await exists()).toBe(true);
      await new ApiKeys1700000001000().down(qr);
      expect(await exists()).toBe(false);
      await new ApiKeys1700000001000().up(qr);
      expect(await exists()).toBe(true);
    } finally {
      await qr.release();
    }
  });
});

describe('summary queries', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
    const account = 'acct-s';
    await db.ds.transaction(async (tx) => {
      for (const [i, status] of ['working', 'working', 'filled'].entries()) {
        const id = `s-o${i}`;
        await projectMessage(tx, sampleOf('OrderSubmitted', { id, ts: T0 + i, account }, { orderId: id, clientOrderId: `TL-${id}` }));
        if (status === 'filled') {
          await projectMessage(tx, sampleOf('OrderFilled', { id: `s-f${i}`, ts: T0 + 10, account }, { orderId: id, clientOrderId: `TL-${id}`, fillId: `s-f${i}` }));
        }
      }
      await projectMessage(tx, sampleOf('PositionOpened', { id: 's-p0', ts: T0, account }, { positionId: 's-pos0', symbol: 'EURUSD' }));
      await projectMessage(tx, sampleOf('PositionOpened', { id: 's-p1', ts: T0, account }, { positionId: 's-pos1', symbol: 'GBPUSD' }));
      await projectMessage(tx, sampleOf('PositionClosed', { id: 's-pc', ts: T0 + 5, account }, { positionId: 's-pos1', symbol: 'GBPUSD' }));
      await projectMessage(tx, sampleOf('ApprovalRequested', { id: 's-a0', ts: T0, account }));
    });
  });

  afterAll(async () => {
    await db.close();
  });

  it('counts_when_orders_and_positions_mixed_then_only_working_and_open_ones', async () => {
    expect(await countWorkingOrders(db.ds, 'acct-s')).toBe(2);
    expect(await countOpenPositions(db.ds, 'acct-s')).toBe(1);
    expect(await countWorkingOrders(db.ds, 'nobody')).toBe(0);
  });

  it('get_approval_when_known_then_row_and_unknown_then_null', async () => {
    expect((await getApproval(db.ds, 's-a0'))?.status).toBe('requested');
    expect(await getApproval(db.ds, 'missing')).toBeNull();
  });
});
