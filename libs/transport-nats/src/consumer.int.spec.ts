import type { Message } from '@tradeloop/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import { decodeBatch, encodeBatch, type MarketDataBatch } from './batch';
import { ConsumerConfigError, PoisonMessageError, runConsumer, type ConsumerEvent, type ConsumerOptions, type RunningConsumer } from './consumer';
import { DeadLetterQueue, DLQ_HEADER, type DeadLetter } from './dlq';
import { JetStreamPublisher } from './publisher';
import { ensureConsumer, ensureTopology, subjectFor, topology, type ConsumerSpec, type Topology } from './streams';
import { bar, connectNats, deferred, deleteTopology, readStream, sleep, uniqueNs, waitFor } from './test-support';

describe('runConsumer (nats-server on 127.0.0.1:4222)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let t: Topology;
  let running: RunningConsumer[];
  let extra: NatsConnection[];
  const release = deferred();

  beforeAll(async () => {
    nc = await connectNats();
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterAll(async () => {
    release.resolve();
    await nc.close();
  });

  beforeEach(async () => {
    running = [];
    extra = [];
    t = topology({ ns: uniqueNs('con') });
    await ensureTopology(jsm, t);
  });

  afterEach(async () => {
    for (const c of running) await c.stop();
    for (const x of extra) if (!x.isClosed()) await x.close();
    await deleteTopology(jsm, t);
  });

  const md = () => t.streams.MD.name;

  async function start<T = Message>(
    durable: string,
    options: Partial<ConsumerOptions<T>> & Pick<ConsumerOptions<T>, 'handler'>,
    spec: Partial<ConsumerSpec> = {},
  ): Promise<RunningConsumer> {
    await ensureConsumer(jsm, { stream: md(), durable, ackWaitMs: 30_000, ...spec });
    const c = await runConsumer<T>({ js, stream: md(), durable, dlq: new DeadLetterQueue(js, t), maxDeliver: 3, backoffMs: [50], ...options });
    running.push(c);
    return c;
  }

  async function publish(...messages: Message[]): Promise<void> {
    const pub = new JetStreamPublisher(js, t);
    for (const m of messages) await pub.send(m);
    await pub.flush();
  }

  const consumerInfo = (durable: string) => jsm.consumers.info(md(), durable);
  const settled = async (durable: string, seq: number) => {
    const ci = await consumerInfo(durable);
    return ci.ack_floor.stream_seq === seq && ci.num_ack_pending === 0 && ci.num_pending === 0;
  };
  const letters = async (n: number) => (await readStream(js, t.streams.DLQ.name, n)).map((m) => ({ msg: m, letter: m.json<DeadLetter>() }));

  it('handler_pending_then_message_unacked_and_acked_only_after_it_resolves', async () => {
    const gate = deferred();
    const seen: string[] = [];
    const c = await start('acker', {
      handler: async (m) => {
        seen.push(m.id);
        await gate.promise;
      },
    });
    await publish(bar(1));
    await waitFor('handler to start', () => seen.length === 1);
    const during = await consumerInfo('acker');
    expect(during.num_ack_pending).toBe(1);
    expect(during.ack_floor.stream_seq).toBe(0);
    expect(c.stats.acked).toBe(0);

    gate.resolve();
    await waitFor('the ack', () => settled('acker', 1));
    expect(c.stats).toMatchObject({ delivered: 1, acked: 1, retried: 0, deadLettered: 0 });
  });

  it('process_dies_mid_handler_then_message_redelivered_to_the_next_instance', async () => {
    const crashing = await connectNats();
    extra.push(crashing);
    await ensureConsumer(jsm, { stream: md(), durable: 'crash', ackWaitMs: 1_000 });
    const firstSeen: number[] = [];
    await runConsumer({
      js: jetstream(crashing),
      stream: md(),
      durable: 'crash',
      dlq: new DeadLetterQueue(jetstream(crashing), t),
      maxDeliver: 5,
      handler: async (_m, ctx) => {
        firstSeen.push(ctx.deliveryCount);
        await release.promise;
      },
    });
    await publish(bar(1));
    await waitFor('first instance to start the handler', () => firstSeen.length === 1);
    await crashing.close();

    const secondSeen: number[] = [];
    await start('crash', { maxDeliver: 5, handler: async (_m, ctx) => void secondSeen.push(ctx.deliveryCount) }, { ackWaitMs: 1_000 });
    await waitFor('redelivery after ack_wait', () => secondSeen.length === 1);
    expect(firstSeen).toEqual([1]);
    expect(secondSeen).toEqual([2]);
    await waitFor('the ack', () => settled('crash', 1));
  });

  it('handler_keeps_failing_then_retried_with_backoff_then_dead_lettered_with_the_reason', async () => {
    const at: number[] = [];
    const counts: number[] = [];
    const events: ConsumerEvent['type'][] = [];
    const c = await start('retry', {
      maxDeliver: 3,
      backoffMs: [150, 300],
      onEvent: (e) => events.push(e.type),
      handler: async (_m, ctx) => {
        at.push(Date.now());
        counts.push(ctx.deliveryCount);
        throw new Error(`boom ${ctx.deliveryCount}`);
      },
    });
    const m = bar(1);
    await publish(m);
    const [{ msg, letter }] = await letters(1);

    expect(counts).toEqual([1, 2, 3]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(140);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(290);
    expect(msg.subject).toBe(`${t.ns}.dlq.${md()}.retry`);
    expect(msg.headers?.get(DLQ_HEADER.subject)).toBe(subjectFor(t, m));
    expect(msg.headers?.get(DLQ_HEADER.reason)).toBe('handler_failed');
    expect(letter).toEqual({
      reason: 'handler_failed',
      detail: 'failed on all 3 deliveries; last error: boom 3',
      stream: md(),
      subject: subjectFor(t, m),
      durable: 'retry',
      streamSeq: 1,
      deliveryCount: 3,
      original: JSON.stringify(m),
      originalBytes: Buffer.byteLength(JSON.stringify(m)),
      truncated: false,
    });
    await waitFor('the term', () => settled('retry', 1));
    expect(c.stats).toMatchObject({ delivered: 3, acked: 0, retried: 2, deadLettered: 1 });
    expect(events).toEqual(['consuming', 'retry', 'retry', 'dead_lettered']);
  });

  it('malformed_json_or_invalid_envelope_then_dead_lettered_at_once_with_field_paths_and_next_message_handled', async () => {
    const handled: string[] = [];
    const c = await start('poison', { handler: async (m) => void handled.push(m.id) });
    const subject = subjectFor(t, bar(0));
    await js.publish(subject, 'not json{', { msgID: 'raw-1' });
    const invalid = { ...bar(2), source: undefined, data: { ...bar(2).data, close: -1 } };
    await js.publish(subject, JSON.stringify(invalid), { msgID: 'raw-2' });
    await publish(bar(3));

    await waitFor('the good message', () => handled.length === 1);
    const dead = await letters(2);
    expect(handled).toEqual(['bar-3']);
    expect(dead[0].letter).toMatchObject({ reason: 'invalid_message', deliveryCount: 1, streamSeq: 1, original: 'not json{' });
    expect(dead[0].letter.errors).toEqual([{ path: '$', message: expect.stringMatching(/^invalid JSON/) }]);
    expect(dead[1].letter).toMatchObject({ reason: 'invalid_message', deliveryCount: 1, streamSeq: 2 });
    expect(dead[1].letter.errors?.map((e) => e.path).sort()).toEqual(['data.close', 'source']);
    expect(dead[1].letter.detail).toMatch(/data.close: .*; source: |source: .*; data.close: /);
    await waitFor('all settled', () => settled('poison', 3));
    expect(c.stats).toMatchObject({ delivered: 3, acked: 1, retried: 0, deadLettered: 2 });
  });

  it('handler_throws_poison_message_error_then_dead_lettered_without_retries', async () => {
    const counts: number[] = [];
    await start('reject', {
      maxDeliver: 5,
      handler: async (_m, ctx) => {
        counts.push(ctx.deliveryCount);
        throw new PoisonMessageError('order o-1 does not exist');
      },
    });
    await publish(bar(1));
    const [{ letter }] = await letters(1);
    expect(counts).toEqual([1]);
    expect(letter).toMatchObject({ reason: 'rejected', detail: 'order o-1 does not exist', deliveryCount: 1 });
  });

  it('dead_letter_publish_fails_then_message_comes_back_and_is_dead_lettered_later', async () => {
    class FlakyDlq extends DeadLetterQueue {
      failures = 1;
      override send(letter: DeadLetter): Promise<PubAck> {
        if (this.failures-- > 0) return Promise.reject(new Error('DLQ unavailable'));
        return super.send(letter);
      }
    }
    const events: ConsumerEvent['type'][] = [];
    await start('flaky', { dlq: new FlakyDlq(js, t), backoffMs: [50], onEvent: (e) => events.push(e.type), handler: async () => undefined });
    await js.publish(subjectFor(t, bar(0)), '{}', { msgID: 'raw-1' });
    const [{ letter }] = await letters(1);
    expect(letter).toMatchObject({ reason: 'invalid_message', deliveryCount: 2 });
    expect(events).toEqual(['consuming', 'dead_letter_failed', 'dead_lettered']);
  });

  it('ordering_key_then_same_key_handled_one_at_a_time_in_order_while_keys_run_in_parallel', async () => {
    const accounts = ['a', 'b', 'c'];
    const messages = Array.from({ length: 30 }, (_, i) => bar(i, { id: `o-${i}`, account: accounts[i % 3] }));
    const order = new Map<string, string[]>();
    const active = new Map<string, number>();
    let overlapSameKey = 0;
    let now = 0;
    let peak = 0;
    await start('ordered', {
      concurrency: 8,
      orderingKey: (m) => m.account,
      handler: async (m) => {
        const n = (active.get(m.account) ?? 0) + 1;
        active.set(m.account, n);
        if (n > 1) overlapSameKey++;
        peak = Math.max(peak, ++now);
        await sleep(5 + (Number(m.id.slice(2)) % 4) * 3);
        now--;
        active.set(m.account, n - 1);
        order.set(m.account, [...(order.get(m.account) ?? []), m.id]);
      },
    });
    await publish(...messages);
    await waitFor('all handled', () => [...order.values()].reduce((s, l) => s + l.length, 0) === 30);
    expect(overlapSameKey).toBe(0);
    for (const acct of accounts) expect(order.get(acct)).toEqual(messages.filter((m) => m.account === acct).map((m) => m.id));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('concurrency_n_then_never_more_than_n_handlers_at_once', async () => {
    let now = 0;
    let peak = 0;
    let done = 0;
    await start('bounded', {
      concurrency: 4,
      handler: async () => {
        peak = Math.max(peak, ++now);
        await sleep(20);
        now--;
        done++;
      },
    });
    await publish(...Array.from({ length: 24 }, (_, i) => bar(i)));
    await waitFor('all handled', () => done === 24);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('handler_longer_than_ack_wait_then_kept_alive_not_redelivered', async () => {
    let calls = 0;
    const c = await start(
      'slow',
      {
        handler: async () => {
          calls++;
          await sleep(2_300);
        },
      },
      { ackWaitMs: 1_000 },
    );
    await publish(bar(1));
    await waitFor('the ack', () => settled('slow', 1));
    expect(calls).toBe(1);
    expect(c.stats).toMatchObject({ delivered: 1, acked: 1 });
    expect((await consumerInfo('slow')).num_redelivered).toBe(0);
  });

  it('stop_then_running_handler_finishes_and_is_acked_and_nothing_else_is_held_back', async () => {
    const gate = deferred();
    const firstRun: string[] = [];
    const c = await start('drain', {
      handler: async (m) => {
        firstRun.push(m.id);
        await gate.promise;
      },
    });
    const messages = Array.from({ length: 5 }, (_, i) => bar(i));
    await publish(...messages);
    await waitFor('first handler', () => firstRun.length === 1);
    let stopped = false;
    const stopping = c.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(firstRun).toEqual(['bar-0']);
    expect(c.stats.acked).toBe(1);

    // ack_wait is 30 s: a message the stopped instance had pulled would be stuck that long.
    const secondRun: string[] = [];
    await start('drain', { handler: async (m) => void secondRun.push(m.id) });
    await waitFor('the rest', () => secondRun.length === 4, 10_000);
    expect(secondRun.sort()).toEqual(['bar-1', 'bar-2', 'bar-3', 'bar-4']);
  });

  it('market_data_batch_then_handled_as_one_batch_and_a_bad_element_dead_lettered_by_index', async () => {
    const batches: MarketDataBatch[] = [];
    await start<MarketDataBatch>('batches', { decode: decodeBatch, handler: async (b) => void batches.push(b) });
    const pub = new JetStreamPublisher(js, t);
    const good = [bar(1), bar(2), bar(3)];
    const ack = await pub.publishBatch(good);
    expect((await pub.publishBatch(good)).duplicate).toBe(true);
    const bad = JSON.parse(new TextDecoder().decode(encodeBatch([bar(4), bar(5)])));
    bad.messages[1].data.close = 'high';
    await js.publish(`${t.ns}.md.batch.binance.BTCUSDT`, JSON.stringify(bad), { msgID: 'bad-batch' });

    const [{ letter }] = await letters(1);
    expect(ack.duplicate).toBe(false);
    expect(batches).toHaveLength(1);
    expect(batches[0].messages).toEqual(good);
    expect(letter.reason).toBe('invalid_message');
    expect(letter.errors?.map((e) => e.path)).toEqual(['messages.1.data.close']);
  });

  it('consumer_deleted_under_it_then_restarts_with_backoff_and_resumes_once_recreated', async () => {
    const events: ConsumerEvent['type'][] = [];
    const handled: string[] = [];
    const c = await start('phoenix', {
      restartBackoffMs: [50, 100],
      pullExpiresMs: 1_000,
      onEvent: (e) => events.push(e.type),
      handler: async (m) => void handled.push(m.id),
    });
    await publish(bar(1));
    await waitFor('first message', () => handled.length === 1);
    await jsm.consumers.delete(md(), 'phoenix');
    await waitFor('repeated restarts while the durable is missing', () => c.stats.restarts >= 3);
    await ensureConsumer(jsm, { stream: md(), durable: 'phoenix', ackWaitMs: 30_000, deliverPolicy: 'new' });
    await publish(bar(2));
    await waitFor('the message after recreation', () => handled.includes('bar-2'));
    expect(handled).toEqual(['bar-1', 'bar-2']);
    expect(events.slice(0, 3)).toEqual(['consuming', 'restarting', 'restarting']);
    expect(events[events.length - 1]).toBe('consuming');
  });

  it('connection_closed_then_loop_ends_with_a_closed_event', async () => {
    const own = await connectNats();
    extra.push(own);
    await ensureConsumer(jsm, { stream: md(), durable: 'closing' });
    const events: ConsumerEvent['type'][] = [];
    const c = await runConsumer({
      js: jetstream(own),
      stream: md(),
      durable: 'closing',
      dlq: new DeadLetterQueue(jetstream(own), t),
      maxDeliver: 3,
      pullExpiresMs: 1_000,
      onEvent: (e) => events.push(e.type),
      handler: async () => undefined,
    });
    await own.close();
    await c.done;
    expect(events[0]).toBe('consuming');
    expect(events[events.length - 1]).toBe('closed');
  });

  it('server_max_deliver_not_above_the_dlq_threshold_or_durable_missing_then_refuses_to_start', async () => {
    await ensureConsumer(jsm, { stream: md(), durable: 'tight', maxDeliver: 3 });
    const options = { js, stream: md(), dlq: new DeadLetterQueue(js, t), maxDeliver: 3, handler: async () => undefined };
    await expect(runConsumer({ ...options, durable: 'tight' })).rejects.toThrow(ConsumerConfigError);
    await expect(runConsumer({ ...options, durable: 'tight' })).rejects.toThrow(/max_deliver 3, not above maxDeliver 3/);
    await expect(runConsumer({ ...options, durable: 'missing' })).rejects.toThrow(/consumer not found/);
    await expect(runConsumer({ ...options, durable: 'tight', concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});
