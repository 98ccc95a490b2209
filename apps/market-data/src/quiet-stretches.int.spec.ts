import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { DATA, EURUSD_FILE } from './market-data.test-support';

const REPO = resolve(__dirname, '../../..');
const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

describe('the market-data service replaying a weekend', () => {
  let nc: NatsConnection;
  let dir: string;
  let child: ChildProcess | undefined;
  const ns = uniqueNs('mdquiet');

  beforeAll(async () => {
    nc = await connectNats();
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-quiet-'));
    // The last hour before the weekend of 3-4 May 2014 (Friday 20:00-20:59) and the first after it
    // (Sunday 21:00-21:59): 120 bars around 48 hours without a bar.
    const lines = readFileSync(join(DATA, EURUSD_FILE), 'utf8').split('\n');
    expect(lines[2585].startsWith('2014-05-02T20:59:00Z')).toBe(true);
    expect(lines[2586].startsWith('2014-05-04T21:00:00Z')).toBe(true);
    writeFileSync(join(dir, 'EURUSD_OANDA_1m_quotebars_weekend.csv'), `${[lines[0], ...lines.slice(2526, 2646)].join('\n')}\n`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await deleteTopology(await jetstreamManager(nc), topology({ ns })).catch(() => undefined);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('given_the_default_settings_when_the_feed_reaches_a_weekend_then_it_passes_in_the_time_ten_minutes_of_market_take_not_48_hours', async () => {
    let output = '';
    // At 60 000× the two hours of bars take 0.12 s and the weekend, waited out, 2.9 s; shortened to
    // ten minutes of market it takes 10 ms.
    child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/market-data/src/main.ts')], {
      cwd: REPO,
      env: { ...process.env, NATS_URL, NATS_NAMESPACE: ns, HTTP_PORT: '0', MARKET_DATA_DIR: dir, MARKET_DATA_FILES: 'EURUSD_OANDA_1m_quotebars_weekend.csv', MARKET_DATA_SPEED: '60000', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await waitFor('the feed to finish', () => output.includes('feed finished') || child!.exitCode !== null, 30_000);
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; time: number; messages?: number; quiet?: string });
    const replaying = lines.find((l) => l.msg === 'replaying')!;
    const finished = lines.find((l) => l.msg === 'feed finished')!;
    expect(finished.messages).toBe(120);
    expect(finished.time - replaying.time).toBeLessThan(1_500);
    expect(replaying.quiet).toBe('a quiet stretch longer than 10 min of market passes in 10 ms (MARKET_DATA_MAX_QUIET_MS=600000)');
    child.kill('SIGTERM');
    expect(await new Promise((r) => child!.once('exit', r))).toBe(0);
  }, 60_000);
});
