import { ServiceMetrics } from '@tradeloop/service';
import type { Envelope } from '@tradeloop/kernel';
import { FeedMetrics } from './feed-metrics';
import type { PublishedBatch } from './feed-publisher';

function msg(type: string, ts: number): Envelope {
  return { id: `${type}:${ts}`, type, version: 1, ts, correlationId: 'c', causationId: 'c', account: 'paper', source: 'market-data', data: {} };
}

function batch(messages: Envelope[], duplicate = false): PublishedBatch {
  return { subject: 'md.batch.SIM.EURUSD', msgID: 'x', messages, bytes: 100 * messages.length, duplicate };
}

describe('FeedMetrics', () => {
  test('given_batches_and_refused_rows_then_messages_are_counted_by_type_and_the_event_time_only_moves_forward', async () => {
    const service = new ServiceMetrics('market-data');
    const m = new FeedMetrics(service);
    m.rejected(3);
    m.rejected(0);
    m.batch(batch([msg('QuoteTick', 1_000), msg('QuoteTick', 2_000), msg('BarClosed', 60_000), msg('QuoteTick', 61_000)]));
    m.batch(batch([msg('BarClosed', 30_000)], true));
    const text = await service.registry.metrics();
    expect(text).toContain('tradeloop_messages_out_total{service="market-data",type="QuoteTick"} 3');
    expect(text).toContain('tradeloop_messages_out_total{service="market-data",type="BarClosed"} 2');
    expect(text).toContain('tradeloop_messages_out_total{service="market-data",type="DataRejected"} 3');
    expect(text).toContain('tradeloop_feed_batches_total{service="market-data",duplicate="false"} 1');
    expect(text).toContain('tradeloop_feed_batches_total{service="market-data",duplicate="true"} 1');
    expect(text).toContain('tradeloop_feed_bytes_total{service="market-data"} 500');
    // The older second batch (another series) does not move the feed's event time back.
    expect(text).toContain('tradeloop_feed_event_time_seconds{service="market-data"} 61');
  });
});
