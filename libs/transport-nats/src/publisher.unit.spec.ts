import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { JetStreamPublisher, PublishError } from './publisher';
import { topology } from './streams';
import { bar, deferred, type Deferred } from './test-support';

/** A JetStream client whose publishes complete only when the test says so. */
function fakeJs() {
  const calls: { subject: string; msgID: string; ack: Deferred<PubAck> }[] = [];
  const js = {
    publish: (subject: string, _data: unknown, opts: { msgID: string }) => {
      const ack = deferred<PubAck>();
      calls.push({ subject, msgID: opts.msgID, ack });
      return ack.promise;
    },
  } as unknown as JetStreamClient;
  return { js, calls };
}

const ackOf = (seq: number): PubAck => ({ stream: 'MD', seq, duplicate: false });
const flushMicrotasks = () => new Promise((r) => setImmediate(r));

describe('JetStreamPublisher (window and failure accounting)', () => {
  it('publish_beyond_the_window_then_at_most_window_in_flight_and_sent_in_call_order', async () => {
    const { js, calls } = fakeJs();
    const pub = new JetStreamPublisher(js, topology(), { window: 3 });
    const acks = Array.from({ length: 7 }, (_, i) => pub.publish(bar(i)));
    await flushMicrotasks();
    expect(calls.map((c) => c.msgID)).toEqual(['bar-0', 'bar-1', 'bar-2']);
    expect(pub.inflight).toBe(3);

    calls[1].ack.resolve(ackOf(2));
    await flushMicrotasks();
    expect(calls.map((c) => c.msgID)).toEqual(['bar-0', 'bar-1', 'bar-2', 'bar-3']);
    expect(pub.inflight).toBe(3);

    for (let i = 0; i < 7; i++) {
      await flushMicrotasks();
      calls[i].ack.resolve(ackOf(i + 1));
    }
    await pub.flush();
    expect(calls.map((c) => c.msgID)).toEqual(['bar-0', 'bar-1', 'bar-2', 'bar-3', 'bar-4', 'bar-5', 'bar-6']);
    expect(calls[0].subject).toBe('md.bar.1m.binance.BTCUSDT');
    expect((await acks[6]).seq).toBe(7);
    expect(pub.inflight).toBe(0);
  });

  it('send_when_window_full_then_waits_for_room', async () => {
    const { js, calls } = fakeJs();
    const pub = new JetStreamPublisher(js, topology(), { window: 1 });
    await pub.send(bar(0));
    let sent = false;
    const second = pub.send(bar(1)).then(() => (sent = true));
    await flushMicrotasks();
    expect(sent).toBe(false);
    calls[0].ack.resolve(ackOf(1));
    await second;
    expect(sent).toBe(true);
    calls[1].ack.resolve(ackOf(2));
    await pub.flush();
  });

  it('publish_fails_then_its_promise_flush_and_next_send_reject_with_subject_and_id', async () => {
    const { js, calls } = fakeJs();
    const pub = new JetStreamPublisher(js, topology(), { window: 4 });
    const ok = pub.publish(bar(0));
    const bad = pub.publish(bar(1));
    await flushMicrotasks();
    calls[0].ack.resolve(ackOf(1));
    calls[1].ack.reject(new Error('timeout'));
    await expect(bad).rejects.toThrow(PublishError);
    await expect(ok).resolves.toEqual(ackOf(1));
    await expect(pub.send(bar(2))).rejects.toThrow(/bar-1/);

    const failure = await pub.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as PublishError).failures).toEqual([{ subject: 'md.bar.1m.binance.BTCUSDT', msgID: 'bar-1', cause: new Error('timeout') }]);
    expect((failure as PublishError).message).toMatch(/1 publish\(es\) failed; first: md.bar.1m.binance.BTCUSDT \(Nats-Msg-Id bar-1\): timeout/);
    // Reported once: the next flush starts clean.
    await expect(pub.flush()).resolves.toBeUndefined();
  });

  it('ignored_failed_publish_then_no_unhandled_rejection_and_flush_reports_it', async () => {
    const { js, calls } = fakeJs();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pub = new JetStreamPublisher(js, topology());
      void pub.send(bar(0));
      await flushMicrotasks();
      calls[0].ack.reject(new Error('no stream'));
      await expect(pub.flush()).rejects.toThrow(/no stream/);
      await flushMicrotasks();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('publish_throws_synchronously_then_reported_like_any_failure', async () => {
    const js = {
      publish: () => {
        throw new Error('max payload exceeded');
      },
    } as unknown as JetStreamClient;
    const pub = new JetStreamPublisher(js, topology());
    await expect(pub.publish(bar(0))).rejects.toThrow(/max payload exceeded/);
    await expect(pub.flush()).rejects.toThrow(PublishError);
    expect(pub.inflight).toBe(0);
  });

  it('window_not_positive_then_throws', () => {
    expect(() => new JetStreamPublisher(fakeJs().js, topology(), { window: 0 })).toThrow(RangeError);
  });
});
