import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Io } from '../backtest.command';
import { connectTo, namespaceOf, natsUrlOf } from '../nats';

/*
 * `tradeloop export`: the audit trail of a deployment, out of NATS JetStream into one ndjson
 * event log that `tradeloop explain` reads. The NATS client loads when the command runs, not
 * with every `tradeloop` start.
 */

/** The areas a trade is made of: signals, decisions and verdicts, orders and fills, learning, commands. */
const DEFAULT_AREAS = ['SIG', 'DEC', 'EXE', 'LRN', 'CMD'] as const;
const AREAS = ['SIG', 'DEC', 'EXE', 'LRN', 'CMD', 'SYS', 'MD', 'DLQ'] as const;
type ExportArea = (typeof AREAS)[number];

export interface ExportCliOptions {
  nats: string;
  namespace: string;
  out: string;
  areas: ExportArea[];
}

function parseAreas(value: string): ExportArea[] {
  const list = value.split(',').map((s) => s.trim().toUpperCase());
  const bad = list.filter((a) => !(AREAS as readonly string[]).includes(a));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`--areas takes a comma-separated list of ${AREAS.join(', ')}; got "${value}"`);
  return [...new Set(list)] as ExportArea[];
}

export function exportCommand(io: Io, env: Readonly<Record<string, string | undefined>> = process.env): Command {
  return new Command('export')
    .description(
      'Write the audit trail of a deployment from NATS JetStream (signals, decisions, risk verdicts, approvals, orders, fills, ' +
        'positions, experiences, commands) into one ndjson event log, in the order the server stored it; explain reads it',
    )
    .requiredOption('--out <file>', 'the ndjson file to write')
    // Defaults from the environment are read when the command runs (natsUrlOf).
    .option('--nats <url>', 'NATS server (default: NATS_URL, else nats://127.0.0.1:4222)')
    .option('--namespace <ns>', "the deployment's namespace (default: NATS_NAMESPACE, else none)")
    .option('--areas <list>', `streams to export, of ${AREAS.join(', ')}`, parseAreas, [...DEFAULT_AREAS])
    .action(async (opts: Omit<ExportCliOptions, 'nats' | 'namespace'> & { nats?: string; namespace?: string }) => {
      await runExportCommand({ ...opts, nats: natsUrlOf(opts.nats, env), namespace: namespaceOf(opts.namespace, env) }, io);
    });
}

interface Stored {
  readonly nanos: bigint;
  readonly area: number;
  readonly seq: number;
  readonly line: string;
}

/** One line per message: the stored JSON, re-serialised only if a foreign publisher pretty-printed it. */
function oneLine(text: string, where: string): string {
  if (!text.includes('\n')) return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new Error(`${where}: not JSON`);
  }
}

export async function runExportCommand(opts: ExportCliOptions, io: Io): Promise<void> {
  const [{ jetstream, jetstreamManager }, { topology, readStoredMessages }] = await Promise.all([import('@nats-io/jetstream'), import('@tradeloop/transport-nats')]);
  const topo = topology({ ns: opts.namespace });
  const { nc, where } = await connectTo(opts.nats);
  const utf8 = new TextDecoder();
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stored: Stored[] = [];
    const counts: string[] = [];
    for (const area of opts.areas) {
      const name = topo.streams[area].name;
      const msgs = await readStoredMessages(js, jsm, name).catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(msg === `no stream ${name}` ? `no stream ${name} at ${where}: is --namespace right?` : msg);
      });
      const at = AREAS.indexOf(area);
      for (const m of msgs) stored.push({ nanos: m.nanos, area: at, seq: m.seq, line: oneLine(utf8.decode(m.data), `${name} #${m.seq}`) });
      counts.push(`${area} ${msgs.length}`);
    }
    // The server's storage time orders the areas against each other; within a stream, its sequence.
    stored.sort((a, b) => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : a.area - b.area || a.seq - b.seq));
    const out = resolve(opts.out);
    writeFileSync(out, stored.map((s) => s.line).join('\n') + (stored.length > 0 ? '\n' : ''));
    io.out(`exported ${stored.length} events (${counts.join(', ')}) from ${where}${opts.namespace ? `, namespace ${opts.namespace}` : ''} to ${out}\n`);
  } finally {
    await nc.close();
  }
}
