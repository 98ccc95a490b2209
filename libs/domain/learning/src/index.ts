export { createLearning, LEARNING } from './learning.decider';
export type { LearningDecider, LearningInput, LearningOutput } from './learning.decider';
export { defaultLearningConfig, resolveLearningConfig } from './learning.config';
export type { LearningConfig, LearningConfigInput } from './learning.config';
export type { LearningState, Chain } from './learning.state';
export { MANUAL_STRATEGY, rMultipleOf } from './learning.experience';
