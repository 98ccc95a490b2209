import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The money of an experience's P&L and fees: the instrument's quote currency, as the position's
 * (ReadModelCurrencies1700000005000 gave positions theirs). A USD account's USDJPY trade was
 * stored as pnl -3136 with nothing saying yen. Nullable: rows recorded before it have none, and
 * the store is append-only, so they keep none (a position's currency is in `positions`).
 * Adding a column is DDL, which the append-only trigger (UPDATE, DELETE, TRUNCATE) lets through.
 */
export class ExperienceCurrency1700000010000 implements MigrationInterface {
  readonly name = 'ExperienceCurrency1700000010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'trade_experiences');
    await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS "currency" text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'trade_experiences');
    await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS "currency"`);
  }
}
