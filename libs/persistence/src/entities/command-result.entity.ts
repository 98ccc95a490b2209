import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMsCol, textCol, textKey } from './columns';

/**
 * The governor's answer to a command: applied (a TradingStateChanged or ExecutionModeChanged it
 * caused) or not (a CommandRejected, with the reason). One row per command, whichever service
 * sent it; unlike trading_state it keeps a halt's answer after a resume replaced its state.
 */
@Entity({ name: 'command_results' })
export class CommandResultEntity {
  /** The command's envelope id. */
  @PrimaryColumn(textKey('command_id'))
  commandId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('command_type'))
  commandType!: string;

  /** applied, ignored (too late to have an effect) or refused (not allowed or not valid). */
  @Column(textCol('outcome'))
  outcome!: 'applied' | 'ignored' | 'refused';

  /** CommandRejected's reason code; null when applied. */
  @Column(textCol('reason', true))
  reason!: string | null;

  /** One sentence: `approval already granted by alice`, `trading HALTED`. */
  @Column(textCol('detail'))
  detail!: string;

  /** The governor's event that answered it. */
  @Column(textCol('event_id'))
  eventId!: string;

  @Column(epochMsCol('ts'))
  ts!: number;
}
