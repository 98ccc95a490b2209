/**
 * End-to-end publish throughput of a synthetic tick feed (generate → replay → encode → JetStream).
 * Not a test: run it by hand against a nats-server with JetStream,
 *   node -r @swc-node/register apps/market-data/src/feed.perf.ts [nats-url] [ticks]
 * It creates its own namespace and deletes it afterwards.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ensureTopology, JetStreamPublisher, topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, NATS_URL, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { systemClock } from './clock';
import { runFeed } from './run-feed';
import { syntheticSource } from './sources';

async function main(): Promise<void> {
  const url = process.argv[2] ?? NATS_URL;
  const count = Number(process.argv[3] ?? 200_000);
  const nc = await connectNats(url);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const topo = topology({ ns: uniqueNs('mdperf') });
  await ensureTopology(jsm, topo);
  try {
    for (const [window, maxBatch] of [
      [4, 1_000],
      [16, 500],
      [16, 1_000],
      [64, 1_000],
      [16, 2_000],
    ]) {
      await jsm.streams.purge(topo.streams.MD.name);
      const source = syntheticSource({ symbols: ['BTCUSD', 'ETHUSD', 'EURUSD', 'XAUUSD'], venue: 'SIM', start: 0, intervalMs: 1, seed: window * maxBatch, kind: 'quote', count });
      const started = process.hrtime.bigint();
      const r = await runFeed(source, { publisher: new JetStreamPublisher(js, topo, { window }), clock: systemClock(), speed: 0, maxBatch });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(
        `window ${String(window).padStart(3)}, ${String(maxBatch).padStart(4)}/batch: ${r.messages} ticks, ${r.batches} batches, ` +
          `${(r.bytes / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms = ${Math.round((r.messages / ms) * 1000).toLocaleString('en-US')} ticks/s`,
      );
    }
  } finally {
    await deleteTopology(jsm, topo);
    await nc.close();
  }
}

void main();
