import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RiskLevel, TradingState } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, floatCol, textCol, textKey } from './columns';

/**
 * Risk's approvals (RiskApproved), one row each: how risk sized and rated an order before the
 * governor saw it. The governor's displayed orders (and anything else keyed by a risk approval
 * id) read their risk level, money at risk and reference price from here.
 */
@Entity({ name: 'risk_approvals' })
@Index('risk_approvals_correlation_idx', { synchronize: false })
export class RiskApprovalEntity {
  /** The RiskApproved envelope id. */
  @PrimaryColumn(textKey('risk_approval_id'))
  riskApprovalId!: string;

  @Column(textCol('account'))
  account!: string;

  /** The DecisionMade or SubmitManualOrder it answers. */
  @Column(textCol('request_id'))
  requestId!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('risk_level'))
  riskLevel!: Exclude<RiskLevel, 'BLOCKED'>;

  /** Money at risk if the stop is hit (quote currency). */
  @Column(decimalCol('risk_amount'))
  riskAmount!: string;

  /** Quantity × reference price × contract size (quote currency). */
  @Column(decimalCol('notional'))
  notional!: string;

  @Column(decimalCol('reference_price'))
  referencePrice!: string;

  /** Signal quality 0–100 (100 for manual orders). */
  @Column(floatCol('quality'))
  quality!: number;

  @Column(textCol('trading_state', true))
  tradingState!: TradingState | null;

  @Column(epochMsCol('ts'))
  ts!: number;

  @Column(textCol('correlation_id'))
  correlationId!: string;
}
