import { Decimal, dec, ZERO } from '@tradeloop/kernel';
import type { Direction, ExperienceRecordedData, LearnedParameter } from '@tradeloop/contracts';
import type { LearningConfig } from './learning.config';

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

/** Folds one experience into its key's totals, inserting a new key at its sorted position. */
export function addExperience(stats: Map<string, KeyStats>, table: KeyStats[], e: ExperienceRecordedData): void {
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
  s.pnlSum = s.pnlSum.plus(dec(e.pnl));
  s.holdingSum += e.holdingMs;
  const entry = dec(e.entryPrice).toNumber();
  if (entry > 0 && Number.isFinite(e.maxAdverseExcursion)) s.adverseSum += e.maxAdverseExcursion / entry;
}

/**
 * Expectancy is in R only when every trade of the key had a known initial risk; a key that
 * mixes trades with and without a stop falls back to mean net P&L (quote currency) rather
 * than averaging two units.
 */
export function parameterOf(s: KeyStats, config: LearningConfig): LearnedParameter {
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
    alpha: config.priorAlpha + s.wins,
    beta: config.priorBeta + (n - s.wins),
  };
}

export function parameterTable(table: readonly KeyStats[], config: LearningConfig): LearnedParameter[] {
  const out: LearnedParameter[] = new Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = parameterOf(table[i], config);
  return out;
}
