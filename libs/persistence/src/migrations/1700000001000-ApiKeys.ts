import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The gateway's API keys. A key is `tl_<id>_<secret>`; the row keeps the id, a SHA-256 of the
 * secret and the scopes, never the secret itself. Times are epoch ms (bigint) like every other
 * table. Idempotent like the Initial migration, so it is safe to re-run by hand.
 */
export class ApiKeys1700000001000 implements MigrationInterface {
  // Explicit, so a minifier or a bundler renaming the class cannot change the recorded name.
  readonly name = 'ApiKeys1700000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'api_keys');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${table} (
      "id" text NOT NULL,
      "name" text NOT NULL,
      "key_hash" text NOT NULL,
      "scopes" text[] NOT NULL,
      "created_at" bigint NOT NULL,
      "revoked_at" bigint,
      CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "api_keys_name_key" UNIQUE ("name"),
      CONSTRAINT "api_keys_scopes_check" CHECK (cardinality("scopes") > 0 AND "scopes" <@ ARRAY['read','trade','admin']::text[])
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'api_keys')}`);
  }
}
