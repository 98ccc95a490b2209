import { assertKnownFields } from '@tradeloop/kernel';
import { WIN_RATE_PRIOR } from '@tradeloop/contracts';

/** How much each evidence source counts in the combined confidence (normalised by their sum). */
export interface ConfidenceWeights {
  /** The strategy's own confidence (signal.confidence, 0–1). */
  readonly signalConfidence: number;
  /** Signal quality / 100. */
  readonly signalQuality: number;
  /** The win rate drawn from the agent's Beta posterior (Thompson sample). */
  readonly learnedWinRate: number;
  /** The symbol's expectancy across strategies, squashed to 0–1 (0.5 when unknown). */
  readonly pairPerformance: number;
}

export interface RlDecisionConfig {
  /** Seeds the exploration PRNG; the same seed and inputs give the same decisions. */
  readonly seed: number;
  /** Combined confidence needed to take a trade, 0–1. */
  readonly minConfidence: number;
  /** The sampled win rate must exceed 1/(1+RR) + this margin. */
  readonly breakevenMargin: number;
  readonly weights: ConfidenceWeights;
  /** Expectancy (in R) that maps to tanh(1) ≈ 0.88 of the way from neutral to certain. */
  readonly pairExpectancyScale: number;
  /** How many experience ids and parameter causes are remembered for de-duplication. */
  readonly dedupeWindow: number;
}

export type RlDecisionConfigInput = Partial<Omit<RlDecisionConfig, 'weights'>> & {
  readonly weights?: Partial<ConfidenceWeights>;
};

export const defaultRlDecisionConfig: RlDecisionConfig = Object.freeze({
  seed: 42,
  minConfidence: 0.6,
  breakevenMargin: 0,
  weights: Object.freeze({
    signalConfidence: 0.3,
    signalQuality: 0.2,
    learnedWinRate: 0.35,
    pairPerformance: 0.15,
  }),
  pairExpectancyScale: 1,
  dedupeWindow: 10_000,
});

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`rl-decision config: ${field} must be ${rule}, got ${String(value)}`);
}

function positive(field: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) fail(field, 'a finite number > 0', v);
}

function unit(field: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0 && v <= 1)) fail(field, 'in [0, 1]', v);
}

/** Merges `input` over the defaults and validates every field (RangeError naming the field). */
/**
 * Settings that once existed here and had to equal learning's. The agent's prior is
 * WIN_RATE_PRIOR, the constant learning's published alpha = prior + wins is computed with
 * (the agent adopts those rows as they are); a config that still sets one is refused with why.
 */
const PRIOR_FIELDS = ['priorAlpha', 'priorBeta'];

export function resolveRlDecisionConfig(input: RlDecisionConfigInput = {}): RlDecisionConfig {
  for (const field of PRIOR_FIELDS) {
    if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, field)) {
      throw new RangeError(
        `rl-decision config: ${field} is not a setting: the win-rate prior is Beta(${WIN_RATE_PRIOR.alpha}, ${WIN_RATE_PRIOR.beta}) ` +
          `for learning and rl-decision alike (WIN_RATE_PRIOR), so the two can never disagree; remove ${field}`,
      );
    }
  }
  assertKnownFields('rl-decision', input, defaultRlDecisionConfig);
  assertKnownFields('rl-decision weights', input.weights, defaultRlDecisionConfig.weights);
  const c: RlDecisionConfig = {
    ...defaultRlDecisionConfig,
    ...input,
    weights: { ...defaultRlDecisionConfig.weights, ...input.weights },
  };
  if (!Number.isSafeInteger(c.seed)) fail('seed', 'an integer', c.seed);
  unit('minConfidence', c.minConfidence);
  if (!(Number.isFinite(c.breakevenMargin) && c.breakevenMargin >= 0 && c.breakevenMargin < 1)) {
    fail('breakevenMargin', 'in [0, 1)', c.breakevenMargin);
  }
  let sum = 0;
  for (const k of Object.keys(c.weights) as (keyof ConfidenceWeights)[]) {
    const w = c.weights[k];
    if (!(Number.isFinite(w) && w >= 0)) fail(`weights.${k}`, 'a finite number ≥ 0', w);
    sum += w;
  }
  if (!(sum > 0)) fail('weights', 'not all zero', sum);
  positive('pairExpectancyScale', c.pairExpectancyScale);
  if (!(Number.isSafeInteger(c.dedupeWindow) && c.dedupeWindow >= 1)) fail('dedupeWindow', 'an integer ≥ 1', c.dedupeWindow);
  return c;
}
