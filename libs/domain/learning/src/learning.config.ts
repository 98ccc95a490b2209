import { dec, assertKnownFields } from '@tradeloop/kernel';

export interface LearningConfig {
  /**
   * Beta prior of every win-rate posterior: published alpha = priorAlpha + wins,
   * beta = priorBeta + losses. MUST equal rl-decision's priorAlpha / priorBeta, which adopts
   * the published posterior as is and falls back to its own prior for unseen keys.
   */
  readonly priorAlpha: number;
  readonly priorBeta: number;
  /**
   * Most decision chains held before their first fill. Chains that never trade (denied by
   * risk, rejected or expired approvals) are never closed, so the oldest are evicted past
   * this cap; chains with fills are capped separately and evicted only past the same cap.
   */
  readonly maxOpenChains: number;
  /** How many closed position ids are remembered to ignore a redelivered PositionClosed. */
  readonly dedupeWindow: number;
  /**
   * Contract size per symbol (units of base per 1 quantity), overriding the kernel's
   * instrument defaults, for the R multiple. Symbols with neither get no R multiple.
   */
  readonly contractSizes: Readonly<Record<string, string>>;
}

export type LearningConfigInput = Partial<LearningConfig>;

export const defaultLearningConfig: LearningConfig = Object.freeze({
  priorAlpha: 2,
  priorBeta: 2,
  maxOpenChains: 10_000,
  dedupeWindow: 10_000,
  contractSizes: Object.freeze({}),
});

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`learning config: ${field} must be ${rule}, got ${String(value)}`);
}

export function resolveLearningConfig(input: LearningConfigInput = {}): LearningConfig {
  assertKnownFields('learning', input, defaultLearningConfig);
  const c: LearningConfig = { ...defaultLearningConfig, ...input };
  if (!(Number.isFinite(c.priorAlpha) && c.priorAlpha > 0)) fail('priorAlpha', 'a finite number > 0', c.priorAlpha);
  if (!(Number.isFinite(c.priorBeta) && c.priorBeta > 0)) fail('priorBeta', 'a finite number > 0', c.priorBeta);
  if (!(Number.isSafeInteger(c.maxOpenChains) && c.maxOpenChains >= 1)) fail('maxOpenChains', 'an integer ≥ 1', c.maxOpenChains);
  if (!(Number.isSafeInteger(c.dedupeWindow) && c.dedupeWindow >= 1)) fail('dedupeWindow', 'an integer ≥ 1', c.dedupeWindow);
  for (const [symbol, size] of Object.entries(c.contractSizes)) {
    let ok = false;
    try {
      ok = dec(size).gt(0);
    } catch {
      ok = false;
    }
    if (!ok) fail(`contractSizes.${symbol}`, 'a positive decimal string', size);
  }
  return c;
}
