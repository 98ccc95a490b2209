import type { DataSource, EntityManager } from 'typeorm';
import type { ExecutionMode, TradingState } from '@tradeloop/contracts';
import { GovernorStartEntity } from './entities/governor-start.entity';
import type { Reader } from './queries';
import { qualify, schemaOf } from './sql-names';

/** The governor as it starts: what its rebuilt state holds. */
export interface GovernorStart {
  readonly account: string;
  readonly mode: ExecutionMode;
  readonly threshold: number;
  readonly state: TradingState;
  /** Wall-clock epoch ms. */
  readonly startedTs: number;
}

/**
 * Records how the governor of an account started (one row per account, the latest start's; an
 * older start written late changes nothing). Idempotent.
 */
export async function recordGovernorStart(db: DataSource | EntityManager, start: GovernorStart): Promise<void> {
  const ds = 'connection' in db ? db.connection : db;
  const table = qualify(schemaOf(ds), 'governor_starts');
  await db.query(
    `INSERT INTO ${table} AS g ("account", "mode", "threshold", "state", "started_ts") VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ("account") DO UPDATE SET
       "mode" = EXCLUDED."mode", "threshold" = EXCLUDED."threshold", "state" = EXCLUDED."state", "started_ts" = EXCLUDED."started_ts"
     WHERE g."started_ts" <= EXCLUDED."started_ts"`,
    [start.account, start.mode, start.threshold, start.state, start.startedTs],
  );
}

export async function getGovernorStart(db: Reader, account: string): Promise<GovernorStartEntity | null> {
  return db.getRepository(GovernorStartEntity).findOneBy({ account });
}
