import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ensureTopology, JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { bar, connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { marketDataClock } from './event-clock';

describe('the gateway clock of a deployment replaying recorded data', () => {
  let nc: NatsConnection;
  let topo: Topology;

  beforeAll(async () => {
    nc = await connectNats();
    topo = topology({ ns: uniqueNs('gwclock') });
    await ensureTopology(await jetstreamManager(nc), topo);
  });

  afterAll(async () => {
    await deleteTopology(await jetstreamManager(nc), topo);
    await nc.close();
  });

  it('market_data_published_then_now_is_its_event_time_not_the_wall_clock_and_a_restarted_gateway_resumes_it', async () => {
    const clock = marketDataClock(nc, topo);
    expect(await clock()).toBe(0);
    const pub = new JetStreamPublisher(jetstream(nc), topo);
    const bars = [bar(0), bar(1), bar(2)];
    await pub.publishBatch(bars);
    const replayTime = bars[2].ts;
    expect(replayTime).toBeLessThan(Date.now() - 86_400_000);
    expect(await clock()).toBe(replayTime);
    // Time never runs back: an older batch (a second market behind the first) leaves it.
    await pub.publishBatch([bar(1, { symbol: 'GBPUSD', id: 'gbp-1' })]);
    expect(await clock()).toBe(replayTime);

    // A gateway started mid-replay reads the stream's last message.
    expect(await marketDataClock(nc, topo)()).toBe(bars[1].ts);
  });
});
