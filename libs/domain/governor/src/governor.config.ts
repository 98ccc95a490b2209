import { assertKnownFields } from '@tradeloop/kernel';
import { EXECUTION_MODES, type ExecutionMode } from '@tradeloop/contracts';

export interface GovernorConfig {
  /** Execution mode to start in, when autoExecute is on. */
  readonly mode: ExecutionMode;
  /** Quality threshold 0–100 for quality_based: at or above it orders go straight through. */
  readonly threshold: number;
  /**
   * Safety default (DESIGN §6): unless auto-execution is switched on explicitly, the governor
   * starts in display_only whatever `mode` says, so a misconfigured deployment shows orders
   * instead of placing them. A later SetExecutionMode command is that explicit switch.
   */
  readonly autoExecute: boolean;
  /** How long a person has to answer an ApprovalRequested. */
  readonly approvalTtlMs: number;
  /** Who may approve or reject; empty = anyone the gateway lets through. */
  readonly approvers: readonly string[];
}

export const defaultGovernorConfig: GovernorConfig = Object.freeze({
  mode: 'quality_based',
  threshold: 70,
  autoExecute: false,
  approvalTtlMs: 300_000,
  approvers: Object.freeze([]) as readonly string[],
});

function fail(field: keyof GovernorConfig, rule: string, value: unknown): never {
  throw new RangeError(`governor config: ${field} ${rule}, got ${JSON.stringify(value)}`);
}

export function isThreshold(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
}

/** Merges `overrides` onto the defaults and validates; a bad field is a RangeError naming it. */
export function resolveGovernorConfig(overrides: Partial<GovernorConfig> = {}): GovernorConfig {
  assertKnownFields('governor', overrides, defaultGovernorConfig);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const c: GovernorConfig = { ...defaultGovernorConfig, ...defined };
  if (!EXECUTION_MODES.includes(c.mode)) fail('mode', `must be one of ${EXECUTION_MODES.join(', ')}`, c.mode);
  if (!isThreshold(c.threshold)) fail('threshold', 'must be a number in [0, 100]', c.threshold);
  if (typeof c.autoExecute !== 'boolean') fail('autoExecute', 'must be a boolean', c.autoExecute);
  if (!Number.isSafeInteger(c.approvalTtlMs) || c.approvalTtlMs <= 0) fail('approvalTtlMs', 'must be a positive integer (ms)', c.approvalTtlMs);
  if (!Array.isArray(c.approvers) || !c.approvers.every((a) => typeof a === 'string' && a.length > 0)) {
    fail('approvers', 'must be an array of non-empty ids', c.approvers);
  }
  return Object.freeze({ ...c, approvers: Object.freeze([...c.approvers]) });
}

/** The mode the governor starts in: display_only unless auto-execution is on. */
export function startingMode(c: GovernorConfig): ExecutionMode {
  return c.autoExecute ? c.mode : 'display_only';
}
