export { inboxFor, ensureInbox, type InboxSpec } from './inbox';
export { InboxFold, DEFAULT_DEDUP_WINDOW, type Outcome, type Dead, type FoldHooks } from './inbox-fold';
export { replayServiceInbox, ServiceReplayError, type ServiceReplayOptions, type ServiceReplayReport, type ReplaySegment, type OutputDifference } from './audit-replay';
export {
  ServiceRunner,
  FatalRunnerError,
  type RunnerOptions,
  type RunnerState,
  type RunnerStatus,
  type ServiceEffects,
  type ServiceLogger,
  type InboxRef,
} from './runner';
export { ServiceMetrics } from './metrics';
export { projectionEffects } from './effects';
export { ExecutorEffects, accountStartOf, type Reconciliation } from './executor-effects';
export { GovernorEffects, governorStartOf } from './governor-effects';
