import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMsCol, jsonbCol, textCol, textKey } from './columns';

/** A command the gateway published (or tried to), so a client can ask what became of it. */
@Entity({ name: 'commands' })
export class CommandEntity {
  /** The command's envelope id: the commandId the gateway answered. */
  @PrimaryColumn(textKey('command_id'))
  commandId!: string;

  @Column(textCol('account'))
  account!: string;

  @Column(textCol('type'))
  type!: string;

  /** What it acts on: an approval id, an order id; null for orders and trading commands. */
  @Column(textCol('target', true))
  target!: string | null;

  /** The API key's name. */
  @Column(textCol('requested_by'))
  requestedBy!: string;

  /** The envelope's event time. */
  @Column(epochMsCol('ts'))
  ts!: number;

  @Column(jsonbCol('data'))
  data!: Record<string, unknown>;

  /** Wall-clock ms the gateway recorded it, before sending. */
  @Column(epochMsCol('created_at'))
  createdAt!: number;

  /** Wall-clock ms the bus acknowledged it; null if it never did (the client got 503). */
  @Column(epochMsCol('sent_at', true))
  sentAt!: number | null;
}
