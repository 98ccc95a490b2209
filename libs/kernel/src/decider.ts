import { Draft, Envelope, NEW_CHAIN } from './envelope';
import { deriveId } from './ids';

/**
 * A pure decider (after Emmett). The host folds every message the decider sees through
 * `evolve` — first the input, then each of its own outputs, in order — and calls `decide`
 * in between, so `decide` sees the state with the input already folded in:
 *
 *   state = evolve(state, input); outputs = decide(input, state);
 *   for (o of outputs) state = evolve(state, envelope(o));
 *
 * Rebuilding a decider's state from an event log is therefore a plain fold of `evolve`
 * over its inputs and outputs, with no `decide` at all.
 *
 * Performance contract: `evolve` may update `state` in place and return it. State is owned
 * by exactly one host and never shared, so in-place updates are unobservable outside it;
 * this keeps the per-bar hot path free of allocation. Tests that need snapshots copy.
 */
export interface Decider<S, I extends Envelope = Envelope, O extends Draft = Draft> {
  /** Becomes the `source` of every output. */
  readonly name: string;
  /** Message types this decider consumes; the host routes nothing else to it. */
  readonly consumes: readonly I['type'][];
  initialState(): S;
  evolve(state: S, message: I | Envelope): S;
  decide(input: I, state: S): readonly O[];
  /**
   * Event time at which the decider wants a `TimerFired` input (approval expiry, plan
   * expiry, time exits), or undefined. Hosts read it after every handled message.
   */
  wakeAt?(state: S): number | undefined;
}

/** Shared empty output list: deciders return it on the hot path instead of allocating. */
export const NO_OUTPUTS: readonly never[] = Object.freeze([]) as readonly never[];

export interface HostOptions {
  /** Default account for outputs whose cause carries none. */
  readonly account?: string;
}

/**
 * Runs one decider: folds inputs, calls decide, completes output envelopes with
 * deterministic ids. The same host runs under the in-process bus and under JetStream.
 */
export class DeciderHost<S, I extends Envelope = Envelope, O extends Draft = Draft> {
  private current: S;

  constructor(
    readonly decider: Decider<S, I, O>,
    initial?: S,
  ) {
    this.current = initial ?? decider.initialState();
  }

  get state(): S {
    return this.current;
  }

  /** Replace state (restore from a snapshot). */
  restore(state: S): void {
    this.current = state;
  }

  /** Handles one input and returns its enveloped outputs (the shared empty array if none). */
  handle(input: I): readonly Envelope[] {
    const d = this.decider;
    let state = d.evolve(this.current, input);
    const drafts = d.decide(input, state);
    if (drafts.length === 0) {
      this.current = state;
      return NO_OUTPUTS;
    }
    const out: Envelope[] = new Array(drafts.length);
    for (let i = 0; i < drafts.length; i++) {
      const env = envelopeFor(drafts[i], input, d.name, i);
      out[i] = env;
      state = d.evolve(state, env);
    }
    this.current = state;
    return out;
  }

  /** Folds a message without deciding (rebuilding state from a log). */
  fold(message: I | Envelope): void {
    this.current = this.decider.evolve(this.current, message);
  }

  wakeAt(): number | undefined {
    return this.decider.wakeAt ? this.decider.wakeAt(this.current) : undefined;
  }
}

/** Completes a draft into an envelope caused by `cause`; its id derives from the cause. */
export function envelopeFor(draft: Draft, cause: Envelope, source: string, index: number): Envelope {
  const id = deriveId(cause.id, source, index);
  const corr = draft.correlationId;
  return {
    id,
    type: draft.type,
    version: draft.version,
    ts: cause.ts,
    correlationId: corr === undefined ? cause.correlationId : corr === NEW_CHAIN ? id : corr,
    causationId: cause.id,
    account: draft.account ?? cause.account,
    source,
    data: draft.data,
  };
}
