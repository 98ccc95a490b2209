import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DenialReason, OrderOrigin } from '@tradeloop/contracts';
import { epochMsCol, textCol, textKey } from './columns';

/**
 * Risk's refusals (OrderDenied), one row each: what a person who sent an order through the API
 * looks up to learn why nothing was placed (by its command id, the order's correlation id), and
 * what an operator counts by reason.
 */
@Entity({ name: 'denials' })
@Index('denials_account_ts_idx', { synchronize: false })
@Index('denials_correlation_idx', { synchronize: false })
export class DenialEntity {
  /** The OrderDenied envelope id. */
  @PrimaryColumn(textKey('denial_id'))
  denialId!: string;

  @Column(textCol('account'))
  account!: string;

  /** The DecisionMade or SubmitManualOrder the denial answers. */
  @Column(textCol('request_id'))
  requestId!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('reason'))
  reason!: DenialReason;

  @Column(textCol('detail'))
  detail!: string;

  @Column(textCol('origin'))
  origin!: OrderOrigin;

  @Column(epochMsCol('ts'))
  ts!: number;

  /** The chain: a manual order's is its command id; a strategy order's, its signal's id. */
  @Column(textCol('correlation_id'))
  correlationId!: string;
}
