/**
 * Throughput of the scanner decider host against a bare loop over the same four indicators
 * (the floor any scanner built on trading-signals pays). Not a test; run with
 *   node -r @swc-node/register libs/domain/scanner/src/scanner.perf.ts [runs]
 * Runs alternate bare/scanner so load from other processes hits both alike; each scanner run
 * starts from a fresh state (a used state would refuse the replayed bars as stale). Reports
 * the best run (least disturbed) and the median after JIT warm-up.
 *
 * This is a benchmark script living next to the decider, so it is the one file in this folder
 * that reads a clock, the process and a file; each exception is marked where it happens.
 */
import { ATR, EMA, RSI } from 'trading-signals';
import { DeciderHost } from '@tradeloop/kernel';
import type { Message } from '@tradeloop/contracts';
import { createScanner } from './scanner.decider';
import { defaultScannerConfig as cfg } from './scanner.config';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- benchmark script, not decider code: loads the shared data file
import { loadBtcPerpFtx1m } from './test-support';

// eslint-disable-next-line no-restricted-properties -- a benchmark measures wall time; nothing deterministic depends on it
const nowNs = (): bigint => process.hrtime.bigint();
// eslint-disable-next-line no-restricted-globals -- the benchmark's report goes to stdout
const print = (line: string): void => console.log(line);
// eslint-disable-next-line no-restricted-properties -- optional run count from the command line
const RUNS = Math.max(7, Number(process.argv[2] ?? 25) || 25);
const WARM_UP_RUNS = 5;

function bareLoop(bars: readonly Message<'BarClosed'>[]): number {
  const fast = new EMA(cfg.emaFastPeriod);
  const slow = new EMA(cfg.emaSlowPeriod);
  const rsi = new RSI(cfg.rsiPeriod);
  const atr = new ATR(cfg.atrPeriod);
  let acc = 0;
  for (let i = 0; i < bars.length; i++) {
    const d = bars[i].data;
    acc += fast.update(d.close, false) + slow.update(d.close, false);
    acc += (rsi.update(d.close, false) ?? 0) + (atr.update(d, false) ?? 0);
  }
  return acc;
}

function scannerLoop(bars: readonly Message<'BarClosed'>[]): number {
  const host = new DeciderHost(createScanner());
  let signals = 0;
  for (let i = 0; i < bars.length; i++) signals += host.handle(bars[i]).length;
  return signals;
}

/** Bars per second of one run. */
function rate(bars: readonly Message<'BarClosed'>[], loop: (b: readonly Message<'BarClosed'>[]) => number): { perSecond: number; result: number } {
  const t0 = nowNs();
  const result = loop(bars);
  return { perSecond: bars.length / (Number(nowNs() - t0) / 1e9), result };
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

const m = (x: number): string => `${(x / 1e6).toFixed(2)}M`;

function main(): void {
  const bars = loadBtcPerpFtx1m();
  const bare: number[] = [];
  const scan: number[] = [];
  let signals = 0;
  for (let r = 0; r < RUNS; r++) {
    bare.push(rate(bars, bareLoop).perSecond);
    const s = rate(bars, scannerLoop);
    scan.push(s.perSecond);
    signals = s.result;
  }
  const b = bare.slice(WARM_UP_RUNS);
  const s = scan.slice(WARM_UP_RUNS);
  print(`BTC-PERP FTX 1m: ${bars.length} bars, ${signals} signals per scanner run, ${RUNS} runs (${WARM_UP_RUNS} JIT warm-up runs excluded)`);
  print(`bare 4-indicator loop  bars/s  best ${m(Math.max(...b))}  median ${m(median(b))}`);
  print(`scanner decider host   bars/s  best ${m(Math.max(...s))}  median ${m(median(s))}`);
  print(`scanner / bare: best ${((100 * Math.max(...s)) / Math.max(...b)).toFixed(0)}%, median ${((100 * median(s)) / median(b)).toFixed(0)}%  (target: scanner >= 1.50M bars/s)`);
}

main();
