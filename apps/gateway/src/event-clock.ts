import { jetstreamManager } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/nats-core';
import { BATCH_TS_HEADER, qualify, type Topology } from '@tradeloop/transport-nats';

/**
 * The event clock of a deployment that replays recorded data (TIMER_CLOCK=event): the newest
 * market-data time the deployment has published. The gateway stamps commands with it, because
 * the services' clocks are event time too. Stamped with the wall clock, a command from 2026 in a
 * replay of 2014 moved every service's clock twelve years ahead: an approval answered through the
 * API was already expired, and after one halt every later approval request expired at once.
 *
 * Read from the market-data batches' Tl-Batch-Ts header (no decoding) on a core subscription, and
 * at start from the last message of the MD stream, so a gateway restarted mid-replay carries on
 * at the replay's time. Before any market data it is 0: a command then comes before everything
 * (a halt still halts; nothing is priced without bars anyway).
 */
export interface EventClock {
  now(): number;
  /** Settles once the MD stream's last message has been read (or found missing). */
  readonly ready: Promise<void>;
  stop(): void;
}

function tsOf(headers: MsgHdrs | undefined, data: Uint8Array): number {
  const header = Number(headers?.get(BATCH_TS_HEADER) || Number.NaN);
  if (Number.isSafeInteger(header) && header >= 0) return header;
  try {
    const ts = (JSON.parse(new TextDecoder().decode(data)) as { ts?: unknown }).ts;
    return typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? ts : 0;
  } catch {
    return 0;
  }
}

export function marketDataClock(nc: NatsConnection, topo: Topology): EventClock {
  let latest = 0;
  const sub: Subscription = nc.subscribe(qualify(topo.ns, 'md.>'), {
    callback: (err, m) => {
      if (err) return;
      const ts = tsOf(m.headers, m.data);
      if (ts > latest) latest = ts;
    },
  });
  const ready = (async () => {
    const jsm = await jetstreamManager(nc);
    const stream = topo.streams.MD.name;
    const info = await jsm.streams.info(stream).catch(() => undefined);
    const last = info?.state.last_seq ?? 0;
    if (last === 0) return;
    const m = await jsm.streams.getMessage(stream, { seq: last }).catch(() => null);
    if (m !== null) latest = Math.max(latest, tsOf(m.header, m.data));
  })().catch(() => undefined);
  return {
    now: () => latest,
    ready,
    stop: () => sub.unsubscribe(),
  };
}
