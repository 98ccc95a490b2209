import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/** The start of the message the database raises on any UPDATE, DELETE or TRUNCATE of the store. */
export const APPEND_ONLY_MESSAGE = 'trade_experiences is append-only';

const WORKING_STATUSES = `('submitted','accepted','partially_filled')`;

/**
 * Every statement is idempotent (IF NOT EXISTS / OR REPLACE / DROP … IF EXISTS first), so the
 * migration is safe to re-run by hand on a database that already has it; TypeORM's migrations
 * table makes a second `runMigrations` a no-op anyway. Names are schema-qualified from the
 * DataSource's `schema` option rather than relying on search_path.
 */
function upStatements(schema: string | undefined): string[] {
  const t = (name: string) => qualify(schema, name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t('orders')} (
      "order_id" text NOT NULL,
      "client_order_id" text NOT NULL,
      "approved_order_id" text NOT NULL,
      "risk_approval_id" text NOT NULL,
      "account" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "side" text NOT NULL,
      "type" text NOT NULL,
      "quantity" numeric NOT NULL,
      "limit_price" numeric,
      "stop_price" numeric,
      "tif" text NOT NULL,
      "role" text NOT NULL,
      "parent_order_id" text,
      "oco_group" text,
      "origin" text NOT NULL,
      "strategy" text,
      "status" text NOT NULL,
      "status_reason" text,
      "broker_order_id" text,
      "filled_quantity" numeric NOT NULL,
      "created_ts" bigint NOT NULL,
      "updated_ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "orders_pkey" PRIMARY KEY ("order_id"),
      CONSTRAINT "orders_client_order_id_key" UNIQUE ("client_order_id"),
      CONSTRAINT "orders_status_check" CHECK ("status" IN ('submitted','accepted','partially_filled','filled','cancelled','rejected','expired')),
      CONSTRAINT "orders_side_check" CHECK ("side" IN ('buy','sell')),
      CONSTRAINT "orders_quantity_check" CHECK ("quantity" > 0),
      CONSTRAINT "orders_filled_quantity_check" CHECK ("filled_quantity" >= 0)
    )`,
    `CREATE INDEX IF NOT EXISTS "orders_account_created_idx" ON ${t('orders')} ("account", "created_ts" DESC, "order_id" DESC)`,
    `CREATE INDEX IF NOT EXISTS "orders_working_idx" ON ${t('orders')} ("account", "symbol") WHERE "status" IN ${WORKING_STATUSES}`,
    `CREATE INDEX IF NOT EXISTS "orders_correlation_idx" ON ${t('orders')} ("correlation_id")`,

    `CREATE TABLE IF NOT EXISTS ${t('fills')} (
      "fill_id" text NOT NULL,
      "order_id" text NOT NULL,
      "client_order_id" text NOT NULL,
      "account" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "side" text NOT NULL,
      "quantity" numeric NOT NULL,
      "price" numeric NOT NULL,
      "fee" numeric NOT NULL,
      "fee_currency" text NOT NULL,
      "liquidity" text NOT NULL,
      "role" text NOT NULL,
      "reference_price" numeric NOT NULL,
      "slippage" numeric NOT NULL,
      "spread" numeric,
      "ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "fills_pkey" PRIMARY KEY ("fill_id"),
      CONSTRAINT "fills_side_check" CHECK ("side" IN ('buy','sell')),
      CONSTRAINT "fills_quantity_check" CHECK ("quantity" > 0)
    )`,
    `CREATE INDEX IF NOT EXISTS "fills_account_ts_idx" ON ${t('fills')} ("account", "ts" DESC, "fill_id" DESC)`,
    `CREATE INDEX IF NOT EXISTS "fills_order_idx" ON ${t('fills')} ("order_id")`,

    `CREATE TABLE IF NOT EXISTS ${t('positions')} (
      "account" text NOT NULL,
      "symbol" text NOT NULL,
      "position_id" text NOT NULL,
      "venue" text NOT NULL,
      "direction" text NOT NULL,
      "quantity" numeric NOT NULL,
      "average_price" numeric NOT NULL,
      "realized_pnl" numeric NOT NULL,
      "status" text NOT NULL,
      "entry_order_id" text NOT NULL,
      "exit_reason" text,
      "opened_at" bigint NOT NULL,
      "closed_at" bigint,
      "updated_ts" bigint NOT NULL,
      CONSTRAINT "positions_pkey" PRIMARY KEY ("account", "symbol"),
      CONSTRAINT "positions_status_check" CHECK ("status" IN ('open','closed')),
      CONSTRAINT "positions_direction_check" CHECK ("direction" IN ('long','short'))
    )`,

    `CREATE TABLE IF NOT EXISTS ${t('accounts')} (
      "account" text NOT NULL,
      "currency" text NOT NULL,
      "cash" numeric NOT NULL,
      "realized_pnl" numeric NOT NULL,
      "fees" numeric NOT NULL,
      "updated_ts" bigint NOT NULL,
      CONSTRAINT "accounts_pkey" PRIMARY KEY ("account")
    )`,

    `CREATE TABLE IF NOT EXISTS ${t('approvals')} (
      "approval_id" text NOT NULL,
      "risk_approval_id" text NOT NULL,
      "account" text NOT NULL,
      "symbol" text NOT NULL,
      "status" text NOT NULL,
      "quality" double precision NOT NULL,
      "threshold" double precision NOT NULL,
      "mode" text NOT NULL,
      "expires_at" bigint NOT NULL,
      "requested_ts" bigint NOT NULL,
      "decided_ts" bigint,
      "decided_by" text,
      "reason" text,
      "order" jsonb NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "approvals_pkey" PRIMARY KEY ("approval_id"),
      CONSTRAINT "approvals_status_check" CHECK ("status" IN ('requested','granted','rejected','expired'))
    )`,
    `CREATE INDEX IF NOT EXISTS "approvals_account_requested_idx" ON ${t('approvals')} ("account", "requested_ts" DESC, "approval_id" DESC)`,
    `CREATE INDEX IF NOT EXISTS "approvals_pending_idx" ON ${t('approvals')} ("account", "expires_at") WHERE "status" = 'requested'`,
    `CREATE INDEX IF NOT EXISTS "approvals_risk_approval_idx" ON ${t('approvals')} ("risk_approval_id")`,

    `CREATE TABLE IF NOT EXISTS ${t('trading_state')} (
      "account" text NOT NULL,
      "state" text,
      "reason" text,
      "state_by" text,
      "state_ts" bigint,
      "mode" text,
      "threshold" double precision,
      "mode_by" text,
      "mode_ts" bigint,
      "updated_ts" bigint NOT NULL,
      CONSTRAINT "trading_state_pkey" PRIMARY KEY ("account"),
      CONSTRAINT "trading_state_state_check" CHECK ("state" IS NULL OR "state" IN ('ACTIVE','REDUCING','HALTED'))
    )`,

    `CREATE TABLE IF NOT EXISTS ${t('processed_messages')} (
      "consumer" text NOT NULL,
      "message_id" text NOT NULL,
      "processed_ts" bigint NOT NULL,
      CONSTRAINT "processed_messages_pkey" PRIMARY KEY ("consumer", "message_id")
    )`,

    `CREATE TABLE IF NOT EXISTS ${t('trade_experiences')} (
      "experience_id" text NOT NULL,
      "position_id" text NOT NULL,
      "account" text NOT NULL,
      "strategy" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "direction" text NOT NULL,
      "origin" text NOT NULL,
      "exit_reason" text NOT NULL,
      "signal_id" text,
      "pnl" numeric NOT NULL,
      "fees" numeric NOT NULL,
      "r_multiple" double precision,
      "win" boolean NOT NULL,
      "holding_ms" bigint NOT NULL,
      "opened_at" bigint NOT NULL,
      "closed_at" bigint NOT NULL,
      "payload" jsonb NOT NULL,
      "recorded_ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "trade_experiences_pkey" PRIMARY KEY ("experience_id"),
      CONSTRAINT "trade_experiences_position_id_key" UNIQUE ("position_id"),
      CONSTRAINT "trade_experiences_direction_check" CHECK ("direction" IN ('long','short'))
    )`,
    `CREATE INDEX IF NOT EXISTS "trade_experiences_account_closed_idx" ON ${t('trade_experiences')} ("account", "closed_at" DESC, "experience_id" DESC)`,
    `CREATE INDEX IF NOT EXISTS "trade_experiences_arm_idx" ON ${t('trade_experiences')} ("strategy", "symbol", "direction", "closed_at")`,

    // Append-only, enforced by the database for every client, the app's own role included.
    // Statement-level, so even an UPDATE or DELETE that matches no row is refused (a bug is
    // caught the first time it runs, not the first time it matches), and TRUNCATE (which fires
    // no row triggers) too. ENABLE ALWAYS keeps it firing under session_replication_role =
    // replica, the usual way to bypass triggers during a bulk load. What a trigger cannot stop
    // is the table's owner disabling it or dropping the table: production runs the services
    // under a role that does not own the tables (see the persistence notes in DESIGN §4).
    `CREATE OR REPLACE FUNCTION ${t('trade_experiences_append_only')}() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION '${APPEND_ONLY_MESSAGE}: % refused', TG_OP
          USING ERRCODE = 'restrict_violation',
                HINT = 'Closed trades are recorded once and never changed; append a new experience instead.';
      END
      $fn$`,
    `DROP TRIGGER IF EXISTS "trade_experiences_append_only" ON ${t('trade_experiences')}`,
    `CREATE TRIGGER "trade_experiences_append_only"
      BEFORE UPDATE OR DELETE OR TRUNCATE ON ${t('trade_experiences')}
      FOR EACH STATEMENT EXECUTE FUNCTION ${t('trade_experiences_append_only')}()`,
    `ALTER TABLE ${t('trade_experiences')} ENABLE ALWAYS TRIGGER "trade_experiences_append_only"`,
  ];
}

function downStatements(schema: string | undefined): string[] {
  const t = (name: string) => qualify(schema, name);
  return [
    // DROP TABLE is not refused by the trigger: only a schema owner can run it.
    `DROP TABLE IF EXISTS ${t('trade_experiences')}`,
    `DROP FUNCTION IF EXISTS ${t('trade_experiences_append_only')}()`,
    `DROP TABLE IF EXISTS ${t('processed_messages')}`,
    `DROP TABLE IF EXISTS ${t('trading_state')}`,
    `DROP TABLE IF EXISTS ${t('approvals')}`,
    `DROP TABLE IF EXISTS ${t('accounts')}`,
    `DROP TABLE IF EXISTS ${t('positions')}`,
    `DROP TABLE IF EXISTS ${t('fills')}`,
    `DROP TABLE IF EXISTS ${t('orders')}`,
  ];
}

export class Initial1700000000000 implements MigrationInterface {
  // Explicit, so a minifier or a bundler renaming the class cannot change the recorded name.
  readonly name = 'Initial1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of upStatements(schemaOf(queryRunner.dataSource))) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of downStatements(schemaOf(queryRunner.dataSource))) await queryRunner.query(sql);
  }
}
