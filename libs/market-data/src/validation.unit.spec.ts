import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MarketDataFileError, readMarketDataFile, RejectedRow, toDataRejected } from './index';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeloop-md-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const t = (hhmmss: string): number => Date.parse(`2024-01-01T${hhmmss}Z`);

function fixture(name: string, lines: readonly string[], eol = '\n'): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join(eol) + eol);
  return file;
}

/** Line, field and the start of the reason: enough to pin each rejection without copying prose. */
function summary(rows: readonly RejectedRow[]): [number, string | undefined, string][] {
  return rows.map((r) => [r.line, r.field, r.reason.split(':')[0]]);
}

describe('trade bars with one bad row of each kind', () => {
  const file = fixture('BTCUSD_TEST_1m_bars.csv', [
    'timestamp,open,high,low,close,volume',
    '2024-01-01T00:00:00Z,100,101,99,100.5,10', // 2 good
    '2024-01-01T00:01:00Z,NaN,101,99,100,1', // 3 NaN
    '2024-01-01T00:02:00Z,100,,99,100,1', // 4 empty field
    '2024-01-01T00:03:00Z,100,101,0,100,1', // 5 non-positive price
    '2024-01-01T00:04:00Z,100,99,101,100,1', // 6 high < low
    '2024-01-01T00:05:00Z,100,101,99,102,1', // 7 close outside [low, high]
    '2024-01-01T00:06:00Z,100,101,99,100,-5', // 8 negative volume
    '2024-01-01T00:07:00Z,100,101,99,100', // 9 wrong column count
    '2024-01-01 00:08:00,100,101,99,100,1', // 10 bad timestamp
    '2024-01-01T00:08:30Z,100,101,99,100,1', // 11 off the 1m grid
    '2024-01-01T00:09:00Z,100,101,99,100,1', // 12 good
    '2024-01-01T00:09:00Z,100,101,99,100,2', // 13 duplicate timestamp
    '2024-01-01T00:05:00Z,100,101,99,100,1', // 14 out of order
    '2024-01-01T00:10:00Z,abc,101,99,100,1', // 15 non-numeric
    '', // 16 empty line
    '2024-01-01T00:11:00Z,100,101,99,100,1', // 17 good
    '2024-01-01T00:12:00Z,99.5,101,99,99,0', // 18 good (zero volume is allowed)
  ]);
  const r = readMarketDataFile(file);

  it('bad_rows_when_read_then_each_rejected_with_its_line_field_and_reason', () => {
    expect(summary(r.rejected)).toEqual([
      [3, 'open', 'not a number'],
      [4, 'high', 'empty value'],
      [5, 'low', 'non-positive price'],
      [6, 'high', 'high < low'],
      [7, 'close', 'close outside [low, high]'],
      [8, 'volume', 'negative volume'],
      [9, undefined, 'wrong column count'],
      [10, 'timestamp', 'invalid timestamp'],
      [11, 'timestamp', 'off the 1m grid'],
      [13, 'timestamp', 'duplicate timestamp'],
      [14, 'timestamp', 'out of order'],
      [15, 'open', 'not a number'],
      [16, undefined, 'empty line'],
    ]);
    expect(r.rejected.every((x) => x.file === 'BTCUSD_TEST_1m_bars.csv')).toBe(true);
  });

  it('good_rows_around_bad_ones_when_read_then_all_survive_in_order', () => {
    expect(r.bars.map((b) => b.data.openTime)).toEqual([t('00:00:00'), t('00:09:00'), t('00:11:00'), t('00:12:00')]);
    expect(r.info).toMatchObject({ rows: 17, accepted: 4, symbol: 'BTCUSD', venue: 'TEST', timeframe: '1m' });
  });

  it('reasons_when_read_then_name_the_offending_values', () => {
    expect(r.rejected.find((x) => x.line === 3)!.reason).toBe('not a number: "NaN"');
    expect(r.rejected.find((x) => x.line === 6)!.reason).toBe('high < low: 99 < 101');
    expect(r.rejected.find((x) => x.line === 9)!.reason).toBe('wrong column count: 5, expected 6');
    expect(r.rejected.find((x) => x.line === 13)!.reason).toBe('duplicate timestamp: same bar time as line 12');
    expect(r.rejected.find((x) => x.line === 14)!.reason).toBe('out of order: 2024-01-01T00:05:00Z is earlier than line 12 before it');
  });
});

describe('quote bars', () => {
  const header = 'timestamp,open,high,low,close,volume,ask_open,ask_high,ask_low,ask_close,bid_size,ask_size';

  it('bad_ask_side_when_read_then_rejected_like_the_bid_side', () => {
    const r = readMarketDataFile(
      fixture('EURUSD_TEST_1m_quotebars.csv', [
        header,
        '2024-01-01T00:00:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5', // 2 good
        '2024-01-01T00:01:00Z,1.1,1.2,1.0,1.1,0,1.11,1.01,1.21,1.11,5,5', // 3 ask high < ask low
        '2024-01-01T00:02:00Z,1.1,1.2,1.0,1.1,0,1.3,1.21,1.01,1.11,5,5', // 4 ask open above ask high
        '2024-01-01T00:03:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,-1.11,5,5', // 5 ask close non-positive
        '2024-01-01T00:04:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,-5,5', // 6 negative bid size
        '2024-01-01T00:05:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5', // 7 good
      ]),
    );
    expect(summary(r.rejected)).toEqual([
      [3, 'ask_high', 'high < low'],
      [4, 'ask_open', 'ask_open outside [low, high]'],
      [5, 'ask_close', 'non-positive price'],
      [6, 'bid_size', 'negative bid_size'],
    ]);
    expect(r.bars.map((b) => b.data.openTime)).toEqual([t('00:00:00'), t('00:05:00')]);
  });

  it('crossed_close_when_read_then_counted_not_rejected', () => {
    const r = readMarketDataFile(
      fixture('EURUSD_TEST_1m_crossed_quotebars.csv', [
        header,
        '2024-01-01T00:00:00Z,1.1,1.2,1.0,1.15,0,1.11,1.21,1.01,1.12,5,5', // ask close 1.12 < bid close 1.15
        '2024-01-01T00:01:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5',
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(r.bars).toHaveLength(2);
    expect(r.info.crossedQuotes).toBe(1);
  });

  it('close_stamped_bars_when_read_then_grid_checked_on_the_open_time', () => {
    const r = readMarketDataFile(
      fixture('GBPUSD_TEST_1m_close_quotebars.csv', [
        header,
        '2024-01-01T00:01:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5',
        '2024-01-01T00:02:30Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5',
      ]),
      { barTimestamp: 'close' },
    );
    expect(r.bars.map((b) => [b.data.openTime, b.ts])).toEqual([[t('00:00:00'), t('00:01:00')]]);
    expect(summary(r.rejected)).toEqual([[3, 'timestamp', 'off the 1m grid']]);
  });

  it('crlf_line_endings_when_read_then_parsed_like_lf', () => {
    const r = readMarketDataFile(
      fixture('EURUSD_TEST_1m_crlf_quotebars.csv', [header, '2024-01-01T00:00:00Z,1.1,1.2,1.0,1.1,0,1.11,1.21,1.01,1.11,5,5'], '\r\n'),
    );
    expect(r.rejected).toEqual([]);
    expect(r.bars[0].data.askClose).toBe(1.11);
  });
});

describe('quotes (ticks)', () => {
  const r = readMarketDataFile(
    fixture('EURUSD_TEST_ticks.csv', [
      'timestamp,bid,ask,bid_size,ask_size,exchange_time',
      '2024-01-01T00:00:01.5Z,1.10,1.12,1,1,2024-01-01T00:00:02Z', // 2 good
      '2024-01-01T00:00:01.5Z,1.10,1.12,1,1,2024-01-01T00:00:02Z', // 3 exact duplicate of 2
      '2024-01-01T00:00:01.5Z,1.10,1.12,1,2,2024-01-01T00:00:02Z', // 4 same time, new size: kept
      '2024-01-01T00:00:01.5Z,1.10,1.12,1,1,2024-01-01T00:00:02Z', // 5 back to line 2's values: kept
      '2024-01-01T00:00:01Z,1.10,1.12,1,1,2024-01-01T00:00:02Z', // 6 out of order
      '2024-01-01T00:00:30Z,1.13,1.11,1,1,2024-01-01T00:00:31Z', // 7 crossed: kept, counted
      '2024-01-01T00:00:40Z,1.10,1.12,-1,1,2024-01-01T00:00:41Z', // 8 negative size
      '2024-01-01T00:00:41Z,1.10,1.12,1,1,yesterday', // 9 bad exchange time
      '2024-01-01T00:00:42Z,0,1.12,1,1,2024-01-01T00:00:43Z', // 10 non-positive bid
      '2024-01-01T00:00:43Z,1.09,NaN,1,1,2024-01-01T00:00:44Z', // 11 NaN ask
      '2024-01-01T00:01:05Z,1.20,1.22,1,1,2024-01-01T00:01:06Z', // 12 good, next minute
    ]),
  );

  it('bad_ticks_when_read_then_rejected_and_equal_timestamps_kept', () => {
    expect(summary(r.rejected)).toEqual([
      [3, 'timestamp', 'duplicate row'],
      [6, 'timestamp', 'out of order'],
      [8, 'bid_size', 'negative bid_size'],
      [9, 'exchange_time', 'invalid timestamp'],
      [10, 'bid', 'non-positive price'],
      [11, 'ask', 'not a number'],
    ]);
    expect(r.info).toMatchObject({ rows: 11, accepted: 5, crossedQuotes: 1, format: 'quotes', timeframe: '1m' });
  });

  it('accepted_ticks_when_aggregated_then_one_quote_bar_per_minute_with_data', () => {
    expect(r.bars.map((b) => b.data)).toEqual([
      { venue: 'TEST', symbol: 'EURUSD', timeframe: '1m', openTime: t('00:00:00'), open: 1.1, high: 1.13, low: 1.1, close: 1.13, volume: 0, askOpen: 1.12, askHigh: 1.12, askLow: 1.11, askClose: 1.11 },
      { venue: 'TEST', symbol: 'EURUSD', timeframe: '1m', openTime: t('00:01:00'), open: 1.2, high: 1.2, low: 1.2, close: 1.2, volume: 0, askOpen: 1.22, askHigh: 1.22, askLow: 1.22, askClose: 1.22 },
    ]);
    expect(r.bars.map((b) => b.ts)).toEqual([t('00:01:00'), t('00:02:00')]);
  });
});

describe('trades', () => {
  it('bad_trades_when_read_then_rejected_and_volume_sums_the_rest', () => {
    const r = readMarketDataFile(
      fixture('BTCUSDT_TEST_trades.csv', [
        'timestamp,price,size,side,trade_id,exchange_time',
        '2024-01-01T00:00:01Z,100,0.5,buy,1,2024-01-01T00:00:02Z', // 2 good
        '2024-01-01T00:00:01Z,100,0.5,buy,1,2024-01-01T00:00:02Z', // 3 duplicate row
        '2024-01-01T00:00:02Z,101,0,sell,2,2024-01-01T00:00:03Z', // 4 zero size
        '2024-01-01T00:00:03Z,101,1,hold,3,2024-01-01T00:00:04Z', // 5 bad side
        '2024-01-01T00:00:04Z,101,1,buy,,2024-01-01T00:00:05Z', // 6 empty trade id
        '2024-01-01T00:00:05Z,-101,1,buy,5,2024-01-01T00:00:06Z', // 7 non-positive price
        '2024-01-01T00:00:06Z,99,0.25,sell,6,2024-01-01T00:00:07Z', // 8 good
        '2024-01-01T00:00:06Z,102,0.25,buy,7,2024-01-01T00:00:07Z', // 9 good, same time
        '2024-01-01T00:02:00Z,103,2,buy,8,2024-01-01T00:02:01Z', // 10 good, two minutes later
      ]),
    );
    expect(summary(r.rejected)).toEqual([
      [3, 'timestamp', 'duplicate row'],
      [4, 'size', 'non-positive size'],
      [5, 'side', 'side must be buy or sell, got "hold"'],
      [6, 'trade_id', 'empty value'],
      [7, 'price', 'non-positive price'],
    ]);
    // No trades in 00:01, so no bar for it.
    expect(r.bars.map((b) => b.data)).toEqual([
      { venue: 'TEST', symbol: 'BTCUSDT', timeframe: '1m', openTime: t('00:00:00'), open: 100, high: 102, low: 99, close: 102, volume: 1 },
      { venue: 'TEST', symbol: 'BTCUSDT', timeframe: '1m', openTime: t('00:02:00'), open: 103, high: 103, low: 103, close: 103, volume: 2 },
    ]);
  });

  it('given_trades_repeated_with_their_ids_but_not_adjacent_when_read_then_each_repeat_is_rejected_and_counted_in_no_bar', () => {
    // A recording stitched with an overlap at one timestamp: A, B, A, B. Each repeat differs from
    // the row before it, so only its trade_id tells it is the same trade.
    const r = readMarketDataFile(
      fixture('BTCUSDT_TEST_stitched_trades.csv', [
        'timestamp,price,size,side,trade_id',
        '2024-01-01T00:00:01Z,100,0.5,buy,11', // 2 A
        '2024-01-01T00:00:01Z,101,0.25,sell,12', // 3 B
        '2024-01-01T00:00:01Z,100,0.5,buy,11', // 4 A again
        '2024-01-01T00:00:01Z,101,0.25,sell,12', // 5 B again
        '2024-01-01T00:00:02Z,102,1,buy,13', // 6 good
        '2024-01-01T00:00:03Z,103,3,buy,12', // 7 B's id on another trade
      ]),
    );
    expect(r.rejected).toEqual([
      { file: 'BTCUSDT_TEST_stitched_trades.csv', line: 4, field: 'trade_id', reason: 'duplicate trade_id 11: the trade of line 2' },
      // A rejected row is not "the previous row": B again follows B, the last one accepted.
      { file: 'BTCUSDT_TEST_stitched_trades.csv', line: 5, field: 'timestamp', reason: 'duplicate row: identical to line 3' },
      { file: 'BTCUSDT_TEST_stitched_trades.csv', line: 7, field: 'trade_id', reason: 'duplicate trade_id 12: the trade of line 3' },
    ]);
    // Before, the repeats were traded: volume 1.5 + 3 instead of 1.75.
    expect(r.bars.map((b) => b.data)).toEqual([
      { venue: 'TEST', symbol: 'BTCUSDT', timeframe: '1m', openTime: t('00:00:00'), open: 100, high: 102, low: 100, close: 102, volume: 1.75 },
    ]);
    expect(r.info.accepted).toBe(3);
  });
});

describe('books', () => {
  it('crossed_or_incomplete_snapshots_when_read_then_rejected_whole_and_others_kept', () => {
    const r = readMarketDataFile(
      fixture('BTCUSDT_TEST_L2_1s.csv', [
        'timestamp,side,price,size,level',
        '2024-01-01T00:00:01Z,bid,99,1,1', // 2 snapshot 1: fine
        '2024-01-01T00:00:01Z,bid,98,2,2',
        '2024-01-01T00:00:01Z,ask,101,1,1',
        '2024-01-01T00:00:01Z,ask,102,3,2',
        '2024-01-01T00:00:02Z,bid,101.5,1,1', // 6 snapshot 2: crossed (bid 101.5 >= ask 101)
        '2024-01-01T00:00:02Z,ask,101,1,1',
        '2024-01-01T00:00:03Z,bid,99,1,1', // 8 snapshot 3: one bad row
        '2024-01-01T00:00:03Z,bid,NaN,1,2', // 9
        '2024-01-01T00:00:03Z,ask,101,1,1',
        '2024-01-01T00:00:04Z,bid,99,1,1', // 11 snapshot 4: duplicate level
        '2024-01-01T00:00:04Z,bid,98,1,1', // 12
        '2024-01-01T00:00:04Z,ask,101,1,1',
        '2024-01-01T00:00:05Z,ask,102,1,2', // 14 snapshot 5: rows out of price order are sorted best first
        '2024-01-01T00:00:05Z,ask,101,1,1',
        '2024-01-01T00:00:05Z,bid,98,1,2',
        '2024-01-01T00:00:05Z,bid,99,1,1',
      ]),
    );
    expect(summary(r.rejected)).toEqual([
      [6, 'snapshot', 'crossed book at 2024-01-01T00'],
      [8, 'snapshot', 'snapshot 2024-01-01T00'],
      [9, 'price', 'not a number'],
      [11, 'snapshot', 'snapshot 2024-01-01T00'],
      [12, 'level', 'duplicate bid level 1 in snapshot 2024-01-01T00'],
    ]);
    expect(r.rejected[1].reason).toContain('its row at line 9 was rejected');
    expect(r.books.map((b) => b.ts)).toEqual([t('00:00:01'), t('00:00:05')]);
    expect(r.books[1].data).toEqual({
      venue: 'TEST',
      symbol: 'BTCUSDT',
      bids: [
        { price: 99, size: 1 },
        { price: 98, size: 1 },
      ],
      asks: [
        { price: 101, size: 1 },
        { price: 102, size: 1 },
      ],
    });
    // Only the kept snapshots quote: their top of book, as one 1m quote bar.
    expect(r.bars.map((b) => b.data)).toEqual([
      { venue: 'TEST', symbol: 'BTCUSDT', timeframe: '1m', openTime: t('00:00:00'), open: 99, high: 99, low: 99, close: 99, volume: 0, askOpen: 101, askHigh: 101, askLow: 101, askClose: 101 },
    ]);
  });

  it('given_a_snapshot_whose_first_row_is_bad_when_read_then_one_rejection_on_that_line_says_the_snapshot_went_with_it', () => {
    const r = readMarketDataFile(
      fixture('BTCUSDT_TEST_L2_first_1s.csv', [
        'timestamp,side,price,size,level',
        '2024-01-01T00:00:01Z,bid,99,1,1', // 2 snapshot 1: fine
        '2024-01-01T00:00:01Z,ask,101,1,1',
        '2024-01-01T00:00:02Z,bid,-5,1,1', // 4 snapshot 2: its first row is bad
        '2024-01-01T00:00:02Z,ask,101,1,1',
        '2024-01-01T00:00:03Z,bid,99,1,1', // 6 snapshot 3: fine
        '2024-01-01T00:00:03Z,side,101,1,1', // 7 snapshot 3's second row is bad
      ]),
    );
    // Before, line 4 had two rejections (price, then snapshot), which a backtest logged as two
    // DataRejected events with one id (rejected:<file>:4) and counted as two rows.
    expect(r.rejected).toEqual([
      { file: 'BTCUSDT_TEST_L2_first_1s.csv', line: 4, field: 'price', reason: 'non-positive price: -5; snapshot 2024-01-01T00:00:02Z rejected with it' },
      { file: 'BTCUSDT_TEST_L2_first_1s.csv', line: 6, field: 'snapshot', reason: 'snapshot 2024-01-01T00:00:03Z rejected: its row at line 7 was rejected' },
      { file: 'BTCUSDT_TEST_L2_first_1s.csv', line: 7, field: 'side', reason: 'side must be bid or ask, got "side"' },
    ]);
    expect(r.books.map((b) => b.ts)).toEqual([t('00:00:01')]);
  });

  it('snapshots_when_read_then_quote_bars_of_best_bid_and_ask_and_a_one_sided_book_quotes_nothing', () => {
    const r = readMarketDataFile(
      fixture('ETHUSDT_TEST_L2_1s.csv', [
        'timestamp,side,price,size,level',
        '2024-01-01T00:00:10Z,bid,99,1,1',
        '2024-01-01T00:00:10Z,bid,98,5,2',
        '2024-01-01T00:00:10Z,ask,100,1,1',
        '2024-01-01T00:00:20Z,bid,97,1,1', // bids only: no quote
        '2024-01-01T00:00:30Z,bid,98.5,1,1',
        '2024-01-01T00:00:30Z,ask,99.5,2,1',
        '2024-01-01T00:00:30Z,ask,103,2,2',
        '2024-01-01T00:01:05Z,ask,99,1,1',
        '2024-01-01T00:01:05Z,bid,97.5,1,1',
      ]),
      { aggregate: '1m' },
    );
    expect(r.rejected).toEqual([]);
    expect(r.books).toHaveLength(4);
    expect(r.bars.map((b) => [b.ts, b.id])).toEqual([
      [t('00:01:00'), `md:TEST:ETHUSDT:1m:${t('00:00:00')}`],
      [t('00:02:00'), `md:TEST:ETHUSDT:1m:${t('00:01:00')}`],
    ]);
    expect(r.bars.map((b) => b.data)).toEqual([
      { venue: 'TEST', symbol: 'ETHUSDT', timeframe: '1m', openTime: t('00:00:00'), open: 99, high: 99, low: 98.5, close: 98.5, volume: 0, askOpen: 100, askHigh: 100, askLow: 99.5, askClose: 99.5 },
      { venue: 'TEST', symbol: 'ETHUSDT', timeframe: '1m', openTime: t('00:01:00'), open: 97.5, high: 97.5, low: 97.5, close: 97.5, volume: 0, askOpen: 99, askHigh: 99, askLow: 99, askClose: 99 },
    ]);
    // The info describes the book (its 1s cadence from the name); the bars have the aggregate's size.
    expect(r.info.timeframe).toBe('1s');
    const fiveMinutes = readMarketDataFile(path.join(dir, 'ETHUSDT_TEST_L2_1s.csv'), { aggregate: '5m' });
    expect(fiveMinutes.bars.map((b) => [b.data.timeframe, b.data.open, b.data.low, b.data.close, b.data.askHigh])).toEqual([['5m', 99, 97.5, 97.5, 100]]);
  });
});

describe('bar files resampled to a coarser timeframe', () => {
  it('one_minute_quote_bars_with_aggregate_5m_then_each_5m_bar_takes_first_open_extremes_last_close_and_the_volume_sum', () => {
    const r = readMarketDataFile(
      fixture('EURUSD_TEST_1m_resample.csv', [
        'timestamp,open,high,low,close,volume,ask_open,ask_high,ask_low,ask_close',
        '2024-01-01T00:03:00Z,1.1000,1.1010,1.0990,1.1005,5,1.1002,1.1012,1.0992,1.1007',
        '2024-01-01T00:04:00Z,1.1005,1.1020,1.1000,1.1015,7,1.1007,1.1022,1.1002,1.1017',
        '2024-01-01T00:05:00Z,1.1015,1.1016,1.0980,1.0985,1,1.1017,1.1018,1.0982,1.0987',
        '2024-01-01T00:06:00Z,1.0985,1.1030,1.0984,1.1025,2,1.0987,1.1032,1.0986,1.1027',
        '2024-01-01T00:12:00Z,1.1025,1.1026,1.1024,1.1025,3,1.1027,1.1028,1.1026,1.1027',
      ]),
      { aggregate: '5m' },
    );
    expect(r.info.timeframe).toBe('5m');
    expect(r.bars.map((b) => [b.id, b.ts])).toEqual([
      [`md:TEST:EURUSD:5m:${t('00:00:00')}`, t('00:05:00')],
      [`md:TEST:EURUSD:5m:${t('00:05:00')}`, t('00:10:00')],
      [`md:TEST:EURUSD:5m:${t('00:10:00')}`, t('00:15:00')],
    ]);
    expect(r.bars.map((b) => b.data)).toEqual([
      // 00:00–00:05 holds only the bars of 00:03 and 00:04 (the file starts there).
      { venue: 'TEST', symbol: 'EURUSD', timeframe: '5m', openTime: t('00:00:00'), open: 1.1, high: 1.102, low: 1.099, close: 1.1015, volume: 12, askOpen: 1.1002, askHigh: 1.1022, askLow: 1.0992, askClose: 1.1017 },
      { venue: 'TEST', symbol: 'EURUSD', timeframe: '5m', openTime: t('00:05:00'), open: 1.1015, high: 1.103, low: 1.098, close: 1.1025, volume: 3, askOpen: 1.1017, askHigh: 1.1032, askLow: 1.0982, askClose: 1.1027 },
      { venue: 'TEST', symbol: 'EURUSD', timeframe: '5m', openTime: t('00:10:00'), open: 1.1025, high: 1.1026, low: 1.1024, close: 1.1025, volume: 3, askOpen: 1.1027, askHigh: 1.1028, askLow: 1.1026, askClose: 1.1027 },
    ]);
  });

  it('given_a_window_off_the_aggregate_grid_when_one_minute_bars_are_resampled_then_it_keeps_the_hours_opening_in_it_whole_as_bars_built_from_ticks', () => {
    const shared = (file: string): string => path.resolve(__dirname, '../../../../shared/data', file);
    const window = { from: Date.parse('2014-05-06T00:30:00Z'), to: Date.parse('2014-05-06T03:30:00Z'), aggregate: '1h' as const };
    const bars = readMarketDataFile(shared('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), window).bars;
    const whole = readMarketDataFile(shared('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), { aggregate: '1h' }).bars;
    const hours = (list: readonly { data: { openTime: number } }[]): string[] => list.map((b) => new Date(b.data.openTime).toISOString());
    // Before: a 00:00 hour made of 00:30–00:59 only (opening before --from) and a 03:00 hour cut at 03:30.
    expect(hours(bars)).toEqual(['2014-05-06T01:00:00.000Z', '2014-05-06T02:00:00.000Z', '2014-05-06T03:00:00.000Z']);
    expect(bars).toEqual(whole.filter((b) => b.data.openTime >= window.from && b.data.openTime < window.to));
    // The hours the tick file of that day gives for the same window.
    expect(hours(readMarketDataFile(shared('ticks/EURUSD_OANDA_ticks_2014-05-06.csv'), window).bars)).toEqual(hours(bars));
  });

  it('an_aggregate_finer_than_the_files_bars_then_its_own_bars_are_used', () => {
    const file = fixture('BTCUSDT_TEST_1h_bars.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,100,101,99,100.5,1', '2024-01-01T01:00:00Z,100.5,102,100,101,2']);
    const r = readMarketDataFile(file, { aggregate: '1m' });
    expect(r.info.timeframe).toBe('1h');
    expect(r.bars.map((b) => b.data.timeframe)).toEqual(['1h', '1h']);
  });
});

describe('files that cannot be used', () => {
  it('file_of_only_bad_rows_when_read_then_throws_naming_the_file_and_first_reasons', () => {
    const file = fixture('EURUSD_TEST_1m_allbad.csv', [
      'timestamp,open,high,low,close,volume',
      '2024-01-01T00:00:00Z,NaN,1,1,1,0',
      '2024-01-01T00:01:00Z,1,1,2,1,0',
    ]);
    expect(() => readMarketDataFile(file)).toThrow(MarketDataFileError);
    expect(() => readMarketDataFile(file)).toThrow(/EURUSD_TEST_1m_allbad\.csv: no valid rows[\s\S]*:2 \[open\]: not a number[\s\S]*:3 \[high\]: high < low/);
  });

  it('unknown_header_when_read_then_throws_naming_the_file_and_the_header', () => {
    const file = fixture('EURUSD_TEST_1m_odd.csv', ['time,o,h,l,c', '2024-01-01T00:00:00Z,1,1,1,1']);
    expect(() => readMarketDataFile(file)).toThrow(/EURUSD_TEST_1m_odd\.csv: unknown header "time,o,h,l,c"/);
  });

  it('given_a_gzip_compressed_copy_of_a_shared_ticks_file_when_read_then_throws_naming_the_file_and_saying_to_decompress_it', () => {
    const csv = readFileSync(path.resolve(__dirname, '../../../../shared/data/ticks/USDJPY_TrueFX_ticks_2013-01-01.csv'));
    const file = path.join(dir, 'USDJPY_TrueFX_ticks_2013-01-01.csv.gz');
    writeFileSync(file, gzipSync(csv));
    // Before, the compressed bytes were read as a 200-character "header" and printed to the terminal.
    expect(() => readMarketDataFile(file)).toThrow(
      new MarketDataFileError(file, 'USDJPY_TrueFX_ticks_2013-01-01.csv.gz: a gzip-compressed file, not CSV text; decompress it first and pass the .csv'),
    );
    const zipped = path.join(dir, 'EURUSD_TEST_ticks.csv');
    writeFileSync(zipped, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), csv]));
    expect(() => readMarketDataFile(zipped)).toThrow('EURUSD_TEST_ticks.csv: a zip file, not CSV text');
  });

  it('given_a_header_with_control_characters_when_read_then_the_error_shows_them_escaped', () => {
    const file = fixture('EURUSD_TEST_1m_ctl.csv', ['time\u0007stamp\u0000,o', '2024-01-01T00:00:00Z,1']);
    expect(() => readMarketDataFile(file)).toThrow('EURUSD_TEST_1m_ctl.csv: unknown header "time\\u0007stamp\\u0000,o"; expected one of:');
  });

  it('given_a_directory_when_read_as_a_file_then_the_error_names_it_and_says_to_pass_its_files', () => {
    // Before: Node's bare 'EISDIR: illegal operation on a directory, read', naming nothing.
    const folder = path.join(dir, 'forex');
    mkdirSync(folder, { recursive: true });
    expect(() => readMarketDataFile(folder)).toThrow(`${folder} is a directory, not a market-data file: pass the files in it (${folder}/*.csv)`);
    expect(() => readMarketDataFile(path.join(dir, 'EURUSD_TEST_missing.csv'))).toThrow(path.join(dir, 'EURUSD_TEST_missing.csv'));
  });

  it.each([
    ['quote_bars', 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'EURUSD_OANDA_1m_newest_first.csv'],
    ['quote_ticks', 'ticks/EURUSD_OANDA_ticks_2014-05-06.csv', 'EURUSD_OANDA_ticks_newest_first.csv'],
    ['trades', 'trades/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv', 'ETHUSDT_BINANCE_spot_newest_first_trades.csv'],
  ])('given_%s_newest_first_when_read_then_throws_saying_to_sort_it_instead_of_keeping_the_first_row_alone', (_kind, shared, name) => {
    const [header, ...rows] = readFileSync(path.resolve(__dirname, '../../../../shared/data', shared), 'utf8').trimEnd().split('\n');
    const file = fixture(name, [header, ...rows.slice(0, 1000).reverse()]);
    // Before: the newest row was kept, the other 999 rejected, and a backtest ran on it alone.
    expect(() => readMarketDataFile(file)).toThrow(
      new RegExp(`^${name.replace(/\./g, '\\.')}: not in time order: \\d+ of its 1000 rows are earlier than a row before them, more than the \\d+ in order \\(newest first\\?\\); sort it oldest first$`),
    );
    // The same rows oldest first are read with nothing refused.
    expect(readMarketDataFile(fixture(name, [header, ...rows.slice(0, 1000)])).rejected).toEqual([]);
  });

  it.each([
    ['quote_bars', 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'EURUSD_OANDA_1m_swapped.csv', 1, 'open'],
    ['quote_ticks', 'ticks/EURUSD_OANDA_ticks_2014-05-06.csv', 'EURUSD_OANDA_ticks_swapped.csv', 1, 'bid'],
    ['trades', 'trades/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv', 'ETHUSDT_BINANCE_spot_swapped_trades.csv', 3, 'side'],
  ])(
    'given_%s_with_two_rows_swapped_and_the_first_of_them_bad_when_read_then_the_swap_is_reported_in_the_same_pass_as_the_bad_field',
    (_kind, shared, name, column, field) => {
      const [header, ...rows] = readFileSync(path.resolve(__dirname, '../../../../shared/data', shared), 'utf8').trimEnd().split('\n');
      // Two neighbours a millisecond or more apart (timestamps are read to the millisecond).
      const ms = (row: string): number => Date.parse(row.split(',')[0]);
      const k = rows.findIndex((row, i) => i >= 4 && ms(row) > ms(rows[i - 1]));
      const head = rows.slice(0, k + 6);
      // The later of the two first: lines k + 1 and k + 2 hold rows k and k - 1 of the recording.
      const swapped = [...head.slice(0, k - 1), head[k], head[k - 1], ...head.slice(k + 1)];
      const broken = swapped.map((row, i) => (i === k - 1 ? row.split(',').map((f, c) => (c === column ? 'x' : f)).join(',') : row));
      const first = readMarketDataFile(fixture(name, [header, ...broken])).rejected;
      // Before: line k + 2 was checked against line k (the last good row) and kept; the swap
      // showed up only on the run after line k + 1 had been fixed.
      expect(summary(first)).toEqual([
        [k + 1, field, field === 'side' ? 'side must be buy or sell, got "x"' : 'not a number'],
        [k + 2, 'timestamp', 'out of order'],
      ]);
      const outOfOrder = `out of order: ${head[k - 1].split(',')[0]} is earlier than line ${k + 1} before it`;
      expect(first[1].reason).toBe(`${outOfOrder} (itself rejected above)`);
      // Fixing the field reported leaves nothing that was not reported already.
      const second = readMarketDataFile(fixture(name, [header, ...swapped])).rejected;
      expect(second).toEqual([{ ...first[1], reason: outOfOrder }]);
    },
  );

  it('header_only_when_read_then_throws', () => {
    const file = fixture('EURUSD_TEST_1m_empty.csv', ['timestamp,bid,ask']);
    expect(() => readMarketDataFile(file)).toThrow(/EURUSD_TEST_1m_empty\.csv: no data rows/);
  });

  it('name_without_symbol_and_venue_when_read_without_options_then_throws_and_with_options_reads', () => {
    const file = fixture('prices.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0', '2024-01-01T00:01:00Z,1,1,1,1,0']);
    expect(() => readMarketDataFile(file)).toThrow(/prices\.csv: cannot infer symbol and venue/);
    const r = readMarketDataFile(file, { symbol: 'ETHUSD', venue: 'KRAKEN' });
    expect(r.bars[0].id).toBe(`md:KRAKEN:ETHUSD:1m:${t('00:00:00')}`);
  });

  it('empty_time_window_when_given_then_throws', () => {
    const file = fixture('EURUSD_TEST_1m_window.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0']);
    expect(() => readMarketDataFile(file, { from: 10, to: 10 })).toThrow(RangeError);
  });
});

describe('timeframe inference from timestamps', () => {
  it('bar_file_without_timeframe_in_name_when_read_then_most_common_step_wins_over_gaps', () => {
    const r = readMarketDataFile(
      fixture('XAUUSD_TEST_quotebars.csv', [
        'timestamp,open,high,low,close,volume,ask_open,ask_high,ask_low,ask_close',
        '2024-01-01T00:00:00Z,1,1,1,1,0,1,1,1,1',
        '2024-01-01T00:05:00Z,1,1,1,1,0,1,1,1,1',
        '2024-01-01T00:10:00Z,1,1,1,1,0,1,1,1,1',
        '2024-01-01T01:00:00Z,1,1,1,1,0,1,1,1,1',
        '2024-01-01T01:05:00Z,1,1,1,1,0,1,1,1,1',
      ]),
    );
    expect(r.info.timeframe).toBe('5m');
    expect(r.bars.map((b) => b.ts - b.data.openTime)).toEqual([300_000, 300_000, 300_000, 300_000, 300_000]);
  });

  it('steps_that_are_no_timeframe_when_read_then_throws_asking_for_one', () => {
    const file = fixture('XAUUSD_TEST_bars.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0', '2024-01-01T00:07:00Z,1,1,1,1,0']);
    expect(() => readMarketDataFile(file)).toThrow(/most common timestamp step is 420000 ms/);
  });

  it('given_bars_whose_timeframe_the_data_cannot_tell_when_read_then_the_error_says_how_to_name_it_not_to_pass_an_option_no_command_has', () => {
    // Before: 'pass it explicitly', though neither tradeloop backtest nor the market-data service can.
    const one = fixture('EURUSD_OANDA_one.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0']);
    expect(() => readMarketDataFile(one)).toThrow(
      "EURUSD_OANDA_one.csv: cannot tell the bars' timeframe from fewer than two valid timestamps; say it in the file name, as in EURUSD_OANDA_1m_….csv (1s, 1m, 5m, 15m, 30m, 1h, 4h, 1d)",
    );
    const renamed = fixture('EURUSD_OANDA_1m_one.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0']);
    expect(readMarketDataFile(renamed).bars.map((b) => b.data.timeframe)).toEqual(['1m']);
    const threes = fixture('EURUSD_OANDA_prices.csv', ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,1,1,1,0', '2024-01-01T00:03:00Z,1,1,1,1,0', '2024-01-01T00:06:00Z,1,1,1,1,0']);
    expect(() => readMarketDataFile(threes)).toThrow(
      'EURUSD_OANDA_prices.csv: most common timestamp step is 180000 ms, not a bar timeframe that can be read (1s, 1m, 5m, 15m, 30m, 1h, 4h, 1d); resample the bars to one of them',
    );
  });
});

describe('toDataRejected', () => {
  it('rejected_row_when_converted_then_data_rejected_message_with_deterministic_id', () => {
    const m = toDataRejected({ file: 'a.csv', line: 7, field: 'close', reason: 'high < low: 1 < 2' }, 1_700_000_000_000, 'acct-1');
    expect(m).toEqual({
      id: 'md:rejected:a.csv:7:close',
      type: 'DataRejected',
      version: 1,
      ts: 1_700_000_000_000,
      correlationId: 'md:rejected:a.csv:7:close',
      causationId: 'md:rejected:a.csv:7:close',
      account: 'acct-1',
      source: 'market-data',
      data: { source: 'a.csv', line: 7, field: 'close', reason: 'high < low: 1 < 2' },
    });
    const noField = toDataRejected({ file: 'a.csv', line: 9, reason: 'empty line' }, 0);
    expect(noField.id).toBe('md:rejected:a.csv:9');
    expect(noField.account).toBe('paper');
    expect('field' in noField.data).toBe(false);
  });
});
