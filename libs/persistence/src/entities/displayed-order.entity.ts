import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrderDisplayedData, OrderOrigin, OrderType, Side, StrategyId, TimeInForce } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';
import type { RiskApprovalEntity } from './risk-approval.entity';

export type DisplayReason = OrderDisplayedData['reason'];

/**
 * Orders the governor reported but did not place (OrderDisplayed), one row each: in
 * display_only mode every order ends here, and so do orders that arrive while trading is HALTED
 * or an order risk approved before REDUCING began. What would have been ordered is the OrderSpec
 * risk sized, copied column by column.
 */
@Entity({ name: 'displayed_orders' })
@Index('displayed_orders_account_ts_idx', { synchronize: false })
@Index('displayed_orders_correlation_idx', { synchronize: false })
export class DisplayedOrderEntity {
  /** The OrderDisplayed envelope id. */
  @PrimaryColumn(textKey('display_id'))
  displayId!: string;

  @Column(textCol('account'))
  account!: string;

  /** The RiskApproved the governor did not pass on. */
  @Column(textCol('risk_approval_id'))
  riskApprovalId!: string;

  @Column(textCol('reason'))
  reason!: DisplayReason;

  @Column(textCol('venue'))
  venue!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('side'))
  side!: Side;

  @Column(textCol('type'))
  type!: OrderType;

  @Column(decimalCol('quantity'))
  quantity!: string;

  @Column(decimalCol('limit_price', true))
  limitPrice!: string | null;

  @Column(decimalCol('stop_price', true))
  stopPrice!: string | null;

  @Column(textCol('tif'))
  tif!: TimeInForce;

  @Column(decimalCol('stop_loss', true))
  stopLoss!: string | null;

  @Column(decimalCol('take_profit', true))
  takeProfit!: string | null;

  @Column(textCol('origin'))
  origin!: OrderOrigin;

  @Column(textCol('strategy', true))
  strategy!: StrategyId | null;

  @Column(epochMsCol('ts'))
  ts!: number;

  /** The chain: a manual order's is its command id; a strategy order's, its signal's id. */
  @Column(textCol('correlation_id'))
  correlationId!: string;

  /** Risk's record of the order (listDisplayedOrders joins it); null until risk's projection has it. */
  risk?: RiskApprovalEntity | null;
}
