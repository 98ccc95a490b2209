import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The governor's mode, threshold and trading state as it last started, per account: GET
 * /v1/status showed `mode: null` until a command changed the mode, although the governor runs in
 * the mode its configuration gives it from the start (it publishes no event about that).
 */
export class GovernorStarts1700000009000 implements MigrationInterface {
  readonly name = 'GovernorStarts1700000009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'governor_starts');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${table} (
      "account" text NOT NULL,
      "mode" text NOT NULL,
      "threshold" double precision NOT NULL,
      "state" text NOT NULL,
      "started_ts" bigint NOT NULL,
      CONSTRAINT "governor_starts_pkey" PRIMARY KEY ("account"),
      CONSTRAINT "governor_starts_state_check" CHECK ("state" IN ('ACTIVE','REDUCING','HALTED'))
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'governor_starts')}`);
  }
}
