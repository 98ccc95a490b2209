import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { Direction, ExitReason } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';
import type { OrderEntity } from './order.entity';

export type PositionStatus = 'open' | 'closed';

/**
 * The current (or last) position per account, venue and symbol: what the open-position listing
 * and counts read. A closed position stays as a row with quantity 0 until the next one on the
 * market replaces it (so a late message of an older position cannot reopen the market); the
 * history of closed positions is `closed_positions`.
 */
@Entity({ name: 'positions' })
@Check('positions_status_check', `"status" IN ('open','closed')`)
@Check('positions_direction_check', `"direction" IN ('long','short')`)
export class PositionEntity {
  @PrimaryColumn(textKey('account'))
  account!: string;

  @PrimaryColumn(textKey('symbol'))
  symbol!: string;

  @Column(textCol('position_id'))
  positionId!: string;

  @PrimaryColumn(textKey('venue'))
  venue!: string;

  @Column(textCol('direction'))
  direction!: Direction;

  @Column(decimalCol('quantity'))
  quantity!: string;

  @Column(decimalCol('average_price'))
  averagePrice!: string;

  /** Net of fees once closed; running realised P&L while open. */
  @Column(decimalCol('realized_pnl'))
  realizedPnl!: string;

  /** The money of averagePrice and realizedPnl: the instrument's quote currency. Null on rows from before it was recorded. */
  @Column(textCol('currency', true))
  currency!: string | null;

  @Column(textCol('status'))
  status!: PositionStatus;

  @Column(textCol('entry_order_id'))
  entryOrderId!: string;

  @Column(textCol('exit_reason', true))
  exitReason!: ExitReason | null;

  @Column(epochMsCol('opened_at'))
  openedAt!: number;

  @Column(epochMsCol('closed_at', true))
  closedAt!: number | null;

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;

  /** The entry order (listPositions joins it for origin, strategy and chain); null if the read model lacks it. */
  entryOrder?: OrderEntity | null;
}
