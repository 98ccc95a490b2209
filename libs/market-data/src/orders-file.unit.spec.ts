import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrdersFileError, parseOrders, readOrdersFile } from './index';

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

  it('optional_time_in_force_column_when_given_then_carried_in_upper_case_and_empty_means_none', () => {
    const file = fixture('tif.csv', [
      'timestamp,symbol,side,quantity,type,price,time_in_force',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,limit,1.38000,DAY',
      '2014-05-01T08:01:00Z,EURUSD,buy,1000,market,,ioc',
      '2014-05-01T08:02:00Z,EURUSD,sell,1000,limit,1.39000,Fok',
      '2014-05-01T08:03:00Z,EURUSD,sell,1000,stop,1.37000,gtc',
      '2014-05-01T08:04:00Z,EURUSD,buy,1000,market,,',
    ]);
    const orders = readOrdersFile(file, { venue: 'OANDA' });
    expect(orders.map((o) => o.data.timeInForce)).toEqual(['DAY', 'IOC', 'FOK', 'GTC', undefined]);
    // Empty: the command is the one a file without the column gives (so its run, and its hash, are too).
    expect('timeInForce' in orders[4].data).toBe(false);
    const without = parseOrders('timestamp,symbol,side,quantity,type,price\n\n\n\n\n2014-05-01T08:04:00Z,EURUSD,buy,1000,market,\n', 'tif.csv', { venue: 'OANDA' });
    expect(without).toEqual([orders[4]]);
  });

  it('bracket_and_time_in_force_columns_when_both_given_then_both_carried', () => {
    const file = fixture('bracket-tif.csv', [
      'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit,time_in_force',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,limit,1.38000,1.37500,1.39000,DAY',
      '2014-05-01T08:01:00Z,EURUSD,buy,1000,market,,,,',
    ]);
    const [day, plain] = readOrdersFile(file, { venue: 'OANDA' });
    expect(day.data).toMatchObject({ price: '1.38000', stopLoss: '1.37500', takeProfit: '1.39000', timeInForce: 'DAY' });
    expect(Object.keys(plain.data).sort()).toEqual(['quantity', 'requestedBy', 'side', 'symbol', 'type', 'venue']);
  });

  it('bad_time_in_force_when_read_then_rejected_with_file_line_and_field', () => {
    const file = fixture('bad-tif.csv', [
      'timestamp,symbol,side,quantity,type,price,time_in_force',
      '2014-05-01T08:00:00Z,EURUSD,buy,1000,limit,1.38000,DAY', // 2 good
      '2014-05-01T08:01:00Z,EURUSD,buy,1000,limit,1.38000,GTD', // 3 not a time in force
      '2014-05-01T08:02:00Z,EURUSD,buy,1000,stop,1.39000,IOC', // 4 a stop cannot be IOC
      '2014-05-01T08:03:00Z,EURUSD,sell,1000,stop,1.37000,fok', // 5 nor FOK
      '2014-05-01T08:04:00Z,EURUSD,buy,1000,market,', // 6 column count
    ]);
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(
      'bad-tif.csv: 4 bad order row(s), nothing replayed\n' +
        '  bad-tif.csv:3 [time_in_force]: time_in_force must be GTC, DAY, IOC or FOK (or empty for GTC), got "GTD"\n' +
        '  bad-tif.csv:4 [time_in_force]: a stop order cannot be IOC: it waits for its trigger, and IOC would cancel it on its first bar unless that bar already reached it; use GTC or DAY\n' +
        '  bad-tif.csv:5 [time_in_force]: a stop order cannot be FOK: it waits for its trigger, and FOK would cancel it on its first bar unless that bar already reached it; use GTC or DAY\n' +
        '  bad-tif.csv:6: wrong column count: 6, expected 7',
    );
  });

  it('time_in_force_column_when_not_last_then_the_header_is_refused_saying_the_order', () => {
    const file = fixture('tif-first.csv', ['timestamp,symbol,side,quantity,type,price,time_in_force,stop_loss,take_profit', '2014-05-01T08:00:00Z,EURUSD,buy,1000,market,,DAY,,']);
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(
      'tif-first.csv:1: header must be "timestamp,symbol,side,quantity,type,price" (optionally followed by ",stop_loss,take_profit", then ",time_in_force")',
    );
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

  it('given_a_row_with_several_bad_columns_when_read_then_one_entry_names_each_column_and_what_is_wrong', () => {
    const file = fixture('several.csv', [
      'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit,time_in_force',
      '2014-05-01T08:00:00Z,EURUSD,buy,0,limit,,,,', // 2 quantity and the limit price
      '2014-05-01T08:01:00,EURUSD,hold,-1,stop,1.39,x,,IOC', // 3 timestamp, side, quantity, stop_loss, time_in_force
      '2014-05-01T08:02:00Z,EURUSD,buy,1000,market,,,,', // 4 good
    ]);
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(
      'several.csv: 2 bad order row(s), nothing replayed\n' +
        '  several.csv:2 [quantity, price]: quantity: quantity must be a positive decimal like 0.5, got "0"; price: limit orders need a price\n' +
        '  several.csv:3 [timestamp, side, quantity, stop_loss, time_in_force]: timestamp: ' +
        'no time zone in "2014-05-01T08:01:00": ambiguous; add Z for UTC or the offset it was written in, such as +02:00; side: side must be buy or sell, got "hold"; ' +
        'quantity: quantity must be a positive decimal like 0.5, got "-1"; stop_loss: stop_loss must be a positive decimal or empty, got "x"; ' +
        'time_in_force: a stop order cannot be IOC: it waits for its trigger, and IOC would cancel it on its first bar unless that bar already reached it; use GTC or DAY',
    );
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

  it('given_a_spreadsheet_export_with_a_bom_crlf_and_every_field_quoted_when_read_then_the_same_orders_as_the_plain_file', () => {
    const plain = [
      'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit',
      '2014-05-01T10:03:00Z,EURUSD,buy,1000,market,,1.38000,',
      '2014-05-01T11:00:00Z,EURUSD,sell,1000,limit,1.38800,,',
    ].join('\n');
    const quoted =
      '\uFEFF"timestamp","symbol","side","quantity","type","price","stop_loss","take_profit"\r\n' +
      '"2014-05-01T10:03:00Z","EURUSD","buy","1000","market","","1.38000",""\r\n' +
      ' "2014-05-01T11:00:00Z" , "EURUSD","sell",1000,"limit","1.38800",,\r\n' +
      '"","","","","","","",""\r\n'; // a blank spreadsheet row carries no order
    const expected = parseOrders(plain, 'trades.csv', { venue: 'OANDA' });
    expect(expected).toHaveLength(2);
    // Before: `invalid timestamp: ""2014-05-01T10:03:00Z""` on every row.
    expect(parseOrders(quoted, 'trades.csv', { venue: 'OANDA' })).toEqual(expected);
    // Old Mac line ends (a lone CR) read the same.
    expect(parseOrders(plain.replace(/\n/g, '\r'), 'trades.csv', { venue: 'OANDA' })).toEqual(expected);
  });

  it('given_timestamps_with_an_offset_when_read_then_converted_to_utc_and_without_a_zone_then_refused_as_ambiguous', () => {
    const text = [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-01T12:03:00+02:00,EURUSD,buy,1000,market,', // 2 = 10:03Z
      '2014-05-01T07:30:00.5-04:00,EURUSD,sell,1000,market,', // 3 = 11:30:00.500Z
      '2014-05-01T11:45:00Z,EURUSD,sell,1000,market,', // 4
    ].join('\n');
    expect(parseOrders(text, 'offsets.csv', { venue: 'OANDA' }).map((o) => new Date(o.ts).toISOString())).toEqual([
      '2014-05-01T10:03:00.000Z',
      '2014-05-01T11:30:00.500Z',
      '2014-05-01T11:45:00.000Z',
    ]);
    const bad = [
      'timestamp,symbol,side,quantity,type,price',
      '2014-05-01T10:03:00,EURUSD,buy,1000,market,', // 2 no zone
      '"2014-05-01 10:04:00",EURUSD,buy,1000,market,', // 3 no zone, spreadsheet style
      '2014-05-01T10:05:00+15:00,EURUSD,buy,1000,market,', // 4 no such offset
      '2014-05-01T10:06:00+0200,EURUSD,buy,1000,market,', // 5 offset without its colon
      '2014-02-30T10:07:00+01:00,EURUSD,buy,1000,market,', // 6 no such day
    ].join('\n');
    expect(() => parseOrders(bad, 'local.csv', { venue: 'OANDA' })).toThrow(
      'local.csv: 5 bad order row(s), nothing replayed\n' +
        '  local.csv:2 [timestamp]: no time zone in "2014-05-01T10:03:00": ambiguous; add Z for UTC or the offset it was written in, such as +02:00\n' +
        '  local.csv:3 [timestamp]: no time zone in "2014-05-01 10:04:00": ambiguous; add Z for UTC or the offset it was written in, such as +02:00\n' +
        '  local.csv:4 [timestamp]: invalid timestamp: "2014-05-01T10:05:00+15:00" (a UTC offset is between -12:00 and +14:00)\n' +
        '  local.csv:5 [timestamp]: invalid timestamp: "2014-05-01T10:06:00+0200" (ISO-8601 with Z or an offset such as +02:00 expected, like 2014-05-01T10:03:00Z)\n' +
        '  local.csv:6 [timestamp]: invalid timestamp: "2014-02-30T10:07:00+01:00" (no such date or time)',
    );
  });

  it('given_broken_quoting_when_read_then_each_bad_line_is_named_with_its_field_and_the_lines_after_it_are_still_read', () => {
    const text = [
      'timestamp,symbol,side,quantity,type,price',
      '"2014-05-01T10:00:00Z","EURUSD"x,buy,1000,market,', // 2 text after a closing quote
      '2014-05-01T10:01:00Z,EUR"USD,buy,1000,market,', // 3 quote inside an unquoted field
      '2014-05-01T10:02:00Z,EURUSD,"buy,1000,market,', // 4 quote never closed
      '2014-05-01T10:03:00Z,"EUR""USD",buy,1000,market,', // 5 an escaped quote, read as one: not a symbol
      '2014-05-01T10:04:00Z,EURUSD,buy,abc,market,', // 6 an ordinary bad row after them
      '2014-05-01T10:05:00Z,EURUSD,sell,1000,market,', // 7 good
    ].join('\r\n');
    expect(() => parseOrders(text, 'quotes.csv', { venue: 'OANDA' })).toThrow(
      'quotes.csv: 5 bad order row(s), nothing replayed\n' +
        '  quotes.csv:2 [symbol]: text after the closing quote of a quoted field (a quote inside a field is written "")\n' +
        '  quotes.csv:3 [symbol]: a quote inside an unquoted field (quote the whole field and write the quote as "")\n' +
        '  quotes.csv:4 [side]: a quoted field not closed on its line (no field of an orders file holds a line break)\n' +
        '  quotes.csv:5 [symbol]: invalid symbol "EUR"USD"\n' +
        '  quotes.csv:6 [quantity]: quantity must be a positive decimal like 0.5, got "abc"',
    );
  });

  it('wrong_header_when_read_then_error_on_line_1', () => {
    const file = fixture('nohdr.csv', ['2014-05-01T08:00:00Z,EURUSD,buy,1000,market,']);
    expect(() => readOrdersFile(file, { venue: 'OANDA' })).toThrow(/nohdr\.csv:1: header must be "timestamp,symbol,side,quantity,type,price"/);
  });
});
