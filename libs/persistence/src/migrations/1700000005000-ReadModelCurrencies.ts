import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The money of every amount an account reads. An account in one currency trades instruments
 * quoted in another (USDJPY in a USD account): a position's prices and P&L are in the
 * instrument's quote currency, and a fill of such an instrument says what it did to the account
 * (the account currency, the rate, its realised P&L and fee converted). Nullable: rows written
 * before this migration, and fills that needed no conversion, have none.
 */
export class ReadModelCurrencies1700000005000 implements MigrationInterface {
  readonly name = 'ReadModelCurrencies1700000005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const positions = qualify(schema, 'positions');
    const fills = qualify(schema, 'fills');
    await queryRunner.query(`ALTER TABLE ${positions} ADD COLUMN IF NOT EXISTS "currency" text NULL`);
    await queryRunner.query(
      `ALTER TABLE ${fills}
         ADD COLUMN IF NOT EXISTS "account_currency" text NULL,
         ADD COLUMN IF NOT EXISTS "conversion_rate" numeric NULL,
         ADD COLUMN IF NOT EXISTS "account_realized_pnl" numeric NULL,
         ADD COLUMN IF NOT EXISTS "account_fee" numeric NULL`,
    );
    await queryRunner.query(`ALTER TABLE ${fills} DROP CONSTRAINT IF EXISTS "fills_conversion_rate_check"`);
    await queryRunner.query(
      `ALTER TABLE ${fills} ADD CONSTRAINT "fills_conversion_rate_check" CHECK ("conversion_rate" IS NULL OR "conversion_rate" > 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const fills = qualify(schema, 'fills');
    await queryRunner.query(`ALTER TABLE ${fills} DROP CONSTRAINT IF EXISTS "fills_conversion_rate_check"`);
    await queryRunner.query(
      `ALTER TABLE ${fills}
         DROP COLUMN IF EXISTS "account_fee",
         DROP COLUMN IF EXISTS "account_realized_pnl",
         DROP COLUMN IF EXISTS "conversion_rate",
         DROP COLUMN IF EXISTS "account_currency"`,
    );
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'positions')} DROP COLUMN IF EXISTS "currency"`);
  }
}
