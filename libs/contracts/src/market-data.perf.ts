/**
 * µs per message of decodeMessage (class-validator) and decodeMarketData (hand-written) over
 * the same parsed bars, quote ticks and trade ticks. Not a test; run with
 *   node -r @swc-node/register libs/contracts/src/market-data.perf.ts [messages]
 * The messages are a seeded random walk (EURUSD-like quote bars with ask prices, BTCUSDT
 * trades), parsed from JSON first, as a consumer sees them. Each path runs several rounds;
 * the best round (least disturbed by other processes) and the median are reported.
 *
 * This is a benchmark script living next to the contracts, so it is the one file in this
 * folder that reads a clock and the process; each exception is marked where it happens.
 */
import { nextFloat, seedPrng, type PrngState } from '@tradeloop/kernel';
import type { FieldError } from './decode';
import { decodeMessage } from './decode';
import { decodeMarketData } from './market-data.validate';
import type { Result } from '@tradeloop/kernel';

// eslint-disable-next-line no-restricted-properties -- a benchmark measures wall time; nothing deterministic depends on it
const nowNs = (): bigint => process.hrtime.bigint();
// eslint-disable-next-line no-restricted-globals -- the benchmark's report goes to stdout
const print = (line: string): void => console.log(line);
// eslint-disable-next-line no-restricted-properties -- optional message count from the command line
const COUNT = Math.max(100, Number(process.argv[2] ?? 3000) || 3000);
const ROUNDS = 7;
const T0 = 1_399_000_000_000 - (1_399_000_000_000 % 60_000);

function bars(n: number, rng: PrngState): unknown[] {
  let price = 1.385;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    const close = open * (1 + (nextFloat(rng) - 0.5) * 0.001);
    const high = Math.max(open, close) * (1 + nextFloat(rng) * 0.0003);
    const low = Math.min(open, close) * (1 - nextFloat(rng) * 0.0003);
    price = close;
    const spread = 0.00012;
    const openTime = T0 + i * 60_000;
    return {
      id: `bar-EURUSD-${openTime}`, type: 'BarClosed', version: 1, ts: openTime + 60_000,
      correlationId: `bar-EURUSD-${openTime}`, causationId: `bar-EURUSD-${openTime}`, account: 'paper', source: 'market-data',
      data: {
        venue: 'OANDA', symbol: 'EURUSD', timeframe: '1m', openTime, open, high, low, close, volume: Math.round(nextFloat(rng) * 500),
        askOpen: open + spread, askHigh: high + spread, askLow: low + spread, askClose: close + spread,
      },
    };
  });
}

function quotes(n: number, rng: PrngState): unknown[] {
  let mid = 1.385;
  return Array.from({ length: n }, (_, i) => {
    mid *= 1 + (nextFloat(rng) - 0.5) * 0.0001;
    const ts = T0 + i * 137;
    return {
      id: `q-${i}`, type: 'QuoteTick', version: 1, ts, correlationId: `q-${i}`, causationId: `q-${i}`, account: 'paper', source: 'market-data',
      data: { venue: 'OANDA', symbol: 'EURUSD', bid: mid - 0.00006, ask: mid + 0.00006, bidSize: 1_000_000, askSize: 2_000_000 },
    };
  });
}

function trades(n: number, rng: PrngState): unknown[] {
  let price = 42_000;
  return Array.from({ length: n }, (_, i) => {
    price *= 1 + (nextFloat(rng) - 0.5) * 0.0004;
    const ts = T0 + i * 41;
    return {
      id: `t-${i}`, type: 'TradeTick', version: 1, ts, correlationId: `t-${i}`, causationId: `t-${i}`, account: 'paper', source: 'market-data',
      data: { venue: 'BINANCE', symbol: 'BTCUSDT', price: Math.round(price * 100) / 100, size: Math.round(nextFloat(rng) * 1e5) / 1e5, side: nextFloat(rng) < 0.5 ? 'buy' : 'sell', tradeId: `${9_000_000 + i}` },
    };
  });
}

type Decode = (m: unknown) => Result<unknown, FieldError[]>;

/** µs per message of one pass; throws if any message is refused (the inputs are all valid). */
function pass(messages: readonly unknown[], decode: Decode): number {
  const t0 = nowNs();
  for (let i = 0; i < messages.length; i++) if (!decode(messages[i]).ok) throw new Error(`message ${i} was refused`);
  return Number(nowNs() - t0) / 1e3 / messages.length;
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function main(): void {
  const rng = seedPrng(20_140_501);
  const sets: [string, unknown[]][] = [
    ['BarClosed (quote bar, ask fields)', bars(COUNT, rng)],
    ['QuoteTick', quotes(COUNT, rng)],
    ['TradeTick', trades(COUNT, rng)],
  ];
  print(`${COUNT} parsed messages per set, ${ROUNDS} rounds per path (first round is JIT warm-up, excluded)`);
  for (const [name, raw] of sets) {
    const messages = raw.map((m) => JSON.parse(JSON.stringify(m)) as unknown);
    const slow: number[] = [];
    const fast: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // decodeMessage is ~70x slower: a tenth of the messages keeps a round short.
      slow.push(pass(messages.slice(0, Math.max(100, messages.length / 10)), decodeMessage));
      fast.push(pass(messages, decodeMarketData));
    }
    const s = slow.slice(1);
    const f = fast.slice(1);
    print(`${name}`);
    print(`  decodeMessage     µs/message  best ${Math.min(...s).toFixed(2)}  median ${median(s).toFixed(2)}`);
    print(`  decodeMarketData  µs/message  best ${Math.min(...f).toFixed(3)}  median ${median(f).toFixed(3)}  (target ≤ 2)`);
    print(`  speed-up (median) ${(median(s) / median(f)).toFixed(0)}x`);
  }
}

main();
