import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * Approval requests found by their chain (`GET /v1/approvals?correlationId=`): in fully_manual
 * mode a manual order's approval is found by the command id POST /v1/orders answered, where the
 * client had to page through every request before.
 */
export class ApprovalChains1700000013000 implements MigrationInterface {
  readonly name = 'ApprovalChains1700000013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = qualify(schemaOf(queryRunner.dataSource), 'approvals');
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "approvals_correlation_idx" ON ${table} ("correlation_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    await queryRunner.query(`DROP INDEX IF EXISTS ${qualify(schema, 'approvals_correlation_idx')}`);
  }
}
