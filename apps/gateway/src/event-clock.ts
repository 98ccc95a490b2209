import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { BATCH_TS_HEADER, type Topology } from '@tradeloop/transport-nats';

/**
 * The event clock of a deployment that replays recorded data (TIMER_CLOCK=event): the time of
 * the newest market data the deployment has published. The gateway stamps commands with it,
 * because the services' clocks are event time too. Stamped with the wall clock, a command from
 * 2026 in a replay of 2014 moved every service's clock twelve years ahead: an approval answered
 * through the API was already expired, and after one halt every later approval request expired
 * at once.
 *
 * Read when a command is sent — the MD stream's last message, its Tl-Batch-Ts header (no
 * decoding), two round trips — rather than by following every batch: commands are rare, market
 * data is the heaviest traffic there is, and a gateway restarted mid-replay needs no catching up.
 * Before any market data it is 0: a command then comes before everything (a halt still halts;
 * nothing is priced without bars anyway).
 */
export type EventClock = () => Promise<number>;

function tsOf(headers: MsgHdrs | undefined, data: Uint8Array): number {
  const header = Number(headers?.get(BATCH_TS_HEADER) || Number.NaN);
  if (Number.isSafeInteger(header) && header >= 0) return header;
  // Not a batch (a DataRejected): an envelope with its own ts.
  try {
    const ts = (JSON.parse(new TextDecoder().decode(data)) as { ts?: unknown }).ts;
    return typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? ts : 0;
  } catch {
    return 0;
  }
}

export function marketDataClock(nc: NatsConnection, topo: Topology): EventClock {
  let jsm: Promise<JetStreamManager> | undefined;
  // Time never runs back, even if the stream's last message is an older series' batch.
  let latest = 0;
  return async () => {
    const m = await (jsm ??= jetstreamManager(nc));
    const stream = topo.streams.MD.name;
    const last = (await m.streams.info(stream).catch(() => undefined))?.state.last_seq ?? 0;
    if (last > 0) {
      const stored = await m.streams.getMessage(stream, { seq: last }).catch(() => null);
      if (stored !== null) latest = Math.max(latest, tsOf(stored.header, stored.data));
    }
    return latest;
  };
}
