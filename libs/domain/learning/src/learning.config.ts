import { dec, assertKnownFields } from '@tradeloop/kernel';
import { WIN_RATE_PRIOR } from '@tradeloop/contracts';

/**
 * The win-rate prior is not a setting: published alpha = WIN_RATE_PRIOR.alpha + wins, beta =
 * WIN_RATE_PRIOR.beta + losses, and rl-decision starts unseen agents at the same constant.
 */
export interface LearningConfig {
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
  maxOpenChains: 10_000,
  dedupeWindow: 10_000,
  contractSizes: Object.freeze({}),
});

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`learning config: ${field} must be ${rule}, got ${String(value)}`);
}

/**
 * Settings that once existed here and had to equal rl-decision's: a config that still sets
 * one is refused with why, rather than run with a prior the agent does not share.
 */
const PRIOR_FIELDS = ['priorAlpha', 'priorBeta'];

export function resolveLearningConfig(input: LearningConfigInput = {}): LearningConfig {
  for (const field of PRIOR_FIELDS) {
    if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, field)) {
      throw new RangeError(
        `learning config: ${field} is not a setting: the win-rate prior is Beta(${WIN_RATE_PRIOR.alpha}, ${WIN_RATE_PRIOR.beta}) ` +
          `for learning and rl-decision alike (WIN_RATE_PRIOR), so the two can never disagree; remove ${field}`,
      );
    }
  }
  assertKnownFields('learning', input, defaultLearningConfig);
  const c: LearningConfig = { ...defaultLearningConfig, ...input };
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
