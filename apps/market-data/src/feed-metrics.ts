import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServiceMetrics } from '@tradeloop/service';
import type { PublishedBatch } from './feed-publisher';

/**
 * What the market-data service exports at /metrics besides the process metrics: the messages it
 * published by type (`tradeloop_messages_out_total`, as every service counts its outputs, with
 * `DataRejected` for refused rows), and the feed's own progress — batches stored (and how many
 * the server already had: a re-run inside the duplicate window), bytes, and the event time of
 * the newest message stored, from which a dashboard reads how far a replay has come.
 */
export class FeedMetrics {
  readonly batches: Counter<'service' | 'duplicate'>;
  readonly bytes: Counter<'service'>;
  readonly eventTime: Gauge<'service'>;
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly metrics: ServiceMetrics) {
    const registers: Registry[] = [metrics.registry];
    this.batches = new Counter({
      name: 'tradeloop_feed_batches_total',
      help: 'Market-data batches the server acknowledged; duplicate="true": it already stored them (a re-run)',
      labelNames: ['service', 'duplicate'],
      registers,
    });
    this.bytes = new Counter({ name: 'tradeloop_feed_bytes_total', help: 'Bytes of market-data batches acknowledged', labelNames: ['service'], registers });
    this.eventTime = new Gauge({
      name: 'tradeloop_feed_event_time_seconds',
      help: 'Event time (Unix seconds) of the newest market-data message stored: how far the feed has come',
      labelNames: ['service'],
      registers,
    });
  }

  /** Counts one acknowledged batch: its messages by type, its bytes, and the feed's event time. */
  batch(b: PublishedBatch): void {
    const service = this.metrics.service;
    this.batches.inc({ service, duplicate: String(b.duplicate) });
    this.bytes.inc({ service }, b.bytes);
    const ms = b.messages;
    // A batch is one series, so nearly always one type: counted in runs, not per message.
    let runType = '';
    let run = 0;
    for (let i = 0; i < ms.length; i++) {
      const t = ms[i].type;
      if (t !== runType) {
        if (run > 0) this.metrics.countOut(runType, run);
        runType = t;
        run = 0;
      }
      run++;
    }
    if (run > 0) this.metrics.countOut(runType, run);
    const last = ms.length > 0 ? ms[ms.length - 1].ts : Number.NEGATIVE_INFINITY;
    if (last > this.newest) {
      this.newest = last;
      this.eventTime.set({ service }, last / 1000);
    }
  }

  /** A feed resumed on a stream that already holds data up to `ts`: the gauge starts there, not empty. */
  storedUpTo(ts: number): void {
    if (ts > this.newest) {
      this.newest = ts;
      this.eventTime.set({ service: this.metrics.service }, ts / 1000);
    }
  }

  /** Counts the data-quality events published for refused rows. */
  rejected(n: number): void {
    if (n > 0) this.metrics.countOut('DataRejected', n);
  }
}
