import { PrngState, seedPrng } from '@tradeloop/kernel';
import { MANUAL_STRATEGY, type Direction, type LearnedParameter } from '@tradeloop/contracts';
import { BoundedSet } from '@tradeloop/kernel';
import type { RlDecisionConfig } from './rl-decision.config';

/** Beta posterior over one agent's win rate. */
export interface Posterior {
  alpha: number;
  beta: number;
}

/** The symbol's performance across strategies, from the last published parameters. */
export interface PairPerformance {
  readonly trades: number;
  /** Trade-weighted mean expectancy of the symbol's parameter rows. */
  readonly expectancy: number;
  /** Expectancy squashed to 0–1. */
  readonly score: number;
}

/**
 * The Thompson draw for the signal being decided. It is taken in `evolve`, not `decide`, so
 * that rebuilding state by folding the log (no `decide`) advances the PRNG exactly as the
 * live run did and the next decision after a restart draws the same number.
 */
export interface Draw {
  signalId: string;
  alpha: number;
  beta: number;
  p: number;
}

export interface RlDecisionState {
  /** Exploration randomness; advanced once per tradeable signal. */
  readonly rng: PrngState;
  /** Posterior per agent key (strategy, symbol, direction); absent = the prior. */
  agents: Map<string, Posterior>;
  pairs: Map<string, PairPerformance>;
  /** Version of the learned parameters in force (0 = priors only). */
  paramsVersion: number;
  /** Their `asOf` (0 = priors only, or a table from before tables carried it). */
  paramsAsOf: number;
  /** ExperienceRecorded ids already seen (applied or known to be in the parameters). */
  readonly seenExperiences: BoundedSet;
  /**
   * Causation ids of adopted parameter versions. The learning service emits an experience and
   * the parameter version that includes it from the same PositionClosed, so an experience whose
   * causationId is here is already inside the posterior and must not be counted again.
   */
  readonly adoptedCauses: BoundedSet;
  draw: Draw | undefined;
}

export function initialRlDecisionState(config: RlDecisionConfig): RlDecisionState {
  return {
    rng: seedPrng(config.seed),
    agents: new Map(),
    pairs: new Map(),
    paramsVersion: 0,
    paramsAsOf: 0,
    seenExperiences: new BoundedSet(config.dedupeWindow),
    adoptedCauses: new BoundedSet(config.dedupeWindow),
    draw: undefined,
  };
}

/** The agent key. '\u001f' (unit separator) cannot occur in a strategy id or a symbol. */
export function agentKey(strategy: string, symbol: string, direction: Direction): string {
  return `${strategy}\u001f${symbol}\u001f${direction}`;
}

/** Bound on cached (strategy, symbol) pairs: past it the cache starts over rather than grow without limit. */
const MAX_CACHED_PAIRS = 10_000;

/**
 * Agent keys by (strategy, symbol, direction), built once each. A key looked up per signal
 * is then an existing string whose hash is already computed, not a fresh concatenation.
 */
export class AgentKeys {
  private readonly byStrategy = new Map<string, Map<string, { readonly long: string; readonly short: string }>>();
  private pairs = 0;

  of(strategy: string, symbol: string, direction: Direction): string {
    const k = this.byStrategy.get(strategy)?.get(symbol) ?? this.add(strategy, symbol);
    return direction === 'long' ? k.long : k.short;
  }

  private add(strategy: string, symbol: string): { readonly long: string; readonly short: string } {
    if (this.pairs >= MAX_CACHED_PAIRS) {
      this.byStrategy.clear();
      this.pairs = 0;
    }
    let bySymbol = this.byStrategy.get(strategy);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.byStrategy.set(strategy, bySymbol);
    }
    const k = { long: agentKey(strategy, symbol, 'long'), short: agentKey(strategy, symbol, 'short') };
    bySymbol.set(symbol, k);
    this.pairs += 1;
    return k;
  }
}

export function isDirection(d: unknown): d is Direction {
  return d === 'long' || d === 'short';
}

/**
 * Trade-weighted expectancy per symbol over every strategy and direction. Manual trades'
 * rows are left out, as their experiences move no agent: without a stop their expectancy is
 * money in quote currency, not R, and averaging the two units made one lucky manual trade
 * (+40 USD) outweigh dozens of strategy trades (−0.5 R each).
 */
export function pairPerformanceFrom(
  parameters: readonly LearnedParameter[],
  scale: number,
): Map<string, PairPerformance> {
  const sums = new Map<string, { trades: number; weighted: number }>();
  for (const p of parameters) {
    if (!(p.trades > 0) || !Number.isFinite(p.expectancy) || p.strategy === MANUAL_STRATEGY) continue;
    const s = sums.get(p.symbol) ?? { trades: 0, weighted: 0 };
    s.trades += p.trades;
    s.weighted += p.expectancy * p.trades;
    sums.set(p.symbol, s);
  }
  const out = new Map<string, PairPerformance>();
  for (const [symbol, s] of sums) {
    const expectancy = s.weighted / s.trades;
    out.set(symbol, { trades: s.trades, expectancy, score: 0.5 + 0.5 * Math.tanh(expectancy / scale) });
  }
  return out;
}
