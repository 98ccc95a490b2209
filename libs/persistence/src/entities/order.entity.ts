import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { OrderOrigin, OrderRole, OrderStatus, OrderType, Side, TimeInForce } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

/** Read model of one broker order; written by the execution projection, never by hand. */
@Entity({ name: 'orders' })
@Unique('orders_client_order_id_key', ['clientOrderId'])
@Check('orders_status_check', `"status" IN ('submitted','accepted','partially_filled','filled','cancelled','rejected','expired')`)
@Check('orders_side_check', `"side" IN ('buy','sell')`)
@Check('orders_quantity_check', `"quantity" > 0`)
@Check('orders_filled_quantity_check', `"filled_quantity" >= 0`)
@Index('orders_account_created_idx', { synchronize: false })
@Index('orders_working_idx', { synchronize: false })
@Index('orders_correlation_idx', { synchronize: false })
export class OrderEntity {
  @PrimaryColumn(textKey('order_id'))
  orderId!: string;

  @Column(textCol('client_order_id'))
  clientOrderId!: string;

  @Column(textCol('approved_order_id'))
  approvedOrderId!: string;

  @Column(textCol('risk_approval_id'))
  riskApprovalId!: string;

  @Column(textCol('account'))
  account!: string;

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

  @Column(textCol('role'))
  role!: OrderRole;

  @Column(textCol('parent_order_id', true))
  parentOrderId!: string | null;

  @Column(textCol('oco_group', true))
  ocoGroup!: string | null;

  @Column(textCol('origin'))
  origin!: OrderOrigin;

  @Column(textCol('strategy', true))
  strategy!: string | null;

  @Column(textCol('status'))
  status!: OrderStatus;

  /** Why the order was rejected or cancelled. */
  @Column(textCol('status_reason', true))
  statusReason!: string | null;

  /** The message that ended the order (rejected, cancelled, expired): a CancelOrder's id for a person's cancel. */
  @Column(textCol('status_cause_id', true))
  statusCauseId!: string | null;

  @Column(textCol('broker_order_id', true))
  brokerOrderId!: string | null;

  /** Sum of this order's rows in `fills`, so a fill can never count twice. */
  @Column(decimalCol('filled_quantity'))
  filledQuantity!: string;

  @Column(epochMsCol('created_ts'))
  createdTs!: number;

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;

  @Column(textCol('correlation_id'))
  correlationId!: string;
}
