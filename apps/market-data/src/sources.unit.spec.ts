import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import { pipelineConfig, runBacktest } from '@tradeloop/runtime';
import { fileSource } from './sources';

const DATA = resolve(__dirname, '../../../../shared/data');
const BOOK = 'orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv';

describe('fileSource: the data-quality events of refused rows', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-sources-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['quote_bars', 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'EURUSD_OANDA_1m_quotebars_broken.csv'],
    ['an_order_book', BOOK, 'BTCUSDT_BINANCE_spot_broken_L2top20_1s.csv'],
  ])('given_%s_with_bad_rows_when_played_then_each_data_rejected_carries_the_event_time_a_backtest_of_the_file_logs_it_with_not_the_wall_clock', (_kind, shared, name) => {
    const lines = readFileSync(join(DATA, shared), 'utf8').split('\n').slice(0, 301);
    lines[40] = lines[40].replace(/^([^,]+),/, '$1,NaN,').split(',').slice(0, lines[0].split(',').length).join(','); // line 41: a field not a number
    lines.splice(120, 0, lines[119].split(',').slice(0, 3).join(',')); // line 121: wrong column count
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);

    const source = fileSource([file]);
    const read = readMarketDataFile(file);
    const logged = runBacktest({ bars: read.bars, rejected: read.rejected, files: [] }, pipelineConfig()).eventLog.text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; ts: number; data: unknown })
      .filter((e) => e.type === 'DataRejected');

    expect(source.rejected.map((e) => e.data.line)).toEqual(expect.arrayContaining([41, 121]));
    // Before, they were stamped Date.now(): 2026 in a feed of 2014 or 2024.
    expect(source.rejected.map((e) => [e.ts, e.data])).toEqual(logged.map((e) => [e.ts, e.data]));
    expect(source.rejected[0].ts).toBe(read.bars[0].ts);
  });
});

describe('fileSource: contracts the pipeline cannot book', () => {
  it('a_coin_margined_inverse_contract_then_refused_at_start_naming_the_file_and_why', () => {
    // Published, its bars would be traded as a linear 1-BTC contract with P&L in USD (as the
    // backtest once did: 718.10 USD on one BTC bought and sold), where the real P&L is in BTC.
    const file = resolve(DATA, 'crypto/cross_venue_2022-12-13/BTCUSD_BINANCE_coinmperp_1m_quotebars.csv');
    expect(() => fileSource([file])).toThrow(
      /BTCUSD_BINANCE_coinmperp_1m_quotebars\.csv holds BTCUSD(-PERP)?@BINANCE\w*, a coin-margined \(inverse\) contract: its P&L is in BTC.*not modelled yet.*Leave it out of MARKET_DATA_FILES/,
    );
    // Its linear neighbour is played as before.
    expect(fileSource([resolve(DATA, 'crypto/cross_venue_2022-12-13/BTCUSDT_BYBIT_linearperp_1m_quotebars.csv')]).files).toHaveLength(1);
  });
});
