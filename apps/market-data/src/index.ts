export { systemClock, skipQuietStretches, quietWaitMs } from './clock';
export {
  publishFeed,
  publishRejected,
  DEFAULT_MAX_BATCH_BYTES,
  type FeedCounts,
  type PublishedBatch,
  type PublishFeedOptions,
  type RejectedCounts,
} from './feed-publisher';
export {
  fileSource,
  syntheticSource,
  sourceFor,
  type FeedConfig,
  type FeedSource,
  type Market,
  type FileSpec,
  type FileOverrides,
  type FileSourceOptions,
} from './sources';
export { runFeed, type RunFeedOptions, type FeedRunReport } from './run-feed';
export { DEFAULT_MAX_QUIET_MS } from './settings';
export { resumeFeed, ResumeError, type ResumePlan, type MarketResume, type ResumeRule } from './resume';
