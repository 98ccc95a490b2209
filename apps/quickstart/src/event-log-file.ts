import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';

/**
 * The in-process run's audit trail: every message but the market data, one JSON envelope per
 * line, in bus order — the format of a backtest's `events.ndjson`, so `tradeloop explain` and
 * `tradeloop replay --log` read it. The file is created afresh at every start (the in-process
 * pipeline starts afresh too).
 *
 * Lines are collected while the bus runs and written once per turn of the event loop (the feed
 * yields after every batch), so the file trails the bus by at most one batch and a reader
 * after `flush()` sees everything published so far. A write that fails stops the log: it is
 * reported once to `onFailure` and kept in `failure` (the quickstart's /health shows it);
 * trading goes on (the read models and the summary do not depend on it).
 */
export class EventLogFile {
  private fd: number | undefined;
  private lines: string[] = [];
  private scheduled = false;
  private written = 0;
  private error: Error | undefined;

  constructor(
    readonly path: string,
    private readonly onFailure?: (e: Error) => void,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'w', 0o600);
  }

  /** Messages written so far. */
  get count(): number {
    return this.written;
  }

  /** Why the log stopped, if it did. */
  get failure(): Error | undefined {
    return this.error;
  }

  append(m: Envelope): void {
    if (this.fd === undefined) return;
    this.lines.push(JSON.stringify(m));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what has been appended (synchronously). */
  flush(): void {
    this.scheduled = false;
    if (this.fd === undefined || this.lines.length === 0) return;
    const n = this.lines.length;
    const bytes = Buffer.from(this.lines.join('\n') + '\n', 'utf8');
    this.lines = [];
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      this.written += n;
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      this.closeFd();
      this.onFailure?.(this.error);
    }
  }

  /**
   * Replaces the log's first `head.length` lines with `head` (written so far, and flushed first),
   * in one rename so that a reader sees the old file or the new one, never half of each; the log
   * then goes on appending. For a run that learns only at its end what its opening lines must say
   * (the quickstart stopped early: the window it ran). Does nothing once the log has stopped.
   */
  replaceHead(head: readonly Envelope[]): void {
    this.flush();
    if (this.fd === undefined) return;
    try {
      const lines = readFileSync(this.path, 'utf8').split('\n');
      if (lines.length <= head.length) throw new Error(`the log holds ${lines.length - 1} line(s), fewer than the ${head.length} to replace`);
      lines.splice(0, head.length, ...head.map((m) => JSON.stringify(m)));
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, lines.join('\n'), { mode: 0o600 });
      renameSync(tmp, this.path);
      this.closeFd();
      this.fd = openSync(this.path, 'a', 0o600);
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      this.closeFd();
      this.onFailure?.(this.error);
    }
  }

  close(): void {
    this.flush();
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Already reported by the write that failed, or nothing left to lose.
    }
  }
}
