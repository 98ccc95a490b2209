/** Reading a stream back for audits and exports: all at once, or one message at a time (real NATS). */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureTopology, JetStreamPublisher, nextStoredMessage, readStoredMessages, sourcedFrom, storedIdsSince, streamStoredMessages, StreamReadError, topology, type Topology } from './index';
import { bar, connectNats, deleteTopology, sleep, uniqueNs, waitFor } from './test-support';

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topo: Topology;

beforeAll(async () => {
  nc = await connectNats();
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('read') });
  await ensureTopology(jsm, topo);
  const pub = new JetStreamPublisher(js, topo);
  // One bar per message (not a batch): 30 messages in MD.
  for (let i = 0; i < 30; i++) void pub.publish(bar(i));
  await pub.flush();
});

afterAll(async () => {
  await deleteTopology(jsm, topo);
  await nc.close();
});

const consumersOf = async (stream: string): Promise<number> => (await jsm.streams.info(stream)).state.consumer_count;
/** Ordered consumers are ephemeral: the server removes one shortly after the reader closes it. */
const noConsumerLeft = (stream: string): Promise<void> => waitFor(`no consumer left on ${stream}`, async () => (await consumersOf(stream)) === 0, 10_000, 100);

test('read_when_whole_then_every_message_in_stream_order_and_no_consumer_left', async () => {
  const md = topo.streams.MD.name;
  const all = await readStoredMessages(js, jsm, md);
  expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(all.every((m, i) => i === 0 || m.nanos >= all[i - 1].nanos)).toBe(true);
  expect((await readStoredMessages(js, jsm, md, { toSeq: 7 })).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  await noConsumerLeft(md);
});

test('stream_when_the_caller_is_slower_than_idle_ms_then_no_timeout_only_server_silence_counts', async () => {
  const seqs: number[] = [];
  for await (const m of streamStoredMessages(js, jsm, topo.streams.MD.name, { toSeq: 4, idleMs: 150 })) {
    seqs.push(m.seq);
    await sleep(250);
  }
  expect(seqs).toEqual([1, 2, 3, 4]);
});

test('stream_when_stopped_early_then_the_consumer_is_closed', async () => {
  const md = topo.streams.MD.name;
  const seqs: number[] = [];
  for await (const m of streamStoredMessages(js, jsm, md)) {
    seqs.push(m.seq);
    if (m.seq === 3) break;
  }
  expect(seqs).toEqual([1, 2, 3]);
  await noConsumerLeft(md);
});

test('stream_when_missing_or_empty_then_error_naming_it_or_nothing', async () => {
  await expect(readStoredMessages(js, jsm, `${topo.ns}_NOPE`)).rejects.toThrow(new StreamReadError(`no stream ${topo.ns}_NOPE`));
  expect(await readStoredMessages(js, jsm, topo.streams.DLQ.name)).toEqual([]);
});

test('stored_ids_since_a_time_then_the_ids_of_the_messages_stored_from_then_on_and_none_after_the_last', async () => {
  const md = topo.streams.MD.name;
  const all = await readStoredMessages(js, jsm, md);
  const tenth = await jsm.streams.getMessage(md, { seq: 10 });
  const ids = await storedIdsSince(js, jsm, md, tenth!.timestamp);
  // Messages stored in the same instant as #10 may come along; every later one does.
  const expectedIds = all.filter((m) => m.nanos >= all[9].nanos).map((m) => JSON.parse(new TextDecoder().decode(m.data)).id);
  expect([...ids].sort()).toEqual([...expectedIds].sort());
  expect(ids.size).toBeGreaterThanOrEqual(21);
  // After the last message: nothing, at once (not after the idle timeout).
  const later = new Date(Number(all[29].nanos / 1_000_000n) + 1_000).toISOString();
  const t0 = performance.now();
  expect((await storedIdsSince(js, jsm, md, later, { idleMs: 5_000 })).size).toBe(0);
  expect(performance.now() - t0).toBeLessThan(2_000);
  await noConsumerLeft(md);
});

test('a_sourced_copy_then_its_header_names_the_source_and_its_sequence_there_and_reads_by_subject_find_it', async () => {
  const a = `${topo.ns}_SRC_A`;
  const b = `${topo.ns}_SRC_B`;
  const copy = `${topo.ns}_SRC_COPY`;
  await jsm.streams.add({ name: a, subjects: [`${topo.ns}.srca.>`] });
  await jsm.streams.add({ name: b, subjects: [`${topo.ns}.srcb.>`] });
  try {
    for (let i = 1; i <= 3; i++) await js.publish(`${topo.ns}.srca.x`, `a${i}`, { msgID: `a${i}` });
    for (let i = 1; i <= 2; i++) await js.publish(`${topo.ns}.srcb.y`, `b${i}`, { msgID: `b${i}` });
    await jsm.streams.add({ name: copy, sources: [{ name: a, filter_subject: `${topo.ns}.srca.>` }, { name: b, filter_subject: `${topo.ns}.srcb.>` }] });
    await waitFor('the copy holds all five', async () => (await jsm.streams.info(copy)).state.messages === 5);
    const fromB = await nextStoredMessage(jsm, copy, `${topo.ns}.srcb.>`, 1);
    expect(fromB?.subject).toBe(`${topo.ns}.srcb.y`);
    expect(sourcedFrom(fromB!.header)).toEqual({ stream: b, seq: 1 });
    const second = await nextStoredMessage(jsm, copy, `${topo.ns}.srcb.>`, fromB!.seq + 1);
    expect(sourcedFrom(second!.header)).toEqual({ stream: b, seq: 2 });
    expect(await nextStoredMessage(jsm, copy, `${topo.ns}.srcb.>`, second!.seq + 1)).toBeNull();
    expect(await nextStoredMessage(jsm, a, `${topo.ns}.srca.>`, 3)).toMatchObject({ seq: 3 });
    // The ids on some subjects only; none, at once, when nothing is on them.
    expect([...(await storedIdsSince(js, jsm, copy, undefined, { filter: `${topo.ns}.srcb.>` }))].sort()).toEqual(['b1', 'b2']);
    expect([...(await storedIdsSince(js, jsm, copy, undefined))].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    const t0 = performance.now();
    expect((await storedIdsSince(js, jsm, copy, undefined, { filter: `${topo.ns}.nothing.>`, idleMs: 5_000 })).size).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2_000);
  } finally {
    for (const s of [copy, a, b]) await jsm.streams.delete(s).catch(() => undefined);
  }
});
