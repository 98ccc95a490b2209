import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Envelope } from '@tradeloop/kernel';
import type { Message, MessageDataMap, MessageType } from '@tradeloop/contracts';
// Test fixtures, deliberately not exported from the package's index.
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { createDataSource, runMigrations } from './data-source';
import { quoteIdent } from './sql-names';

/** The integration tests' PostgreSQL (trust auth); DATABASE_URL overrides. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly ds: DataSource;
  readonly schema: string;
  /** Drops the schema and closes the pool. */
  close(): Promise<void>;
}

/** A fresh schema of its own per test file, so files can run in parallel and leave nothing. */
export function testSchemaName(): string {
  return `tl_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export async function openTestDatabase(options: { migrate?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const schema = testSchemaName();
  const ds = createDataSource({ url: TEST_DATABASE_URL, schema, poolSize: options.poolSize ?? 10, applicationName: 'persistence-test' });
  try {
    await ds.initialize();
  } catch (err) {
    throw new Error(
      `cannot reach PostgreSQL at ${TEST_DATABASE_URL} (set DATABASE_URL): ${(err as Error).message}`,
    );
  }
  if (options.migrate ?? true) await runMigrations(ds);
  return {
    ds,
    schema,
    async close() {
      try {
        await ds.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        await ds.destroy();
      }
    },
  };
}

/**
 * A contract sample with a new envelope id/ts/account and payload fields overridden, so a test
 * can follow one realistic trade and then vary it.
 */
export function sampleOf<K extends MessageType>(
  type: K,
  meta: Partial<Pick<Envelope, 'id' | 'ts' | 'account' | 'correlationId' | 'causationId'>> = {},
  data: Partial<MessageDataMap[K]> = {},
): Message<K> {
  const base = SAMPLE_MESSAGES[type] as unknown as Envelope<K, MessageDataMap[K]>;
  return { ...base, ...meta, data: { ...base.data, ...data } } as unknown as Message<K>;
}

/** Row counts by table in the test schema. */
export async function countRows(ds: DataSource, schema: string, table: string): Promise<number> {
  const rows: { n: string }[] = await ds.query(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`);
  return Number(rows[0].n);
}

/**
 * A least-privilege setup as an operator makes it, with names of its own (roles are
 * cluster-wide): an owner role that may not create schemas, a schema a DBA created for it, and
 * an app role with a password (trust auth ignores it; it is there so tests can check it never
 * reaches a log or a message). Nothing is granted: that is `tradeloop migrate --grant-app-role`'s job.
 */
export interface TestRoles {
  readonly schema: string;
  readonly owner: string;
  readonly app: string;
  readonly appPassword: string;
  /** A superuser connection (the DBA). */
  readonly admin: DataSource;
  /** TEST_DATABASE_URL as another role. */
  urlAs(role: string, password?: string): string;
  /** Drops the schema, what the roles were granted, and the roles. Close their connections first. */
  close(): Promise<void>;
}

export async function createTestRoles(): Promise<TestRoles> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `tl_test_${id}`;
  const owner = `tl_owner_${id}`;
  const app = `tl_app_${id}`;
  const appPassword = `pw-${randomUUID()}`;
  const admin = createDataSource({ url: TEST_DATABASE_URL, poolSize: 1, applicationName: 'persistence-test-admin' });
  await admin.initialize();
  await admin.query(`CREATE ROLE ${quoteIdent(owner)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  await admin.query(`CREATE ROLE ${quoteIdent(app)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${appPassword}'`);
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(owner)}`);
  return {
    schema,
    owner,
    app,
    appPassword,
    admin,
    urlAs(role, password) {
      const u = new URL(TEST_DATABASE_URL);
      u.username = role;
      u.password = password ?? '';
      return u.toString();
    },
    async close() {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        for (const role of [app, owner]) {
          await admin.query(`DROP OWNED BY ${quoteIdent(role)}`);
          await admin.query(`DROP ROLE ${quoteIdent(role)}`);
        }
      } finally {
        await admin.destroy();
      }
    },
  };
}
