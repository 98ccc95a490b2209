/** The CSV layouts of /shared/data (see its README), recognised by their header line. */
export type MarketDataFormat = 'trade-bars' | 'quote-bars' | 'quotes' | 'trades' | 'books';

export interface FormatSpec {
  readonly format: MarketDataFormat;
  readonly columns: readonly string[];
}

const LAYOUTS: readonly FormatSpec[] = [
  { format: 'trade-bars', columns: ['timestamp', 'open', 'high', 'low', 'close', 'volume'] },
  {
    format: 'quote-bars',
    columns: ['timestamp', 'open', 'high', 'low', 'close', 'volume', 'ask_open', 'ask_high', 'ask_low', 'ask_close'],
  },
  {
    format: 'quote-bars',
    columns: ['timestamp', 'open', 'high', 'low', 'close', 'volume', 'ask_open', 'ask_high', 'ask_low', 'ask_close', 'bid_size', 'ask_size'],
  },
  { format: 'quotes', columns: ['timestamp', 'bid', 'ask'] },
  { format: 'quotes', columns: ['timestamp', 'bid', 'ask', 'bid_size', 'ask_size'] },
  { format: 'quotes', columns: ['timestamp', 'bid', 'ask', 'bid_size', 'ask_size', 'exchange_time'] },
  { format: 'trades', columns: ['timestamp', 'price', 'size', 'side', 'trade_id', 'exchange_time'] },
  { format: 'trades', columns: ['timestamp', 'price', 'size', 'side', 'trade_id'] },
  { format: 'books', columns: ['timestamp', 'side', 'price', 'size', 'level'] },
  { format: 'books', columns: ['timestamp', 'side', 'price', 'size', 'level', 'exchange_time'] },
];

const BY_HEADER = new Map(LAYOUTS.map((l) => [l.columns.join(','), l]));

/** Tolerates a BOM, CR and spaces around names and case; nothing else. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .join(',');
}

export function detectFormat(header: string): FormatSpec | undefined {
  return BY_HEADER.get(normalizeHeader(header));
}

export const KNOWN_HEADERS: readonly string[] = LAYOUTS.map((l) => l.columns.join(','));
