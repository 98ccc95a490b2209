import { createHash } from 'node:crypto';
import type { Envelope } from '@tradeloop/kernel';

/**
 * The run's event log: one JSON envelope per line. Market-data inputs are not copied into it
 * (RunStarted names the files and their sha256); everything the pipeline decided is. Two runs
 * over the same inputs must produce the same hash.
 *
 * Appending keeps a reference; serialising happens once, when the text or hash is asked for.
 * Envelopes are never mutated after publication, so the deferred text is what was published.
 */
export class EventLog {
  private readonly events: Envelope[] = [];
  private serialised: string | undefined;
  private digest: string | undefined;

  append(e: Envelope): void {
    if (this.serialised !== undefined) throw new Error('event log is closed');
    this.events.push(e);
  }

  get size(): number {
    return this.events.length;
  }

  /** The ndjson text; closes the log. */
  text(): string {
    if (this.serialised === undefined) {
      const lines = new Array<string>(this.events.length);
      for (let i = 0; i < this.events.length; i++) lines[i] = JSON.stringify(this.events[i]);
      this.serialised = lines.length === 0 ? '' : lines.join('\n') + '\n';
    }
    return this.serialised;
  }

  sha256(): string {
    if (this.digest === undefined) this.digest = createHash('sha256').update(this.text()).digest('hex');
    return this.digest;
  }
}
