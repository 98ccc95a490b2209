import { inferFromFileName } from './file-name';

describe('inferFromFileName', () => {
  it.each([
    ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', { symbol: 'EURUSD', venue: 'OANDA', timeframe: '1m' }],
    ['BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv', { symbol: 'BTC-PERP', venue: 'FTX', timeframe: '1m' }],
    ['BTCUSDT_BINANCE_spot_1h_2018-04-07_2018-04-28.csv', { symbol: 'BTCUSDT', venue: 'BINANCE', timeframe: '1h', market: 'spot' }],
    ['BTCUSD_COINBASE_1m_trades_2017-09-03_2017-09-04.csv', { symbol: 'BTCUSD', venue: 'COINBASE', timeframe: '1m' }],
    ['EURUSD_OANDA_ticks_2014-05-06.csv', { symbol: 'EURUSD', venue: 'OANDA' }],
    ['USDJPY_TrueFX_ticks_2013-01-01.csv', { symbol: 'USDJPY', venue: 'TRUEFX' }],
    ['BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_quotes.csv', { symbol: 'BTCUSDT', venue: 'BINANCE', market: 'spot' }],
    ['XAUUSD_OANDA_1d_quotebars_2006-03-20_2019-02-25.csv', { symbol: 'XAUUSD', venue: 'OANDA', timeframe: '1d' }],
  ])('file_%s_when_inferred_then_symbol_venue_timeframe', (file, expected) => {
    expect(inferFromFileName(file)).toEqual(expected);
  });

  it('perpetual_market_token_when_inferred_then_symbol_gets_PERP_suffix_so_spot_and_perp_differ', () => {
    expect(inferFromFileName('BTCUSDT_BINANCE_usdmperp_2024-08-08T2354_2024-08-09T0000_quotes.csv')).toMatchObject({
      symbol: 'BTCUSDT-PERP',
      venue: 'BINANCE',
      market: 'usdmperp',
    });
    expect(inferFromFileName('BTCUSD_BINANCE_coinmperp_1m_trades.csv').symbol).toBe('BTCUSD-PERP');
    expect(inferFromFileName('BTCUSDT_BYBIT_linearperp_1m_quotebars.csv').symbol).toBe('BTCUSDT-PERP');
  });

  it('name_without_symbol_and_venue_when_inferred_then_nothing', () => {
    expect(inferFromFileName('prices.csv')).toEqual({});
  });
});
