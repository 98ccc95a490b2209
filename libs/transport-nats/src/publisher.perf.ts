/**
 * Publish (and consume) throughput against a real nats-server. Not a test: run it by hand,
 *   node -r @swc-node/register libs/transport-nats/src/publisher.perf.ts [nats-url]
 * It creates its own namespace and deletes it afterwards.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { decodeBatch, encodeBatch } from './batch';
import { DeadLetterQueue } from './dlq';
import { runConsumer } from './consumer';
import { JetStreamPublisher } from './publisher';
import { ensureConsumer, ensureTopology, topology, type Topology } from './streams';
import { bar, connectNats, deleteTopology, NATS_URL, uniqueNs } from './test-support';

async function timed(label: string, units: number, unit: string, run: () => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(44)} ${String(units).padStart(7)} ${unit} in ${ms.toFixed(0).padStart(6)} ms = ${Math.round((units / ms) * 1000).toLocaleString('en-US').padStart(9)} ${unit}/s`);
}

async function consumeAll(js: JetStreamClient, t: Topology, durable: string, concurrency: number, n: number): Promise<void> {
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const c = await runConsumer({
    js,
    stream: t.streams.MD.name,
    durable,
    dlq: new DeadLetterQueue(js, t),
    maxDeliver: 3,
    concurrency,
    handler: async () => {
      if (++seen === n) finish();
    },
  });
  await done;
  await c.stop();
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? NATS_URL;
  const nc = await connectNats(url);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const t = topology({ ns: uniqueNs('perf') });
  await ensureTopology(jsm, t);
  try {
    const serialN = 2_000;
    const serial = Array.from({ length: serialN }, (_, i) => bar(i, { id: `s-${i}` }));
    await timed('serial: await publish() per message', serialN, 'msgs', async () => {
      const pub = new JetStreamPublisher(js, t);
      for (const m of serial) await pub.publish(m);
    });

    const n = 20_000;
    for (const window of [16, 64, 256, 1024]) {
      const messages = Array.from({ length: n }, (_, i) => bar(i, { id: `w${window}-${i}` }));
      await timed(`pipelined: send() + flush(), window ${window}`, n, 'msgs', async () => {
        const pub = new JetStreamPublisher(js, t, { window });
        for (const m of messages) await pub.send(m);
        await pub.flush();
      });
    }

    const perBatch = 500;
    const batches = 100;
    const bars = Array.from({ length: perBatch * batches }, (_, i) => bar(i, { id: `b-${i}` }));
    await timed(`batched: ${perBatch} bars per message, window 256`, perBatch * batches, 'bars', async () => {
      const pub = new JetStreamPublisher(js, t);
      for (let b = 0; b < batches; b++) void pub.publishBatch(bars.slice(b * perBatch, (b + 1) * perBatch));
      await pub.flush();
    });

    const encoded = Array.from({ length: 20 }, (_, b) => encodeBatch(bars.slice(b * perBatch, (b + 1) * perBatch)));
    await timed(`decodeBatch (validates every bar), ${perBatch} per batch`, perBatch * encoded.length, 'bars', async () => {
      for (const bytes of encoded) if (!decodeBatch(bytes).ok) throw new Error('batch did not decode');
    });

    await jsm.streams.purge(t.streams.MD.name);
    const consumeN = 10_000;
    const pub = new JetStreamPublisher(js, t);
    for (let i = 0; i < consumeN; i++) await pub.send(bar(i, { id: `c-${i}` }));
    await pub.flush();
    for (const concurrency of [1, 16, 64]) {
      const durable = `perf${concurrency}`;
      await ensureConsumer(jsm, { stream: t.streams.MD.name, durable });
      await timed(`consume (decode + no-op handler + ack), concurrency ${concurrency}`, consumeN, 'msgs', () => consumeAll(js, t, durable, concurrency, consumeN));
    }
  } finally {
    await deleteTopology(jsm, t);
    await nc.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
