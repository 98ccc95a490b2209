export { createGovernor, evolveGovernor, GOVERNOR_ACTOR, GOVERNOR_CONSUMES, type GovernorInput, type GovernorOutput } from './governor.decider';
export { defaultGovernorConfig, resolveGovernorConfig, startingMode, type GovernorConfig } from './governor.config';
export type { GovernorState, PendingApproval } from './governor.state';
