import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { ExecutionMode, TradingState } from '@tradeloop/contracts';
import { epochMsCol, floatCol, textCol, textKey } from './columns';

/**
 * The governor's trading state and execution mode per account. Each half carries its own event
 * time, so a late message about one half can neither undo the other nor roll itself back.
 * A half is null until its first event: the read model does not guess the governor's defaults.
 */
@Entity({ name: 'trading_state' })
@Check('trading_state_state_check', `"state" IS NULL OR "state" IN ('ACTIVE','REDUCING','HALTED')`)
export class TradingStateEntity {
  @PrimaryColumn(textKey('account'))
  account!: string;

  @Column(textCol('state', true))
  state!: TradingState | null;

  @Column(textCol('reason', true))
  reason!: string | null;

  @Column(textCol('state_by', true))
  stateBy!: string | null;

  @Column(epochMsCol('state_ts', true))
  stateTs!: number | null;

  @Column(textCol('mode', true))
  mode!: ExecutionMode | null;

  @Column(floatCol('threshold', true))
  threshold!: number | null;

  @Column(textCol('mode_by', true))
  modeBy!: string | null;

  @Column(epochMsCol('mode_ts', true))
  modeTs!: number | null;

  /** The message that set the state (a HaltTrading or ResumeTrading command's id). */
  @Column(textCol('state_cause_id', true))
  stateCauseId!: string | null;

  /** The message that set the mode (a SetExecutionMode command's id). */
  @Column(textCol('mode_cause_id', true))
  modeCauseId!: string | null;

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;
}
