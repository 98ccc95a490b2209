import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * Idempotency-Keys expire (IDEMPOTENCY_KEY_TTL_MS after their first use) and expired ones are
 * deleted, oldest first: an index on `created_at` for that.
 *
 * `created_at` is now wall-clock time. Until this migration it was the command's time, which on
 * a deployment replaying recorded data (TIMER_CLOCK=event) is the replay's (2014 for the bundled
 * file): every existing key would look long expired, and a retry of a command sent just before
 * the upgrade would become a second command. So existing keys count from the upgrade instead: each
 * gets a full retention period.
 */
export class IdempotencyKeyRetention1700000008000 implements MigrationInterface {
  readonly name = 'IdempotencyKeyRetention1700000008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'idempotency_keys');
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "idempotency_keys_created_idx" ON ${table} ("created_at")`);
    await queryRunner.query(`UPDATE ${table} SET "created_at" = floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    await queryRunner.query(`DROP INDEX IF EXISTS ${qualify(schema, 'idempotency_keys_created_idx')}`);
  }
}
