import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsCol, textCol, textKey } from './columns';

/**
 * An Idempotency-Key the gateway has accepted: which command it named and a hash of the request
 * it came with, so a retry gets the same command back and a different request under the same key
 * is refused instead of silently answered with the first one. Scoped like the command id: per API
 * key, command type and target (the approval or order acted on). Kept for a retention time after
 * `createdAt` (IDEMPOTENCY_KEY_TTL_MS), then free for a new command and deleted.
 */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_created_idx', { synchronize: false })
export class IdempotencyKeyEntity {
  @PrimaryColumn(textKey('api_key_id'))
  apiKeyId!: string;

  @PrimaryColumn(textKey('command_type'))
  commandType!: string;

  @PrimaryColumn(textKey('target'))
  target!: string;

  @PrimaryColumn(textKey('idempotency_key'))
  idempotencyKey!: string;

  /** Hex SHA-256 of the command's data in canonical JSON. */
  @Column(textCol('request_hash'))
  requestHash!: string;

  @Column(textCol('command_id'))
  commandId!: string;

  /** When the key was first used, by the wall clock (epoch ms); it expires a retention time later. */
  @Column(epochMsCol('created_at'))
  createdAt!: number;
}
