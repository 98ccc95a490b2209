/**
 * Strict field parsers for the market-data CSVs. They read a range of a larger string (no
 * substring per field) and return NaN instead of throwing, so the per-row loop turns a bad
 * field into a rejection without allocating or paying for exceptions.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

// Consecutive rows nearly always share the calendar day, so the day's epoch is cached and
// Date.UTC runs once per day instead of once per row.
let cachedDayKey = -1;
let cachedDayMs = 0;

/**
 * Exactly `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (the grammar of
 * /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/) in text[start, end) → epoch ms, the
 * fraction floored to the millisecond. NaN for anything else, including impossible dates
 * (Feb 30, hour 24) and local or offset times: a silent hour shift would move every bar.
 */
export function parseUtcTimestampAt(text: string, start: number, end: number): number {
  const len = end - start;
  if (len < 20 || len > 30 || len === 21) return NaN;
  if (
    text.charCodeAt(start + 4) !== 45 || // -
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 10) !== 84 || // T
    text.charCodeAt(start + 13) !== 58 || // :
    text.charCodeAt(start + 16) !== 58 ||
    text.charCodeAt(end - 1) !== 90 // Z
  ) {
    return NaN;
  }
  const y1 = twoDigits(text, start);
  const y2 = twoDigits(text, start + 2);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  const hour = twoDigits(text, start + 11);
  const minute = twoDigits(text, start + 14);
  const second = twoDigits(text, start + 17);
  if (y1 < 0 || y2 < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NaN;
  const year = y1 * 100 + y2;
  // Date.UTC maps years 0–99 to 1900–1999; no market data predates 1900 anyway.
  if (year < 1900 || month < 1 || month > 12 || day < 1) return NaN;
  const dim = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > dim || hour > 23 || minute > 59 || second > 59) return NaN;
  let ms = 0;
  if (len > 20) {
    if (text.charCodeAt(start + 19) !== 46) return NaN; // .
    const fracEnd = end - 1;
    for (let i = start + 20, scale = 100; i < fracEnd; i++, scale /= 10) {
      const d = digitAt(text, i);
      if (d < 0) return NaN;
      if (scale >= 1) ms += d * scale;
    }
  }
  const dayKey = year * 10_000 + month * 100 + day;
  if (dayKey !== cachedDayKey) {
    cachedDayMs = Date.UTC(year, month - 1, day);
    cachedDayKey = dayKey;
  }
  return cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1_000 + ms;
}

export function isUtcTimestampAt(text: string, start: number, end: number): boolean {
  const t = parseUtcTimestampAt(text, start, end);
  return t === t;
}

export function parseUtcTimestamp(s: string): number {
  return parseUtcTimestampAt(s, 0, s.length);
}

/** Epoch ms → `2014-05-01T00:00:00.000Z`, for messages (formatting is not a clock read). */
export function formatUtc(ts: number): string {
  return new Date(ts).toISOString();
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const EXACT_INT_LIMIT = 2 ** 53;

/**
 * A plain decimal number in text[start, end) (`1.38676`, `-3`, `.5`, `2.5e-7`) → number;
 * NaN for empty, whitespace, `NaN`, `Infinity`, hex and anything else `Number()` would quietly
 * accept or turn into 0 (`Number('') === 0` is the classic trap).
 *
 * Same result as `Number()`, bit for bit: when the digits form an integer m ≤ 2^53 and there
 * are at most 22 decimals, m and 10^k are exact doubles and one IEEE division rounds
 * correctly (Clinger's fast path); every other valid number goes through `Number()`.
 */
export function parseNumberAt(text: string, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) decimals++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits === 0) return NaN;
  if (i < end) {
    if (c !== 101 && c !== 69) return NaN; // only an exponent may follow the digits
    i++;
    if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    if (i >= end) return NaN;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
    }
    return finiteOrNaN(Number(text.slice(start, end)));
  }
  if (mantissa > EXACT_INT_LIMIT || decimals > 22) return finiteOrNaN(Number(text.slice(start, end)));
  const x = decimals === 0 ? mantissa : mantissa / POW10[decimals];
  return negative ? -x : x;
}

function finiteOrNaN(x: number): number {
  return Number.isFinite(x) ? x : NaN;
}

export function parseNumber(s: string): number {
  return parseNumberAt(s, 0, s.length);
}

/** Why a numeric field failed, for the rejection reason. */
export function numberProblem(raw: string): string {
  return raw.length === 0 ? 'empty value' : `not a number: "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`;
}

const DECIMAL_STRING = /^\d+(\.\d+)?$/;
const NON_ZERO_DIGIT = /[1-9]/;

/** An unsigned decimal string as it goes on the wire (`0.5`, `100`, `1.25000`), strictly positive. */
export function isPositiveDecimalString(s: string): boolean {
  return DECIMAL_STRING.test(s) && NON_ZERO_DIGIT.test(s);
}

const ZONED = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;
const MAX_OFFSET_EAST_MIN = 14 * 60;
const MAX_OFFSET_WEST_MIN = 12 * 60;

export type ZonedTimestamp = { readonly ts: number; readonly problem?: undefined } | { readonly ts?: undefined; readonly problem: string };

/**
 * An ISO-8601 / RFC 3339 date-time with its zone — `Z` or an offset such as `+02:00` — → epoch
 * ms UTC, for files people write (an orders file). A time without a zone is refused rather
 * than read as UTC: a trade log written in local time would otherwise fill hours off.
 */
export function parseZonedTimestamp(raw: string): ZonedTimestamp {
  const shown = `"${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`;
  const m = ZONED.exec(raw);
  if (m === null) {
    return { problem: `invalid timestamp: ${shown} (ISO-8601 with Z or an offset such as +02:00 expected, like 2014-05-01T10:03:00Z)` };
  }
  const [, date, time, zulu, sign, hh, mm] = m;
  if (zulu === undefined && sign === undefined) {
    return { problem: `no time zone in ${shown}: ambiguous; add Z for UTC or the offset it was written in, such as +02:00` };
  }
  let offsetMin = 0;
  if (sign !== undefined) {
    const minutes = Number(hh) * 60 + Number(mm);
    if (Number(mm) > 59 || (sign === '+' ? minutes > MAX_OFFSET_EAST_MIN : minutes > MAX_OFFSET_WEST_MIN)) {
      return { problem: `invalid timestamp: ${shown} (a UTC offset is between -12:00 and +14:00)` };
    }
    offsetMin = sign === '+' ? minutes : -minutes;
  }
  const local = parseUtcTimestamp(`${date}T${time}Z`);
  if (local !== local) return { problem: `invalid timestamp: ${shown} (no such date or time)` };
  return { ts: local - offsetMin * 60_000 };
}
