import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The account snapshot's sequence (AccountUpdated.sequence): snapshots are ordered by it, since
 * event time is not monotone across markets. NULL for rows written before it existed; the
 * projection then falls back to event time until the first snapshot with a sequence.
 */
export class AccountSequence1700000003000 implements MigrationInterface {
  readonly name = 'AccountSequence1700000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'accounts');
    await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS "sequence" bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'accounts');
    await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS "sequence"`);
  }
}
