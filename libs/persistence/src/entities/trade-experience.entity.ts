import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { Direction, ExitReason, ExperienceRecordedData, OrderOrigin } from '@tradeloop/contracts';
import { boolCol, decimalCol, epochMsCol, floatCol, jsonbCol, textCol, textKey } from './columns';

/**
 * One closed trade with its whole decision context. Append-only, enforced by the database: a
 * trigger refuses UPDATE, DELETE and TRUNCATE (see the Initial migration). The columns are
 * the query keys; `payload` is the ExperienceRecorded data exactly as it was recorded.
 */
@Entity({ name: 'trade_experiences' })
@Unique('trade_experiences_position_id_key', ['positionId'])
@Check('trade_experiences_direction_check', `"direction" IN ('long','short')`)
@Index('trade_experiences_account_closed_idx', { synchronize: false })
@Index('trade_experiences_arm_idx', { synchronize: false })
export class TradeExperienceEntity {
  /** The ExperienceRecorded envelope id. */
  @PrimaryColumn(textKey('experience_id'))
  experienceId!: string;

  @Column(textCol('position_id'))
  positionId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('strategy'))
  strategy!: string;

  @Column(textCol('venue'))
  venue!: string;

  @Column(textCol('symbol'))
  symbol!: string;

  @Column(textCol('direction'))
  direction!: Direction;

  @Column(textCol('origin'))
  origin!: OrderOrigin;

  @Column(textCol('exit_reason'))
  exitReason!: ExitReason;

  @Column(textCol('signal_id', true))
  signalId!: string | null;

  /** Net of fees. */
  @Column(decimalCol('pnl'))
  pnl!: string;

  @Column(decimalCol('fees'))
  fees!: string;

  /** The money of pnl and fees (the instrument's quote currency); null on rows recorded before it was. */
  @Column(textCol('currency', true))
  currency!: string | null;

  @Column(floatCol('r_multiple', true))
  rMultiple!: number | null;

  @Column(boolCol('win'))
  win!: boolean;

  @Column(epochMsCol('holding_ms'))
  holdingMs!: number;

  @Column(epochMsCol('opened_at'))
  openedAt!: number;

  @Column(epochMsCol('closed_at'))
  closedAt!: number;

  @Column(jsonbCol('payload'))
  payload!: ExperienceRecordedData;

  @Column(epochMsCol('recorded_ts'))
  recordedTs!: number;

  @Column(textCol('correlation_id'))
  correlationId!: string;
}
