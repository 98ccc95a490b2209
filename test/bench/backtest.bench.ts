/**
 * npm run bench:backtest — the whole pipeline (scanner → rl-decision → risk → governor →
 * executor/paper broker → learning, every decision kept in the run's event log; serialising and
 * hashing the log, as the CLI does at the end, is not timed) over large shared files, against a
 * bare loop computing the same four indicators (EMA 20, EMA 50, RSI 14, ATR 14; built as the
 * scanner builds them) over the same bars, measured in the same process, rounds interleaved.
 * Last line: a JSON object.
 */
import { resolve } from 'node:path';
import { ATR, EMA, RSI } from 'trading-signals';
import { WilderSmoothing } from '@tradeloop/scanner';
import { readMarketDataFile } from '@tradeloop/market-data';
import { runBacktest, pipelineConfig } from '@tradeloop/runtime';
import { instrumentFor } from '@tradeloop/kernel';
import type { Message } from '@tradeloop/contracts';

const DATA = resolve(__dirname, '../../../shared/data');
const FILES = [
  { path: 'crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv', barTimestamp: 'close' as const },
  { path: 'forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv', barTimestamp: 'close' as const },
  { path: 'forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv', barTimestamp: 'close' as const },
  { path: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', barTimestamp: 'open' as const },
  { path: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', barTimestamp: 'open' as const },
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * The bare loop: the four indicators over the bars. The baseline builds RSI and ATR exactly as the
 * scanner does (`WilderSmoothing`), so the ratio compares like with like; with `stock` they run on
 * trading-signals' default WSMA smoothing instead — for reference only: the same results bit for
 * bit, plus the per-input SMA bookkeeping the scanner's smoothing drops.
 */
function indicatorLoop(bars: readonly Message<'BarClosed'>[], stock: boolean): number {
  const fast = new EMA(20);
  const slow = new EMA(50);
  const rsi = stock ? new RSI(14) : new RSI(14, WilderSmoothing);
  const atr = stock ? new ATR(14) : new ATR(14, WilderSmoothing);
  let sink = 0;
  for (let i = 0; i < bars.length; i++) {
    const d = bars[i].data;
    fast.update(d.close, false);
    slow.update(d.close, false);
    rsi.update(d.close, false);
    atr.update({ high: d.high, low: d.low, close: d.close }, false);
    if (atr.isStable) sink += (fast.getResult() ?? 0) - (slow.getResult() ?? 0) + (rsi.getResult() ?? 0);
  }
  return sink;
}

function pipeline(bars: readonly Message<'BarClosed'>[], name: string): number {
  const cfg = pipelineConfig({
    currency: instrumentFor(bars[0].data.symbol).quoteCurrency,
    feeBps: 1,
    slippageBps: 1,
  });
  const r = runBacktest({ bars, files: [{ name, sha256: '', rows: bars.length }] }, cfg);
  return r.stages.signals;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const sets = FILES.map((f) => {
    const r = readMarketDataFile(resolve(DATA, f.path), { barTimestamp: f.barTimestamp });
    return { name: r.info.file, bars: r.bars };
  });
  const total = sets.reduce((n, s) => n + s.bars.length, 0);
  process.stdout.write(`bench: ${sets.length} files, ${total} bars per round, ${ROUNDS} rounds\n`);
  // Warm-up (JIT) for both, not measured.
  for (const s of sets) {
    indicatorLoop(s.bars, false);
    indicatorLoop(s.bars, true);
    pipeline(s.bars, s.name);
  }
  const base: number[] = [];
  const stock: number[] = [];
  const pipe: number[] = [];
  let signals = 0;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = now();
    for (const s of sets) sink += indicatorLoop(s.bars, false);
    base.push(total / ((now() - t) / 1000));
    t = now();
    for (const s of sets) sink += indicatorLoop(s.bars, true);
    stock.push(total / ((now() - t) / 1000));
    t = now();
    signals = 0;
    for (const s of sets) signals += pipeline(s.bars, s.name);
    pipe.push(total / ((now() - t) / 1000));
    process.stdout.write(
      `round ${r + 1}: baseline ${Math.round(base[r]).toLocaleString('en-US')} bars/s, pipeline ${Math.round(pipe[r]).toLocaleString('en-US')} bars/s\n`,
    );
  }
  const pipelineBarsPerSec = Math.round(median(pipe));
  const baselineBarsPerSec = Math.round(median(base));
  process.stdout.write(`signals per round: ${signals} (sink ${sink.toFixed(0).length > 0 ? 'ok' : ''})\n`);
  const stockBarsPerSec = Math.round(median(stock));
  process.stdout.write(
    `for reference: the four indicators on trading-signals' default smoothing ${stockBarsPerSec.toLocaleString('en-US')} bars/s ` +
      `(pipeline / that ${(pipelineBarsPerSec / stockBarsPerSec).toFixed(3)}); the ratio below is against the scanner's own indicator construction\n`,
  );
  process.stdout.write(
    JSON.stringify({ pipelineBarsPerSec, baselineBarsPerSec, ratio: Math.round((pipelineBarsPerSec / baselineBarsPerSec) * 1000) / 1000 }) + '\n',
  );
}

main();
