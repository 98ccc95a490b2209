import { token, type FieldError } from '@tradeloop/contracts';
import { headers, type MsgHdrs } from '@nats-io/nats-core';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { qualify, type Topology } from './streams';

/**
 * Why a message left its consumer for the dead-letter queue (DESIGN §7.8: bad input is never
 * silently dropped):
 *  - invalid_message: it could not be decoded (bad UTF-8/JSON, or a field failed its schema);
 *    poison on arrival, never retried.
 *  - handler_failed: the handler kept failing until the retry budget (maxDeliver) ran out.
 *  - rejected: the handler declared it unprocessable (threw PoisonMessageError); not retried.
 */
export type DeadLetterReason = 'invalid_message' | 'handler_failed' | 'rejected';

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  /** Human-readable: the field errors joined, or the handler's error message. */
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly stream: string;
  readonly subject: string;
  readonly durable: string;
  readonly streamSeq: number;
  readonly deliveryCount: number;
  /** The raw payload as text, cut at MAX_ORIGINAL_BYTES. */
  readonly original: string;
  readonly originalBytes: number;
  readonly truncated: boolean;
}

export const MAX_ORIGINAL_BYTES = 64 * 1024;
/** A batch of thousands of bad elements must not make a dead letter larger than NATS accepts. */
export const MAX_DEAD_LETTER_ERRORS = 100;

export const DLQ_HEADER = {
  subject: 'Tradeloop-Dlq-Subject',
  stream: 'Tradeloop-Dlq-Stream',
  seq: 'Tradeloop-Dlq-Seq',
  durable: 'Tradeloop-Dlq-Durable',
  reason: 'Tradeloop-Dlq-Reason',
} as const;

const LENIENT_UTF8 = new TextDecoder('utf-8', { fatal: false });

export interface DeadLetterInput {
  readonly reason: DeadLetterReason;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly stream: string;
  readonly subject: string;
  readonly durable: string;
  readonly streamSeq: number;
  readonly deliveryCount: number;
  readonly data: Uint8Array;
}

export function deadLetter(input: DeadLetterInput): DeadLetter {
  const { data, errors, ...rest } = input;
  const truncated = data.length > MAX_ORIGINAL_BYTES;
  const letter: DeadLetter = {
    ...rest,
    ...(errors === undefined ? {} : { errors: capErrors(errors) }),
    // Lenient decoding: a payload that is not UTF-8 is exactly what may land here.
    original: LENIENT_UTF8.decode(truncated ? data.subarray(0, MAX_ORIGINAL_BYTES) : data),
    originalBytes: data.length,
    truncated,
  };
  return letter;
}

function capErrors(errors: readonly FieldError[]): readonly FieldError[] {
  if (errors.length <= MAX_DEAD_LETTER_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_DEAD_LETTER_ERRORS),
    { path: '$', message: `${errors.length - MAX_DEAD_LETTER_ERRORS} more errors not shown` },
  ];
}

/** `dlq.<original stream>.<durable>`, namespaced. */
export function deadLetterSubject(topo: Topology, stream: string, durable: string): string {
  return qualify(topo.ns, `dlq.${token(stream)}.${token(durable)}`);
}

/** The Nats-Msg-Id of the dead letter of one inbox message: a repeat is stored once. */
export function dlqMsgId(stream: string, durable: string, streamSeq: number): string {
  return `dlq:${stream}:${durable}:${streamSeq}`;
}

/**
 * Publishes dead letters to the DLQ stream. The Nats-Msg-Id is the original's stream position
 * and consumer, so a dead letter re-sent after a lost term() is stored once.
 */
export class DeadLetterQueue {
  constructor(
    private readonly js: JetStreamClient,
    readonly topology: Topology,
    private readonly timeoutMs = 10_000,
  ) {}

  send(letter: DeadLetter): Promise<PubAck> {
    const h: MsgHdrs = headers();
    h.set(DLQ_HEADER.subject, letter.subject);
    h.set(DLQ_HEADER.stream, letter.stream);
    h.set(DLQ_HEADER.seq, String(letter.streamSeq));
    h.set(DLQ_HEADER.durable, letter.durable);
    h.set(DLQ_HEADER.reason, letter.reason);
    return this.js.publish(deadLetterSubject(this.topology, letter.stream, letter.durable), JSON.stringify(letter), {
      msgID: dlqMsgId(letter.stream, letter.durable, letter.streamSeq),
      headers: h,
      timeout: this.timeoutMs,
    });
  }
}
