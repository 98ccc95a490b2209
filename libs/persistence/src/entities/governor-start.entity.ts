import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { ExecutionMode, TradingState } from '@tradeloop/contracts';
import { epochMsCol, floatCol, textCol, textKey } from './columns';

/**
 * How the governor of an account last started: its mode, threshold and trading state once its
 * state was rebuilt (the configuration's — EXECUTION_MODE, or display_only without AUTO_EXECUTE;
 * QUALITY_THRESHOLD; ACTIVE — with every command it had handled before applied). The governor
 * publishes no event about a mode it merely starts in, so trading_state has nothing to show until
 * a command changes it; this row is what is in force until then.
 */
@Entity({ name: 'governor_starts' })
@Check('governor_starts_state_check', `"state" IN ('ACTIVE','REDUCING','HALTED')`)
export class GovernorStartEntity {
  @PrimaryColumn(textKey('account'))
  account!: string;

  @Column(textCol('mode'))
  mode!: ExecutionMode;

  @Column(floatCol('threshold'))
  threshold!: number;

  @Column(textCol('state'))
  state!: TradingState;

  /** When it started, by the wall clock (epoch ms). */
  @Column(epochMsCol('started_ts'))
  startedTs!: number;
}
