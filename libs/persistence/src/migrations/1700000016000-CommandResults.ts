import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The governor's answer to each command (`command_results`), from its CommandRejected and the
 * state and mode changes it made. Before, the governor ignored a command it did not apply
 * without a word, and `GET /v1/commands/:commandId` guessed from read models that keep only the
 * latest state: a halt later undone by a resume, and a resume when not halted, read `unknown`.
 * The commands that made the state and mode in force are filled in from trading_state; earlier
 * changes left no trace to recover.
 */
export class CommandResults1700000016000 implements MigrationInterface {
  readonly name = 'CommandResults1700000016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const results = qualify(schema, 'command_results');
    const state = qualify(schema, 'trading_state');
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${results} (
      "command_id" text NOT NULL,
      "account" text NOT NULL,
      "command_type" text NOT NULL,
      "outcome" text NOT NULL,
      "reason" text,
      "detail" text NOT NULL,
      "event_id" text NOT NULL,
      "ts" bigint NOT NULL,
      CONSTRAINT "command_results_pkey" PRIMARY KEY ("command_id")
    )`);
    // The event ids are not in trading_state: the command id stands in (only read by people).
    await queryRunner.query(`INSERT INTO ${results} ("command_id", "account", "command_type", "outcome", "reason", "detail", "event_id", "ts")
      SELECT s."state_cause_id", s."account", CASE WHEN s."state" = 'HALTED' THEN 'HaltTrading' ELSE 'ResumeTrading' END, 'applied', NULL,
             'trading ' || s."state", s."state_cause_id", s."state_ts"
        FROM ${state} s WHERE s."state_cause_id" IS NOT NULL AND s."state_ts" IS NOT NULL
      ON CONFLICT ("command_id") DO NOTHING`);
    await queryRunner.query(`INSERT INTO ${results} ("command_id", "account", "command_type", "outcome", "reason", "detail", "event_id", "ts")
      SELECT s."mode_cause_id", s."account", 'SetExecutionMode', 'applied', NULL, 'execution mode ' || s."mode", s."mode_cause_id", s."mode_ts"
        FROM ${state} s WHERE s."mode_cause_id" IS NOT NULL AND s."mode_ts" IS NOT NULL
      ON CONFLICT ("command_id") DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${qualify(schemaOf(queryRunner.dataSource), 'command_results')}`);
  }
}
