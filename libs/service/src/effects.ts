import type { DataSource } from 'typeorm';
import type { Message } from '@tradeloop/contracts';
import { PROJECTED_TYPES, handleEachOnce, projectMessage } from '@tradeloop/persistence';
import type { Envelope } from '@tradeloop/kernel';
import type { EffectItem, InboxRef, ServiceEffects } from './runner';

/**
 * Writes the read models a service's outputs change (orders, fills, positions, account for the
 * executor; approvals, trading state and the orders it did not place for the governor; denials
 * and approvals for risk; the append-only experience store for learning) in one transaction with the processed-message record of the inbox message that
 * caused them (DESIGN §4): a repeat after a crash finds the record and writes nothing. A group
 * of inbox messages commits in one transaction, each with its own record.
 */
export function projectionEffects(ds: DataSource, consumer: string): ServiceEffects {
  const applyMany = async (items: readonly EffectItem[]): Promise<void> => {
    const work = items.map((i) => ({ ...processedRef(i.ref), projected: projectedOf(i.outputs) })).filter((w) => w.projected.length > 0);
    await handleEachOnce(ds, consumer, work, async (tx, w) => {
      for (const o of w.projected) await projectMessage(tx, o as Message);
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

/** The processed-message record of an inbox message: its inbox position, its event time. */
export function processedRef(ref: InboxRef): { readonly id: string; readonly ts: number } {
  return { id: `${ref.stream}:${ref.seq}`, ts: ref.ts };
}
