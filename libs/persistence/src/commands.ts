import type { DataSource } from 'typeorm';
import { CommandEntity } from './entities/command.entity';
import { CommandResultEntity } from './entities/command-result.entity';
import type { Reader } from './queries';
import { qualify, schemaOf } from './sql-names';

export interface CommandRecord {
  readonly commandId: string;
  readonly account: string;
  readonly type: string;
  readonly target: string | null;
  readonly requestedBy: string;
  readonly ts: number;
  readonly data: unknown;
  /** Wall-clock ms. */
  readonly createdAt: number;
}

/**
 * Records a command before it is sent. A retry under the same id (an Idempotency-Key) finds the
 * row and keeps it: it is the same command.
 */
export async function recordCommand(ds: DataSource, c: CommandRecord): Promise<void> {
  await ds.query(
    `INSERT INTO ${qualify(schemaOf(ds), 'commands')} ("command_id", "account", "type", "target", "requested_by", "ts", "data", "created_at", "sent_at")
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, NULL)
     ON CONFLICT ("command_id") DO NOTHING`,
    [c.commandId, c.account, c.type, c.target, c.requestedBy, c.ts, JSON.stringify(c.data), c.createdAt],
  );
}

/** The bus acknowledged the command (the first acknowledgement is kept). */
export async function markCommandSent(ds: DataSource, commandId: string, sentAt: number): Promise<void> {
  await ds.query(`UPDATE ${qualify(schemaOf(ds), 'commands')} SET "sent_at" = $2 WHERE "command_id" = $1 AND "sent_at" IS NULL`, [commandId, sentAt]);
}

export async function getCommand(db: Reader, commandId: string): Promise<CommandEntity | null> {
  return db.getRepository(CommandEntity).findOneBy({ commandId });
}

/** The governor's answer to a command (applied, ignored or refused), once it has answered. */
export async function getCommandResult(db: Reader, commandId: string): Promise<CommandResultEntity | null> {
  return db.getRepository(CommandResultEntity).findOneBy({ commandId });
}
