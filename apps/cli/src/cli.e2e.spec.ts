import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import { parseEventLog, runBacktest, runSpecOf } from '@tradeloop/runtime';
import { runCli } from './test-support';

const REPO = resolve(__dirname, '../../..');
const DATA = resolve(REPO, '../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');

const run = runCli;

describe('tradeloop backtest — arguments', () => {
  it.each([
    [['backtest'], /required option '--data <file...>'/],
    [['backtest', '--data', EURUSD, '--mode', 'yolo'], /--mode must be one of fully_automated, quality_based, fully_manual, display_only; got "yolo"/],
    [['backtest', '--data', EURUSD, '--threshold', '120'], /--threshold must be between 0 and 100, got 120/],
    [['backtest', '--data', EURUSD, '--approval-ttl', '0'], /--approval-ttl must be between 1 and 31536000000/],
    [['backtest', '--data', EURUSD, '--risk', 'abc'], /--risk expects a number, got "abc"/],
    [['backtest', '--data', EURUSD, '--cash', '-5'], /--cash expects a positive decimal amount/],
    [['backtest', '--data', EURUSD, '--from', 'yesterday'], /--from expects an ISO-8601 UTC time/],
    [['backtest', '--data', EURUSD, '--seed', '1.5'], /--seed expects a whole number/],
    [['backtest', '--data', EURUSD, '--bogus'], /unknown option '--bogus'/],
    [['backtest', '--data', EURUSD, '--currency', 'US$'], /--currency expects a currency code like USD, EUR or USDT, got "US\$"/],
  ])('bad_arguments_%#_then_exit_1_naming_the_problem', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message as RegExp);
  });

  it.each([
    [['--symbol', 'EUR USD'], '--symbol must be a symbol like EURUSD or BTC-PERP (letters, digits, . and -; at most 32 characters), got "EUR USD"'],
    [['--symbol', 'EUR/USD'], '--symbol must be a symbol like EURUSD or BTC-PERP'],
    [['--symbol', ''], '--symbol must be a symbol like EURUSD or BTC-PERP'],
    [['--symbol', 'eurusd', '--venue', 'md.batch.>'], '--venue must be a venue like OANDA (letters and digits, starting with a letter; at most 32 characters), got "md.batch.>"'],
  ])('given_%j_for_a_file_whose_name_does_not_say_its_market_then_exit_1_by_the_rule_the_market_data_service_applies', async (flags, message) => {
    // Before, these named the data: 'EUR USD@OANDA' and 'EURUSD@MD.BATCH.>' bars were run on.
    const dir = mkdtempSync(join(tmpdir(), 'tl-market-flags-'));
    const file = join(dir, 'prices.csv');
    writeFileSync(file, readFileSync(EURUSD, 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
    const r = await run(['backtest', '--data', file, '--venue', 'oanda', ...flags, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('given_symbol_and_venue_with_spaces_around_them_then_trimmed_as_the_service_trims_them', async () => {
    const r = await run(['backtest', '--data', EURUSD, '--symbol', ' eurusd ', '--venue', 'oanda ', '--to', '2014-05-02', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv: \d+ 1m bars of EURUSD@OANDA\n/);
  });

  it.each([
    ['--from', '2014-04-31'],
    ['--to', '2014-02-30T00:00:00Z'],
    ['--from', '2014-05-05T24:00'],
    ['--to', '2014-05-05T23:60'],
  ])('given_a_time_that_does_not_exist_when_passed_as_%s_%s_then_exit_1_instead_of_a_window_rolled_over_into_the_next_day', async (option, value) => {
    // Before, Date.parse read 2014-04-31 as 2014-05-01 and 2014-02-30 as 2014-03-02, and the run went ahead.
    const r = await run(['backtest', '--data', EURUSD, option, value, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${option}: "${value}" is not a valid date and time`);
  });

  it('given_from_and_to_in_each_accepted_form_when_run_then_the_window_is_the_same', async () => {
    const bars = async (from: string, to: string): Promise<string> => {
      const r = await run(['backtest', '--data', EURUSD, '--from', from, '--to', to, '--mode', 'display_only', '--no-progress']);
      expect(r.code).toBe(0);
      return r.err.split('\n')[0];
    };
    const loaded = await bars('2014-05-05', '2014-05-06T12:00');
    expect(loaded).toMatch(/: 2040 1m bars of EURUSD@OANDA$/);
    expect(await bars('2014-05-05T00:00:00Z', '2014-05-06T12:00:00.000Z')).toBe(loaded);
    expect(await bars('2014-05-05T00:00', '2014-05-06T12:00:00')).toBe(loaded);
  });

  it('threshold_given_in_a_mode_that_ignores_it_then_a_warning_says_so', async () => {
    const r = await run(['backtest', '--data', EURUSD, '--mode', 'fully_automated', '--threshold', '90', '--to', '2014-05-02', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: --threshold 90 has no effect in fully_automated mode (only quality_based compares quality with it)');
    const quiet = await run(['backtest', '--data', EURUSD, '--mode', 'fully_automated', '--to', '2014-05-02', '--no-progress']);
    expect(quiet.err).not.toContain('warning');
  });

  it('missing_file_then_exit_2_naming_it', async () => {
    const r = await run(['backtest', '--data', '/nope/missing.csv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.csv/);
  });

  it('the_same_market_twice_at_the_same_time_then_exit_2_naming_both_files_and_the_overlap', async () => {
    const r = await run(['backtest', '--data', EURUSD, EURUSD, '--to', '2014-05-03']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv and EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv both hold EURUSD@OANDA bars from 2014-05-01T00:00:00\.000Z to 2014-05-02T20:59:00\.000Z/,
    );
    expect(r.out).not.toMatch(/event-log sha256/);
  });

  it('one_market_in_files_that_follow_each_other_then_one_run_over_both', async () => {
    const later = resolve(DATA, 'forex/EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31.csv');
    const r = await run(['backtest', '--data', EURUSD, later, '--to', '2017-01-10', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31\.csv: \d+ 1h bars of EURUSD@OANDA/);
  });

  it('from_after_to_then_exit_2', async () => {
    const r = await run(['backtest', '--data', EURUSD, '--from', '2014-05-10', '--to', '2014-05-02']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--from must be before --to/);
  });
});

describe('tradeloop backtest — runs', () => {
  it('window_with_out_dir_then_writes_report_events_chart_and_hash_last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-cli-'));
    const r = await run([
      'backtest', '--data', EURUSD, '--from', '2014-05-05', '--to', '2014-05-08',
      '--mode', 'fully_automated', '--fee-bps', '1', '--out', dir,
    ]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^event-log sha256: [0-9a-f]{64}$/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    for (const k of ['trades', 'winRate', 'netPnl', 'fees', 'maxDrawdown', 'sharpe', 'startingCash', 'finalCash', 'finalEquity']) {
      expect(report.summary).toHaveProperty(k);
    }
    expect(typeof report.summary.netPnl).toBe('string');
    for (const f of report.fills) {
      expect(Object.keys(f).sort()).toEqual(['clientOrderId', 'fee', 'feeCurrency', 'orderId', 'price', 'quantity', 'side', 'symbol', 'ts', 'venue'].sort());
      expect(f.price).toMatch(/^\d+(\.\d+)?$/);
    }
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(events[0]).type).toBe('RunStarted');
    const hash = createHash('sha256').update(readFileSync(join(dir, 'events.ndjson'))).digest('hex');
    expect(lines[lines.length - 1]).toBe(`event-log sha256: ${hash}`);
    expect(readFileSync(join(dir, 'equity.html'), 'utf8')).toMatch(/<svg/);
    expect(report.fills.length).toBe(report.stages.fills);
  });

  it('orders_csv_when_replayed_then_fills_through_risk_governor_executor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-orders-'));
    const orders = join(dir, 'orders.csv');
    writeFileSync(
      orders,
      'timestamp,symbol,side,quantity,type,price\n' +
        '2014-05-06T09:00:30Z,EURUSD,buy,10000,market,\n' +
        '2014-05-06T15:00:00Z,EURUSD,sell,10000,market,\n' +
        '2014-05-07T09:00:00Z,EURUSD,sell,5000,limit,1.39600\n',
    );
    const r = await run(['backtest', '--data', EURUSD, '--orders', orders, '--mode', 'fully_automated', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/manual orders\s+3/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.fills.length).toBeGreaterThanOrEqual(2);
    expect(report.fills[0].side).toBe('buy');
    // filled at the open of the 09:01 bar, stamped when that bar closed
    expect(report.fills[0].ts).toBe('2014-05-06T09:02:00.000Z');
    expect(report.stages.signals).toBe(0);
  });

  it('given_eurusd_at_fxcm_and_gold_at_oanda_when_an_orders_csv_trades_both_then_each_order_goes_to_its_symbols_venue_and_fills', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-orders-venues-'));
    const orders = join(dir, 'orders.csv');
    writeFileSync(
      orders,
      'timestamp,symbol,side,quantity,type,price\n' +
        '2014-05-06T09:00:00Z,EURUSD,buy,10000,market,\n' +
        '2014-05-06T10:00:00Z,EURUSD,sell,10000,market,\n' +
        '2014-05-06T11:00:00Z,XAUUSD,buy,1,market,\n' +
        '2014-05-06T12:00:00Z,XAUUSD,sell,1,market,\n',
    );
    const fxcm = resolve(DATA, 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv');
    const gold = resolve(DATA, 'ticks/XAUUSD_OANDA_ticks_2014-05-06.csv');
    const r = await run(['backtest', '--data', fxcm, gold, '--from', '2014-05-06', '--to', '2014-05-07', '--orders', orders, '--no-progress', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    // Before, every order went to the first bar's venue (FXCM), where there is no gold: NO_MARKET_PRICE 2.
    expect(r.out).toMatch(/risk +4 approved, 0 denied \(none\)/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { fills: { symbol: string; venue: string }[] };
    expect(report.fills.map((f) => `${f.symbol}@${f.venue}`)).toEqual(['EURUSD@FXCM', 'EURUSD@FXCM', 'XAUUSD@OANDA', 'XAUUSD@OANDA']);
    const replay = await run(['replay', '--log', join(dir, 'out', 'events.ndjson'), '--data', fxcm, gold, '--orders', orders]);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);

    // One symbol at two venues: an orders file names none, so it is refused unless --venue chooses.
    const both = await run(['backtest', '--data', EURUSD, fxcm, '--from', '2014-05-06', '--to', '2014-05-07', '--orders', orders, '--no-progress']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('orders.csv:2 [symbol]: EURUSD is in the data at OANDA and FXCM, and an orders file names no venue: trade one of them (--venue)');
    const chosen = await run(['backtest', '--data', EURUSD, fxcm, '--venue', 'fxcm', '--from', '2014-05-06', '--to', '2014-05-07', '--orders', orders, '--no-progress']);
    expect(chosen.code).toBe(0);
    expect(chosen.out).toMatch(/risk +2 approved, 2 denied \(NO_MARKET_PRICE 2\)/);
  });

  it('given_a_quoted_crlf_trade_log_export_with_offsets_when_backtested_then_it_fills_as_the_plain_utc_file_and_a_local_time_is_refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-quoted-orders-'));
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'timestamp,symbol,side,quantity,type,price\n2014-05-06T10:03:00Z,EURUSD,buy,10000,market,\n2014-05-06T14:00:00Z,EURUSD,sell,10000,market,\n');
    const exported = join(dir, 'exported.csv');
    writeFileSync(
      exported,
      '\uFEFF"timestamp","symbol","side","quantity","type","price"\r\n' +
        '"2014-05-06T10:03:00Z","EURUSD","buy","10000","market",""\r\n' +
        '"2014-05-06T16:00:00+02:00","EURUSD","sell","10000","market",""\r\n',
    );
    const window = ['--data', EURUSD, '--from', '2014-05-06', '--to', '2014-05-07', '--mode', 'fully_automated', '--no-progress'];
    const a = await run(['backtest', ...window, '--orders', plain, '--out', join(dir, 'a')]);
    // Before: exit 2, `exported.csv:2 [timestamp]: invalid timestamp: ""2014-05-06T10:03:00Z""`.
    const b = await run(['backtest', ...window, '--orders', exported, '--out', join(dir, 'b')]);
    expect(a.code).toBe(0);
    expect([b.code, b.err]).toEqual([0, expect.not.stringContaining('error')]);
    // Ids derive from the orders file's name; the fills themselves must be the same.
    const fills = (d: string) =>
      (JSON.parse(readFileSync(join(dir, d, 'report.json'), 'utf8')) as { fills: { ts: string; side: string; quantity: string; price: string }[] }).fills.map(
        (f) => `${f.ts} ${f.side} ${f.quantity} @ ${f.price}`,
      );
    expect(fills('b')).toHaveLength(2);
    expect(fills('b')).toEqual(fills('a'));

    const local = join(dir, 'local.csv');
    writeFileSync(local, '"timestamp","symbol","side","quantity","type","price"\r\n"2014-05-06 10:03:00","EURUSD","buy","10000","market",""\r\n');
    const c = await run(['backtest', ...window, '--orders', local]);
    expect(c.code).toBe(2);
    expect(c.err).toContain(
      'local.csv:2 [timestamp]: no time zone in "2014-05-06 10:03:00": ambiguous; add Z for UTC or the offset it was written in, such as +02:00',
    );
  });

  it('orders_csv_with_a_time_in_force_column_when_backtested_then_ioc_is_cancelled_day_expires_and_the_log_replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-orders-tif-'));
    const orders = join(dir, 'orders.csv');
    // EURUSD trades near 1.392 on 6 May 2014: a buy limit at 1.38 is not reached that day or the next.
    writeFileSync(
      orders,
      'timestamp,symbol,side,quantity,type,price,time_in_force\n' +
        '2014-05-06T09:00:00Z,EURUSD,buy,5000,limit,1.38000,IOC\n' +
        '2014-05-06T09:01:00Z,EURUSD,buy,5000,limit,1.38000,day\n' +
        '2014-05-06T09:02:00Z,EURUSD,buy,10000,market,,FOK\n' +
        '2014-05-06T09:03:00Z,EURUSD,sell,10000,market,,\n',
    );
    const window = ['--data', EURUSD, '--from', '2014-05-06', '--to', '2014-05-08', '--no-progress'];
    const r = await run(['backtest', ...window, '--orders', orders, '--mode', 'fully_automated', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/orders +4 submitted, 2 filled, 1 cancelled, 0 rejected, 1 expired \(2 fills\)/);
    const events = readFileSync(join(dir, 'out', 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const submitted = events.filter((e) => e.type === 'OrderSubmitted').map((e) => e.data.timeInForce);
    expect(submitted).toEqual(['IOC', 'DAY', 'FOK', 'GTC']);
    // The IOC's first eligible bar is the one opening at 09:00, when it was placed; it closes at 09:01.
    const cancelled = events.find((e) => e.type === 'OrderCancelled');
    expect([cancelled.ts, cancelled.data.reason]).toEqual([Date.parse('2014-05-06T09:01:00Z'), 'ioc_unfilled']);
    // The DAY order expires on the first bar of 7 May.
    expect(events.find((e) => e.type === 'OrderExpired').ts).toBe(Date.parse('2014-05-07T00:01:00Z'));
    const replay = await run(['replay', '--log', join(dir, 'out', 'events.ndjson'), '--data', EURUSD, '--orders', orders]);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);

    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price,time_in_force\n2014-05-06T09:00:00Z,EURUSD,buy,10000,limit,1.38000,GTD\n2014-05-06T09:01:00Z,EURUSD,buy,10000,stop,1.40000,IOC\n');
    const bad = await run(['backtest', ...window, '--orders', orders]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('orders.csv:2 [time_in_force]: time_in_force must be GTC, DAY, IOC or FOK (or empty for GTC), got "GTD"');
    expect(bad.err).toContain('orders.csv:3 [time_in_force]: a stop order cannot be IOC');
  });

  it('bad_orders_csv_then_exit_2_listing_lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-badorders-'));
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price\n2014-05-06T09:00:00Z,EURUSD,hold,10000,market,\n2014-05-06T09:00:00Z,EURUSD,buy,-1,market,\n');
    const r = await run(['backtest', '--data', EURUSD, '--orders', orders]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/orders\.csv:2/);
    expect(r.err).toMatch(/orders\.csv:3/);
  });

  it('given_more_than_five_bad_rows_when_backtested_with_and_without_out_then_the_rest_are_pointed_to_where_they_are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-many-bad-'));
    const src = readFileSync(EURUSD, 'utf8').split('\n').slice(0, 500);
    for (const i of [10, 20, 30, 40, 50, 60, 70]) src[i] = src[i].replace(/^([^,]+),[^,]+,/, '$1,NaN,');
    const file = join(dir, 'EURUSD_OANDA_1m_quotebars_many_bad.csv');
    writeFileSync(file, src.join('\n') + '\n');
    // Before, without --out: '… and 2 more (all in events.ndjson)', a file nothing wrote.
    const bare = await run(['backtest', '--data', file, '--no-progress']);
    expect(bare.err).toContain('  … and 2 more (every one in events.ndjson with --out)\n');
    const out = await run(['backtest', '--data', file, '--no-progress', '--out', join(dir, 'out')]);
    expect(out.err).toContain('  … and 2 more (all in events.ndjson)\n');
    expect(readFileSync(join(dir, 'out', 'events.ndjson'), 'utf8').split('"type":"DataRejected"')).toHaveLength(8);
  });

  it('bad_rows_in_data_then_rejected_with_line_and_never_traded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-bad-'));
    const src = readFileSync(EURUSD, 'utf8').split('\n').slice(0, 3000);
    src[10] = src[10].replace(/,1\.3\d+,/, ',NaN,');
    src[20] = src[19]; // duplicate timestamp
    const file = join(dir, 'EURUSD_OANDA_1m_quotebars_test.csv');
    writeFileSync(file, src.join('\n') + '\n');
    const r = await run(['backtest', '--data', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/EURUSD_OANDA_1m_quotebars_test\.csv:11/);
    expect(r.err).toMatch(/EURUSD_OANDA_1m_quotebars_test\.csv:21/);
    const events = readFileSync(join(dir, 'out', 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const rejected = events.filter((e) => e.type === 'DataRejected');
    expect(rejected.map((e) => e.data.line).sort((a: number, b: number) => a - b)).toEqual([11, 21]);
  });
});

describe('tradeloop backtest — coin-margined (inverse) contracts', () => {
  const CROSS = resolve(DATA, 'crypto/cross_venue_2022-12-13');
  const COINM = resolve(CROSS, 'BTCUSD_BINANCE_coinmperp_1m_quotebars.csv');

  it.each([
    ['quote_bars', COINM],
    ['an_order_book', resolve(DATA, 'orderbook/BTCUSD_BINANCE_coinmperp_2024-08-08T2354_2024-08-09T0000_L2top20_1s.csv')],
  ])('given_binance_coin_m_%s_when_backtested_then_refused_at_start_naming_the_file_instead_of_a_linear_usd_pnl', async (_kind, file) => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-inverse-'));
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price\n2022-12-13T01:00:00Z,BTCUSD-PERP,buy,1,market,\n2022-12-13T15:00:00Z,BTCUSD-PERP,sell,1,market,\n');
    // Before: `net P&L 718.10 USD` for one BTC bought at 01:00 and sold at 15:00 on the quote
    // bars; an inverse contract's P&L is in BTC: contracts × contract value × (1/entry − 1/exit).
    for (const args of [['--orders', orders], []]) {
      const r = await run(['backtest', '--data', file, ...args, '--mode', 'fully_automated', '--max-position', '1', '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.out).not.toContain('net P&L');
      expect(r.err).toContain(
        `error: ${file.split('/').pop()} holds BTCUSD-PERP@BINANCE, a coin-margined (inverse) contract: its P&L is in BTC, ` +
          'contracts × contract value × (1/entry − 1/exit), and inverse contracts are not modelled yet ' +
          '(it would be traded as a linear contract of 1 BTC with P&L in USD). Leave the file out, or choose the other files with --symbol/--venue',
      );
    }
  });

  it('given_coin_m_data_passed_over_by_symbol_when_backtested_then_the_other_market_runs', async () => {
    const linear = resolve(CROSS, 'BTCUSDT_BYBIT_linearperp_1m_quotebars.csv');
    const r = await run(['backtest', '--data', COINM, linear, '--symbol', 'btcusdt-perp', '--no-progress']);
    expect(r.err).toContain('loaded BTCUSD_BINANCE_coinmperp_1m_quotebars.csv: 0 1m bars of BTCUSD-PERP@BINANCE (passed over: not BTCUSDT-PERP)');
    expect(r.code).toBe(0);
  });
});

describe('tradeloop backtest — bars resampled', () => {
  it('one_minute_bars_with_aggregate_15m_then_a_run_on_15m_bars_that_replays_identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-15m-'));
    const r = await run(['backtest', '--data', EURUSD, '--aggregate', '15m', '--mode', 'fully_automated', '--no-progress', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv: \d+ 15m bars of EURUSD@OANDA\n/);
    const signal = readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n').find((l) => l.includes('"type":"SignalDetected"'));
    expect(JSON.parse(signal!).data.timeframe).toBe('15m');
    const replay = await run(['replay', '--log', join(dir, 'events.ndjson'), '--data', EURUSD]);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);
  });
});

describe('tradeloop backtest — an order-book file', () => {
  it('given_a_book_file_with_a_bad_first_row_of_a_snapshot_when_backtested_then_one_data_rejected_event_per_line_and_every_id_unique', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-book-bad-'));
    const rows = readFileSync(resolve(DATA, 'orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv'), 'utf8').split('\n');
    // Line 42 is the first row (best bid) of the snapshot of 23:54:16.
    expect(rows[41]).toMatch(/^2024-08-08T23:54:16\.000000Z,bid,[\d.]+,[\d.]+,1$/);
    rows[41] = rows[41].replace(/,bid,[\d.]+,/, ',bid,-5,');
    const file = join(dir, 'BTCUSDT_BINANCE_spot_bad_L2top20_1s.csv');
    writeFileSync(file, rows.join('\n'));
    const r = await run(['backtest', '--data', file, '--no-progress', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('1 rows rejected\n  rejected BTCUSDT_BINANCE_spot_bad_L2top20_1s.csv:42 (price): non-positive price: -5; snapshot 2024-08-08T23:54:16.000000Z rejected with it\n');
    expect(r.out).toContain('(1 data rows rejected)');
    const events = readFileSync(join(dir, 'out', 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; type: string });
    expect(events.filter((e) => e.type === 'DataRejected').map((e) => e.id)).toEqual(['rejected:BTCUSDT_BINANCE_spot_bad_L2top20_1s.csv:42']);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('book_snapshots_then_traded_on_their_top_of_book_and_replayed_identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-book-'));
    const book = resolve(DATA, 'orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv');
    const r = await run(['backtest', '--data', book, '--no-progress', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('loaded BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv: 12 1m top-of-book bars of BTCUSDT@BINANCE\n');
    expect(r.out).toMatch(/\n +bars +12 \(/);
    const replay = await run(['replay', '--log', join(dir, 'events.ndjson'), '--data', book]);
    expect(replay.code).toBe(0);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);
  });
});

describe('tradeloop backtest — instruments quoted in another currency than the account', () => {
  it('gbpusd_and_usdjpy_in_a_usd_account_then_yen_fills_are_booked_in_dollars_and_cash_adds_up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-fx-'));
    const gbpusd = resolve(DATA, 'forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv');
    const usdjpy = resolve(DATA, 'forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv');
    const r = await run(['backtest', '--data', gbpusd, usdjpy, '--bar-timestamp', 'close', '--mode', 'fully_automated', '--fee-bps', '1', '--no-progress', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/, 0 rejected,/);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const fills = events.filter((e) => e.type === 'OrderFilled').map((e) => e.data);
    const yen = fills.filter((f) => f.symbol === 'USDJPY');
    expect(yen.length).toBeGreaterThan(10);
    expect(yen.every((f) => f.feeCurrency === 'JPY' && f.accountCurrency === 'USD' && Number(f.conversionRate) > 0)).toBe(true);
    expect(fills.filter((f) => f.symbol === 'GBPUSD').every((f) => f.accountCurrency === undefined)).toBe(true);
    // cash = start + Σ realised − Σ fees, in dollars, to the cent: the yen amounts as converted.
    const realised = events
      .filter((e) => e.type === 'PositionClosed' && e.data.currency === 'USD')
      .reduce((sum, e) => sum + Math.round(Number(e.data.grossPnl) * 100), 0);
    const converted = yen.reduce((sum, f) => sum + Math.round(Number(f.accountRealizedPnl) * 100), 0);
    const fees = fills.reduce((sum, f) => sum + Math.round(Number(f.accountFee ?? f.fee) * 100), 0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(Math.round(Number(report.summary.finalCash) * 100)).toBe(100000 * 100 + realised + converted - fees);
    const last = events.filter((e) => e.type === 'AccountUpdated').pop();
    expect(last.data.currency).toBe('USD');
    expect(last.data.cash).toBe(report.summary.finalCash);
    // report.json's fills say their market and money, so their fees add up to the summary's.
    const rows = report.fills as Array<Record<string, string>>;
    expect(rows.length).toBe(fills.length);
    expect(rows.filter((f) => f.symbol === 'USDJPY').every((f) => f.venue === 'FXCM' && f.feeCurrency === 'JPY' && f.accountCurrency === 'USD' && Number(f.conversionRate) > 0)).toBe(true);
    expect(rows.filter((f) => f.symbol === 'GBPUSD').every((f) => f.feeCurrency === 'USD' && !('accountFee' in f))).toBe(true);
    expect(rows.reduce((sum, f) => sum + Math.round(Number(f.accountFee ?? f.fee) * 100), 0)).toBe(Math.round(Number(report.summary.fees) * 100));
  });
});

describe('tradeloop backtest — one symbol at two venues', () => {
  it('eurusd_at_oanda_and_fxcm_then_every_fill_is_on_its_own_venues_bar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-venues-'));
    const fxcm = resolve(DATA, 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv');
    const r = await run(['backtest', '--data', EURUSD, fxcm, '--to', '2014-05-08', '--mode', 'fully_automated', '--no-progress', '--out', dir]);
    expect(r.code).toBe(0);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const fills = events.filter((e) => e.type === 'OrderFilled');
    const venues = new Set(fills.map((f) => f.data.venue));
    expect([...venues].sort()).toEqual(['FXCM', 'OANDA']);
    // The bar a fill happened on is its cause: md:<venue>:<symbol>:<timeframe>:<open time>.
    expect(fills.filter((f) => f.causationId.split(':')[1] !== f.data.venue)).toEqual([]);
  });
});

describe('tradeloop backtest — --approval-ttl', () => {
  it('fully_manual_with_a_ttl_then_every_request_expires_after_it_the_ttl_is_recorded_and_the_log_replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-ttl-'));
    const r = await run(['backtest', '--data', EURUSD, '--to', '2014-05-03', '--mode', 'fully_manual', '--approval-ttl', '90000', '--no-progress', '--out', dir]);
    expect(r.code).toBe(0);
    const events = parseEventLog(readFileSync(join(dir, 'events.ndjson'), 'utf8'), 'events.ndjson');
    expect(JSON.parse((events[0].data as { config: Record<string, string> }).config.governor)).toEqual({ approvalTtlMs: 90000 });
    const requests = events.filter((e) => e.type === 'ApprovalRequested');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((e) => (e.data as { expiresAt: number }).expiresAt === e.ts + 90000)).toBe(true);
    expect(events.filter((e) => e.type === 'ApprovalExpired').length).toBe(requests.length);
    const replay = await run(['replay', '--log', join(dir, 'events.ndjson'), '--data', EURUSD]);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);
    // The governor's default is not recorded: such a run's log is what it always was.
    const plain = mkdtempSync(join(tmpdir(), 'tl-ttl-'));
    await run(['backtest', '--data', EURUSD, '--to', '2014-05-03', '--mode', 'fully_manual', '--approval-ttl', '300000', '--no-progress', '--out', plain]);
    const first = parseEventLog(readFileSync(join(plain, 'events.ndjson'), 'utf8'), 'events.ndjson')[0];
    expect((first.data as { config: Record<string, string> }).config.governor).toBeUndefined();
  });
});

describe('tradeloop backtest — crypto quoted in euros', () => {
  it('given_a_btceur_file_when_backtested_then_the_account_and_pnl_are_in_eur_not_usd', async () => {
    // A user's BTC-EUR recording (here the Coinbase bars, under that market's name).
    const dir = mkdtempSync(join(tmpdir(), 'tl-btceur-'));
    const file = join(dir, 'BTCEUR_COINBASE_1m_trades.csv');
    writeFileSync(file, readFileSync(resolve(DATA, 'crypto/coinbase/BTCUSD_COINBASE_1m_trades_2018-04-04_2018-04-06.csv')));
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price\n2018-04-04T10:00:00Z,BTCEUR,buy,1,market,\n2018-04-04T16:00:00Z,BTCEUR,sell,1,market,\n');
    const r = await run(['backtest', '--data', file, '--orders', orders, '--mode', 'fully_automated', '--max-position', '1', '--no-progress', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    // Before: `cash 100000 USD`, and the euro P&L booked as dollars.
    expect(r.err).toContain('cash 100000 EUR');
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { fills: { feeCurrency: string }[] };
    expect(report.fills.map((f) => f.feeCurrency)).toEqual(['EUR', 'EUR']);
  });
});

describe('tradeloop backtest — --currency', () => {
  const usdjpy = resolve(DATA, 'forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv');
  const WEEK = ['--bar-timestamp', 'close', '--to', '2013-02-08', '--mode', 'fully_automated', '--no-progress'];

  it('usdjpy_in_a_usd_account_then_cash_in_dollars_every_fill_converted_and_the_log_replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-ccy-'));
    const r = await run(['backtest', '--data', usdjpy, ...WEEK, '--currency', 'usd', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('cash 100000 USD');
    expect(r.err).not.toContain('warning');
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const fills = events.filter((e) => e.type === 'OrderFilled');
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.data.feeCurrency === 'JPY' && f.data.accountCurrency === 'USD')).toBe(true);
    expect(events.filter((e) => e.type === 'AccountUpdated').every((e) => e.data.currency === 'USD')).toBe(true);
    const replay = await run(['replay', '--log', join(dir, 'events.ndjson'), '--data', usdjpy]);
    expect(replay.out).toMatch(/replay identical: \d+ events, byte for byte/);
  });

  it('an_account_currency_nothing_in_the_data_converts_into_then_a_warning_and_every_order_denied_for_it', async () => {
    const r = await run(['backtest', '--data', usdjpy, ...WEEK, '--currency', 'EUR']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: USDJPY is quoted in JPY and nothing in the data converts JPY into the account currency EUR (add JPYEUR or EURJPY data): its orders will be denied');
    expect(r.out).toMatch(/risk +0 approved, (\d+) denied \(NO_MARKET_PRICE \1\)/);
  });
});

describe('tradeloop backtest — --symbol and --venue never relabel a named file', () => {
  const FXCM = resolve(DATA, 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv');
  const DAY = ['--from', '2014-05-06', '--to', '2014-05-07', '--no-progress'];

  it.each([
    [['--symbol', 'GBPUSD'], /--symbol GBPUSD matches none of the data: EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv \(EURUSD@OANDA\)/],
    [['--venue', 'FXCM'], /--venue FXCM matches none of the data: EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv \(EURUSD@OANDA\)/],
  ])('a_file_named_otherwise_%#_then_exit_2_and_nothing_traded', async (flags, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-sym-'));
    const r = await run(['backtest', '--data', EURUSD, ...(flags as string[]), ...DAY, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(r.out).not.toMatch(/event-log sha256/);
    expect(existsSync(join(dir, 'events.ndjson'))).toBe(false);
  });

  it('the_file_names_own_symbol_in_any_case_then_runs_on_it', async () => {
    const r = await run(['backtest', '--data', EURUSD, '--symbol', 'eurusd', '--venue', 'oanda', ...DAY]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv: \d+ 1m bars of EURUSD@OANDA\n/);
  });

  it('several_files_then_venue_chooses_among_them', async () => {
    const fxcmBars = readMarketDataFile(FXCM, { from: Date.UTC(2014, 4, 6), to: Date.UTC(2014, 4, 7) }).bars.length;
    const r = await run(['backtest', '--data', EURUSD, FXCM, '--venue', 'fxcm', ...DAY]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv: 0 1m bars of EURUSD@OANDA \(passed over: not FXCM\)/);
    expect(r.err).toContain(`loaded EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv: ${fxcmBars} 1m bars of EURUSD@FXCM\n`);
    expect(r.out).toMatch(new RegExp(`\\n +bars +${fxcmBars} \\(`));
  });

  it('given_a_file_with_bad_rows_that_the_venue_passes_over_when_backtested_then_its_rows_are_neither_logged_nor_counted_as_the_service_publishes_none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-passed-bad-'));
    const rows = readFileSync(FXCM, 'utf8').split('\n').slice(0, 3000);
    rows[10] = rows[10].replace(/^([^,]+),[^,]+,/, '$1,NaN,');
    const bad = join(dir, 'EURUSD_FXCM_1m_quotebars_broken.csv');
    writeFileSync(bad, `${rows.join('\n')}\n`);
    const r = await run(['backtest', '--data', EURUSD, bad, '--venue', 'oanda', ...DAY, '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('loaded EURUSD_FXCM_1m_quotebars_broken.csv: 0 1m bars of EURUSD@FXCM (passed over: not OANDA)\n');
    expect(r.err).not.toContain('rejected');
    expect(r.out).toContain('(0 data rows rejected)');
    expect(readFileSync(join(dir, 'out', 'events.ndjson'), 'utf8')).not.toContain('"DataRejected"');
    // The same file played: its bad row is rejected and counted.
    const played = await run(['backtest', '--data', bad, '--no-progress']);
    expect(played.err).toContain('rejected EURUSD_FXCM_1m_quotebars_broken.csv:11 (open): not a number: "NaN"');
    expect(played.out).toContain('(1 data rows rejected)');
  });

  it.each([
    [[], 'pass --symbol and --venue to name them'],
    [['--symbol', 'eurusd'], 'pass --venue to name them'],
    [['--venue', 'oanda'], 'pass --symbol to name them'],
  ])('given_a_file_whose_name_does_not_say_its_market_when_%j_then_exit_2_naming_the_flags_missing', async (flags, missing) => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-anon-flags-'));
    const file = join(dir, 'prices.csv');
    writeFileSync(file, readFileSync(EURUSD, 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
    // Before: 'cannot infer symbol and venue from the file name …; pass them explicitly', naming no flag.
    const r = await run(['backtest', '--data', file, ...flags, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`prices.csv does not say its symbol and venue in the name (SYMBOL_VENUE_…, like EURUSD_OANDA_1m.csv): ${missing}, or rename the file`);
  });

  it('a_file_whose_name_does_not_say_then_named_by_the_flags_in_upper_case', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-anon-'));
    const file = join(dir, 'prices.csv');
    writeFileSync(file, readFileSync(EURUSD, 'utf8').split('\n').slice(0, 2000).join('\n') + '\n');
    const r = await run(['backtest', '--data', file, '--symbol', 'eurusd', '--venue', 'oanda', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/loaded prices\.csv: 1999 1m bars of EURUSD@OANDA\n/);
  });
});

describe('tradeloop backtest — risk limits as options', () => {
  // A trader's log on a 100 000 USD account: 20 000 EURUSD (27 800 USD, 28% of equity) twice, the
  // first round trip a loss of 4.80 USD, the second entry 4 minutes after it. Denied, the last
  // sell would open a short.
  const dir = mkdtempSync(join(tmpdir(), 'tl-limits-'));
  const orders = join(dir, 'trades.csv');
  writeFileSync(
    orders,
    'timestamp,symbol,side,quantity,type,price\n' +
      '2014-05-01T10:00:00Z,EURUSD,buy,20000,market,\n' +
      '2014-05-01T10:03:00Z,EURUSD,sell,20000,market,\n' +
      '2014-05-01T10:08:00Z,EURUSD,buy,20000,market,\n' +
      '2014-05-01T10:30:00Z,EURUSD,sell,20000,market,\n',
  );
  const backtest = (out: string, ...flags: string[]) =>
    run(['backtest', '--data', EURUSD, '--orders', orders, '--to', '2014-05-01T12:00', '--mode', 'fully_automated', '--no-progress', '--out', join(dir, out), ...flags]);
  const report = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8'));

  it('given_limits_when_backtested_then_the_log_is_judged_by_them_and_they_are_recorded_and_replayed', async () => {
    // Risk's defaults: 25% of equity per position, 15 minutes of cooldown after a loss.
    const defaults = await backtest('defaults');
    expect(defaults.code).toBe(0);
    expect(report('defaults').stages.risk.deniedByReason).toEqual({ MAX_POSITION: 4 });

    const wider = await backtest('wider', '--max-position', '0.5');
    expect(wider.code).toBe(0);
    expect(report('wider').stages.risk.deniedByReason).toEqual({ COOLDOWN: 1 });

    const free = await backtest('free', '--max-position', '0.5', '--cooldown', '0');
    expect(free.code).toBe(0);
    expect(report('free').stages.risk.deniedByReason).toEqual({});
    expect(report('free').fills).toHaveLength(4);
    const started = JSON.parse(readFileSync(join(dir, 'free', 'events.ndjson'), 'utf8').split('\n')[0]);
    expect(JSON.parse(started.data.config.risk)).toEqual({ maxPositionPct: 0.5, cooldownMs: 0 });
    const again = await run(['replay', '--log', join(dir, 'free', 'events.ndjson'), '--data', EURUSD, '--orders', orders]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('replay identical');

    const streak = await backtest('streak', '--max-position', '0.5', '--cooldown', '0', '--loss-streak', '1');
    expect(report('streak').stages.risk.deniedByReason).toEqual({ LOSS_STREAK: 2 });
    const value = await backtest('value', '--max-position', '0.5', '--max-order-value', '20000');
    expect(report('value').stages.risk.deniedByReason).toEqual({ MAX_ORDER_VALUE: 4 });
    const qty = await backtest('qty', '--max-position', '0.5', '--max-order-qty', '10000');
    expect(report('qty').stages.risk.deniedByReason).toEqual({ MAX_ORDER_QUANTITY: 4 });
    // The count limits count orders that add risk: each closing sell passes and takes no count,
    // so two trades a day let both round trips through, one stops the second entry (and the last
    // sell, which would then open a short).
    const twoTrades = await backtest('two-trades', '--max-position', '0.5', '--cooldown', '0', '--daily-trades', '2');
    expect(twoTrades.code).toBe(0);
    expect(report('two-trades').stages.risk.deniedByReason).toEqual({});
    const trades = await backtest('trades', '--max-position', '0.5', '--cooldown', '0', '--daily-trades', '1');
    expect(report('trades').stages.risk.deniedByReason).toEqual({ DAILY_TRADE_LIMIT: 2 });
    const loss = await backtest('loss', '--max-position', '0.5', '--cooldown', '0', '--daily-loss-limit', '0.00001');
    expect(report('loss').stages.risk.deniedByReason).toEqual({ DAILY_LOSS_LIMIT: 2 });
    const exposure = await backtest('exposure', '--max-position', '0.5', '--max-exposure', '0.2');
    expect(report('exposure').stages.risk.deniedByReason).toEqual({ EXPOSURE_LIMIT: 4 });
    for (const r of [streak, value, qty, trades, loss, exposure]) expect(r.code).toBe(0);
  });

  it('given_a_limit_when_replayed_as_a_what_if_then_both_runs_side_by_side', async () => {
    await backtest('base', '--max-position', '0.5');
    const r = await run(['replay', '--log', join(dir, 'base', 'events.ndjson'), '--data', EURUSD, '--orders', orders, '--cooldown', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('what-if: cooldownMs 0 on the same inputs');
    expect(r.out).toMatch(/risk denied\s+1\s+0\s+\*/);
  });

  it.each([
    [['--max-position', '0'], /--max-position must be above 0, got 0/],
    [['--daily-loss-limit', '1.5'], /--daily-loss-limit must be between 0 and 1, got 1.5/],
    [['--loss-streak', '0'], /--loss-streak must be between 1 and 1000000, got 0/],
    [['--cooldown', '1.5'], /--cooldown expects a whole number, got "1.5"/],
    [['--max-order-value', '1e6'], /--max-order-value expects a positive decimal amount/],
  ])('bad_limit_%#_then_exit_1_naming_the_option', async (flags, message) => {
    const r = await run(['backtest', '--data', EURUSD, ...(flags as string[])]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message as RegExp);
  });
});

describe('tradeloop replay — a run again from its log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-replay-'));
  const log = join(dir, 'run', 'events.ndjson');
  let recordedHash = '';
  let loadedLine = '';

  beforeAll(async () => {
    const r = await run(['backtest', '--data', EURUSD, '--from', '2014-05-05', '--to', '2014-05-09', '--mode', 'fully_automated', '--fee-bps', '1', '--out', join(dir, 'run')]);
    expect(r.code).toBe(0);
    recordedHash = r.out.trimEnd().split('\n').pop()!;
    loadedLine = r.err.split('\n')[0];
  });

  it('same_data_then_identical_and_the_same_hash', async () => {
    const r = await run(['replay', '--log', log, '--data', EURUSD]);
    expect(r.code).toBe(0);
    const events = readFileSync(log, 'utf8').trimEnd().split('\n').length;
    expect(r.out).toContain(`replay identical: ${events} events, byte for byte`);
    expect(r.out.trimEnd().split('\n').pop()).toBe(recordedHash);
    // The window and bar timestamps came from the log, not from arguments.
    expect(loadedLine).toMatch(/^loaded EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv: \d+ 1m bars/);
    expect(r.err.split('\n')[0]).toBe(loadedLine);
    const all = readMarketDataFile(EURUSD, {}).bars.length;
    expect(loadedLine).not.toContain(`: ${all} 1m bars`);
  });

  it('log_with_commands_a_person_sent_then_sent_again_and_identical', async () => {
    // A run whose log holds a halt and a resume from the gateway (as the in-process quickstart records them).
    const spec = runSpecOf(parseEventLog(readFileSync(log, 'utf8'), 'events.ndjson')[0], 'events.ndjson');
    const bars = readMarketDataFile(EURUSD, { from: spec.readOptions['from'] as number, to: spec.readOptions['to'] as number }).bars;
    const command = (type: 'HaltTrading' | 'ResumeTrading', ts: number, data: object) => ({
      id: `cmd-${type}`, type, version: 1, ts, correlationId: `cmd-${type}`, causationId: `cmd-${type}`, account: 'paper', source: 'gateway', data,
    });
    const commands = [
      command('HaltTrading', bars[1000].ts, { by: 'alice', reason: 'news', cancelWorkingOrders: true }),
      command('ResumeTrading', bars[2000].ts, { by: 'alice', reason: 'calm', state: 'ACTIVE' }),
    ];
    const withCommands = join(dir, 'with-commands.ndjson');
    writeFileSync(withCommands, runBacktest({ bars, files: spec.files, readOptions: spec.readOptions, commands }, spec.config).eventLog.text());
    const r = await run(['replay', '--log', withCommands, '--data', EURUSD]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('; 2 command(s) it received are sent again where they came in');
    expect(r.out).toContain(`replay identical: ${readFileSync(withCommands, 'utf8').trimEnd().split('\n').length} events, byte for byte`);
  });

  it('edited_log_then_exit_3_naming_the_line_and_field', async () => {
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"OrderFilled"'));
    const e = JSON.parse(lines[i]);
    e.data.price = '1.11111';
    lines[i] = JSON.stringify(e);
    const edited = join(dir, 'edited.ndjson');
    writeFileSync(edited, lines.join('\n') + '\n');
    const r = await run(['replay', '--log', edited, '--data', EURUSD]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`replay DIVERGED: 1 of ${lines.length} lines differ`);
    expect(r.out).toContain(`first at edited.ndjson:${i + 1}`);
    expect(r.out).toMatch(/data\.price: recorded "1\.11111", replayed "1\.\d+"/);
  });

  it('other_data_then_exit_2_naming_the_file_the_run_read', async () => {
    const xau = resolve(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
    const r = await run(['replay', '--log', log, '--data', xau]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the run read EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv \(sha256 [0-9a-f]{12}…, 15366 rows\): pass it with --data/);
  });

  it('same_name_different_content_then_exit_2_by_sha256', async () => {
    const sub = join(dir, 'changed');
    mkdirSync(sub);
    const rows = readFileSync(EURUSD, 'utf8').split('\n');
    rows[5000] = rows[5000].replace(/,(\d)\.(\d{5}),/, (_m, a, b) => `,${a}.${String((Number(b) + 1) % 100000).padStart(5, '0')},`);
    const copy = join(sub, 'EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
    writeFileSync(copy, rows.join('\n'));
    const r = await run(['replay', '--log', log, '--data', copy]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv is not the file the run read: sha256 [0-9a-f]{64}, the run's [0-9a-f]{64}/);
  });

  it('what_if_then_both_runs_side_by_side_and_the_what_if_files', async () => {
    const out = join(dir, 'whatif');
    const r = await run(['replay', '--log', log, '--data', EURUSD, '--mode', 'quality_based', '--threshold', '80', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('replay identical');
    expect(r.out).toContain('what-if: mode quality_based, threshold 80 on the same inputs');
    expect(r.out).toMatch(/approvals requested\s+0\s+[1-9]\d*\s+\*/);
    expect(r.out).toMatch(/signals\s+(\d+)\s+\1\n/);
    const started = JSON.parse(readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n')[0]);
    expect(started.data.config).toMatchObject({ mode: 'quality_based', threshold: 80, 'input.from': Date.UTC(2014, 4, 5) });
    const last = r.out.trimEnd().split('\n').pop()!;
    const hash = createHash('sha256').update(readFileSync(join(out, 'events.ndjson'))).digest('hex');
    expect(last).toBe(`event-log sha256: ${hash} (what-if)`);
  });

  it('orders_run_then_replays_with_the_orders_file_and_refuses_without_it', async () => {
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price\n2014-05-06T09:00:30Z,EURUSD,buy,10000,market,\n2014-05-06T15:00:00Z,EURUSD,sell,10000,market,\n');
    const b = await run(['backtest', '--data', EURUSD, '--orders', orders, '--mode', 'fully_automated', '--out', join(dir, 'orders-run')]);
    expect(b.code).toBe(0);
    const started = JSON.parse(readFileSync(join(dir, 'orders-run', 'events.ndjson'), 'utf8').split('\n')[0]);
    const sha = createHash('sha256').update(readFileSync(orders)).digest('hex');
    expect(started.data.files[1]).toEqual({ name: 'orders.csv', sha256: sha, rows: 2 });
    const without = await run(['replay', '--log', join(dir, 'orders-run', 'events.ndjson'), '--data', EURUSD]);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/the run replayed the orders file orders\.csv: pass it with --orders/);
    const r = await run(['replay', '--log', join(dir, 'orders-run', 'events.ndjson'), '--data', EURUSD, '--orders', orders]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('replay identical');
  });

  it.each([
    [['replay'], /replay needs --log and --data \(or --service to audit a deployment\)/],
    [['replay', '--log', 'x.ndjson'], /replay needs --log and --data/],
    [['replay', '--service', 'risk', '--log', 'x.ndjson'], /--service audits a deployment from JetStream: it takes no --log, --data, --orders, --out or what-if options/],
    [['replay', '--service', 'risk', '--mode', 'display_only'], /it takes no --log, --data, --orders, --out or what-if options/],
    [['replay', '--service', 'risk', '--out', 'somewhere'], /it takes no --log, --data, --orders, --out or what-if options/],
    [['replay', '--log', 'x.ndjson', '--data', 'y.csv', '--namespace', 'prod'], /--nats and --namespace go with --service/],
    [['replay', '--service', 'notifier'], /--service must be one of scanner, rl-decision, risk, governor, executor, learning; got "notifier"/],
  ])('bad_combination_%#_then_exit_1_naming_it', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message as RegExp);
  });

  it('not_a_log_then_exit_2_naming_file_and_line', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, readFileSync(log, 'utf8').split('\n')[0] + '\nnot json\n');
    const r = await run(['replay', '--log', bad, '--data', EURUSD]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.ndjson:2: /);
  });
});

describe('tradeloop explain — a trade from a run log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-explain-'));
  const log = join(dir, 'events.ndjson');

  beforeAll(async () => {
    const r = await run(['backtest', '--data', EURUSD, '--mode', 'fully_automated', '--out', dir]);
    expect(r.code).toBe(0);
  });

  it('no_id_then_lists_the_closed_trades', async () => {
    const r = await run(['explain', '--log', log]);
    expect(r.code).toBe(0);
    const closed = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"type":"PositionClosed"')).length;
    expect(r.out).toMatch(new RegExp(`^${closed} closed trade\\(s\\)`));
    expect(r.out.trimEnd().split('\n')).toHaveLength(closed + 1);
    // Each trade names its market, venue included (one symbol may trade at two venues).
    expect(r.out.trimEnd().split('\n').slice(1).every((l) => / EURUSD@OANDA (long |short) /.test(l))).toBe(true);
  });

  it('client_order_id_then_the_trade_from_signal_to_learning', async () => {
    const fill = JSON.parse(readFileSync(log, 'utf8').split('\n').find((l) => l.includes('"type":"OrderFilled"'))!);
    const r = await run(['explain', '--log', log, fill.data.clientOrderId]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^trade ${fill.correlationId} `));
    for (const type of ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderFilled', 'PositionClosed', 'ExperienceRecorded']) {
      expect(r.out).toContain(type);
    }
    expect(r.out).toContain(fill.data.clientOrderId);
  });

  it('json_then_the_events_as_ndjson', async () => {
    const list = await run(['explain', '--log', log]);
    const corr = list.out.split('\n')[1].trim().split(/\s+/)[0];
    const r = await run(['explain', '--log', log, corr, '--json']);
    expect(r.code).toBe(0);
    const events = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.correlationId === corr)).toBe(true);
  });

  it('log_cut_off_mid_line_then_a_warning_and_the_trades_before_the_cut', async () => {
    // The quickstart's log after a kill -9 mid-write: no final newline, half a line.
    const text = readFileSync(log, 'utf8');
    const lines = text.trimEnd().split('\n');
    const keep = Math.floor(lines.length / 2);
    const cutLog = join(dir, 'cut.ndjson');
    writeFileSync(cutLog, `${lines.slice(0, keep).join('\n')}\n${lines[keep].slice(0, 30)}`);
    const r = await run(['explain', '--log', cutLog]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`warning: cut.ndjson:${keep + 1}: the last line is cut off (its writer stopped mid-line); explaining the ${keep} events before it`);
    const closed = lines.slice(0, keep).filter((l) => l.includes('"type":"PositionClosed"')).length;
    expect(r.out).toMatch(new RegExp(`^${closed} closed trade\\(s\\)`));
    // replay still refuses it: a replay is an audit of every line.
    expect((await run(['replay', '--log', cutLog, '--data', EURUSD])).code).not.toBe(0);
  });

  it('unknown_id_then_exit_2', async () => {
    const r = await run(['explain', '--log', log, 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no event in events\.ndjson carries the id nope/);
  });
});

describe('the installed bin', () => {
  it('npx_tradeloop_help_then_lists_backtest', () => {
    const bin = resolve(REPO, 'node_modules/.bin/tradeloop');
    expect(existsSync(bin)).toBe(true);
    const out = execFileSync(bin, ['--help'], { encoding: 'utf8', cwd: tmpdir() });
    expect(out).toMatch(/backtest/);
  });

  it('cli_loaded_then_the_database_code_is_not_until_an_apikey_subcommand_runs', () => {
    // TypeORM and pg take ~0.2–0.4 s to load; a backtest or --help must not pay for them, nor for
    // the NATS client (export loads it when it runs).
    const probe = [
      "const { main } = require('./apps/cli/src/main.ts');",
      "const loaded = (p) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${p}/`));",
      'const before = { typeorm: loaded("typeorm"), pg: loaded("pg"), nats: loaded("@nats-io/jetstream") };',
      "main(['node', 'tradeloop', 'apikey', 'list'], { out: () => {}, err: () => {}, isTty: false })",
      '  .then((code) => process.stdout.write(JSON.stringify({ before, after: { typeorm: loaded("typeorm") }, code })));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', probe], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    });
    expect(r.status).toBe(0);
    // No database configured: the subcommand refuses (exit 1) after loading what it needs.
    expect(JSON.parse(r.stdout)).toEqual({ before: { typeorm: false, pg: false, nats: false }, after: { typeorm: true }, code: 1 });
  });

  it('given_a_reader_that_stops_reading_when_explain_or_backtest_writes_then_no_crash_and_the_out_files_are_written', async () => {
    // `tradeloop explain --log … | head`: before, the first write after head had gone threw EPIPE
    // as an unhandled 'error' event, a Node stack trace and exit 1.
    const bin = resolve(REPO, 'node_modules/.bin/tradeloop');
    const dir = mkdtempSync(join(tmpdir(), 'tl-epipe-'));
    const b = await run(['backtest', '--data', EURUSD, '--mode', 'fully_automated', '--to', '2014-05-03', '--out', join(dir, 'run'), '--no-progress']);
    expect(b.code).toBe(0);
    const readerGone = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        // The read end closes before the command writes a line (it takes a second to start).
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => done({ code, stderr }));
      });
    const explain = await readerGone(['explain', '--log', join(dir, 'run', 'events.ndjson')]);
    expect(explain.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(explain.code).toBe(0);
    const backtest = await readerGone(['backtest', '--data', EURUSD, '--to', '2014-05-02', '--no-progress', '--out', join(dir, 'piped')]);
    expect(backtest.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(backtest.code).toBe(0);
    expect(existsSync(join(dir, 'piped', 'report.json'))).toBe(true);
  });

  it('bad_argument_via_bin_then_nonzero_exit', () => {
    const bin = resolve(REPO, 'node_modules/.bin/tradeloop');
    const r = spawnSync(bin, ['backtest', '--data', EURUSD, '--mode', 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--mode must be one of/);
  });
});

describe('tradeloop backtest — orders still working at the end of the data', () => {
  it('given_an_order_inside_the_last_bar_when_backtested_then_the_summary_and_report_count_it', async () => {
    // The window ends at 12:00; a buy at 11:59:30 is inside the last bar and has no bar to fill on.
    const dir = mkdtempSync(join(tmpdir(), 'tl-working-'));
    const orders = join(dir, 'last.csv');
    writeFileSync(orders, 'timestamp,symbol,side,quantity,type,price\n2014-05-01T10:00:00Z,EURUSD,buy,10000,market,\n2014-05-01T11:59:30Z,EURUSD,buy,5000,market,\n');
    const r = await run(['backtest', '--data', EURUSD, '--orders', orders, '--to', '2014-05-01T12:00', '--no-progress', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  working orders    1 still working at the end of the data, never filled (not in trades, P&L or equity)\n');
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).summary).toMatchObject({ openPositions: 1, workingOrders: 1 });
  });
});
