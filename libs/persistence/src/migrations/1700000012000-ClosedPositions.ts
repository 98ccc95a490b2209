import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The history of closed positions, one row per position: `positions` keeps one row per account,
 * venue and symbol, so each new position on a market overwrote the one closed before it and
 * GET /v1/positions?status=closed showed only the last close of each market.
 *
 * Closes from before this table are recovered where the database still has them: every closed
 * position learning recorded (trade_experiences holds the figures of each close: prices,
 * quantity, P&L, fees, excursions, chain), the entry order taken from `positions` or else from
 * the chain's entry order in `orders`; then the last closed position of each market in
 * `positions` that has no experience (its entry price, net P&L, exit reason and times; origin,
 * strategy and chain from its entry order). `source` says which; a PositionClosed delivered
 * again later replaces such a row with its own figures.
 */
export class ClosedPositions1700000012000 implements MigrationInterface {
  readonly name = 'ClosedPositions1700000012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const closed = qualify(schema, 'closed_positions');
    const positions = qualify(schema, 'positions');
    const experiences = qualify(schema, 'trade_experiences');
    const orders = qualify(schema, 'orders');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${closed} (
      "position_id" text NOT NULL,
      "account" text NOT NULL,
      "venue" text NOT NULL,
      "symbol" text NOT NULL,
      "direction" text NOT NULL,
      "max_quantity" numeric,
      "entry_price" numeric NOT NULL,
      "exit_price" numeric,
      "gross_pnl" numeric,
      "fees" numeric,
      "realized_pnl" numeric NOT NULL,
      "currency" text,
      "exit_reason" text NOT NULL,
      "opened_at" bigint NOT NULL,
      "closed_at" bigint NOT NULL,
      "holding_ms" bigint NOT NULL,
      "max_adverse_excursion" double precision,
      "max_favorable_excursion" double precision,
      "entry_order_id" text,
      "origin" text,
      "strategy" text,
      "correlation_id" text,
      "updated_ts" bigint NOT NULL,
      "source" text NOT NULL,
      CONSTRAINT "closed_positions_pkey" PRIMARY KEY ("position_id"),
      CONSTRAINT "closed_positions_direction_check" CHECK ("direction" IN ('long','short')),
      CONSTRAINT "closed_positions_source_check" CHECK ("source" IN ('event','experience','position'))
    )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "closed_positions_account_closed_idx" ON ${closed} ("account", "closed_at" DESC, "position_id" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "closed_positions_account_symbol_closed_idx" ON ${closed} ("account", "symbol", "closed_at" DESC, "position_id" DESC)`,
    );

    // Learning records manual trades under the strategy 'manual'; a PositionClosed has none.
    await queryRunner.query(
      `INSERT INTO ${closed} ("position_id", "account", "venue", "symbol", "direction", "max_quantity", "entry_price", "exit_price",
         "gross_pnl", "fees", "realized_pnl", "currency", "exit_reason", "opened_at", "closed_at", "holding_ms",
         "max_adverse_excursion", "max_favorable_excursion", "entry_order_id", "origin", "strategy", "correlation_id", "updated_ts", "source")
       SELECT e."position_id", e."account", e."venue", e."symbol", e."direction",
              (e."payload"->>'quantity')::numeric, (e."payload"->>'entryPrice')::numeric, (e."payload"->>'exitPrice')::numeric,
              e."pnl" + e."fees", e."fees", e."pnl", e."currency", e."exit_reason", e."opened_at", e."closed_at",
              e."closed_at" - e."opened_at",
              (e."payload"->>'maxAdverseExcursion')::double precision, (e."payload"->>'maxFavorableExcursion')::double precision,
              COALESCE(
                (SELECT p."entry_order_id" FROM ${positions} p WHERE p."account" = e."account" AND p."position_id" = e."position_id" LIMIT 1),
                (SELECT o."order_id" FROM ${orders} o
                  WHERE o."account" = e."account" AND o."correlation_id" = e."correlation_id" AND o."role" = 'entry'
                    AND o."venue" = e."venue" AND o."symbol" = e."symbol" AND o."filled_quantity" > 0
                  ORDER BY o."created_ts", o."order_id" LIMIT 1)
              ),
              e."origin",
              CASE WHEN e."origin" = 'manual' AND e."strategy" = 'manual' THEN NULL ELSE e."strategy" END,
              e."correlation_id", e."closed_at", 'experience'
         FROM ${experiences} e
       ON CONFLICT ("position_id") DO NOTHING`,
    );
    await queryRunner.query(
      `INSERT INTO ${closed} ("position_id", "account", "venue", "symbol", "direction", "max_quantity", "entry_price", "exit_price",
         "gross_pnl", "fees", "realized_pnl", "currency", "exit_reason", "opened_at", "closed_at", "holding_ms",
         "max_adverse_excursion", "max_favorable_excursion", "entry_order_id", "origin", "strategy", "correlation_id", "updated_ts", "source")
       SELECT p."position_id", p."account", p."venue", p."symbol", p."direction", NULL, p."average_price", NULL,
              NULL, NULL, p."realized_pnl", p."currency", p."exit_reason", p."opened_at", p."closed_at", p."closed_at" - p."opened_at",
              NULL, NULL, p."entry_order_id", o."origin", o."strategy", o."correlation_id", p."updated_ts", 'position'
         FROM ${positions} p LEFT JOIN ${orders} o ON o."order_id" = p."entry_order_id"
        WHERE p."status" = 'closed' AND p."closed_at" IS NOT NULL AND p."exit_reason" IS NOT NULL
       ON CONFLICT ("position_id") DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'closed_positions')}`);
  }
}
