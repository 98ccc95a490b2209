import { Entity, PrimaryColumn, Column } from 'typeorm';
import { epochMsCol, textKey } from './columns';

/** One row per (consumer, message) applied: the idempotent-consumer record (see handleOnce). */
@Entity({ name: 'processed_messages' })
export class ProcessedMessageEntity {
  @PrimaryColumn(textKey('consumer'))
  consumer!: string;

  @PrimaryColumn(textKey('message_id'))
  messageId!: string;

  /** The message's event time, not the wall clock: a replay writes the same rows. */
  @Column(epochMsCol('processed_ts'))
  processedTs!: number;
}
