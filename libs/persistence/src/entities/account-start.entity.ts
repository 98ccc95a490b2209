import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

/**
 * The account the executor last started with: cash, realised P&L and fees in the account currency
 * as its rebuilt state held them (STARTING_CASH on a first start; what the fills left after a
 * restart). The executor publishes AccountUpdated only with a fill, so `accounts` holds nothing
 * until the first one; this row is the balance in force until then.
 */
@Entity({ name: 'account_starts' })
export class AccountStartEntity {
  @PrimaryColumn(textKey('account'))
  account!: string;

  @Column(textCol('currency'))
  currency!: string;

  @Column(decimalCol('cash'))
  cash!: string;

  @Column(decimalCol('realized_pnl'))
  realizedPnl!: string;

  @Column(decimalCol('fees'))
  fees!: string;

  /** The AccountUpdated sequence the state had reached (0: no fill yet). */
  @Column(epochMsCol('sequence')) // a bigint read back as a number, like the times
  sequence!: number;

  /** When it started, by the wall clock (epoch ms). */
  @Column(epochMsCol('started_ts'))
  startedTs!: number;
}
