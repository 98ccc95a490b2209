export { ServiceEnv, ConfigError, loadServiceEnv, redactUrl, DATABASE_MIGRATIONS_MODES, type DatabaseMigrations } from './config';
export {
  DECIDER_SERVICES,
  DEFAULT_PORTS,
  pipelineConfigFromEnv,
  deciderFor,
  effectsFor,
  writesReadModels,
  type DeciderService,
  type ServiceName,
} from './definitions';
export { ServiceModule, HealthController, MetricsController, SERVICE_CONTEXT, withTimeout, type ServiceContext, type ServiceWorker } from './service.module';
export {
  bootstrapService,
  connectInfrastructure,
  deciderWorker,
  runnerWorker,
  runServiceMain,
  type BootstrapOptions,
  type Infrastructure,
  type RunningService,
} from './bootstrap';
export { notifierDecider, notifierEffects, describeForHumans, NOTIFIED, type NotifierOptions } from './notifier';
export { PinoNestLogger } from './pino-nest-logger';
