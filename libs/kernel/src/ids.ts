import { v5 as uuidv5 } from 'uuid';

/** Namespace for Tradeloop's name-based (v5) identifiers. Never change it: ids would move. */
export const TRADELOOP_ID_NAMESPACE = '6f1c2a7e-3b9d-5e41-9a0c-7d2b8e4f1a63';

/**
 * The id of the `index`-th output that `source` produced from the message `causationId`.
 * Pure: a replay of the same inputs yields the same ids, so JetStream's Nats-Msg-Id
 * de-duplication and brokers' client order ids keep working across restarts.
 */
export function deriveId(causationId: string, source: string, index: number): string {
  return uuidv5(`${causationId}|${source}|${index}`, TRADELOOP_ID_NAMESPACE);
}

/** A stable id for any name (an entity key, a client order id seed). */
export function nameId(name: string): string {
  return uuidv5(name, TRADELOOP_ID_NAMESPACE);
}

/**
 * Broker-facing client order id: short (≤ 32 chars, the tightest common venue limit is 36),
 * alphanumeric, and a pure function of the approved order's id.
 */
export function clientOrderIdFor(approvedOrderId: string, leg = 'E'): string {
  return `TL${leg}${nameId(`${approvedOrderId}|${leg}`).replace(/-/g, '').slice(0, 28)}`;
}
