import type { DataSource } from 'typeorm';
import type { Message } from '@tradeloop/contracts';
import { PROJECTED_TYPES, handleOnce, projectMessage } from '@tradeloop/persistence';
import type { Envelope } from '@tradeloop/kernel';
import type { InboxRef, ServiceEffects } from './runner';


/**
 * Writes the read models a service's outputs change (orders, fills, positions, account for the
 * executor; approvals and trading state for the governor; the append-only experience store for
 * learning) in one transaction with the processed-message record of the inbox message that
 * caused them (DESIGN §4): a repeat after a crash finds the record and writes nothing.
 */
export function projectionEffects(ds: DataSource, consumer: string): ServiceEffects {
  return {
    async apply(ref: InboxRef, _inputs: readonly Envelope[], outputs: readonly Envelope[]): Promise<void> {
      const projected = outputs.filter((o) => PROJECTED_TYPES.has(o.type as Message['type']));
      if (projected.length === 0) return;
      await handleOnce(ds, consumer, { id: `${ref.stream}:${ref.seq}`, ts: ref.ts }, async (tx) => {
        for (const o of projected) await projectMessage(tx, o as Message);
      });
    },
  };
}
