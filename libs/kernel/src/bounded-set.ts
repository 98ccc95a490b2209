/**
 * A set that remembers at most `capacity` keys, forgetting the oldest first. Used for
 * de-duplication windows: a redelivery older than the window would be counted again, so the
 * window must exceed any realistic redelivery distance (JetStream's own duplicate window is
 * minutes; thousands of experiences are days of trading).
 *
 * Insertion order is kept in a ring beside the Set. Evicting through the Set's own iterator
 * (`values().next()`) looks O(1) but is not in V8: deleted entries stay in the hash table as
 * holes until it is rehashed, and every fresh iterator walks past all of them from the start,
 * so a full window made each add cost O(window) — a de-duplicating consumer slowed to a crawl
 * once it had seen `capacity` ids.
 */
export class BoundedSet {
  private readonly keys = new Set<string>();
  private readonly order: string[] = [];
  /** Index in `order` of the oldest key once the ring is full. */
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`BoundedSet capacity must be a positive integer, got ${capacity}`);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    const keys = this.keys;
    if (keys.has(key)) return false;
    keys.add(key);
    const order = this.order;
    if (order.length < this.capacity) {
      order.push(key);
    } else {
      keys.delete(order[this.head]);
      order[this.head] = key;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
