import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { JetStreamPublisher, PublishError } from './publisher';
import { ensureTopology, topology, type Topology } from './streams';
import { bar, connectNats, deleteTopology, readStream, uniqueNs } from './test-support';

describe('JetStreamPublisher (nats-server on 127.0.0.1:4222)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let topo: Topology;

  beforeAll(async () => {
    nc = await connectNats();
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    topo = topology({ ns: uniqueNs('pub') });
    await ensureTopology(jsm, topo);
  });

  afterAll(async () => {
    await deleteTopology(jsm, topo);
    await nc.close();
  });

  beforeEach(async () => {
    await jsm.streams.purge(topo.streams.MD.name);
  });

  it('publish_same_envelope_id_twice_then_stored_once_and_second_ack_is_duplicate', async () => {
    const pub = new JetStreamPublisher(js, topo);
    const first = await pub.publish(bar(1, { id: 'dup-1' }));
    const second = await pub.publish(bar(1, { id: 'dup-1' }));
    expect(first).toMatchObject({ stream: topo.streams.MD.name, duplicate: false });
    expect(second).toMatchObject({ stream: topo.streams.MD.name, seq: first.seq, duplicate: true });
    expect((await jsm.streams.info(topo.streams.MD.name)).state.messages).toBe(1);

    const [stored] = await readStream(js, topo.streams.MD.name, 1);
    expect(stored.subject).toBe(`${topo.ns}.md.bar.1m.binance.BTCUSDT`);
    expect(stored.headers?.get('Nats-Msg-Id')).toBe('dup-1');
    expect(stored.json()).toEqual(bar(1, { id: 'dup-1' }));
  });

  it('publish_batch_then_one_message_with_the_batch_msg_id_and_its_newest_event_time_in_a_header', async () => {
    const pub = new JetStreamPublisher(js, topo);
    const bars = [bar(3), bar(1), bar(2)];
    await pub.publishBatch(bars);
    const [stored] = await readStream(js, topo.streams.MD.name, 1);
    expect(stored.subject).toBe(`${topo.ns}.md.batch.binance.BTCUSDT`);
    expect(stored.headers?.get('Nats-Msg-Id')).toBe(`${bars[0].id}:${bars[2].id}`);
    expect(Number(stored.headers?.get('Tl-Batch-Ts'))).toBe(Math.max(...bars.map((b) => b.ts)));
  });

  it('pipelined_publish_of_10k_then_all_stored_once_in_publish_order', async () => {
    const n = 10_000;
    const pub = new JetStreamPublisher(js, topo, { window: 256 });
    for (let i = 0; i < n; i++) await pub.send(bar(i, { id: `p-${i}` }));
    await pub.flush();
    expect(pub.inflight).toBe(0);

    const info = await jsm.streams.info(topo.streams.MD.name);
    expect(info.state.messages).toBe(n);
    const stored = await readStream(js, topo.streams.MD.name, n);
    const ids = stored.map((m) => m.headers?.get('Nats-Msg-Id'));
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => `p-${i}`));
  });

  it('publish_to_a_subject_no_stream_stores_then_flush_rejects_with_the_subject', async () => {
    const unknown = topology({ ns: uniqueNs('nostream') });
    const pub = new JetStreamPublisher(js, unknown, { timeoutMs: 2_000 });
    void pub.send(bar(1, { id: 'lost-1' }));
    const failure = await pub.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as PublishError).failures.map((f) => [f.subject, f.msgID])).toEqual([[`${unknown.ns}.md.bar.1m.binance.BTCUSDT`, 'lost-1']]);
  });
});
