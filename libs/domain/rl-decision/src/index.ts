export { createRlDecision, RL_DECISION } from './rl-decision.decider';
export type { RlDecisionDecider, RlDecisionInput, RlDecisionOutput } from './rl-decision.decider';
export { defaultRlDecisionConfig, resolveRlDecisionConfig } from './rl-decision.config';
export type { RlDecisionConfig, RlDecisionConfigInput, ConfidenceWeights } from './rl-decision.config';
export type { RlDecisionState, Posterior, PairPerformance } from './rl-decision.state';
export { agentKey } from './rl-decision.state';
export {
  breakevenWinRate,
  combinedConfidence,
  sizeMultiplierFor,
  MIN_SIZE_MULTIPLIER,
  MAX_SIZE_MULTIPLIER,
} from './rl-decision.policy';
