import type { DecisionAction, SignalDetectedData } from '@tradeloop/contracts';
import type { RlDecisionConfig } from './rl-decision.config';
import { compact as num, fixed2 as f2 } from './rl-decision.format';
import { Draw, isDirection, PairPerformance } from './rl-decision.state';

/** The DecisionMade contract: takes are sized 0.5–1.0 of risk's base size. */
export const MIN_SIZE_MULTIPLIER = 0.5;
export const MAX_SIZE_MULTIPLIER = 1.0;
export const NEUTRAL_PAIR_SCORE = 0.5;

export interface Evaluation {
  readonly action: DecisionAction;
  readonly confidence: number;
  readonly sizeMultiplier: number;
  readonly reasons: readonly string[];
}

const UNKNOWN_PAIR_REASON = `pair performance unknown → ${f2(NEUTRAL_PAIR_SCORE)}`;

/**
 * A pair's reason only changes when new parameters replace the pair object, so it is
 * formatted once per object rather than once per signal.
 */
const pairReasons = new WeakMap<PairPerformance, string>();

function pairReason(pair: PairPerformance): string {
  let r = pairReasons.get(pair);
  if (r === undefined) {
    r = `pair expectancy ${f2(pair.expectancy)} over ${pair.trades} trades → ${f2(pair.score)}`;
    pairReasons.set(pair, r);
  }
  return r;
}

function clamp01(x: number): number {
  // NaN fails both comparisons and becomes 0: a malformed score never inflates confidence.
  return x >= 1 ? 1 : x > 0 ? x : 0;
}

/** Why the stop/target cannot define a reward/risk ratio, or undefined when they can. */
export function geometryProblem(s: SignalDetectedData): string | undefined {
  const { entry, stop, target } = s;
  if (!Number.isFinite(entry) || !Number.isFinite(stop) || !Number.isFinite(target)) {
    return `invalid geometry: entry ${entry} stop ${stop} target ${target} must be finite`;
  }
  const ok = s.direction === 'long' ? stop < entry && entry < target : target < entry && entry < stop;
  if (!ok) {
    return s.direction === 'long'
      ? `invalid geometry: long needs stop ${num(stop)} < entry ${num(entry)} < target ${num(target)}`
      : `invalid geometry: short needs target ${num(target)} < entry ${num(entry)} < stop ${num(stop)}`;
  }
  return undefined;
}

/** Win rate at which a trade with reward/risk `rr` breaks even (before costs). */
export function breakevenWinRate(rr: number): number {
  return 1 / (1 + rr);
}

export function combinedConfidence(
  signal: SignalDetectedData,
  sampledWinRate: number,
  pairScore: number,
  config: RlDecisionConfig,
): number {
  const w = config.weights;
  const total = w.signalConfidence + w.signalQuality + w.learnedWinRate + w.pairPerformance;
  const sum =
    w.signalConfidence * clamp01(signal.confidence) +
    w.signalQuality * clamp01(signal.quality / 100) +
    w.learnedWinRate * clamp01(sampledWinRate) +
    w.pairPerformance * clamp01(pairScore);
  return clamp01(sum / total);
}

/** Linear in the confidence above the threshold: just-qualifying takes get half size. */
export function sizeMultiplierFor(confidence: number, minConfidence: number): number {
  if (minConfidence >= 1) return MAX_SIZE_MULTIPLIER;
  const t = clamp01((confidence - minConfidence) / (1 - minConfidence));
  return MIN_SIZE_MULTIPLIER + (MAX_SIZE_MULTIPLIER - MIN_SIZE_MULTIPLIER) * t;
}

/**
 * Take only when the combined confidence clears the threshold AND the sampled win rate beats
 * the break-even rate of this trade's reward/risk. The second gate is what lets the agent
 * learn to skip: losing experiences pull the posterior below break-even whatever the
 * strategy's own confidence says, while the sampling keeps occasionally exploring.
 */
export function evaluate(
  signal: SignalDetectedData,
  draw: Draw | undefined,
  pair: PairPerformance | undefined,
  config: RlDecisionConfig,
): Evaluation {
  if (!isDirection(signal.direction) || draw === undefined) {
    return { action: 'skip', confidence: 0, sizeMultiplier: 0, reasons: [`direction ${String(signal.direction)} is not tradeable`] };
  }
  const pairScore = pair ? pair.score : NEUTRAL_PAIR_SCORE;
  const confidence = combinedConfidence(signal, draw.p, pairScore, config);
  const reasons: string[] = [`posterior Beta(${num(draw.alpha)}, ${num(draw.beta)})`, pair ? pairReason(pair) : UNKNOWN_PAIR_REASON];

  const bad = geometryProblem(signal);
  if (bad !== undefined) {
    reasons.push(bad);
    return { action: 'skip', confidence, sizeMultiplier: 0, reasons };
  }
  const rr = Math.abs(signal.target - signal.entry) / Math.abs(signal.entry - signal.stop);
  const breakeven = breakevenWinRate(rr) + config.breakevenMargin;
  reasons.push(`reward/risk ${f2(rr)}`);

  const confident = confidence >= config.minConfidence;
  reasons.push(`confidence ${f2(confidence)} ${confident ? '≥' : '<'} ${f2(config.minConfidence)}`);
  const edge = draw.p > breakeven;
  reasons.push(`sampled win rate ${f2(draw.p)} ${edge ? '>' : '≤'} breakeven ${f2(breakeven)}`);

  if (!confident || !edge) return { action: 'skip', confidence, sizeMultiplier: 0, reasons };
  const sizeMultiplier = sizeMultiplierFor(confidence, config.minConfidence);
  reasons.push(`size multiplier ${f2(sizeMultiplier)}`);
  return { action: 'take', confidence, sizeMultiplier, reasons };
}
