import { readFileSync } from 'node:fs';
import path from 'node:path';
import { timeframeMs } from '@tradeloop/kernel';
import { readMarketDataFile } from './index';

const DATA = path.resolve(__dirname, '../../../../shared/data');
const data = (file: string): string => path.join(DATA, file);
const MINUTE = 60_000;

/** Published checksums of the shared files (`_checks/SHA256SUMS`). */
const SHA256SUMS = new Map(
  readFileSync(data('_checks/SHA256SUMS'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [sum, file] = l.split(/\s+/);
      return [file.replace(/^\.\//, ''), sum] as const;
    }),
);

// file, rows (README / _checks/verify_report.txt), format, symbol, venue, timeframe, crossed quotes (verify report)
const FILES: [string, number, string, string, string, string, number][] = [
  ['crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv', 45017, 'trade-bars', 'BTC-PERP', 'FTX', '1m', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_15m_2018-04-23_2018-04-28.csv', 500, 'trade-bars', 'BTCUSDT', 'BINANCE', '15m', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_1d_2017-08-17_2018-04-28.csv', 255, 'trade-bars', 'BTCUSDT', 'BINANCE', '1d', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_1h_2018-04-07_2018-04-28.csv', 500, 'trade-bars', 'BTCUSDT', 'BINANCE', '1h', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_1m_2018-04-28_2018-04-28.csv', 502, 'trade-bars', 'BTCUSDT', 'BINANCE', '1m', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_4h_2018-02-03_2018-04-28.csv', 500, 'trade-bars', 'BTCUSDT', 'BINANCE', '4h', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_4h_2023-12-30_2024-03-22.csv', 500, 'trade-bars', 'BTCUSDT', 'BINANCE', '4h', 0],
  ['crypto/binance_octobot/BTCUSDT_BINANCE_spot_5m_2018-04-26_2018-04-28.csv', 500, 'trade-bars', 'BTCUSDT', 'BINANCE', '5m', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_15m_2018-07-11_2018-07-16.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '15m', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_1d_2017-08-17_2018-07-16.csv', 334, 'trade-bars', 'ETHUSDT', 'BINANCE', '1d', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_1h_2018-06-24_2018-07-16.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '1h', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_1m_2018-07-16_2018-07-16.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '1m', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_4h_2018-04-23_2018-07-16.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '4h', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_4h_2023-12-30_2024-03-22.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '4h', 0],
  ['crypto/binance_octobot/ETHUSDT_BINANCE_spot_5m_2018-07-14_2018-07-16.csv', 500, 'trade-bars', 'ETHUSDT', 'BINANCE', '5m', 0],
  ['crypto/coinbase/BTCUSD_COINBASE_1m_quotebars_2017-09-03_2017-09-04.csv', 2876, 'quote-bars', 'BTCUSD', 'COINBASE', '1m', 0],
  ['crypto/coinbase/BTCUSD_COINBASE_1m_trades_2017-09-03_2017-09-04.csv', 2880, 'trade-bars', 'BTCUSD', 'COINBASE', '1m', 0],
  ['crypto/coinbase/BTCUSD_COINBASE_1m_trades_2018-04-04_2018-04-06.csv', 3887, 'trade-bars', 'BTCUSD', 'COINBASE', '1m', 0],
  ['crypto/coinbase/ETHUSD_COINBASE_1m_quotebars_2017-09-03_2017-09-04.csv', 2874, 'quote-bars', 'ETHUSD', 'COINBASE', '1m', 0],
  ['crypto/coinbase/ETHUSD_COINBASE_1m_trades_2017-09-03_2017-09-04.csv', 2880, 'trade-bars', 'ETHUSD', 'COINBASE', '1m', 0],
  ['crypto/coinbase/ETHUSD_COINBASE_1m_trades_2018-04-04_2018-04-05.csv', 2449, 'trade-bars', 'ETHUSD', 'COINBASE', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCBUSD_BINANCE_spot_1m_trades.csv', 1440, 'trade-bars', 'BTCBUSD', 'BINANCE', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSDT_BYBIT_linearperp_1m_quotebars.csv', 460, 'quote-bars', 'BTCUSDT-PERP', 'BYBIT', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSDT_BYBIT_linearperp_1m_trades.csv', 721, 'trade-bars', 'BTCUSDT-PERP', 'BYBIT', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSDT_BYBIT_spot_1m_quotebars.csv', 721, 'quote-bars', 'BTCUSDT', 'BYBIT', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSDT_BYBIT_spot_1m_trades.csv', 1440, 'trade-bars', 'BTCUSDT', 'BYBIT', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSD_BINANCE_coinmperp_1m_quotebars.csv', 1104, 'quote-bars', 'BTCUSD-PERP', 'BINANCE', '1m', 0],
  ['crypto/cross_venue_2022-12-13/BTCUSD_BINANCE_coinmperp_1m_trades.csv', 1439, 'trade-bars', 'BTCUSD-PERP', 'BINANCE', '1m', 0],
  ['forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv', 15857, 'quote-bars', 'EURUSD', 'FXCM', '1m', 374],
  ['forex/EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31.csv', 12323, 'quote-bars', 'EURUSD', 'OANDA', '1h', 0],
  ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 15366, 'quote-bars', 'EURUSD', 'OANDA', '1m', 0],
  ['forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv', 30117, 'quote-bars', 'GBPUSD', 'FXCM', '1m', 347],
  ['forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv', 28761, 'quote-bars', 'USDJPY', 'FXCM', '1m', 683],
  ['metals/XAUUSD_OANDA_1d_quotebars_2006-03-20_2019-02-25.csv', 3949, 'quote-bars', 'XAUUSD', 'OANDA', '1d', 0],
  ['metals/XAUUSD_OANDA_1h_quotebars_2017-01-01_2019-02-25.csv', 12436, 'quote-bars', 'XAUUSD', 'OANDA', '1h', 0],
  ['metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 15222, 'quote-bars', 'XAUUSD', 'OANDA', '1m', 0],
  ['orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv', 26000, 'books', 'BTCUSDT', 'BINANCE', '1s', 0],
  ['orderbook/BTCUSDT_BINANCE_usdmperp_2024-08-08T2354_2024-08-09T0000_L2top20_1s.csv', 13760, 'books', 'BTCUSDT-PERP', 'BINANCE', '1s', 0],
  ['orderbook/BTCUSDT_BINANCE_usdmperp_L2top25_tardis_2020-09-01.csv', 500, 'books', 'BTCUSDT-PERP', 'BINANCE', '1m', 0],
  ['orderbook/BTCUSD_BINANCE_coinmperp_2024-08-08T2354_2024-08-09T0000_L2top20_1s.csv', 13720, 'books', 'BTCUSD-PERP', 'BINANCE', '1s', 0],
  ['orderbook/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv', 26000, 'books', 'ETHUSDT', 'BINANCE', '1s', 0],
  ['ticks/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_quotes.csv', 73174, 'quotes', 'BTCUSDT', 'BINANCE', '1m', 0],
  ['ticks/BTCUSDT_BINANCE_usdmperp_2024-08-08T2354_2024-08-09T0000_quotes.csv', 66089, 'quotes', 'BTCUSDT-PERP', 'BINANCE', '1m', 0],
  ['ticks/BTCUSD_BINANCE_coinmperp_2024-08-08T2354_2024-08-09T0000_quotes.csv', 19136, 'quotes', 'BTCUSD-PERP', 'BINANCE', '1m', 0],
  ['ticks/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_quotes.csv', 58758, 'quotes', 'ETHUSDT', 'BINANCE', '1m', 0],
  ['ticks/EURUSD_FXCM_ticks_2014-05-06.csv', 102682, 'quotes', 'EURUSD', 'FXCM', '1m', 9999],
  ['ticks/EURUSD_OANDA_ticks_2014-05-06.csv', 44864, 'quotes', 'EURUSD', 'OANDA', '1m', 0],
  ['ticks/USDJPY_TrueFX_ticks_2013-01-01.csv', 1000, 'quotes', 'USDJPY', 'TRUEFX', '1m', 0],
  ['ticks/XAUUSD_OANDA_ticks_2014-05-06.csv', 161552, 'quotes', 'XAUUSD', 'OANDA', '1m', 0],
  ['trades/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv', 19904, 'trades', 'BTCUSDT', 'BINANCE', '1m', 0],
  ['trades/BTCUSDT_BINANCE_usdmperp_2024-08-08T2354_2024-08-09T0000_trades.csv', 21313, 'trades', 'BTCUSDT-PERP', 'BINANCE', '1m', 0],
  ['trades/BTCUSD_BINANCE_coinmperp_2024-08-08T2354_2024-08-09T0000_trades.csv', 2286, 'trades', 'BTCUSD-PERP', 'BINANCE', '1m', 0],
  ['trades/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv', 14515, 'trades', 'ETHUSDT', 'BINANCE', '1m', 0],
];

describe('every shared data file', () => {
  it('table_when_compared_to_the_published_checksums_then_lists_every_csv', () => {
    expect(FILES.map((f) => f[0]).sort()).toEqual([...SHA256SUMS.keys()].filter((f) => f.endsWith('.csv')).sort());
  });

  it.each(FILES)('%s_when_read_then_all_%d_rows_accepted_with_inferred_names', (file, rows, format, symbol, venue, timeframe, crossed) => {
    const r = readMarketDataFile(data(file));
    expect(r.rejected).toEqual([]);
    expect(r.info).toEqual({
      file: path.basename(file),
      sha256: SHA256SUMS.get(file),
      rows,
      accepted: rows,
      format,
      venue,
      symbol,
      timeframe,
      barTimestamp: 'open',
      crossedQuotes: crossed,
      // Binance coin-M: its P&L is in BTC, which nothing downstream models yet (see the README).
      ...(file.includes('_coinmperp_') && { inverse: true }),
    });
    if (format === 'trade-bars' || format === 'quote-bars') expect(r.bars).toHaveLength(rows);
    // Books also give 1m quote bars of their top of book.
    if (format === 'books') expect(r.bars.length).toBeGreaterThan(0);
    else expect(r.books).toHaveLength(0);
    const tf = timeframeMs(format === 'books' ? '1m' : r.info.timeframe);
    const misplaced = r.bars.filter((b, i) => b.ts !== b.data.openTime + tf || (i > 0 && b.data.openTime <= r.bars[i - 1].data.openTime));
    expect(misplaced).toEqual([]);
  });
});

describe('quote bars', () => {
  const r = readMarketDataFile(data('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'));

  it('eurusd_oanda_1m_when_read_then_15366_bars_and_no_rejections', () => {
    expect(r.bars).toHaveLength(15_366);
    expect(r.rejected).toHaveLength(0);
  });

  it('first_row_when_read_then_bid_in_ohlc_ask_in_ask_fields_and_ts_is_the_close', () => {
    // 2014-05-01T00:00:00Z,1.38676,1.38686,1.38669,1.38686,0,1.38686,1.38697,1.3868,1.38697
    const openTime = Date.UTC(2014, 4, 1);
    expect(r.bars[0]).toEqual({
      id: `md:OANDA:EURUSD:1m:${openTime}`,
      type: 'BarClosed',
      version: 1,
      ts: openTime + MINUTE,
      correlationId: `md:OANDA:EURUSD:1m:${openTime}`,
      causationId: `md:OANDA:EURUSD:1m:${openTime}`,
      account: 'paper',
      source: 'market-data',
      data: {
        venue: 'OANDA',
        symbol: 'EURUSD',
        timeframe: '1m',
        openTime,
        open: 1.38676,
        high: 1.38686,
        low: 1.38669,
        close: 1.38686,
        volume: 0,
        askOpen: 1.38686,
        askHigh: 1.38697,
        askLow: 1.3868,
        askClose: 1.38697,
      },
    });
  });

  it('twelve_column_quote_bars_when_read_then_ask_fields_present_and_sizes_not_passed_on', () => {
    const cb = readMarketDataFile(data('crypto/coinbase/BTCUSD_COINBASE_1m_quotebars_2017-09-03_2017-09-04.csv'));
    expect(cb.bars[0].data).toEqual({
      venue: 'COINBASE',
      symbol: 'BTCUSD',
      timeframe: '1m',
      openTime: Date.UTC(2017, 8, 3),
      open: 4642.42,
      high: 4642.42,
      low: 4642.42,
      close: 4642.42,
      volume: 0,
      askOpen: 4649.95,
      askHigh: 4649.95,
      askLow: 4649.95,
      askClose: 4649.95,
    });
  });

  it('same_file_read_twice_when_compared_then_identical_ids_and_data', () => {
    const again = readMarketDataFile(data('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'));
    expect(again.bars).toEqual(r.bars);
    expect(new Set(r.bars.map((b) => b.id)).size).toBe(r.bars.length);
  });

  it('window_and_account_when_given_then_only_bars_opening_inside_from_to_with_that_account', () => {
    const from = Date.UTC(2014, 4, 2);
    const to = Date.UTC(2014, 4, 2, 1);
    const w = readMarketDataFile(data('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), { from, to, account: 'acct-7' });
    // Lean writes no row for a minute without change, so the hour has fewer than 60 bars.
    expect(w.bars).toEqual(r.bars.filter((b) => b.data.openTime >= from && b.data.openTime < to).map((b) => ({ ...b, account: 'acct-7' })));
    expect(w.bars).toHaveLength(58);
    expect(w.bars[0].data.openTime).toBe(from);
    expect(w.bars.every((b) => b.account === 'acct-7')).toBe(true);
    expect(w.info.rows).toBe(15_366);
  });

  it('explicit_symbol_venue_when_given_then_override_the_file_name', () => {
    const o = readMarketDataFile(data('metals/XAUUSD_OANDA_1d_quotebars_2006-03-20_2019-02-25.csv'), { symbol: 'GOLD', venue: 'LEAN' });
    expect(o.info).toMatchObject({ symbol: 'GOLD', venue: 'LEAN', timeframe: '1d' });
    expect(o.bars[0].id).toBe(`md:LEAN:GOLD:1d:${Date.UTC(2006, 2, 20)}`);
    expect(o.bars[0].ts).toBe(Date.UTC(2006, 2, 21));
  });
});

describe('resampled real bars', () => {
  it('eurusd_1m_with_aggregate_15m_then_every_15m_bar_is_the_ohlc_and_volume_of_the_1m_bars_inside_it', () => {
    const file = data('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
    const minutes = readMarketDataFile(file).bars;
    const r = readMarketDataFile(file, { aggregate: '15m' });
    expect(r.info).toMatchObject({ timeframe: '15m', rows: 15_366 });
    expect(r.bars.length).toBeGreaterThan(1_000);
    let k = 0;
    for (const bar of r.bars) {
      const inside: typeof minutes = [];
      while (k < minutes.length && minutes[k].data.openTime < bar.data.openTime + 15 * 60_000) inside.push(minutes[k++]);
      const d = inside.map((m) => m.data);
      expect(bar.data.openTime % (15 * 60_000)).toBe(0);
      expect(d[0].openTime - bar.data.openTime).toBeLessThan(15 * 60_000);
      expect([bar.data.open, bar.data.high, bar.data.low, bar.data.close]).toEqual([d[0].open, Math.max(...d.map((x) => x.high)), Math.min(...d.map((x) => x.low)), d[d.length - 1].close]);
      expect([bar.data.askOpen, bar.data.askHigh, bar.data.askLow, bar.data.askClose]).toEqual([d[0].askOpen, Math.max(...d.map((x) => x.askHigh!)), Math.min(...d.map((x) => x.askLow!)), d[d.length - 1].askClose]);
      expect(bar.ts).toBe(bar.data.openTime + 15 * 60_000);
    }
    expect(k).toBe(minutes.length);
  });
});

describe('close-stamped bars (nautilus_trader files)', () => {
  it('gbpusd_fxcm_with_bar_timestamp_close_when_read_then_open_time_is_one_bar_earlier', () => {
    const r = readMarketDataFile(data('forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv'), { barTimestamp: 'close' });
    // 2012-02-01T00:00:00Z,1.57597,... marks the close of the 23:59 bar.
    expect(r.bars[0].ts).toBe(Date.UTC(2012, 1, 1));
    expect(r.bars[0].data.openTime).toBe(Date.UTC(2012, 0, 31, 23, 59));
    expect(r.bars[0].data.open).toBe(1.57597);
    expect(r.info.barTimestamp).toBe('close');
    expect(r.bars).toHaveLength(30_117);
  });

  it('btc_perp_ftx_when_read_then_45017_trade_bars_without_ask_fields', () => {
    const r = readMarketDataFile(data('crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv'), { barTimestamp: 'close' });
    expect(r.bars).toHaveLength(45_017);
    expect(r.bars[0].data).toEqual({
      venue: 'FTX',
      symbol: 'BTC-PERP',
      timeframe: '1m',
      openTime: Date.UTC(2021, 11, 31, 23, 0),
      open: 46319,
      high: 46385,
      low: 46319,
      close: 46377,
      volume: 2300413.7295,
    });
    expect('askOpen' in r.bars[0].data).toBe(false);
  });
});

describe('ticks aggregated to bars', () => {
  const r = readMarketDataFile(data('ticks/EURUSD_OANDA_ticks_2014-05-06.csv'));

  it('first_minute_when_aggregated_then_bid_and_ask_ohlc_match_the_16_ticks', () => {
    // The 16 ticks of 00:00 run from 00:00:00.158 (1.38742/1.38755) to 00:00:55.019
    // (1.38745/1.38758); bid low 1.3874 at 00:00:01.516, bid high 1.38746 at 00:00:55.009,
    // ask low 1.38753 at 00:00:01.506, ask high 1.38759 at 00:00:54.805.
    const openTime = Date.UTC(2014, 4, 6);
    expect(r.bars[0]).toMatchObject({ id: `md:OANDA:EURUSD:1m:${openTime}`, ts: openTime + MINUTE });
    expect(r.bars[0].data).toEqual({
      venue: 'OANDA',
      symbol: 'EURUSD',
      timeframe: '1m',
      openTime,
      open: 1.38742,
      high: 1.38746,
      low: 1.3874,
      close: 1.38745,
      volume: 0,
      askOpen: 1.38755,
      askHigh: 1.38759,
      askLow: 1.38753,
      askClose: 1.38758,
    });
  });

  it('a_day_of_ticks_when_aggregated_then_one_bar_per_minute_with_data_in_order_and_consistent', () => {
    expect(r.bars.length).toBeGreaterThan(1300);
    expect(r.bars.length).toBeLessThanOrEqual(1440);
    const inconsistent = r.bars.filter(({ data: d }, i) => {
      const ordered = d.openTime % MINUTE === 0 && (i === 0 || d.openTime > r.bars[i - 1].data.openTime);
      const bid = d.low <= Math.min(d.open, d.close) && d.high >= Math.max(d.open, d.close);
      const ask = d.askLow! <= Math.min(d.askOpen!, d.askClose!) && d.askHigh! >= Math.max(d.askOpen!, d.askClose!);
      return !(ordered && bid && ask);
    });
    expect(inconsistent).toEqual([]);
  });

  it('aggregate_timeframe_when_given_then_bars_of_that_size', () => {
    const h = readMarketDataFile(data('ticks/EURUSD_OANDA_ticks_2014-05-06.csv'), { aggregate: '1h' });
    expect(h.info.timeframe).toBe('1h');
    expect(h.bars).toHaveLength(24);
    expect(h.bars[0].data.open).toBe(1.38742);
    expect(h.bars[0].data.low).toBe(Math.min(...r.bars.filter((b) => b.data.openTime < Date.UTC(2014, 4, 6, 1)).map((b) => b.data.low)));
  });

  it('fxcm_ticks_when_read_then_crossed_quotes_counted_not_rejected', () => {
    const fx = readMarketDataFile(data('ticks/EURUSD_FXCM_ticks_2014-05-06.csv'));
    expect(fx.info.crossedQuotes).toBe(9_999);
    expect(fx.rejected).toHaveLength(0);
    expect(fx.info.accepted).toBe(102_682);
  });

  it('binance_quotes_with_a_b_a_repeats_at_one_timestamp_when_read_then_all_kept', () => {
    // Lines 22960–22962 are A, B, A at 23:59:46.585686: the ask size changed and changed back.
    const eth = readMarketDataFile(data('ticks/ETHUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_quotes.csv'));
    expect(eth.rejected).toHaveLength(0);
    expect(eth.info.accepted).toBe(58_758);
  });
});

describe('trades aggregated to bars', () => {
  const r = readMarketDataFile(data('trades/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_trades.csv'));

  it('first_minute_when_aggregated_then_ohlc_from_price_and_volume_is_the_size_sum', () => {
    // 912 trades from 23:54:14.087896 to 23:54:59.x: first 61837.63, last 61831.99,
    // high 61855.37, low 61824, Σ size 13.46372.
    const openTime = Date.UTC(2024, 7, 8, 23, 54);
    const d = r.bars[0].data;
    expect(d).toMatchObject({ venue: 'BINANCE', symbol: 'BTCUSDT', timeframe: '1m', openTime, open: 61837.63, high: 61855.37, low: 61824, close: 61831.99 });
    expect(d.volume).toBeCloseTo(13.46372, 8);
    expect('askOpen' in d).toBe(false);
  });

  it('whole_file_when_aggregated_then_total_volume_equals_total_traded_size', () => {
    expect(r.bars).toHaveLength(12);
    expect(r.bars.reduce((v, b) => v + b.data.volume, 0)).toBeCloseTo(437.91552, 6);
  });
});

describe('order books', () => {
  it('binance_spot_top20_when_read_then_650_snapshots_best_first', () => {
    const r = readMarketDataFile(data('orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv'));
    expect(r.books).toHaveLength(650);
    const first = r.books[0];
    expect(first).toMatchObject({ type: 'BookSnapshot', ts: Date.UTC(2024, 7, 8, 23, 54, 15), id: `md:BINANCE:BTCUSDT:book:${Date.UTC(2024, 7, 8, 23, 54, 15)}` });
    expect(first.data.bids[0]).toEqual({ price: 61824, size: 0.2566 });
    expect(first.data.asks.slice(0, 2)).toEqual([
      { price: 61824.01, size: 5.5308 },
      { price: 61826, size: 0.0897 },
    ]);
    const malformed = r.books.filter(({ data: { bids, asks } }) => {
      const sorted = bids.every((l, k) => k === 0 || l.price < bids[k - 1].price) && asks.every((l, k) => k === 0 || l.price > asks[k - 1].price);
      return !(bids.length === 20 && asks.length === 20 && sorted && bids[0].price < asks[0].price);
    });
    expect(malformed).toEqual([]);
  });

  it('binance_spot_top20_when_read_then_1m_quote_bars_of_each_minutes_best_bids_and_asks', () => {
    const r = readMarketDataFile(data('orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv'));
    // 23:54:15 … 00:04:59: the minutes 23:54 to 00:04, then the snapshots of 00:05 (the file ends at 00:05:04).
    expect(r.bars.map((b) => b.data.openTime)).toEqual(Array.from({ length: 12 }, (_, k) => Date.UTC(2024, 7, 8, 23, 54 + k)));
    for (const bar of r.bars) {
      const minute = r.books.filter((m) => m.ts >= bar.data.openTime && m.ts < bar.data.openTime + 60_000);
      const bids = minute.map((m) => m.data.bids[0].price);
      const asks = minute.map((m) => m.data.asks[0].price);
      expect([bar.data.open, bar.data.high, bar.data.low, bar.data.close]).toEqual([bids[0], Math.max(...bids), Math.min(...bids), bids[bids.length - 1]]);
      expect([bar.data.askOpen, bar.data.askHigh, bar.data.askLow, bar.data.askClose]).toEqual([asks[0], Math.max(...asks), Math.min(...asks), asks[asks.length - 1]]);
    }
    expect(r.bars[0].data).toMatchObject({ open: 61824, askOpen: 61824.01, volume: 0, timeframe: '1m', symbol: 'BTCUSDT', venue: 'BINANCE' });
  });

  it('tardis_top25_with_exchange_time_when_read_then_10_snapshots_of_25_levels', () => {
    const r = readMarketDataFile(data('orderbook/BTCUSDT_BINANCE_usdmperp_L2top25_tardis_2020-09-01.csv'));
    expect(r.books).toHaveLength(10);
    expect(r.books.every((b) => b.data.bids.length === 25 && b.data.asks.length === 25)).toBe(true);
    expect(r.books[0].data.bids[0]).toEqual({ price: 11657.07, size: 10.896 });
    expect(r.books[0].ts).toBe(Date.UTC(2020, 8, 1, 0, 0, 3, 810));
  });
});
