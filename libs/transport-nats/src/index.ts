export {
  AREAS,
  DEFAULT_DUPLICATE_WINDOW_MS,
  TopologyError,
  topology,
  qualify,
  subjectFor,
  streamOf,
  ensureTopology,
  ensureConsumer,
  type Area,
  type TopologyOptions,
  type Topology,
  type StreamSpec,
  type StreamConfigSubset,
  type EnsureReport,
  type ConsumerSpec,
  type EnsureOutcome,
} from './streams';
export { NATS_CLIENT_DEFAULTS } from './connection';
export { JetStreamPublisher, PublishError, type PublisherOptions, type PublishFailure } from './publisher';
export {
  MARKET_DATA_BATCH,
  MARKET_DATA_BATCH_VERSION,
  BATCH_TS_HEADER,
  batchHeaders,
  MAX_BATCH_MESSAGES,
  BatchError,
  MarketDataBatcher,
  encodeBatch,
  encodeBatches,
  DEFAULT_BATCH_BYTES,
  type EncodedBatch,
  decodeBatch,
  batchSubject,
  batchMsgId,
  type MarketDataBatch,
  type MarketDataMessage,
  type MarketDataType,
} from './batch';
export {
  DeadLetterQueue,
  DLQ_HEADER,
  MAX_ORIGINAL_BYTES,
  MAX_DEAD_LETTER_ERRORS,
  deadLetter,
  deadLetterSubject,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterReason,
} from './dlq';
export {
  runConsumer,
  PoisonMessageError,
  ConsumerConfigError,
  type ConsumerOptions,
  type ConsumerEvent,
  type ConsumerStats,
  type DeliveryContext,
  type Decoder,
  type RunningConsumer,
} from './consumer';
export { Semaphore, KeyedSerializer } from './concurrency';
export { readStoredMessages, streamStoredMessages, StreamReadError, type StoredMessage, type ReadStoredOptions } from './read';
