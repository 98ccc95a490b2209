import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalCol, epochMsCol, textCol, textKey } from './columns';

/** Latest AccountUpdated per account: start + realized_pnl − fees = cash, exactly. */
@Entity({ name: 'accounts' })
export class AccountEntity {
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

  @Column(epochMsCol('updated_ts'))
  updatedTs!: number;

  /** AccountUpdated.sequence of the snapshot held; null before the first that carried one. */
  @Column(epochMsCol('sequence', true)) // a bigint read back as a number, like the times
  sequence!: number | null;
}
