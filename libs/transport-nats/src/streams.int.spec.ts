import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { AREAS, ensureConsumer, ensureTopology, topology, TopologyError } from './streams';
import { connectNats, deleteTopology, uniqueNs } from './test-support';

describe('ensureTopology / ensureConsumer (nats-server on 127.0.0.1:4222)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const topos: ReturnType<typeof topology>[] = [];
  const topo = (o: Parameters<typeof topology>[0]) => {
    const t = topology(o);
    topos.push(t);
    return t;
  };

  beforeAll(async () => {
    nc = await connectNats();
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    for (const t of topos) await deleteTopology(jsm, t);
    await nc.close();
  });

  it('ensure_topology_twice_then_creates_once_and_second_call_is_a_no_op', async () => {
    const t = topo({ ns: uniqueNs('topo') });
    const first = await ensureTopology(jsm, t);
    expect(first.created).toEqual(AREAS.map((a) => t.streams[a].name));
    const second = await ensureTopology(jsm, t);
    expect(second).toEqual({ created: [], updated: [], unchanged: AREAS.map((a) => t.streams[a].name) });

    const info = await jsm.streams.info(t.streams.EXE.name);
    expect(info.config).toMatchObject({
      subjects: [`${t.ns}.exe.>`],
      storage: 'file',
      retention: 'limits',
      duplicate_window: 120_000_000_000,
    });
  });

  it('ensure_topology_when_a_setting_changed_then_updates_only_that_stream_in_place', async () => {
    const ns = uniqueNs('upd');
    await ensureTopology(jsm, topo({ ns }));
    const changed = topo({ ns, maxAgeMs: { MD: 3_600_000 } });
    const report = await ensureTopology(jsm, changed);
    expect(report.updated).toEqual([`${ns}_MD`]);
    expect(report.unchanged).toHaveLength(AREAS.length - 1);
    expect((await jsm.streams.info(`${ns}_MD`)).config.max_age).toBe(3_600_000_000_000);
    expect((await ensureTopology(jsm, changed)).updated).toEqual([]);
  });

  it('ensure_topology_when_storage_differs_then_refuses_with_the_field_named', async () => {
    const t = topo({ ns: uniqueNs('mem') });
    await jsm.streams.add({ name: t.streams.MD.name, subjects: [...t.streams.MD.subjects], storage: StorageType.Memory });
    await expect(ensureTopology(jsm, t)).rejects.toThrow(TopologyError);
    await expect(ensureTopology(jsm, t)).rejects.toThrow(/has storage memory, configured file/);
  });

  it('ensure_consumer_twice_then_created_then_unchanged_and_a_changed_ack_wait_updates', async () => {
    const t = topo({ ns: uniqueNs('cons') });
    await ensureTopology(jsm, t);
    const spec = { stream: t.streams.DEC.name, durable: 'risk', filterSubject: `${t.ns}.dec.governor.>`, ackWaitMs: 5_000 };
    expect(await ensureConsumer(jsm, spec)).toBe('created');
    expect(await ensureConsumer(jsm, spec)).toBe('unchanged');
    const c = (await jsm.consumers.info(spec.stream, 'risk')).config;
    expect(c).toMatchObject({ durable_name: 'risk', ack_policy: 'explicit', deliver_policy: 'all', filter_subject: `${t.ns}.dec.governor.>`, ack_wait: 5_000_000_000, max_deliver: -1 });

    expect(await ensureConsumer(jsm, { ...spec, ackWaitMs: 7_000, filterSubject: `${t.ns}.dec.>` })).toBe('updated');
    const u = (await jsm.consumers.info(spec.stream, 'risk')).config;
    expect(u.ack_wait).toBe(7_000_000_000);
    expect(u.filter_subject).toBe(`${t.ns}.dec.>`);
    expect(await ensureConsumer(jsm, { ...spec, ackWaitMs: 7_000, filterSubject: `${t.ns}.dec.>` })).toBe('unchanged');
  });

  it('ensure_consumer_with_bad_settings_then_refuses', async () => {
    const t = topo({ ns: uniqueNs('bad') });
    await ensureTopology(jsm, t);
    await expect(ensureConsumer(jsm, { stream: t.streams.DEC.name, durable: 'a.b' })).rejects.toThrow(/durable name/);
    await expect(ensureConsumer(jsm, { stream: t.streams.DEC.name, durable: 'x', maxDeliver: 2, backoffMs: [100, 200] })).rejects.toThrow(/must exceed the number of backoff steps/);
    await expect(ensureConsumer(jsm, { stream: t.streams.DEC.name, durable: 'x', maxDeliver: 0 })).rejects.toThrow(/maxDeliver/);
    await ensureConsumer(jsm, { stream: t.streams.DEC.name, durable: 'y' });
    await expect(ensureConsumer(jsm, { stream: t.streams.DEC.name, durable: 'y', deliverPolicy: 'new' })).rejects.toThrow(/deliver_policy all, configured new/);
  });
});
