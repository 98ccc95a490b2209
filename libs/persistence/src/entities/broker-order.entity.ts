import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

/** The paper broker's durable order book: one row per client order id. */
@Entity({ name: 'broker_orders' })
export class BrokerOrderEntity {
  @PrimaryColumn(textKey('client_order_id'))
  clientOrderId!: string;

  @Column(textCol('order_id'))
  orderId!: string;

  @Column(textCol('broker_order_id', true))
  brokerOrderId!: string | null;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('venue'))
  venue!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('side'))
  side!: string;

  @Column(textCol('type'))
  type!: string;

  @Column(decimalCol('quantity'))
  quantity!: string;

  @Column(decimalCol('filled_quantity'))
  filledQuantity!: string;

  @Column(textCol('status'))
  status!: string;

  @Column(epochMsCol('created_ts'))
  createdTs!: number;

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;
}
