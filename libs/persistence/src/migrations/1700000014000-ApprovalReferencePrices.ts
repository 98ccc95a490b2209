import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualify, schemaOf } from '../sql-names';

/**
 * The price risk approved an order at, on its approval request (ApprovalRequested.referencePrice):
 * the executor refuses a granted order whose market has moved away from it (`stale approval`),
 * and the person deciding could not see it. Requests recorded before are given it from risk's
 * record of the order (risk_approvals) where there is one; older ones keep none.
 */
export class ApprovalReferencePrices1700000014000 implements MigrationInterface {
  readonly name = 'ApprovalReferencePrices1700000014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner.dataSource);
    const approvals = qualify(schema, 'approvals');
    await queryRunner.query(`ALTER TABLE ${approvals} ADD COLUMN IF NOT EXISTS "reference_price" numeric NULL`);
    await queryRunner.query(
      `UPDATE ${approvals} AS a SET "reference_price" = r."reference_price"
         FROM ${qualify(schema, 'risk_approvals')} AS r
        WHERE r."risk_approval_id" = a."risk_approval_id" AND a."reference_price" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${qualify(schemaOf(queryRunner.dataSource), 'approvals')} DROP COLUMN IF EXISTS "reference_price"`);
  }
}
