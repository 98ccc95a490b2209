import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrderRole, Side } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

@Entity({ name: 'fills' })
@Check('fills_side_check', `"side" IN ('buy','sell')`)
@Check('fills_quantity_check', `"quantity" > 0`)
@Index('fills_account_ts_idx', { synchronize: false })
@Index('fills_order_idx', { synchronize: false })
export class FillEntity {
  @PrimaryColumn(textKey('fill_id'))
  fillId!: string;

  @Column(textCol('order_id'))
  orderId!: string;

  @Column(textCol('client_order_id'))
  clientOrderId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('venue'))
  venue!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('side'))
  side!: Side;

  @Column(decimalCol('quantity'))
  quantity!: string;

  @Column(decimalCol('price'))
  price!: string;

  @Column(decimalCol('fee'))
  fee!: string;

  @Column(textCol('fee_currency'))
  feeCurrency!: string;

  @Column(textCol('liquidity'))
  liquidity!: 'maker' | 'taker';

  @Column(textCol('role'))
  role!: OrderRole;

  @Column(decimalCol('reference_price'))
  referencePrice!: string;

  /** Signed, quote currency per unit (positive = worse for us). */
  @Column(decimalCol('slippage'))
  slippage!: string;

  @Column(decimalCol('spread', true))
  spread!: string | null;

  @Column(epochMsCol('ts'))
  ts!: number;

  @Column(textCol('correlation_id'))
  correlationId!: string;
}
