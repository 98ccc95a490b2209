import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decodeBatch, topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, freePort, readStream, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';

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

describe("the market-data service playing a user's own file, named mydata.csv", () => {
  let nc: NatsConnection;
  let dir: string;
  const children: ChildProcess[] = [];
  const ns = uniqueNs('mdown');
  const topo = topology({ ns });

  /** The service process on `mydata.csv`: the first 200 bars of the bundled EURUSD quote bars. */
  function startService(env: Record<string, string>): { child: ChildProcess; output: () => string } {
    let output = '';
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/market-data/src/main.ts')], {
      cwd: REPO,
      env: { ...process.env, NATS_URL, NATS_NAMESPACE: ns, HTTP_PORT: '0', MARKET_DATA_DIR: dir, MARKET_DATA_FILES: 'mydata.csv', MARKET_DATA_SPEED: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    return { child, output: () => output };
  }

  beforeAll(async () => {
    nc = await connectNats();
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-own-'));
    const lines = readFileSync(resolve(REPO, 'data/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'mydata.csv'), `${lines.slice(0, 201).join('\n')}\n`);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await deleteTopology(await jetstreamManager(nc), topo).catch(() => undefined);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('given_no_symbol_or_venue_when_the_service_starts_then_it_exits_1_naming_the_file_and_the_settings_before_publishing_anything', async () => {
    const { child, output } = startService({});
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(output()).toContain(
      'tradeloop market-data: invalid configuration: MARKET_DATA_FILES mydata.csv does not say its symbol and venue in the name (SYMBOL_VENUE_…, like EURUSD_OANDA_1m.csv): ' +
        'set MARKET_DATA_SYMBOL and MARKET_DATA_VENUE to name them, or rename the file',
    );
    // Refused at start: not even the streams were created.
    expect(await (await jetstreamManager(nc)).streams.info(topo.streams.MD.name).catch(() => undefined)).toBeUndefined();
  }, 60_000);

  test('given_MARKET_DATA_SYMBOL_and_MARKET_DATA_VENUE_when_the_service_plays_the_file_then_its_bars_are_published_as_that_market', async () => {
    const { child, output } = startService({ MARKET_DATA_SYMBOL: 'eurusd', MARKET_DATA_VENUE: 'oanda' });
    await waitFor('the feed to finish', () => output().includes('feed finished') || child.exitCode !== null, 60_000);
    expect(output()).toContain('"feed":"files mydata.csv"');
    const jsm = await jetstreamManager(nc);
    const batches = (await jsm.streams.info(topo.streams.MD.name)).state.messages;
    const stored = await readStream(jetstream(nc), topo.streams.MD.name, batches);
    expect(new Set(stored.map((m) => m.subject))).toEqual(new Set([`${ns}.md.batch.OANDA.EURUSD`]));
    const bars = stored.flatMap((m) => {
      const r = decodeBatch(m.data);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value.messages;
    });
    expect(bars).toHaveLength(200);
    expect(new Set(bars.map((b) => `${b.type} ${b.data.venue}|${b.data.symbol}`))).toEqual(new Set(['BarClosed OANDA|EURUSD']));
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  }, 90_000);
});

describe('the market-data service with NATS down: settings are checked before it connects', () => {
  let unusedNats: string;
  let dir: string;

  beforeAll(async () => {
    unusedNats = `nats://127.0.0.1:${await freePort()}`;
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-settings-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the service to its exit; its exit code and everything it wrote. */
  async function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    let output = '';
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/market-data/src/main.ts')], {
      cwd: REPO,
      env: { ...process.env, NATS_URL: unusedNats, HTTP_PORT: '0', MARKET_DATA_DIR: dir, MARKET_DATA_SPEED: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    return { code, output };
  }

  test('given_a_bad_speed_when_NATS_does_not_answer_then_it_exits_1_naming_MARKET_DATA_SPEED_not_the_connection', async () => {
    const { code, output } = await run({ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SPEED: 'fast' });
    expect(code).toBe(1);
    expect(output).toContain('tradeloop market-data: invalid configuration: MARKET_DATA_SPEED must be a number ≥ 0 (got "fast")');
    expect(output).not.toContain('unreachable');
  }, 60_000);

  test('given_a_data_file_that_does_not_exist_when_NATS_does_not_answer_then_it_exits_1_naming_the_file_not_the_connection', async () => {
    const { code, output } = await run({ MARKET_DATA_FILES: 'EURUSD_OANDA_1m_missing.csv' });
    expect(code).toBe(1);
    expect(output).toContain(`tradeloop market-data: fileSource: market-data file not found: ${join(dir, 'EURUSD_OANDA_1m_missing.csv')} (given as EURUSD_OANDA_1m_missing.csv)`);
    expect(output).not.toContain('unreachable');
  }, 60_000);
});
