import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExecutionMode, OrderSpec } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, floatCol, jsonbCol, textCol, textKey } from './columns';

export type ApprovalStatus = 'requested' | 'granted' | 'rejected' | 'expired';

@Entity({ name: 'approvals' })
@Check('approvals_status_check', `"status" IN ('requested','granted','rejected','expired')`)
@Index('approvals_account_requested_idx', { synchronize: false })
@Index('approvals_pending_idx', { synchronize: false })
@Index('approvals_risk_approval_idx', { synchronize: false })
@Index('approvals_correlation_idx', { synchronize: false })
export class ApprovalEntity {
  /** The ApprovalRequested envelope id. */
  @PrimaryColumn(textKey('approval_id'))
  approvalId!: string;

  @Column(textCol('risk_approval_id'))
  riskApprovalId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('status'))
  status!: ApprovalStatus;

  @Column(floatCol('quality'))
  quality!: number;

  @Column(floatCol('threshold'))
  threshold!: number;

  @Column(textCol('mode'))
  mode!: ExecutionMode;

  @Column(epochMsCol('expires_at'))
  expiresAt!: number;

  @Column(epochMsCol('requested_ts'))
  requestedTs!: number;

  @Column(epochMsCol('decided_ts', true))
  decidedTs!: number | null;

  @Column(textCol('decided_by', true))
  decidedBy!: string | null;

  @Column(textCol('reason', true))
  reason!: string | null;

  @Column(jsonbCol('order'))
  order!: OrderSpec;

  @Column(textCol('correlation_id'))
  correlationId!: string;

  /**
   * The price risk approved the order at (ApprovalRequested.referencePrice): the executor refuses
   * the granted order if the market has moved away from it. Null on requests recorded without it.
   */
  @Column(decimalCol('reference_price', true))
  referencePrice!: string | null;

  /** The message that caused the decision (the ApproveOrder or RejectOrder, or what the expiry came on). */
  @Column(textCol('decided_cause_id', true))
  decidedCauseId!: string | null;
}
