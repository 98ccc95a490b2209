import type { DataSource, EntityManager } from 'typeorm';
import { AccountStartEntity } from './entities/account-start.entity';
import type { Reader } from './queries';
import { qualify, schemaOf } from './sql-names';

/** The account as the executor starts: what its rebuilt state holds. */
export interface AccountStart {
  readonly account: string;
  readonly currency: string;
  /** Exact decimal strings in `currency`. */
  readonly cash: string;
  readonly realizedPnl: string;
  readonly fees: string;
  /** The sequence of the last AccountUpdated the state holds (0 before the first fill). */
  readonly sequence: number;
  /** Wall-clock epoch ms. */
  readonly startedTs: number;
}

/**
 * Records the account the executor started with (one row per account, the latest start's; an
 * older start written late changes nothing). Idempotent.
 */
export async function recordAccountStart(db: DataSource | EntityManager, start: AccountStart): Promise<void> {
  const ds = 'connection' in db ? db.connection : db;
  const table = qualify(schemaOf(ds), 'account_starts');
  await db.query(
    `INSERT INTO ${table} AS s ("account", "currency", "cash", "realized_pnl", "fees", "sequence", "started_ts") VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ("account") DO UPDATE SET
       "currency" = EXCLUDED."currency", "cash" = EXCLUDED."cash", "realized_pnl" = EXCLUDED."realized_pnl", "fees" = EXCLUDED."fees",
       "sequence" = EXCLUDED."sequence", "started_ts" = EXCLUDED."started_ts"
     WHERE s."started_ts" <= EXCLUDED."started_ts"`,
    [start.account, start.currency, start.cash, start.realizedPnl, start.fees, start.sequence, start.startedTs],
  );
}

export async function getAccountStart(db: Reader, account: string): Promise<AccountStartEntity | null> {
  return db.getRepository(AccountStartEntity).findOneBy({ account });
}
