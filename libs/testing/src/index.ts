import { Decider, DeciderHost, Draft, Envelope } from '@tradeloop/kernel';
import { CATALOG, MessageDataMap, MessageType, Message } from '@tradeloop/contracts';

let seq = 0;

/** Builds an enveloped message for tests. Ids are sequential unless given. */
export function msg<T extends MessageType>(
  type: T,
  data: MessageDataMap[T],
  meta: Partial<Omit<Envelope, 'type' | 'data'>> = {},
): Message<T> {
  seq += 1;
  const id = meta.id ?? `${type}-${seq}`;
  return {
    id,
    type,
    version: meta.version ?? CATALOG[type].version,
    ts: meta.ts ?? 0,
    correlationId: meta.correlationId ?? id,
    causationId: meta.causationId ?? id,
    account: meta.account ?? 'paper',
    source: meta.source ?? 'test',
    data,
  } as unknown as Message<T>;
}

export interface Then<S> {
  /** The drafts the decider returned for the `when` input. */
  readonly outputs: readonly Draft[];
  /** The enveloped outputs, as a bus would publish them. */
  readonly published: readonly Envelope[];
  /** State after the input and outputs were folded. */
  readonly state: S;
  /** Asserts the output types, in order. */
  thenTypes(...types: string[]): Then<S>;
  /** Asserts there were no outputs. */
  thenNothing(): Then<S>;
  /** The data of the first output of `type` (throws when absent). */
  first<T extends MessageType>(type: T): MessageDataMap[T];
}

/**
 * given([...past messages]).when(input) for a decider, with no I/O:
 * the past messages are folded (not decided), exactly as a restart rebuilds state.
 */
export function given<S>(decider: Decider<S, any, any>, past: readonly Envelope[] = [], initial?: S) {
  const host = new DeciderHost(decider, initial);
  for (const m of past) host.fold(m);
  return {
    host,
    /** Also run the past through decide (as live), discarding outputs except their state effects. */
    when(input: Envelope): Then<S> {
      const published = host.handle(input);
      const outputs = published.map((e) => ({ type: e.type, version: e.version, data: e.data }) as Draft);
      const then: Then<S> = {
        outputs,
        published,
        state: host.state,
        thenTypes(...types: string[]) {
          expect(published.map((e) => e.type)).toEqual(types);
          return then;
        },
        thenNothing() {
          expect(published.map((e) => e.type)).toEqual([]);
          return then;
        },
        first<T extends MessageType>(type: T): MessageDataMap[T] {
          const e = published.find((x) => x.type === type);
          if (!e) throw new Error(`expected an output of type ${type}, got [${published.map((x) => x.type).join(', ')}]`);
          return e.data as MessageDataMap[T];
        },
      };
      return then;
    },
  };
}

/** Runs inputs through a decider as live (decide + fold), returning every output in order. */
export function runAll<S>(decider: Decider<S, any, any>, inputs: readonly Envelope[], initial?: S) {
  const host = new DeciderHost(decider, initial);
  const outputs: Envelope[] = [];
  for (const i of inputs) outputs.push(...host.handle(i));
  return { host, outputs, state: host.state };
}
