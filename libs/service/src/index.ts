export { inboxFor, ensureInbox, type InboxSpec } from './inbox';
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
export { ExecutorEffects, type Reconciliation } from './executor-effects';
