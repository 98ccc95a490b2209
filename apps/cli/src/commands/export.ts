import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { StoredMessage } from '@tradeloop/transport-nats';
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

/** One line per message: the stored JSON, re-serialised only if a foreign publisher pretty-printed it. */
function oneLine(text: string, where: string): string {
  if (!text.includes('\n')) return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new Error(`${where}: not JSON`);
  }
}

/** Lines are written in chunks of about this many characters. */
const CHUNK = 1 << 20;

/**
 * Streams every area at once and merges them by the server's storage time (ties: area order,
 * then stream sequence), writing as it goes: memory holds one message per area and a chunk of
 * output, however long the deployment ran. The file appears complete or not at all (written
 * under a temporary name, renamed at the end).
 */
export async function runExportCommand(opts: ExportCliOptions, io: Io): Promise<void> {
  const [{ jetstream, jetstreamManager }, { topology, streamStoredMessages }] = await Promise.all([import('@nats-io/jetstream'), import('@tradeloop/transport-nats')]);
  const topo = topology({ ns: opts.namespace });
  const { nc, where } = await connectTo(opts.nats);
  const utf8 = new TextDecoder();
  const out = resolve(opts.out);
  const partial = `${out}.partial`;
  let fd: number | undefined;
  const readers: { area: ExportArea; name: string; rank: number; it: AsyncGenerator<StoredMessage, void, undefined>; head?: StoredMessage; count: number }[] = [];
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    for (const area of opts.areas) {
      const name = topo.streams[area].name;
      readers.push({ area, name, rank: AREAS.indexOf(area), it: streamStoredMessages(js, jsm, name), count: 0 });
    }
    const advance = async (r: (typeof readers)[number]): Promise<void> => {
      const next = await r.it.next().catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(msg === `no stream ${r.name}` ? `no stream ${r.name} at ${where}: is --namespace right?` : msg);
      });
      r.head = next.done ? undefined : next.value;
    };
    // In area order, so a missing stream is reported as the first one named.
    for (const r of readers) await advance(r);
    fd = openSync(partial, 'w');
    let chunk = '';
    let total = 0;
    for (;;) {
      // The server's storage time orders the areas against each other; within a stream, its sequence.
      let pick: (typeof readers)[number] | undefined;
      for (const r of readers) {
        if (r.head === undefined) continue;
        if (pick === undefined || r.head.nanos < pick.head!.nanos || (r.head.nanos === pick.head!.nanos && r.rank < pick.rank)) pick = r;
      }
      if (pick === undefined) break;
      const m = pick.head!;
      chunk += `${oneLine(utf8.decode(m.data), `${pick.name} #${m.seq}`)}\n`;
      pick.count++;
      total++;
      if (chunk.length >= CHUNK) {
        writeAll(fd, chunk);
        chunk = '';
      }
      await advance(pick);
    }
    writeAll(fd, chunk);
    closeSync(fd);
    fd = undefined;
    renameSync(partial, out);
    const counts = readers.map((r) => `${r.area} ${r.count}`);
    io.out(`exported ${total} events (${counts.join(', ')}) from ${where}${opts.namespace ? `, namespace ${opts.namespace}` : ''} to ${out}\n`);
  } finally {
    // Readers still open (an error part-way) close their consumers.
    await Promise.all(readers.map((r) => r.it.return(undefined).catch(() => undefined)));
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(partial, { force: true });
    }
    await nc.close();
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}
