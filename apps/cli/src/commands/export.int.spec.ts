import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Envelope } from '@tradeloop/kernel';
import type { MessageType } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test sets up streams itself; the command loads this library lazily (CLI start time), which is not a bundle split
import { ensureTopology, JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test sets up streams itself; the command loads this library lazily (CLI start time), which is not a bundle split
import { connectNats, deleteTopology, NATS_URL, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { runCli } from '../test-support';

const run = runCli;

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('export') });
  await ensureTopology(jsm, topo);
});

afterAll(async () => {
  await deleteTopology(jsm, topo);
  await nc.close();
});

/** A sample message of `type` in the trade `corr`, with its own id. */
function inTrade(type: MessageType, corr: string, n: number): Envelope {
  const s = SAMPLE_MESSAGES[type] as Envelope;
  return { ...s, id: `${corr}-${n}-${type}`, correlationId: corr, causationId: corr, ts: s.ts + n };
}

describe('tradeloop export (real NATS JetStream)', () => {
  it('streams_of_a_namespace_then_one_log_in_storage_order_that_explain_reads', async () => {
    const pub = new JetStreamPublisher(jetstream(nc), topo);
    const trade: MessageType[] = ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderApproved', 'OrderSubmitted', 'OrderFilled', 'PositionClosed', 'ExperienceRecorded'];
    const published: Envelope[] = [];
    // Awaited one by one: the storage order across streams is the publishing order.
    for (let i = 0; i < trade.length; i++) {
      const m = inTrade(trade[i], 'trade-a', i);
      await pub.publish(m);
      published.push(m);
      const other = inTrade('SignalDetected', `trade-b${i}`, i);
      await pub.publish(other);
      published.push(other);
    }
    // Market data is not part of the audit trail unless asked for.
    await pub.publish(SAMPLE_MESSAGES.BarClosed as Envelope);
    const file = join(mkdtempSync(join(tmpdir(), 'tl-export-')), 'audit.ndjson');
    const r = await run(['export', '--nats', `nats://${NATS_URL}`, '--namespace', topo.ns, '--out', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^exported ${published.length} events \\(SIG ${trade.length + 1}, DEC 3, EXE 3, LRN 1, CMD 0\\)`));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(published.map((m) => m.id));
    // Written under a temporary name and renamed; the readers' consumers are gone from the server.
    expect(existsSync(`${file}.partial`)).toBe(false);
    for (const area of ['SIG', 'DEC', 'EXE', 'LRN', 'CMD'] as const) expect((await jsm.streams.info(topo.streams[area].name)).state.consumer_count).toBe(0);

    const x = await run(['explain', '--log', file, 'trade-a']);
    expect(x.code).toBe(0);
    const body = x.out.trimEnd().split('\n').slice(1);
    expect(body.map((l) => l.trim().split(/\s+/)[4])).toEqual(trade);
  });

  it('wrong_namespace_then_exit_2_asking_about_it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tl-export-')), 'audit.ndjson');
    const r = await run(['export', '--nats', `nats://${NATS_URL}`, '--namespace', `${topo.ns}x`, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no stream ${topo.ns}x_SIG at nats://${NATS_URL}: is --namespace right?`);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('unreachable_server_then_exit_2_without_the_password', async () => {
    const r = await run(['export', '--nats', 'nats://trader:s3cret@127.0.0.1:1', '--out', join(tmpdir(), 'never.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot connect to NATS at nats://trader:***@127.0.0.1:1');
    expect(r.err).not.toContain('s3cret');
  });

  it('nats_url_from_the_environment_then_used_and_never_printed_even_by_help', async () => {
    const before = process.env['NATS_URL'];
    process.env['NATS_URL'] = 'nats://trader:s3cret@127.0.0.1:1';
    try {
      for (const command of ['export', 'replay']) {
        const help = await run([command, '--help']);
        expect(help.code).toBe(0);
        expect(help.out + help.err).not.toContain('s3cret');
      }
      const r = await run(['export', '--out', join(tmpdir(), 'never.ndjson')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('cannot connect to NATS at nats://trader:***@127.0.0.1:1');
      expect(r.err).not.toContain('s3cret');
    } finally {
      if (before === undefined) delete process.env['NATS_URL'];
      else process.env['NATS_URL'] = before;
    }
  });

  it('bad_areas_then_exit_1_naming_the_option', async () => {
    const r = await run(['export', '--out', 'x.ndjson', '--areas', 'SIG,FOO']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--areas takes a comma-separated list of SIG, DEC, EXE, LRN, CMD, SYS, MD, DLQ; got "SIG,FOO"/);
  });
});
