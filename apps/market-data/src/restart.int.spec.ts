import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { readMarketDataFile } from '@tradeloop/market-data';
import { decodeBatch, topology, type MarketDataMessage } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, readStream, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { DATA } from './market-data.test-support';

const REPO = resolve(__dirname, '../../..');
const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const EURUSD = 'EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv';
const XAUUSD = 'XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv';
/** 600 one-minute bars of each market: ten hours of market, ~3.6 s of wall time at 10 000×. */
const ROWS = 600;
const SPEED = '10000';

describe('the market-data service killed mid-file and started again', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  const children: ChildProcess[] = [];
  const ns = uniqueNs('mdrestart');
  const topo = topology({ ns });
  const bars: Record<string, MarketDataMessage[]> = {};

  function startService(env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    let output = '';
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'apps/market-data/src/main.ts')], {
      cwd: REPO,
      env: {
        ...process.env,
        NATS_URL,
        NATS_NAMESPACE: ns,
        HTTP_PORT: '0',
        MARKET_DATA_DIR: dir,
        MARKET_DATA_FILES: `${EURUSD},${XAUUSD}`,
        MARKET_DATA_SPEED: SPEED,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => output, exited };
  }

  const storedBatches = async (): Promise<number> => (await jsm.streams.info(topo.streams.MD.name).catch(() => undefined))?.state.messages ?? 0;

  /** Every bar of the MD stream, by subject, in stream order. */
  async function storedBars(): Promise<Record<string, MarketDataMessage[]>> {
    const stored = await readStream(jetstream(nc), topo.streams.MD.name, await storedBatches());
    const out: Record<string, MarketDataMessage[]> = {};
    for (const m of stored) {
      const r = decodeBatch(m.data);
      if (!r.ok) throw new Error(`${m.subject} #${m.seq}: ${JSON.stringify(r.error.slice(0, 3))}`);
      (out[m.subject] ??= []).push(...r.value.messages);
    }
    return out;
  }

  const logLine = (output: string, msg: string): Record<string, unknown> | undefined =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === msg);

  beforeAll(async () => {
    nc = await connectNats();
    jsm = await jetstreamManager(nc);
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-restart-'));
    for (const [file, folder] of [
      [EURUSD, 'forex'],
      [XAUUSD, 'metals'],
    ]) {
      const lines = readFileSync(join(DATA, folder, file), 'utf8').split('\n');
      writeFileSync(join(dir, file), `${lines.slice(0, ROWS + 1).join('\n')}\n`);
      const read = readMarketDataFile(join(dir, file));
      expect(read.bars).toHaveLength(ROWS);
      bars[`${ns}.md.batch.OANDA.${read.info.symbol}`] = read.bars;
    }
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await deleteTopology(jsm, topo).catch(() => undefined);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('given_the_service_killed_with_SIGKILL_mid_file_when_it_starts_again_then_it_resumes_after_the_last_stored_bar_of_each_market_and_the_stream_holds_every_bar_once_in_order', async () => {
    const first = startService();
    // A third of the way in: both markets have batches stored, most of the file is still to come.
    await waitFor('a third of the feed', async () => (await storedBatches()) >= 24 || first.child.exitCode !== null, 30_000, 10);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.output()).not.toContain('feed finished');
    const before = await storedBars();
    const storedBefore = Object.values(before).reduce((n, list) => n + list.length, 0);
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(2 * ROWS);

    const second = startService();
    await waitFor('the feed to finish', () => second.output().includes('feed finished') || second.child.exitCode !== null, 30_000);
    const report = logLine(second.output(), 'feed finished');
    // It published only what was missing, none of it twice, starting where the stream ends.
    expect(report).toMatchObject({ messages: 2 * ROWS - storedBefore, duplicates: 0 });
    const firstAfter = Math.min(...Object.values(before).map((list) => list[list.length - 1].ts + 1));
    expect(report?.['firstTs']).toBeGreaterThanOrEqual(firstAfter);

    // The stream holds exactly the files' bars, each once, in order.
    const after = await storedBars();
    expect(Object.keys(after).sort()).toEqual(Object.keys(bars).sort());
    for (const [subject, expected] of Object.entries(bars)) {
      expect(after[subject].map((m) => m.id)).toEqual(expected.map((m) => m.id));
      expect(JSON.stringify(after[subject])).toBe(JSON.stringify(expected));
    }

    // /metrics: the event time is the files' end, and nothing was a duplicate.
    const port = Number(/"port":(\d+)/.exec(second.output())?.[1]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const end = Math.max(...Object.values(bars).map((list) => list[list.length - 1].ts));
    expect(metrics).toContain(`tradeloop_feed_event_time_seconds{service="market-data"} ${end / 1000}`);
    expect(metrics).not.toContain('tradeloop_feed_batches_total{service="market-data",duplicate="true"}');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
