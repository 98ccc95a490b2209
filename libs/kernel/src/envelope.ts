/**
 * Every message on every transport travels in this envelope.
 * `ts` is event time in epoch milliseconds (UTC), never the wall clock of the process
 * that handled it: replays then reproduce every timestamp.
 */
export interface Envelope<T extends string = string, D = unknown> {
  readonly id: string;
  readonly type: T;
  readonly version: number;
  readonly ts: number;
  /** The signal, plan or command the message ultimately serves. */
  readonly correlationId: string;
  /** The message that directly caused this one. */
  readonly causationId: string;
  readonly account: string;
  readonly source: string;
  readonly data: D;
}

/** Marker: an output that starts a new chain is correlated with itself. */
export const NEW_CHAIN = '__self__';

/**
 * What a decider returns. The host completes the envelope: id (derived from the cause),
 * ts (the cause's event time), causation, correlation and source.
 */
export interface Draft<T extends string = string, D = unknown> {
  readonly type: T;
  readonly version: number;
  readonly data: D;
  /** Defaults to the cause's correlation id; NEW_CHAIN makes the output its own root. */
  readonly correlationId?: string;
  /** Defaults to the cause's account. */
  readonly account?: string;
}

/** The enveloped form of a draft union. */
export type Enveloped<D extends Draft> = D extends Draft<infer T, infer P> ? Envelope<T, P> : never;
