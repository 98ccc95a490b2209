import { Decimal, dec, ZERO } from '@tradeloop/kernel';
import { WIN_RATE_PRIOR, type Direction, type ExperienceRecordedData, type LearnedParameter } from '@tradeloop/contracts';

/** Running totals for one (strategy, symbol, direction). Money exact, statistics float. */
export interface KeyStats {
  readonly strategy: string;
  readonly symbol: string;
  readonly direction: Direction;
  trades: number;
  wins: number;
  /** Sum and count of known R multiples. */
  rSum: number;
  rCount: number;
  pnlSum: Decimal;
  holdingSum: number;
  /** Sum of MAE / entry price. */
  adverseSum: number;
  /**
   * This key's row as last published, reused until the key changes: every published row is
   * a fresh object that is never mutated afterwards, so successive tables may share it.
   */
  row?: LearnedParameter;
}

export function statsKey(strategy: string, symbol: string, direction: Direction): string {
  return `${strategy}\u001f${symbol}\u001f${direction}`;
}

/**
 * Code-unit order, not localeCompare: the published table must sort identically on every
 * machine and Node build, or replays would not reproduce it byte for byte.
 */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareStats(a: KeyStats, b: KeyStats): number {
  return cmp(a.strategy, b.strategy) || cmp(a.symbol, b.symbol) || cmp(a.direction, b.direction);
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** `dec(s).toNumber()` without the Decimal: for a plain decimal string both give the nearest double. */
function toNumber(s: string): number {
  return PLAIN_DECIMAL.test(s) ? Number(s) : dec(s).toNumber();
}

/**
 * Folds one experience into its key's totals, inserting a new key at its sorted position.
 * `pnl` is `e.pnl` already parsed, when the caller has it.
 */
export function addExperience(stats: Map<string, KeyStats>, table: KeyStats[], e: ExperienceRecordedData, pnl?: Decimal): void {
  const key = statsKey(e.strategy, e.symbol, e.direction);
  let s = stats.get(key);
  if (s === undefined) {
    s = {
      strategy: e.strategy,
      symbol: e.symbol,
      direction: e.direction,
      trades: 0,
      wins: 0,
      rSum: 0,
      rCount: 0,
      pnlSum: ZERO,
      holdingSum: 0,
      adverseSum: 0,
      row: undefined,
    };
    stats.set(key, s);
    let lo = 0;
    let hi = table.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStats(table[mid], s) < 0) lo = mid + 1;
      else hi = mid;
    }
    table.splice(lo, 0, s);
  }
  s.trades += 1;
  if (e.win) s.wins += 1;
  if (e.rMultiple !== undefined && Number.isFinite(e.rMultiple)) {
    s.rSum += e.rMultiple;
    s.rCount += 1;
  }
  s.pnlSum = s.pnlSum.plus(pnl ?? dec(e.pnl));
  s.holdingSum += e.holdingMs;
  s.row = undefined;
  const entry = toNumber(e.entryPrice);
  if (entry > 0 && Number.isFinite(e.maxAdverseExcursion)) s.adverseSum += e.maxAdverseExcursion / entry;
}

/**
 * Expectancy is in R only when every trade of the key had a known initial risk; a key that
 * mixes trades with and without a stop falls back to mean net P&L (quote currency) rather
 * than averaging two units.
 */
export function parameterOf(s: KeyStats): LearnedParameter {
  const n = s.trades;
  return {
    strategy: s.strategy,
    symbol: s.symbol,
    direction: s.direction,
    trades: n,
    wins: s.wins,
    winRate: s.wins / n,
    expectancy: s.rCount === n ? s.rSum / n : s.pnlSum.div(n).toNumber(),
    averageHoldingMs: s.holdingSum / n,
    averageAdverseExcursion: s.adverseSum / n,
    alpha: WIN_RATE_PRIOR.alpha + s.wins,
    beta: WIN_RATE_PRIOR.beta + (n - s.wins),
  };
}

/** The published table: only keys changed since the last publication are recomputed. */
export function parameterTable(table: readonly KeyStats[]): LearnedParameter[] {
  const out: LearnedParameter[] = new Array(table.length);
  for (let i = 0; i < table.length; i++) {
    const s = table[i];
    out[i] = s.row ??= parameterOf(s);
  }
  return out;
}
