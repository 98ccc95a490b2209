export {
  createDataSource,
  runMigrations,
  revertMigrations,
  PERSISTENCE_ENTITIES,
  MIGRATIONS_TABLE,
  type PersistenceOptions,
} from './data-source';
export {
  APP_ROLE_PRIVILEGES,
  EXPERIENCE_TABLE,
  appRoleGrantStatements,
  grantAppRole,
  resolveSchema,
  AppRoleError,
  type TablePrivilege,
} from './app-role';
export {
  checkSchema,
  assertSchemaReady,
  describeSchemaProblems,
  migrationNames,
  SchemaNotReadyError,
  type SchemaCheck,
} from './schema-check';
export {
  OrderEntity,
  FillEntity,
  PositionEntity,
  ClosedPositionEntity,
  AccountEntity,
  ApprovalEntity,
  TradingStateEntity,
  ProcessedMessageEntity,
  TradeExperienceEntity,
  DenialEntity,
  RiskApprovalEntity,
  DisplayedOrderEntity,
  CommandEntity,
  CommandResultEntity,
  type DisplayReason,
  type PositionStatus,
  type ClosedPositionSource,
  type ApprovalStatus,
} from './entities';
export { ApiKeyEntity, type ApiKeyScope } from './entities/api-key.entity';
export { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
export { GovernorStartEntity } from './entities/governor-start.entity';
export { recordGovernorStart, getGovernorStart, type GovernorStart } from './governor-starts';
export { AccountStartEntity } from './entities/account-start.entity';
export { recordAccountStart, getAccountStart, type AccountStart } from './account-starts';
export { recordCommand, markCommandSent, getCommand, getCommandResult, type CommandRecord } from './commands';
export {
  claimIdempotencyKey,
  idempotencyKeyKept,
  purgeExpiredIdempotencyKeys,
  requestHashOf,
  DEFAULT_IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_PURGE_BATCH,
  type IdempotencyClaim,
  type IdempotencyKeyRef,
  type IdempotencyOutcome,
} from './idempotency-keys';
export { PERSISTENCE_MIGRATIONS, Initial1700000000000, ApiKeys1700000001000, PositionVenue1700000004000, APPEND_ONLY_MESSAGE } from './migrations';
export {
  handleOnce,
  handleEachOnce,
  handleOnceSerializable,
  lockAccount,
  type HandleOutcome,
  type MessageRef,
  type Work,
  type SerializableOptions,
} from './idempotent';
export {
  projectExecution,
  projectGovernor,
  appendExperience,
  projectMessage,
  projectDenial,
  projectRiskApproval,
  PROJECTED_TYPES,
  ExperienceConflictError,
  ORDER_STATUS_RANK,
  type ProjectionOutcome,
} from './projections';
export {
  listOrders,
  getOrder,
  getOrderByClientOrderId,
  listFills,
  listPositions,
  getAccount,
  getTradingState,
  listApprovals,
  listExperiences,
  listDenials,
  listDisplayedOrders,
  InvalidCursorError,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type Page,
  type PageRequest,
  type Reader,
  type OrderFilter,
  type FillFilter,
  type PositionFilter,
  type PositionRecord,
  type ApprovalFilter,
  type ExperienceFilter,
  type DenialFilter,
  type DisplayedOrderFilter,
} from './queries';
export { sqlStateOf, isRetryableTransactionError, SERIALIZATION_FAILURE, DEADLOCK_DETECTED } from './pg-errors';
export { countWorkingOrders, countOpenPositions, getApproval, WORKING_ORDER_STATUSES } from './summary-queries';
export {
  createApiKey,
  revokeApiKey,
  listApiKeys,
  verifyApiKey,
  scopeAllows,
  isApiKeyScope,
  normalizeScopes,
  apiKeyIdOf,
  ApiKeyNameTakenError,
  API_KEY_SCOPES,
  API_KEY_NAME_PATTERN,
  type ApiKeyInfo,
  type CreatedApiKey,
  type VerifiedApiKey,
  type CreateApiKeyRequest,
} from './api-keys';
export { recordAtBroker, resolveBrokerOrder, listBrokerOrders, type BrokerSync, type BrokerOrderRow } from './broker';
export { BrokerOrderEntity } from './entities/broker-order.entity';
export { BrokerOrders1700000002000 } from './migrations';
