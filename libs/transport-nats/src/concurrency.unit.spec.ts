import { KeyedSerializer, Semaphore } from './concurrency';
import { deferred } from './test-support';

const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('acquire_beyond_size_then_waits_and_release_hands_over_in_fifo_order', async () => {
    const s = new Semaphore(2);
    await s.acquire();
    await s.acquire();
    const order: number[] = [];
    void s.acquire().then(() => order.push(1));
    void s.acquire().then(() => order.push(2));
    await tick();
    expect(order).toEqual([]);
    s.release();
    await tick();
    expect(order).toEqual([1]);
    s.release();
    await tick();
    expect(order).toEqual([1, 2]);
    expect(s.available).toBe(0);
  });

  it('acquire_all_then_takes_every_free_permit_and_release_n_returns_them', async () => {
    const s = new Semaphore(4);
    await s.acquire();
    expect(await s.acquireAll()).toBe(3);
    expect(s.available).toBe(0);
    let got = 0;
    const waiting = s.acquireAll().then((n) => (got = n));
    await tick();
    expect(got).toBe(0);
    s.release(2);
    await waiting;
    expect(got).toBe(2);
    s.release(4);
    expect(s.available).toBe(4);
  });

  it('release_more_than_acquired_then_throws', () => {
    const s = new Semaphore(1);
    expect(() => s.release()).toThrow(/released more often/);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('KeyedSerializer', () => {
  it('same_key_then_one_after_another_in_submission_order', async () => {
    const k = new KeyedSerializer();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((g, i) =>
      k.run('acct', async () => {
        log.push(`start ${i}`);
        await g.promise;
        log.push(`end ${i}`);
      }),
    );
    await tick();
    expect(log).toEqual(['start 0']);
    gates[2].resolve();
    gates[1].resolve();
    await tick();
    expect(log).toEqual(['start 0']);
    gates[0].resolve();
    await Promise.all(runs);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(k.activeKeys).toBe(0);
  });

  it('different_keys_or_no_key_then_concurrent', async () => {
    const k = new KeyedSerializer();
    const started: string[] = [];
    const gate = deferred();
    const task = (name: string) => async () => {
      started.push(name);
      await gate.promise;
    };
    const runs = [k.run('a', task('a')), k.run('b', task('b')), k.run(undefined, task('none'))];
    await tick();
    expect(started.sort()).toEqual(['a', 'b', 'none']);
    gate.resolve();
    await Promise.all(runs);
  });

  it('failed_predecessor_then_successor_still_runs', async () => {
    const k = new KeyedSerializer();
    const first = k.run('a', async () => {
      throw new Error('boom');
    });
    let ran = false;
    const second = k.run('a', async () => {
      ran = true;
    });
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(ran).toBe(true);
  });
});
