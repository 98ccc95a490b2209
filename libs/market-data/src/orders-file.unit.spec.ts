import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrdersFileError, readOrdersFile } from './index';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeloop-orders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('readOrdersFile', () => {
  it('good_file_when_read_then_one_submit_manual_order_per_row_with_exact_decimal_strings', () => {
    const file = fixture('trades.csv', [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,market,',
      '2014-05-01T09:30:00Z,eurusd,SELL,2500.50,limit,1.38800',
      '2014-05-01T09:30:00Z,EURUSD,sell,0.10,stop,1.37000',
      '',
    ]);
    const orders = readOrdersFile(file, { venue: 'OANDA' });
    expect(orders).toEqual([
      {
        id: 'cmd:orders:trades.csv:2',
        type: 'SubmitManualOrder',
        version: 1,
        ts: Date.UTC(2014, 4, 1, 8),
        correlationId: 'cmd:orders:trades.csv:2',
        causationId: 'cmd:orders:trades.csv:2',
        account: 'paper',
        source: 'market-data',
        data: { venue: 'OANDA', symbol: 'EURUSD', side: 'buy', quantity: '1000', type: 'market', requestedBy: 'csv:trades.csv' },
      },
      expect.objectContaining({
        id: 'cmd:orders:trades.csv:3',
        ts: Date.UTC(2014, 4, 1, 9, 30),
        data: { venue: 'OANDA', symbol: 'EURUSD', side: 'sell', quantity: '2500.50', type: 'limit', price: '1.38800', requestedBy: 'csv:trades.csv' },
      }),
      expect.objectContaining({
        id: 'cmd:orders:trades.csv:4',
        data: { venue: 'OANDA', symbol: 'EURUSD', side: 'sell', quantity: '0.10', type: 'stop', price: '1.37000', requestedBy: 'csv:trades.csv' },
      }),
    ]);
    expect('price' in orders[0].data).toBe(false);
  });

  it('given_the_venues_of_each_symbols_data_when_read_then_each_order_goes_to_its_symbols_venue_and_a_symbol_at_two_is_a_bad_row', () => {
    const file = fixture('venues.csv', [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-06T09:00:00Z,eurusd,buy,1000,market,',
      '2014-05-06T10:00:00Z,XAUUSD,buy,1,market,',
      '2014-05-06T11:00:00Z,GBPUSD,buy,1000,market,',
    ]);
    const venues = new Map([['EURUSD', ['FXCM']], ['XAUUSD', ['OANDA']]]);
    expect(readOrdersFile(file, { venue: 'FXCM', venues }).map((o) => `${o.data.symbol}@${o.data.venue}`)).toEqual(['EURUSD@FXCM', 'XAUUSD@OANDA', 'GBPUSD@FXCM']);
    expect(() => readOrdersFile(file, { venue: 'FXCM', venues: new Map([['EURUSD', ['OANDA', 'FXCM']]]) })).toThrow(
      'venues.csv:2 [symbol]: EURUSD is in the data at OANDA and FXCM, and an orders file names no venue: trade one of them (--venue)',
    );
  });

  it('optional_stop_loss_and_take_profit_columns_when_given_then_carried_as_strings', () => {
    const file = fixture('bracket.csv', [
      'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,market,,1.38000,1.39500',
      '2014-05-01T08:01:00Z,EURUSD,buy,1000,market,,,',
    ]);
    const [withBracket, plain] = readOrdersFile(file, { venue: 'OANDA', account: 'acct-2' });
    expect(withBracket.data).toMatchObject({ stopLoss: '1.38000', takeProfit: '1.39500' });
    expect(withBracket.account).toBe('acct-2');
    expect('stopLoss' in plain.data || 'takeProfit' in plain.data).toBe(false);
  });

  it('bad_rows_when_read_then_one_error_listing_every_bad_line_and_nothing_returned', () => {
    const file = fixture('bad-trades.csv', [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,market,', // 2 good
      '2014-05-01T08:01:00Z,EURUSD,hold,1000,market,', // 3 side
      '2014-05-01T08:02:00Z,EURUSD,buy,0,market,', // 4 zero quantity
      '2014-05-01T08:03:00Z,EURUSD,buy,1e3,market,', // 5 exponent quantity
      '2014-05-01T08:04:00Z,EURUSD,buy,10,limit,', // 6 limit without price
      '2014-05-01T08:05:00Z,EURUSD,buy,10,market,1.3', // 7 market with price
      '2014-05-01T08:06:00Z,EURUSD,buy,10,twap,', // 8 type
      '2014-05-01 08:07:00,EURUSD,buy,10,market,', // 9 timestamp
      '2014-05-01T08:08:00Z,,buy,10,market,', // 10 symbol
      '2014-05-01T08:09:00Z,EURUSD,buy,10,market', // 11 column count
      '2014-05-01T07:00:00Z,EURUSD,buy,10,market,', // 12 out of order
      '2014-05-01T08:10:00Z,EURUSD,sell,10,stop,-1.2', // 13 negative price
    ]);
    let error: unknown;
    try {
      readOrdersFile(file, { venue: 'OANDA' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrdersFileError);
    const problems = (error as OrdersFileError).problems;
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'side'],
      [4, 'quantity'],
      [5, 'quantity'],
      [6, 'price'],
      [7, 'price'],
      [8, 'type'],
      [9, 'timestamp'],
      [10, 'symbol'],
      [11, undefined],
      [12, 'timestamp'],
      [13, 'price'],
    ]);
    const message = (error as Error).message;
    expect(message).toMatch(/^bad-trades\.csv: 11 bad order row\(s\), nothing replayed/);
    for (const line of [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) expect(message).toContain(`bad-trades.csv:${line}`);
    expect(message).toContain('limit orders need a price');
    expect(message).toContain('market orders take no price');
    expect(message).toContain('out of order');
  });

  it('given_a_bad_row_followed_by_an_earlier_one_when_read_then_both_are_listed_in_one_pass', () => {
    const file = fixture('swapped.csv', [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,market,',
      '2014-05-01T09:00:00Z,EURUSD,hold,1000,market,', // 3 side; its time is still the one to beat
      '2014-05-01T08:30:00Z,EURUSD,sell,1000,market,', // 4 earlier than line 3
    ]);
    // Before: line 4 was compared with line 2 only, and reported once line 3's side was fixed.
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(
      'swapped.csv: 2 bad order row(s), nothing replayed\n' +
        '  swapped.csv:3 [side]: side must be buy or sell, got "hold"\n' +
        '  swapped.csv:4 [timestamp]: out of order: 2014-05-01T08:30:00Z is earlier than line 3',
    );
  });

  it('wrong_header_when_read_then_error_on_line_1', () => {
    const file = fixture('nohdr.csv', ['2014-05-01T08:00:00Z,EURUSD,buy,1000,market,']);
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(/nohdr\.csv:1: header must be "timestamp,symbol,side,quantity,type,price"/);
  });
});
