import { isDeepStrictEqual } from 'node:util';
import { marketKey } from '@tradeloop/kernel';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { decodeBatch, marketDataSubject, readStoredMessages, subjectFor, type MarketDataMessage, type Topology } from '@tradeloop/transport-nats';
import type { FeedSource, Market } from './sources';

/** How a market's feed starts, given what the MD stream already holds of it. */
export type ResumeRule =
  /** Nothing of this market is stored: from its first message. */
  | 'fresh'
  /** The stream's last message of this market is one of ours: right after it. */
  | 'resumed'
  /** The stream's data of this market ends before ours begins (the next file of the market): from our first message. */
  | 'continues';

export interface MarketResume extends Market {
  readonly subject: string;
  readonly rule: ResumeRule;
  /** The last message of this market the stream held at start. */
  readonly stored?: { readonly id: string; readonly ts: number };
  /** Messages of this market already stored, not published again. */
  readonly skipped: number;
}

export interface ResumePlan {
  /** The source with what is already stored taken out: the rest of each market, and the DataRejected not yet stored. */
  readonly source: FeedSource;
  readonly markets: readonly MarketResume[];
  /** DataRejected events of the source already in the stream (not published again). */
  readonly rejectedStored: number;
  /** The newest event time of the source's markets already stored; undefined on a fresh stream. */
  readonly storedUpTo: number | undefined;
}

/** The MD stream holds data of this source's markets that the source does not continue. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
}

const iso = (ts: number): string => new Date(ts).toISOString();

/** What a stored message is compared on: the market data itself, not the envelope's bookkeeping. */
const content = (m: { type: string; ts: number; data: unknown }): unknown => JSON.parse(JSON.stringify({ type: m.type, ts: m.ts, data: m.data }));

const timeframeOf = (m: MarketDataMessage): string | undefined => (m.type === 'BarClosed' ? m.data.timeframe : undefined);

interface Pending {
  readonly market: Market;
  readonly subject: string;
  readonly last: MarketDataMessage;
  seen: number;
}

/**
 * Where a (re)started feed goes on: for each market of the source, the last message the MD stream
 * holds on its subject (`md.batch.<venue>.<symbol>`, one STREAM.MSG.GET with last_by_subj, which
 * nats-server 2.9 answers), located in the source. Batches of a market are published in order over
 * one connection and the first failure stops the feed, so what is stored of a market is a prefix
 * of it: the rest starts right after the stored last message, and the replay paces from there
 * (the time already played is not waited out again).
 *
 * The rules, per market:
 * - nothing stored: from the start (`fresh`);
 * - the stored last message is one of ours (same id, same type, time and data): right after it
 *   (`resumed`; all of it stored = nothing left to publish);
 * - the stored data ends before our first message (a later file of the same market), with bars of
 *   the same timeframe: from our first message (`continues`);
 * - anything else is another file or run (other prices under the same id, a different bar
 *   timestamp or timeframe, data beyond the end of ours): a ResumeError naming the market, what
 *   the stream holds and what to do — publishing would mix two recordings in one series, and the
 *   services would skip every bar not newer than the stream's.
 *
 * DataRejected events already stored (by Nats-Msg-Id, on the source's `md.rejected.*` subject)
 * are taken out too. Reads the source once up to the stored positions (an endless synthetic
 * source is read only that far).
 */
export async function resumeFeed(source: FeedSource, io: { readonly js: JetStreamClient; readonly jsm: JetStreamManager; readonly topo: Topology }): Promise<ResumePlan> {
  const stream = io.topo.streams.MD.name;
  const remedy = (subject: string): string =>
    `Use a NATS_NAMESPACE of its own for this feed, or, to replace the stored data, purge it (nats stream purge ${stream} --subject ${subject}) and start again`;
  const pending = new Map<string, Pending>();
  const resumes = new Map<string, MarketResume>();
  let storedUpTo: number | undefined;
  for (const market of source.markets) {
    const subject = marketDataSubject(io.topo, market.venue, market.symbol);
    const stored = await io.jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (stored === null) {
      resumes.set(marketKey(market.venue, market.symbol), { ...market, subject, rule: 'fresh', skipped: 0 });
      continue;
    }
    const batch = decodeBatch(stored.data);
    if (!batch.ok) throw new ResumeError(`${name(market)}: the MD stream's last message on ${subject} (#${stored.seq}) is not a market-data batch: ${JSON.stringify(batch.error.slice(0, 3))}`);
    const { venue, symbol, messages } = batch.value;
    if (venue !== market.venue || symbol !== market.symbol) {
      throw new ResumeError(`${name(market)}: the MD stream's last message on ${subject} (#${stored.seq}) is a batch of ${symbol}@${venue}, another market on the same subject`);
    }
    const last = messages[messages.length - 1];
    storedUpTo = Math.max(storedUpTo ?? Number.NEGATIVE_INFINITY, last.ts);
    pending.set(marketKey(venue, symbol), { market, subject, last, seen: 0 });
  }

  // One pass over the source, as far as the furthest stored position.
  const firstOf = new Map<string, MarketDataMessage>();
  if (pending.size > 0) {
    for (const m of source.messages()) {
      const k = marketKey(m.data.venue, m.data.symbol);
      const p = pending.get(k);
      if (p === undefined) continue;
      if (!firstOf.has(k)) firstOf.set(k, m);
      if (m.id === p.last.id) {
        if (!isDeepStrictEqual(content(m), content(p.last))) {
          throw new ResumeError(
            `${name(p.market)}: the MD stream already holds ${m.id} with other data than this feed's (${describe(p.last)} stored, ${describe(m)} here): ` +
              `it was published from another file or with other settings. ${remedy(p.subject)}`,
          );
        }
        resumes.set(k, { ...p.market, subject: p.subject, rule: 'resumed', stored: { id: p.last.id, ts: p.last.ts }, skipped: p.seen + 1 });
        pending.delete(k);
      } else if (m.ts > p.last.ts) {
        if (p.seen > 0) {
          throw new ResumeError(
            `${name(p.market)}: the MD stream's last message of this market, ${p.last.id} (${iso(p.last.ts)}), is not in this feed, whose data runs through that time: ` +
              `it was published from another file or with other settings. ${remedy(p.subject)}`,
          );
        }
        const storedTf = timeframeOf(p.last);
        const ourTf = timeframeOf(m);
        if (storedTf !== undefined && ourTf !== undefined && storedTf !== ourTf) {
          throw new ResumeError(
            `${name(p.market)}: the MD stream holds ${storedTf} bars of this market (up to ${iso(p.last.ts)}) and this feed has ${ourTf} bars: a market has one timeframe. ${remedy(p.subject)}`,
          );
        }
        resumes.set(k, { ...p.market, subject: p.subject, rule: 'continues', stored: { id: p.last.id, ts: p.last.ts }, skipped: 0 });
        pending.delete(k);
      } else {
        p.seen++;
      }
      if (pending.size === 0) break;
    }
  }
  for (const p of pending.values()) {
    const first = firstOf.get(marketKey(p.market.venue, p.market.symbol));
    throw new ResumeError(
      `${name(p.market)}: the MD stream already holds this market up to ${iso(p.last.ts)} (${p.last.id}), ` +
        `${first === undefined ? 'and this feed has none of its data' : `beyond the end of this feed's data (${p.seen} messages from ${iso(first.ts)})`}: ` +
        `it was published from another file or a longer window, and the services skip market data older than what they have seen. ${remedy(p.subject)}`,
    );
  }

  const markets = source.markets.map((m) => resumes.get(marketKey(m.venue, m.symbol))!);
  const skip = new Map<string, number>();
  for (const r of markets) if (r.skipped > 0) skip.set(marketKey(r.venue, r.symbol), r.skipped);
  const rejectedIds = await storedRejectedIds(source, io);
  const rejected = source.rejected.filter((r) => !rejectedIds.has(r.id));
  return {
    source: {
      ...source,
      messages: skip.size === 0 ? source.messages : () => dropFirst(source.messages(), skip),
      rejected,
    },
    markets,
    rejectedStored: source.rejected.length - rejected.length,
    storedUpTo,
  };
}


function name(m: Market): string {
  return `${m.symbol}@${m.venue}`;
}

function describe(m: MarketDataMessage): string {
  return JSON.stringify(m.data);
}

/** The source's messages without the first `skip` of each market (those already stored). */
function* dropFirst(messages: Iterable<MarketDataMessage>, skip: ReadonlyMap<string, number>): Generator<MarketDataMessage> {
  const left = new Map(skip);
  for (const m of messages) {
    if (left.size > 0) {
      const k = marketKey(m.data.venue, m.data.symbol);
      const n = left.get(k);
      if (n !== undefined) {
        if (n > 1) left.set(k, n - 1);
        else left.delete(k);
        continue;
      }
    }
    yield m;
  }
}

/** Ids (Nats-Msg-Id) of the source's DataRejected events already in the MD stream. */
async function storedRejectedIds(source: FeedSource, io: { readonly js: JetStreamClient; readonly jsm: JetStreamManager; readonly topo: Topology }): Promise<Set<string>> {
  const ids = new Set<string>();
  if (source.rejected.length === 0) return ids;
  const subjects = new Set(source.rejected.map((r) => subjectFor(io.topo, r)));
  for (const filter of subjects) {
    for (const m of await readStoredMessages(io.js, io.jsm, io.topo.streams.MD.name, { filter })) {
      const id = m.headers?.get('Nats-Msg-Id');
      if (id) ids.add(id);
    }
  }
  return ids;
}
