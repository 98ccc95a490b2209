/**
 * Generation and replay throughput of the synthetic feed. Not a test: run it by hand,
 *   node -r @swc-node/register libs/market-data/src/synthetic.perf.ts [messages]
 */
import { replayFeed } from './replay';
import { syntheticFeed, type SyntheticKind } from './synthetic';

const SYMBOLS = ['BTCUSD', 'ETHUSD', 'EURUSD', 'USDJPY', 'XAUUSD'];

function rate(label: string, n: number, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(40)} ${n} msgs in ${ms.toFixed(0).padStart(5)} ms = ${Math.round((n / ms) * 1000).toLocaleString('en-US')} msgs/s`);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2_000_000);
  for (const kind of ['quote', 'bar'] as SyntheticKind[]) {
    const intervalMs = kind === 'bar' ? 60_000 : 1;
    const started = process.hrtime.bigint();
    let checksum = 0;
    for (const m of syntheticFeed({ symbols: SYMBOLS, venue: 'SIM', start: 0, intervalMs, seed: 1, kind, count: n })) checksum += m.ts;
    rate(`generate ${kind}s (lazy iteration)`, n, started);
    if (checksum < 0) console.log(checksum);
  }
  const started = process.hrtime.bigint();
  let replayed = 0;
  const feed = syntheticFeed({ symbols: SYMBOLS, venue: 'SIM', start: 0, intervalMs: 1, seed: 1, kind: 'quote', count: n });
  for await (const batch of replayFeed(feed, { speed: 0, maxBatch: 1_000, clock: { now: () => 0, sleep: async () => undefined } })) replayed += batch.length;
  rate('generate + replayFeed (speed 0, 1000/batch)', replayed, started);
}

void main();
