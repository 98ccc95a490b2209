import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Message } from '@tradeloop/contracts';
import { runConsumer, type ConsumerEvent, type RunningConsumer } from './consumer';
import { DeadLetterQueue } from './dlq';
import { JetStreamPublisher, PublishError } from './publisher';
import { ensureConsumer, ensureTopology, topology } from './streams';
import { bar, connectNats, PrivateNatsServer, sleep, waitFor } from './test-support';

/**
 * Runs its own nats-server (loopback, random port, temporary store) so it can kill -9 and
 * restart it without touching the shared server other tests and services use.
 */
describe('runConsumer across a nats-server crash (private server, kill -9)', () => {
  let server: PrivateNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let consumer: RunningConsumer | undefined;

  beforeAll(async () => {
    server = await PrivateNatsServer.start();
    nc = await connectNats(server.url);
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterAll(async () => {
    await consumer?.stop();
    await nc?.close();
    await server?.dispose();
  });

  async function reconnected(conn: NatsConnection): Promise<void> {
    for await (const s of conn.status()) if (s.type === 'reconnect') return;
  }

  /** Re-publishing the same ids after a failure is safe: the server de-duplicates them. */
  async function publishUntilStored(pub: JetStreamPublisher, messages: readonly Message[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        for (const m of messages) await pub.send(m);
        await pub.flush();
        return;
      } catch (e) {
        if (!(e instanceof PublishError) || attempt >= 10) throw e;
        await pub.flush().catch(() => undefined);
        await sleep(200);
      }
    }
  }

  it('server_killed_and_restarted_then_consumer_resumes_and_every_message_is_handled', async () => {
    const t = topology({ ns: 'crash' });
    await ensureTopology(jsm, t);
    const stream = t.streams.MD.name;
    await ensureConsumer(jsm, { stream, durable: 'svc', ackWaitMs: 2_000 });
    const handled = new Map<string, number>();
    const events: ConsumerEvent['type'][] = [];
    consumer = await runConsumer({
      js,
      stream,
      durable: 'svc',
      dlq: new DeadLetterQueue(js, t),
      maxDeliver: 50,
      backoffMs: [50],
      concurrency: 4,
      restartBackoffMs: [50, 100, 200],
      pullExpiresMs: 2_000,
      onEvent: (e) => events.push(e.type),
      handler: async (m) => {
        await sleep(2);
        handled.set(m.id, (handled.get(m.id) ?? 0) + 1);
      },
    });

    const pub = new JetStreamPublisher(js, t, { timeoutMs: 2_000 });
    const before = Array.from({ length: 300 }, (_, i) => bar(i, { id: `before-${i}` }));
    await publishUntilStored(pub, before);
    await waitFor('some messages handled before the crash', () => handled.size >= 50);

    // nats.js drops requests made while it is reconnecting (they time out), so a producer
    // waits for the reconnect; publishUntilStored covers the publishes caught mid-flight.
    const back = reconnected(nc);
    await server.kill();
    await server.launch();
    await back;

    const after = Array.from({ length: 300 }, (_, i) => bar(300 + i, { id: `after-${i}` }));
    await publishUntilStored(pub, after);

    const all = [...before, ...after].map((m) => m.id);
    await waitFor('every message handled after the restart', () => all.every((id) => handled.has(id)), 25_000);
    await waitFor(
      'the consumer to settle',
      async () => {
        const ci = await jsm.consumers.info(stream, 'svc');
        return ci.num_pending === 0 && ci.num_ack_pending === 0;
      },
      15_000,
    );
    expect(handled.size).toBe(600);
    expect((await jsm.streams.info(stream)).state.messages).toBe(600);
    expect((await jsm.streams.info(t.streams.DLQ.name)).state.messages).toBe(0);
    expect(consumer.stats.deadLettered).toBe(0);
    expect(events[0]).toBe('consuming');
  }, 60_000);
});
