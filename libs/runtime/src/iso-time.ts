import { MS_PER_DAY } from '@tradeloop/kernel';

/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z: toISOString switches to ±YYYYYY outside. */
const MIN_FOUR_DIGIT_YEAR_MS = -62_167_219_200_000;
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * `new Date(ts).toISOString()`, character for character, without a Date for integer times in
 * the years 0000–9999 (a Date per fill showed in backtest profiles). Anything else — other
 * years, fractions, NaN — goes through Date, which also keeps its RangeError.
 */
export function iso(ts: number): string {
  if (!(Number.isInteger(ts) && ts >= MIN_FOUR_DIGIT_YEAR_MS && ts < MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ts).toISOString();
  const days = Math.floor(ts / MS_PER_DAY);
  let ms = ts - days * MS_PER_DAY;
  const hh = Math.floor(ms / 3_600_000);
  ms -= hh * 3_600_000;
  const mi = Math.floor(ms / 60_000);
  ms -= mi * 60_000;
  const ss = Math.floor(ms / 1000);
  ms -= ss * 1000;
  // Civil date from days since 1970-01-01, proleptic Gregorian (Howard Hinnant's days_from_civil inverse).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const yyyy = y < 10 ? `000${y}` : y < 100 ? `00${y}` : y < 1000 ? `0${y}` : String(y);
  const mmm = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms);
  return `${yyyy}-${pad2(m)}-${pad2(d)}T${pad2(hh)}:${pad2(mi)}:${pad2(ss)}.${mmm}Z`;
}
