import type { DataSource } from 'typeorm';
import type { Message } from '@tradeloop/contracts';
import { PROJECTED_TYPES, handleEachOnce, projectMessage } from '@tradeloop/persistence';
import type { Envelope } from '@tradeloop/kernel';
import type { EffectItem, InboxRef, ServiceEffects } from './runner';

/**
 * Writes the read models a service's outputs change (orders, fills, positions, account for the
 * executor; approvals, trading state and the orders it did not place for the governor; denials
 * and approvals for risk; the append-only experience store for learning) in one transaction with
 * a processed-message record for each output written (DESIGN §4; see processedRef): a repeat
 * after a crash finds the records and writes nothing. A group of inbox messages commits in one
 * transaction.
 */
export function projectionEffects(ds: DataSource, consumer: string): ServiceEffects {
  const applyMany = async (items: readonly EffectItem[]): Promise<void> => {
    const work = items.flatMap((i) => projectedOf(i.outputs).map((output) => ({ ...processedRef(i.ref, output), output })));
    await handleEachOnce(ds, consumer, work, async (tx, w) => {
      await projectMessage(tx, w.output as Message);
    });
  };
  return {
    applyMany,
    apply: (ref: InboxRef, inputs: readonly Envelope[], outputs: readonly Envelope[]) => applyMany([{ ref, inputs, outputs }]),
  };
}

/** The outputs that change read models. */
export function projectedOf(outputs: readonly Envelope[]): Envelope[] {
  return outputs.filter((o) => PROJECTED_TYPES.has(o.type as Message['type']));
}

/**
 * The processed-message record of an output written to PostgreSQL: `<inbox stream>:out:<output
 * id>`, at the output's event time.
 *
 * Keyed by what is written, not by where its cause sat in the inbox. An output's id derives from
 * the id of the input that caused it and its place among that input's outputs, so handling the
 * same input again — a redelivery after a crash, a restart that re-handles unacked messages, an
 * inbox made anew from its area streams — makes the same ids and finds them recorded, while
 * anything new has ids of its own. An inbox position is no identity: a stream deleted and made
 * again (NATS storage lost, an inbox recreated) numbers from 1 again, and records keyed
 * `<stream>:<seq>`, as they were before, made the new messages' writes look done already and
 * skipped them. Those older records are left in place and never match a key of this form (see
 * the persistence README). The inbox's name scopes the record to the namespace, as before: two
 * deployments sharing a schema do not skip each other's writes.
 */
export function processedRef(ref: InboxRef, output: Envelope): { readonly id: string; readonly ts: number } {
  return { id: `${ref.stream}:out:${output.id}`, ts: output.ts };
}
