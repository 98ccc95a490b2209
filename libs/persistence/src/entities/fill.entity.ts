import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrderRole, Side } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

@Entity({ name: 'fills' })
@Check('fills_side_check', `"side" IN ('buy','sell')`)
@Check('fills_quantity_check', `"quantity" > 0`)
@Check('fills_conversion_rate_check', `"conversion_rate" IS NULL OR "conversion_rate" > 0`)
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

  /**
   * Only on a fill whose fee currency is not the account's money: the account currency, the
   * rate used (account units per unit of the fee currency), and this fill's realised P&L before
   * fees and its fee converted at that rate (OrderFilled's fields of the same names).
   */
  @Column(textCol('account_currency', true))
  accountCurrency!: string | null;

  @Column(decimalCol('conversion_rate', true))
  conversionRate!: string | null;

  @Column(decimalCol('account_realized_pnl', true))
  accountRealizedPnl!: string | null;

  @Column(decimalCol('account_fee', true))
  accountFee!: string | null;

  @Column(epochMsCol('ts'))
  ts!: number;

  @Column(textCol('correlation_id'))
  correlationId!: string;
}
