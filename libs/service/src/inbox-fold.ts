import { decodeMessage, formatFieldErrors, isMarketDataType, type FieldError, type Message } from '@tradeloop/contracts';
import { BoundedSet, DeciderHost, type Decider, type Envelope } from '@tradeloop/kernel';
import { BATCH_TS_HEADER, decodeBatch, type DeadLetterReason } from '@tradeloop/transport-nats';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { InboxSpec } from './inbox';

/** Dead-lettering outcome of decoding or handling one inbox message. */
export interface Dead {
  readonly reason: DeadLetterReason;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

/** What one inbox message came to: the inputs handed to the decider, their outputs, or why it is dead. */
export interface Outcome {
  readonly inputs: Envelope[];
  readonly outputs: Envelope[];
  readonly dead?: Dead;
}

export interface FoldHooks {
  skipped?(type: string): void;
  handled?(type: string): void;
}

/** The de-duplication window for inputs other than market data. */
export const DEFAULT_DEDUP_WINDOW = 200_000;

const BATCH_SUBJECT = /(^|\.)md\.batch\./;

/**
 * The deterministic part of a service: an inbox message's bytes in, the decider's state and
 * outputs out — decode, de-duplicate, decide. The runner runs every message through it, on
 * rebuild and live alike, and an audit replay runs a recorded inbox through a fresh one: the
 * same bytes in the same order reach the same state and the same outputs (DESIGN §7.6).
 */
export class InboxFold {
  readonly host: DeciderHost<any, any, any>;
  /** Event time of the newest input (or market-data batch) seen. */
  clock = Number.NEGATIVE_INFINITY;
  private readonly seen: BoundedSet;
  private readonly lastBar = new Map<string, number>();
  private readonly tickSeries = new Map<string, TickSeries>();
  private readonly consumesMarketData: boolean;

  constructor(
    decider: Decider<any, any, any>,
    private readonly inbox: InboxSpec,
    dedupWindow: number = DEFAULT_DEDUP_WINDOW,
  ) {
    this.host = new DeciderHost(decider);
    this.seen = new BoundedSet(dedupWindow);
    this.consumesMarketData = (decider.consumes as readonly string[]).some((t) => isMarketDataType(t));
  }

  /**
   * Decodes one inbox message and hands every consumed envelope to the decider. `hooks` sees
   * what was skipped as already seen and what was handled (metrics; not during rebuilds).
   */
  handle(subject: string, data: Uint8Array, seq: number, headers?: MsgHdrs, hooks?: FoldHooks): Outcome {
    const inputs: Envelope[] = [];
    const outputs: Envelope[] = [];
    let envelopes: readonly Envelope[];
    // Another type of an area the inbox sources whole: nothing to decode (replay skips it the
    // same way). A malformed message there is dead-lettered by the service that consumes it.
    if (!this.inbox.accepts(subject)) return { inputs, outputs };
    if (BATCH_SUBJECT.test(subject)) {
      // Market data as the clock only: its time from the batch header, no decoding (replay
      // reads the same header). A batch without a usable header is decoded as before.
      if (!this.consumesMarketData) {
        const ts = Number(headers?.get(BATCH_TS_HEADER) || Number.NaN);
        if (Number.isSafeInteger(ts) && ts >= 0) {
          if (ts > this.clock) this.clock = ts;
          return { inputs, outputs };
        }
      }
      const r = decodeBatch(data);
      if (!r.ok) return { inputs, outputs, dead: { reason: 'invalid_message', detail: formatFieldErrors(r.error), errors: r.error } };
      envelopes = r.value.messages;
    } else {
      const r = decodeMessage(data);
      if (!r.ok) return { inputs, outputs, dead: { reason: 'invalid_message', detail: formatFieldErrors(r.error), errors: r.error } };
      envelopes = [r.value as Message];
    }
    let dead: Dead | undefined;
    for (const e of envelopes) {
      if (!this.inbox.consumes.has(e.type)) {
        // Not an input, but market data still moves the event clock that timers run on.
        if (e.ts > this.clock && isMarketDataType(e.type)) this.clock = e.ts;
        continue;
      }
      if (!this.firstTime(e)) {
        hooks?.skipped?.(e.type);
        continue;
      }
      if (e.ts > this.clock) this.clock = e.ts;
      inputs.push(e);
      try {
        const outs = this.host.handle(e);
        for (let i = 0; i < outs.length; i++) outputs.push(outs[i]);
      } catch (err) {
        // A decider that throws does so again on replay at the same point: skipping it here and
        // there keeps live and rebuilt state equal. The message goes to the DLQ with the reason.
        dead = { reason: 'rejected', detail: `${this.host.decider.name} failed on ${e.type} ${e.id} (inbox seq ${seq}): ${err instanceof Error ? err.message : String(err)}` };
      }
      hooks?.handled?.(e.type);
    }
    return dead ? { inputs, outputs, dead } : { inputs, outputs };
  }

  /**
   * De-duplication of inputs. Market data is time-ordered per series (the market-data service
   * publishes each series in order; files out of order are refused there), and a re-batched
   * replay repeats it: a bar is new only if it is later than the last bar of its series; a
   * tick, trade or book snapshot only if it is later than the last of its series, or as late
   * and of an id not seen at that same time (several share a millisecond). Both are exact and
   * O(1) per message, where a window of ids costs a hash-set insert and eviction per tick (the
   * largest cost of a tick consumer) and forgets after `dedupWindow` messages. Anything else is
   * new if its id was not seen within the window.
   */
  private firstTime(e: Envelope): boolean {
    switch (e.type) {
      case 'BarClosed': {
        const d = e.data as { venue: string; symbol: string; timeframe: string };
        const key = `${d.venue}|${d.symbol}|${d.timeframe}`;
        const last = this.lastBar.get(key);
        if (last !== undefined && e.ts <= last) return false;
        this.lastBar.set(key, e.ts);
        return true;
      }
      case 'QuoteTick':
      case 'TradeTick':
      case 'BookSnapshot':
        return this.firstTick(e);
      default:
        return this.seen.add(e.id);
    }
  }

  private firstTick(e: Envelope): boolean {
    const d = e.data as { venue: string; symbol: string };
    const key = `${e.type}|${d.venue}|${d.symbol}`;
    const s = this.tickSeries.get(key);
    if (s === undefined) {
      this.tickSeries.set(key, new TickSeries(e.ts, e.id));
      return true;
    }
    return s.first(e.ts, e.id);
  }
}

/**
 * The newest time of one tick series and the ids seen at exactly that time: a short list,
 * backed by a set once a millisecond holds more than a few (a coarse clock can put thousands
 * of ticks on one timestamp).
 */
class TickSeries {
  private ids: string[];
  private set: Set<string> | undefined;

  constructor(
    private ts: number,
    id: string,
  ) {
    this.ids = [id];
  }

  first(ts: number, id: string): boolean {
    if (ts < this.ts) return false;
    if (ts > this.ts) {
      this.ts = ts;
      this.ids.length = 0;
      this.ids.push(id);
      this.set = undefined;
      return true;
    }
    const set = this.set;
    if (set !== undefined) {
      if (set.has(id)) return false;
      set.add(id);
      return true;
    }
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return false;
    ids.push(id);
    if (ids.length > 16) this.set = new Set(ids);
    return true;
  }
}
