/** Pure UTC calendar helpers over epoch milliseconds: no Date objects, no wall clock. */
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

export function utcHour(ts: number): number {
  return Math.floor((((ts % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR);
}

export function utcMinuteOfDay(ts: number): number {
  return Math.floor((((ts % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_MINUTE);
}

/** Start of the UTC day containing `ts`. */
export function utcDayStart(ts: number): number {
  return Math.floor(ts / MS_PER_DAY) * MS_PER_DAY;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function utcWeekday(ts: number): number {
  return (Math.floor(ts / MS_PER_DAY) + 4) % 7;
}

export type Timeframe = '1s' | '1m' | '5m' | '15m' | '30m' | '1h' | '4h' | '1d';

const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1s': 1_000,
  '1m': MS_PER_MINUTE,
  '5m': 5 * MS_PER_MINUTE,
  '15m': 15 * MS_PER_MINUTE,
  '30m': 30 * MS_PER_MINUTE,
  '1h': MS_PER_HOUR,
  '4h': 4 * MS_PER_HOUR,
  '1d': MS_PER_DAY,
};

/** Every timeframe, shortest first (for messages that list them). */
export const TIMEFRAMES: readonly Timeframe[] = Object.keys(TIMEFRAME_MS) as Timeframe[];

export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MS[tf];
}

export function isTimeframe(s: string): s is Timeframe {
  return Object.prototype.hasOwnProperty.call(TIMEFRAME_MS, s);
}

/** The shortest timeframe whose grid `stepMs` matches, if any. */
export function timeframeFromMs(stepMs: number): Timeframe | undefined {
  return (Object.keys(TIMEFRAME_MS) as Timeframe[]).find((k) => TIMEFRAME_MS[k] === stepMs);
}
