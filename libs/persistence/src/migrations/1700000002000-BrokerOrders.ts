import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The paper broker's own order book, kept durably: one row per client order id (the primary
 * key), so the broker can never hold two orders for one client order id however often the
 * executor retries. Status and filled quantity as the broker last reported them.
 */
export class BrokerOrders1700000002000 implements MigrationInterface {
  readonly name = 'BrokerOrders1700000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'broker_orders');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${table} (
      "client_order_id" text NOT NULL,
      "order_id" text NOT NULL,
      "broker_order_id" text,
      "account" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "side" text NOT NULL,
      "type" text NOT NULL,
      "quantity" numeric NOT NULL,
      "filled_quantity" numeric NOT NULL,
      "status" text NOT NULL,
      "created_ts" bigint NOT NULL,
      "updated_ts" bigint NOT NULL,
      CONSTRAINT "broker_orders_pkey" PRIMARY KEY ("client_order_id")
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'broker_orders')}`);
  }
}
