import { CATALOG, Message } from '@tradeloop/contracts';

/** A refused input row (or book snapshot): never passed on, always reported. */
export interface RejectedRow {
  /** File base name. */
  readonly file: string;
  /** 1-based; the header is line 1. */
  readonly line: number;
  readonly field?: string;
  readonly reason: string;
}

export const MARKET_DATA_SOURCE = 'market-data';

/**
 * The data-quality event for a rejected row. The id is a pure function of file, line and
 * field, so republishing a file's rejections de-duplicates on the bus.
 */
export function toDataRejected(row: RejectedRow, ts: number, account = 'paper'): Message<'DataRejected'> {
  const id = `md:rejected:${row.file}:${row.line}${row.field === undefined ? '' : `:${row.field}`}`;
  return {
    id,
    type: 'DataRejected',
    version: CATALOG.DataRejected.version,
    ts,
    correlationId: id,
    causationId: id,
    account,
    source: MARKET_DATA_SOURCE,
    data: {
      source: row.file,
      line: row.line,
      reason: row.reason,
      ...(row.field !== undefined && { field: row.field }),
    },
  };
}

function describe(rows: readonly RejectedRow[], limit: number): string {
  const shown = rows.slice(0, limit).map((r) => `  ${r.file}:${r.line}${r.field ? ` [${r.field}]` : ''}: ${r.reason}`);
  if (rows.length > limit) shown.push(`  … and ${rows.length - limit} more`);
  return shown.join('\n');
}

/** Thrown when a market-data file yields nothing usable; carries every rejection. */
export class MarketDataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly rejected: readonly RejectedRow[] = [],
  ) {
    super(rejected.length > 0 ? `${message}\n${describe(rejected, 10)}` : message);
    this.name = 'MarketDataFileError';
  }
}

/** Thrown when an orders file has any bad row: a trade log is replayed whole or not at all. */
export class OrdersFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly RejectedRow[],
  ) {
    super(`${file}: ${problems.length} bad order row(s), nothing replayed\n${describe(problems, problems.length)}`);
    this.name = 'OrdersFileError';
  }
}
