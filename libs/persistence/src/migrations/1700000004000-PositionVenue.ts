import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * A position per account, venue and symbol: the paper broker keeps EURUSD at OANDA and EURUSD
 * at FXCM apart (an order fills on its own venue's bars), so their positions are two rows.
 */
export class PositionVenue1700000004000 implements MigrationInterface {
  readonly name = 'PositionVenue1700000004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'positions');
    await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS "positions_pkey"`);
    await queryRunner.query(`ALTER TABLE ${table} ADD CONSTRAINT "positions_pkey" PRIMARY KEY ("account", "venue", "symbol")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'positions');
    // Per symbol again: of two venues' rows for one symbol, the most recently updated stays.
    await queryRunner.query(
      `DELETE FROM ${table} p USING ${table} q
        WHERE p."account" = q."account" AND p."symbol" = q."symbol" AND p."venue" <> q."venue"
          AND (p."updated_ts", p."venue") < (q."updated_ts", q."venue")`,
    );
    await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS "positions_pkey"`);
    await queryRunner.query(`ALTER TABLE ${table} ADD CONSTRAINT "positions_pkey" PRIMARY KEY ("account", "symbol")`);
  }
}
