import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The gateway's Idempotency-Keys with a hash of the request each came with: a retry is answered
 * with the same command, a different request under a used key is refused (422).
 */
export class IdempotencyKeys1700000006000 implements MigrationInterface {
  readonly name = 'IdempotencyKeys1700000006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'idempotency_keys');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${table} (
      "api_key_id" text NOT NULL,
      "command_type" text NOT NULL,
      "target" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "request_hash" text NOT NULL,
      "command_id" text NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("api_key_id", "command_type", "target", "idempotency_key")
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'idempotency_keys')}`);
  }
}
