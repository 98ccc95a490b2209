import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * Risk's refusals as a read model: an order sent through the API and denied (a price collar, a
 * limit, a venue with no prices) was visible only in the streams and the logs, so its sender,
 * answered 202 when the command was taken, could not learn what became of it.
 */
export class Denials1700000007000 implements MigrationInterface {
  readonly name = 'Denials1700000007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const table = qualify(schema, 'denials');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${table} (
      "denial_id" text NOT NULL,
      "account" text NOT NULL,
      "request_id" text NOT NULL,
      "symbol" text NOT NULL,
      "reason" text NOT NULL,
      "detail" text NOT NULL,
      "origin" text NOT NULL,
      "ts" bigint NOT NULL,
      "correlation_id" text NOT NULL,
      CONSTRAINT "denials_pkey" PRIMARY KEY ("denial_id")
    )`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "denials_account_ts_idx" ON ${table} ("account", "ts" DESC, "denial_id" DESC)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "denials_correlation_idx" ON ${table} ("correlation_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'denials')}`);
  }
}
