import type { Direction } from './common';
import type { StrategyId } from './scanner';

export type DecisionAction = 'take' | 'skip';

/** rl-decision's verdict on one signal. Carries the trade parameters so risk needs nothing else. */
export interface DecisionMadeData {
  readonly signalId: string;
  readonly strategy: StrategyId;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly action: DecisionAction;
  /** Combined confidence 0–1 (signal confidence, learned accuracy, pair performance). */
  readonly confidence: number;
  /** 0.5–1.0 for takes; 0 for skips. */
  readonly sizeMultiplier: number;
  readonly reasons: readonly string[];
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  readonly quality: number;
  /** The posterior the agent sampled from and what it drew. */
  readonly posteriorAlpha: number;
  readonly posteriorBeta: number;
  readonly sampledWinRate: number;
  /** Version of the learned parameters in force (0 = priors only). */
  readonly paramsVersion: number;
}
