/** A counting semaphore with FIFO hand-over. */
export class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    this.free = size;
  }

  get available(): number {
    return this.free;
  }

  acquire(): Promise<void> {
    if (this.free > 0 && this.waiters.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Waits for one permit, then also takes every other free one; resolves with the count. */
  async acquireAll(): Promise<number> {
    await this.acquire();
    const n = 1 + this.free;
    this.free = 0;
    return n;
  }

  release(n = 1): void {
    for (let i = 0; i < n; i++) {
      const next = this.waiters.shift();
      if (next) next();
      else if (this.free < this.size) this.free++;
      else throw new Error('semaphore released more often than acquired');
    }
  }
}

const noop = (): void => undefined;

/**
 * Runs tasks with the same key one after another, in submission order; different keys (and
 * no key) run concurrently. The map holds only keys with a task pending, so it does not grow
 * with the number of keys ever seen.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  get activeKeys(): number {
    return this.tails.size;
  }

  run(key: string | undefined, task: () => Promise<void>): Promise<void> {
    if (key === undefined) return task();
    const prev = this.tails.get(key);
    // A failed predecessor must not stop its successors: run the task either way.
    const next = prev === undefined ? task() : prev.then(task, task);
    const tail = next.then(noop, noop);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
