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

/** Last line of a run: data exhausted, open positions are marked (not closed). */
export interface RunEndedData {
  readonly runId: string;
  readonly bars: number;
}
