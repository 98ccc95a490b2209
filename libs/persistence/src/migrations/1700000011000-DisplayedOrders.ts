import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * Orders the governor does not place (OrderDisplayed: display_only mode, HALTED, or approved by
 * risk before REDUCING began) as a read model, with risk's approvals they come from: in
 * display_only mode — the safety default with a real broker — an order sent through the API was
 * answered 202 and then appeared nowhere, neither as an order nor as a denial nor as an approval.
 */
export class DisplayedOrders1700000011000 implements MigrationInterface {
  readonly name = 'DisplayedOrders1700000011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const risk = qualify(schema, 'risk_approvals');
    const displayed = qualify(schema, 'displayed_orders');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${risk} (
      "risk_approval_id" text NOT NULL,
      "account" text NOT NULL,
      "request_id" text NOT NULL,
      "symbol" text NOT NULL,
      "risk_level" text NOT NULL,
      "risk_amount" numeric NOT NULL,
      "notional" numeric NOT NULL,
      "reference_price" numeric NOT NULL,
      "quality" double precision NOT NULL,
      "trading_state" text,
      "ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "risk_approvals_pkey" PRIMARY KEY ("risk_approval_id")
    )`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "risk_approvals_correlation_idx" ON ${risk} ("correlation_id")`);
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${displayed} (
      "display_id" text NOT NULL,
      "account" text NOT NULL,
      "risk_approval_id" text NOT NULL,
      "reason" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "side" text NOT NULL,
      "type" text NOT NULL,
      "quantity" numeric NOT NULL,
      "limit_price" numeric,
      "stop_price" numeric,
      "tif" text NOT NULL,
      "stop_loss" numeric,
      "take_profit" numeric,
      "origin" text NOT NULL,
      "strategy" text,
      "ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "displayed_orders_pkey" PRIMARY KEY ("display_id")
    )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "displayed_orders_account_ts_idx" ON ${displayed} ("account", "ts" DESC, "display_id" DESC)`,
    );
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "displayed_orders_correlation_idx" ON ${displayed} ("correlation_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schema, 'displayed_orders')}`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schema, 'risk_approvals')}`);
  }
}
