/** Delivered by the host when a decider's wakeAt() time has come (event time). */
export interface TimerFiredData {
  readonly at: number;
}

export interface DataFileInfo {
  readonly name: string;
  readonly sha256: string;
  readonly rows: number;
}

/** First line of every run's event log: what was run, on what, with which settings. */
export interface RunStartedData {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper' | 'replay' | 'live';
  readonly seed: number;
  readonly files: readonly DataFileInfo[];
  readonly config: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A service started deciding: the configuration its decider runs with from inbox sequence
 * `fromSeq` on (a restart rebuilds its state with this configuration too). What an audit replay
 * of the service's inbox needs to decide exactly as it did.
 */
export interface ServiceStartedData {
  readonly service: string;
  /** The service's inbox stream. */
  readonly inbox: string;
  /** The first inbox sequence handled under this configuration (the ack floor at start + 1). */
  readonly fromSeq: number;
  /** How many envelope ids it remembers to de-duplicate inputs other than market data. */
  readonly dedupWindow: number;
  /** The decider's configuration, flat as RunStarted's (scalars; per-decider sections as JSON). */
  readonly config: Readonly<Record<string, string | number | boolean>>;
}

/** Last line of a run: data exhausted, open positions are marked (not closed). */
export interface RunEndedData {
  readonly runId: string;
  readonly bars: number;
}
