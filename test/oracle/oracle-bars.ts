import { readFileSync } from 'node:fs';

/**
 * The shared data's bar files, read for the oracle on its own: no code of the product's reader.
 * Formats from ../shared/data/README.md: trade bars `timestamp,open,high,low,close,volume`;
 * quote bars add `ask_open,ask_high,ask_low,ask_close[,bid_size,ask_size]`, `open..close` being
 * the bid. Prices stay the strings of the file.
 */
export interface Ohlc {
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
}

export interface OracleBar {
  readonly openMs: number;
  readonly closeMs: number;
  /** The trade prices of a trade bar, the bid of a quote bar. */
  readonly bid: Ohlc;
  /** Only on quote bars. */
  readonly ask?: Ohlc;
}

export type BarTimestamp = 'open' | 'close';

const STEP_MS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };

/** The bar length a shared file's name says (`EURUSD_OANDA_1m_…`). */
export function barMsOf(file: string): number {
  const m = /_(1m|5m|15m|1h|4h|1d)_/.exec(file);
  if (m === null) throw new Error(`no bar length in ${file}`);
  return STEP_MS[m[1]];
}

/**
 * Every row as a bar. `stamp` says whether a row's timestamp is the bar's open (Lean, OctoBot)
 * or its close (the nautilus_trader files), as the README of the data says.
 */
export function readOracleBars(file: string, stamp: BarTimestamp): OracleBar[] {
  const step = barMsOf(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0].trim().split(',');
  const quote = header[6] === 'ask_open';
  const bars: OracleBar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const f = line.split(',');
    const t = Date.parse(f[0]);
    if (!Number.isFinite(t)) throw new Error(`${file}:${i + 1}: bad timestamp ${f[0]}`);
    const openMs = stamp === 'open' ? t : t - step;
    bars.push({
      openMs,
      closeMs: openMs + step,
      bid: { open: f[1], high: f[2], low: f[3], close: f[4] },
      ...(quote && { ask: { open: f[6], high: f[7], low: f[8], close: f[9] } }),
    });
  }
  return bars;
}
