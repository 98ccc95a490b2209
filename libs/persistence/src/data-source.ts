import { DataSource, MigrationExecutor, type LoggerOptions, type QueryRunner } from 'typeorm';
import {
  AccountEntity,
  ApprovalEntity,
  ClosedPositionEntity,
  CommandEntity,
  CommandResultEntity,
  DenialEntity,
  DisplayedOrderEntity,
  FillEntity,
  OrderEntity,
  PositionEntity,
  ProcessedMessageEntity,
  RiskApprovalEntity,
  TradeExperienceEntity,
  TradingStateEntity,
} from './entities';
import { ApiKeyEntity } from './entities/api-key.entity';
import { BrokerOrderEntity } from './entities/broker-order.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { GovernorStartEntity } from './entities/governor-start.entity';
import { AccountStartEntity } from './entities/account-start.entity';
import { PERSISTENCE_MIGRATIONS } from './migrations';
import { assertIdentifier, quoteIdent, schemaOf } from './sql-names';

export const PERSISTENCE_ENTITIES = [
  OrderEntity,
  FillEntity,
  PositionEntity,
  AccountEntity,
  ApprovalEntity,
  TradingStateEntity,
  ProcessedMessageEntity,
  TradeExperienceEntity,
  ApiKeyEntity,
  BrokerOrderEntity,
  IdempotencyKeyEntity,
  DenialEntity,
  GovernorStartEntity,
  AccountStartEntity,
  RiskApprovalEntity,
  DisplayedOrderEntity,
  ClosedPositionEntity,
  CommandEntity,
  CommandResultEntity,
];

export const MIGRATIONS_TABLE = 'schema_migrations';

export interface PersistenceOptions {
  /** `postgres://user[:password]@host:port/database` */
  readonly url: string;
  /** Postgres schema for every table (created by runMigrations); default: the search_path. */
  readonly schema?: string;
  readonly logging?: LoggerOptions;
  /** pg pool size (default 10). */
  readonly poolSize?: number;
  /** Shown in pg_stat_activity: name the service. */
  readonly applicationName?: string;
}

/**
 * A TypeORM DataSource over the read models and the trade-experience store. Not initialised.
 * The schema comes only from migrations: `synchronize` and `migrationsRun` are always off, so
 * starting a service never alters tables behind the migrations' back.
 */
export function createDataSource(options: PersistenceOptions): DataSource {
  if (options.schema !== undefined) assertIdentifier(options.schema, 'schema');
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    poolSize: options.poolSize,
    logging: options.logging ?? false,
    entities: PERSISTENCE_ENTITIES,
    migrations: PERSISTENCE_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'all',
    migrationsRun: false,
    synchronize: false,
  });
}

async function schemaExists(qr: QueryRunner, schema: string): Promise<boolean> {
  const rows: unknown[] = await qr.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}

/**
 * Holds a session advisory lock (per schema) on one connection for the duration of `fn`, so
 * replicas starting together run migrations one after another instead of racing on
 * CREATE SCHEMA / CREATE TABLE. The migrations themselves run on the same connection, so
 * this works with a pool of one.
 */
async function withMigrationLock<T>(ds: DataSource, fn: (qr: QueryRunner) => Promise<T>): Promise<T> {
  if (!ds.isInitialized) await ds.initialize();
  const schema = schemaOf(ds);
  const qr = ds.createQueryRunner('master');
  try {
    await qr.connect();
    const key = `tradeloop.migrations:${schema ?? ''}`;
    await qr.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    try {
      // Only when missing: CREATE SCHEMA checks the database's CREATE privilege before IF NOT
      // EXISTS, so it would fail for an owner role given a schema a DBA created for it.
      if (schema && !(await schemaExists(qr, schema))) await qr.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      return await fn(qr);
    } finally {
      await qr.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
  } finally {
    await qr.release();
  }
}

/**
 * Applies pending migrations (all in one transaction) and returns their names; none pending
 * is a no-op returning []. Initialises the DataSource if needed.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  return withMigrationLock(ds, async (qr) => {
    const executor = new MigrationExecutor(ds, qr);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    return applied.map((m) => m.name);
  });
}

/** Reverts the last `steps` applied migrations (`down`), newest first. */
export async function revertMigrations(ds: DataSource, steps = 1): Promise<void> {
  await withMigrationLock(ds, async (qr) => {
    const executor = new MigrationExecutor(ds, qr);
    executor.transaction = 'all';
    for (let i = 0; i < steps; i++) await executor.undoLastMigration();
  });
}
