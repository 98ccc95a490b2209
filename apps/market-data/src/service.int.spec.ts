import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeBatch, topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, readStream, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';

const REPO = resolve(__dirname, '../../..');
const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

describe('the market-data service with the synthetic generator (load tests)', () => {
  let nc: NatsConnection;
  let child: ChildProcess | undefined;
  const ns = uniqueNs('mdsyn');
  const topo = topology({ ns });

  beforeAll(async () => {
    nc = await connectNats();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await deleteTopology(await jetstreamManager(nc), topo).catch(() => undefined);
    await nc.close();
  });

  test('MARKET_DATA_SYNTHETIC_then_the_service_publishes_that_many_seeded_bars_on_SIM_in_batches', async () => {
    let output = '';
    child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/market-data/src/main.ts')], {
      cwd: REPO,
      env: { ...process.env, NATS_URL, NATS_NAMESPACE: ns, HTTP_PORT: '0', MARKET_DATA_SYNTHETIC: 'EURUSD,GBPUSD', MARKET_DATA_SYNTHETIC_COUNT: '300', MARKET_DATA_SPEED: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await waitFor('the feed to finish', () => output.includes('feed finished') || child!.exitCode !== null, 60_000);
    expect(output).toContain('synthetic bars of EURUSD, GBPUSD on SIM');
    const jsm = await jetstreamManager(nc);
    const batches = (await jsm.streams.info(topo.streams.MD.name)).state.messages;
    const stored = await readStream(jetstream(nc), topo.streams.MD.name, batches);
    const bars = stored.flatMap((m) => {
      const r = decodeBatch(m.data);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value.messages;
    });
    expect(bars).toHaveLength(300);
    expect(new Set(bars.map((b) => `${b.data.venue}|${b.data.symbol}`))).toEqual(new Set(['SIM|EURUSD', 'SIM|GBPUSD']));
    // /metrics says what was published and how far the feed has come.
    const port = Number(/"port":(\d+)/.exec(output)?.[1]);
    expect(port).toBeGreaterThan(0);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('tradeloop_messages_out_total{service="market-data",type="BarClosed"} 300');
    expect(text).toContain(`tradeloop_feed_batches_total{service="market-data",duplicate="false"} ${batches}`);
    const newest = Math.max(...bars.map((b) => b.ts));
    expect(text).toContain(`tradeloop_feed_event_time_seconds{service="market-data"} ${newest / 1000}`);
    expect(text).toMatch(/tradeloop_feed_bytes_total\{service="market-data"\} [1-9]\d*/);
    child.kill('SIGTERM');
    expect(await new Promise((r) => child!.once('exit', r))).toBe(0);
  }, 90_000);
});
