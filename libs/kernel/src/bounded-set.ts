/**
 * A set that remembers at most `capacity` keys, forgetting the oldest first. Used for
 * de-duplication windows: a redelivery older than the window would be counted again, so the
 * window must exceed any realistic redelivery distance (JetStream's own duplicate window is
 * minutes; thousands of experiences are days of trading).
 */
export class BoundedSet {
  private readonly keys = new Set<string>();

  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      // Set iteration is insertion order, so the first key is the oldest.
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
