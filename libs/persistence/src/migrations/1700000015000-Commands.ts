import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * What became of a command sent through the gateway (`GET /v1/commands/:commandId`): the gateway
 * records each command it publishes (`commands`), and the read models say which message caused
 * their last change — an approval's decision, an order's end, the trading state and mode. Before,
 * an approve and a reject sent together both got 202, the governor applied the first and ignored
 * the second, and the client that sent the second never learnt its command had no effect.
 */
export class Commands1700000015000 implements MigrationInterface {
  readonly name = 'Commands1700000015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${qualify(schema, 'commands')} (
      "command_id" text NOT NULL,
      "account" text NOT NULL,
      "type" text NOT NULL,
      "target" text,
      "requested_by" text NOT NULL,
      "ts" bigint NOT NULL,
      "data" jsonb NOT NULL,
      "created_at" bigint NOT NULL,
      "sent_at" bigint,
      CONSTRAINT "commands_pkey" PRIMARY KEY ("command_id")
    )`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'approvals')} ADD COLUMN IF NOT EXISTS "decided_cause_id" text NULL`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'orders')} ADD COLUMN IF NOT EXISTS "status_cause_id" text NULL`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'trading_state')} ADD COLUMN IF NOT EXISTS "state_cause_id" text NULL`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'trading_state')} ADD COLUMN IF NOT EXISTS "mode_cause_id" text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'trading_state')} DROP COLUMN IF EXISTS "mode_cause_id"`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'trading_state')} DROP COLUMN IF EXISTS "state_cause_id"`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'orders')} DROP COLUMN IF EXISTS "status_cause_id"`);
    await queryRunner.query(`ALTER TABLE ${qualify(schema, 'approvals')} DROP COLUMN IF EXISTS "decided_cause_id"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schema, 'commands')}`);
  }
}
