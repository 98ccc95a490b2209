import type { Timeframe } from '@tradeloop/kernel';
import type { RejectedRow } from './rejection';

/** Everything a format parser needs besides the lines themselves, resolved up front. */
export interface ParseSettings {
  readonly file: string;
  readonly venue: string;
  readonly symbol: string;
  /** Bar timeframe (bar files) or aggregation timeframe (ticks, trades). */
  readonly timeframe: Timeframe;
  readonly barTimestamp: 'open' | 'close';
  readonly account: string;
  /** Inclusive lower bound on bar open time / snapshot time (epoch ms). */
  readonly from: number;
  /** Exclusive upper bound. */
  readonly to: number;
}

export interface ParseOutcome<T> {
  readonly items: T[];
  readonly rejected: RejectedRow[];
  /** Rows that passed validation (before the from/to window). */
  readonly accepted: number;
  readonly crossedQuotes: number;
}

/** Collects rejections for one file; line numbers are 1-based with the header on line 1. */
export class Rejections {
  readonly rows: RejectedRow[] = [];

  constructor(private readonly file: string) {}

  add(line: number, field: string | undefined, reason: string): void {
    this.rows.push(field === undefined ? { file: this.file, line, reason } : { file: this.file, line, field, reason });
  }

  /** Appends to the reason of the rejection on `line` (the latest one there). */
  amend(line: number, more: string): void {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i];
      if (row.line === line) {
        this.rows[i] = { ...row, reason: row.reason + more };
        return;
      }
    }
    throw new Error(`no rejection on line ${line} to amend`);
  }
}

export function columnCountReason(emptyLine: boolean, got: number, expected: number): string {
  return emptyLine ? 'empty line' : `wrong column count: ${got}, expected ${expected}`;
}

export function timestampReason(raw: string): string {
  return `invalid timestamp: "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}" (ISO-8601 UTC ending in Z expected)`;
}

/** How every out-of-order rejection's reason starts (a file with more of them than rows in order is refused whole). */
export const OUT_OF_ORDER = 'out of order: ';

/** Appended when the row an out-of-order or duplicate row is compared with was itself rejected. */
export const REJECTED_ABOVE = ' (itself rejected above)';
