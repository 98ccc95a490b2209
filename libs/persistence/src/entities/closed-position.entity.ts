import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Direction, ExitReason, OrderOrigin } from '@tradeloop/contracts';
import { decimalCol, epochMsCol, floatCol, textCol, textKey } from './columns';

/**
 * Where a row came from: a PositionClosed (every close since the table exists), or, for closes
 * before it, the migration's recovery from the trade-experience store (every figure but the
 * entry order, which experiences do not record) or from the last closed row of `positions`
 * (no exit price, gross P&L, fees, largest quantity or excursions).
 */
export type ClosedPositionSource = 'event' | 'experience' | 'position';

/**
 * The history of closed positions, one row per position (PositionClosed), kept for good. The
 * `positions` table holds only the current (or last) position per account, venue and symbol.
 */
@Entity({ name: 'closed_positions' })
@Check('closed_positions_direction_check', `"direction" IN ('long','short')`)
@Check('closed_positions_source_check', `"source" IN ('event','experience','position')`)
@Index('closed_positions_account_closed_idx', { synchronize: false })
@Index('closed_positions_account_symbol_closed_idx', { synchronize: false })
export class ClosedPositionEntity {
  @PrimaryColumn(textKey('position_id'))
  positionId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('venue'))
  venue!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('direction'))
  direction!: Direction;

  /** Largest absolute quantity held. */
  @Column(decimalCol('max_quantity', true))
  maxQuantity!: string | null;

  /** Average entry price. */
  @Column(decimalCol('entry_price'))
  entryPrice!: string;

  /** Average exit price. */
  @Column(decimalCol('exit_price', true))
  exitPrice!: string | null;

  @Column(decimalCol('gross_pnl', true))
  grossPnl!: string | null;

  /** Entry and exit fees of this position. */
  @Column(decimalCol('fees', true))
  fees!: string | null;

  /** Net of fees. */
  @Column(decimalCol('realized_pnl'))
  realizedPnl!: string;

  /** The money of the prices and P&L: the instrument's quote currency. */
  @Column(textCol('currency', true))
  currency!: string | null;

  @Column(textCol('exit_reason'))
  exitReason!: ExitReason;

  @Column(epochMsCol('opened_at'))
  openedAt!: number;

  @Column(epochMsCol('closed_at'))
  closedAt!: number;

  @Column(epochMsCol('holding_ms'))
  holdingMs!: number;

  @Column(floatCol('max_adverse_excursion', true))
  maxAdverseExcursion!: number | null;

  @Column(floatCol('max_favorable_excursion', true))
  maxFavorableExcursion!: number | null;

  @Column(textCol('entry_order_id', true))
  entryOrderId!: string | null;

  @Column(textCol('origin', true))
  origin!: OrderOrigin | null;

  @Column(textCol('strategy', true))
  strategy!: string | null;

  /** The chain of the order that opened it (as PositionClosed's). */
  @Column(textCol('correlation_id', true))
  correlationId!: string | null;

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;

  @Column(textCol('source'))
  source!: ClosedPositionSource;
}
