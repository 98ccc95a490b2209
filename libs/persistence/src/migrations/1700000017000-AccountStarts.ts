import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The account the executor last started with, per account: GET /v1/status showed `balance: null`
 * until the first fill, although the paper account holds STARTING_CASH from the start (the
 * executor publishes AccountUpdated only with a fill).
 */
export class AccountStarts1700000017000 implements MigrationInterface {
  readonly name = 'AccountStarts1700000017000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'account_starts')} (
      "account" text NOT NULL,
      "currency" text NOT NULL,
      "cash" numeric NOT NULL,
      "realized_pnl" numeric NOT NULL,
      "fees" numeric NOT NULL,
      "sequence" bigint NOT NULL,
      "started_ts" bigint NOT NULL,
      CONSTRAINT "account_starts_pkey" PRIMARY KEY ("account")
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'account_starts')}`);
  }
}
