import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@tradeloop/nest-service';
import { feedSettings } from './settings';

const DIR = '/nonexistent-data-dir';
const BUNDLED = resolve(__dirname, '../../../data/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');

function problems(env: Record<string, string>): string {
  try {
    feedSettings(env, DIR);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('market-data feed settings', () => {
  test('synthetic_symbols_then_a_seeded_walk_on_SIM_the_same_for_the_same_settings', () => {
    const env = { MARKET_DATA_SYNTHETIC: 'eurusd,XAUUSD', MARKET_DATA_SYNTHETIC_COUNT: '50', MARKET_DATA_SPEED: '0' };
    const s = feedSettings(env, DIR);
    expect(s.speed).toBe(0);
    const messages = [...s.source('paper').messages()];
    expect(messages).toHaveLength(50);
    expect(new Set(messages.map((m) => `${m.type} ${m.data.venue} ${m.data.symbol}`))).toEqual(new Set(['BarClosed SIM EURUSD', 'BarClosed SIM XAUUSD']));
    expect(messages[0].ts).toBe(Date.parse('2024-01-02T00:01:00Z'));
    expect([...feedSettings(env, DIR).source('paper').messages()]).toEqual(messages);
    const quotes = [...feedSettings({ ...env, MARKET_DATA_SYNTHETIC_KIND: 'quote', MARKET_DATA_SYNTHETIC_SEED: '3' }, DIR).source('paper').messages()];
    expect(quotes.every((m) => m.type === 'QuoteTick')).toBe(true);
  });

  test('max_quiet_unset_then_ten_minutes_of_market_and_0_turns_the_shortening_off', () => {
    const env = { MARKET_DATA_SYNTHETIC: 'EURUSD' };
    expect(feedSettings(env, DIR).maxQuietMs).toBe(600_000);
    expect(feedSettings({ ...env, MARKET_DATA_MAX_QUIET_MS: '0' }, DIR).maxQuietMs).toBe(0);
    expect(feedSettings({ ...env, MARKET_DATA_MAX_QUIET_MS: '3600000' }, DIR).maxQuietMs).toBe(3_600_000);
  });

  test.each([
    [{}, /MARKET_DATA_FILES must list at least one data file .*or set MARKET_DATA_SYNTHETIC/],
    [{ MARKET_DATA_FILES: 'a.csv', MARKET_DATA_SYNTHETIC: 'EURUSD' }, /MARKET_DATA_SYNTHETIC cannot be set together with MARKET_DATA_FILES/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_KIND: 'tick' }, /MARKET_DATA_SYNTHETIC_KIND must be bar or quote \(got "tick"\)/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_COUNT: '0' }, /MARKET_DATA_SYNTHETIC_COUNT must be an integer ≥ 1 \(got "0"\)/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_INTERVAL_MS: '1.5' }, /MARKET_DATA_SYNTHETIC_INTERVAL_MS must be an integer ≥ 1/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_START: 'yesterday' }, /MARKET_DATA_SYNTHETIC_START must be an ISO time/],
    [{ MARKET_DATA_SYNTHETIC: 'NOTASYMBOL' }, /MARKET_DATA_SYNTHETIC .*NOTASYMBOL/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_MAX_QUIET_MS: '-1' }, /MARKET_DATA_MAX_QUIET_MS must be an integer ≥ 0 \(got "-1"\)/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_MAX_QUIET_MS: '10m' }, /MARKET_DATA_MAX_QUIET_MS must be an integer ≥ 0 \(got "10m"\)/],
  ])('%j_then_an_error_naming_the_variable', (env, message) => {
    expect(problems(env)).toMatch(message);
  });

  describe("a user's own file, whose name does not say its symbol and venue", () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-settings-'));
      // The first 30 bars of the bundled EURUSD quote bars and the 30 after them, under names that
      // say nothing, and the first 30 under one that does.
      const lines = readFileSync(BUNDLED, 'utf8').split('\n');
      writeFileSync(join(dir, 'mydata.csv'), `${lines.slice(0, 31).join('\n')}\n`);
      writeFileSync(join(dir, 'more.csv'), `${[lines[0], ...lines.slice(31, 61)].join('\n')}\n`);
      copyFileSync(join(dir, 'mydata.csv'), join(dir, 'GBPUSD_FXCM_1m_quotebars_copy.csv'));
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    const settings = (env: Record<string, string>) => feedSettings({ MARKET_DATA_DIR: dir, ...env }, DIR);
    const markets = (env: Record<string, string>) => new Set([...settings(env).source('paper').messages()].map((m) => `${m.data.symbol}@${m.data.venue}`));

    test('given_a_file_named_mydata_csv_when_no_symbol_or_venue_is_set_then_the_error_names_the_file_and_the_two_settings_at_start', () => {
      expect(problems({ MARKET_DATA_FILES: 'mydata.csv' })).toBe(
        'invalid configuration: MARKET_DATA_FILES mydata.csv does not say its symbol and venue in the name (SYMBOL_VENUE_…, like EURUSD_OANDA_1m.csv): ' +
          'set MARKET_DATA_SYMBOL and MARKET_DATA_VENUE to name them, or rename the file',
      );
    });

    test('given_MARKET_DATA_SYMBOL_and_MARKET_DATA_VENUE_in_any_case_when_the_file_name_lacks_them_then_its_bars_are_that_market', () => {
      const s = settings({ MARKET_DATA_FILES: 'mydata.csv,more.csv', MARKET_DATA_SYMBOL: 'eurusd', MARKET_DATA_VENUE: ' oanda ' });
      expect(s.passedOver).toEqual([]);
      const source = s.source('paper');
      const messages = [...source.messages()];
      expect(messages).toHaveLength(60);
      expect(new Set(messages.map((m) => `${m.type} ${m.data.symbol}@${m.data.venue}`))).toEqual(new Set(['BarClosed EURUSD@OANDA']));
      expect(source.files.map((f) => [f.file, f.symbol, f.venue])).toEqual([
        ['mydata.csv', 'EURUSD', 'OANDA'],
        ['more.csv', 'EURUSD', 'OANDA'],
      ]);
    });

    test('given_two_unnamed_files_of_the_same_days_when_both_are_named_one_market_then_the_feed_is_refused_naming_both_as_a_backtest_refuses_them', () => {
      const source = (): unknown => settings({ MARKET_DATA_FILES: 'mydata.csv,more.csv,mydata-again.csv', MARKET_DATA_SYMBOL: 'EURUSD', MARKET_DATA_VENUE: 'OANDA' }).source('paper');
      copyFileSync(join(dir, 'mydata.csv'), join(dir, 'mydata-again.csv'));
      try {
        expect(source).toThrow(
          'mydata.csv and mydata-again.csv both hold EURUSD@OANDA bars from 2014-05-01T00:00:00.000Z to 2014-05-01T00:29:00.000Z: ' +
            "a market's bars must come from one file at a time (the overlap would be traded twice); list one of them in MARKET_DATA_FILES",
        );
      } finally {
        rmSync(join(dir, 'mydata-again.csv'));
      }
    });

    test.each([
      [{ MARKET_DATA_SYMBOL: 'EURUSD' }, 'MARKET_DATA_VENUE must be set: mydata.csv does not say its symbol and venue in the name'],
      [{ MARKET_DATA_VENUE: 'OANDA' }, 'MARKET_DATA_SYMBOL must be set: mydata.csv does not say its symbol and venue in the name'],
    ])('given_only_%j_when_the_file_name_lacks_both_then_the_error_names_the_one_missing', (env, message) => {
      expect(problems({ MARKET_DATA_DIR: dir, MARKET_DATA_FILES: 'mydata.csv', ...env })).toContain(message);
    });

    test('given_a_named_file_among_them_when_the_settings_name_another_market_then_they_choose_it_out_and_never_rename_it', () => {
      const env = { MARKET_DATA_FILES: 'mydata.csv,GBPUSD_FXCM_1m_quotebars_copy.csv', MARKET_DATA_SYMBOL: 'EURUSD', MARKET_DATA_VENUE: 'OANDA' };
      expect(settings(env).passedOver).toEqual(['GBPUSD_FXCM_1m_quotebars_copy.csv (GBPUSD@FXCM)']);
      expect(markets(env)).toEqual(new Set(['EURUSD@OANDA']));
      // Without the unnamed file nothing is left to play: an error, not GBPUSD prices published as EURUSD.
      expect(problems({ ...env, MARKET_DATA_DIR: dir, MARKET_DATA_FILES: 'GBPUSD_FXCM_1m_quotebars_copy.csv' })).toMatch(
        /^invalid configuration: MARKET_DATA_SYMBOL EURUSD \(with MARKET_DATA_VENUE OANDA\) matches none of MARKET_DATA_FILES: GBPUSD_FXCM_1m_quotebars_copy\.csv \(GBPUSD@FXCM\)\. A file's name says its symbol and venue/,
      );
      expect(problems({ MARKET_DATA_DIR: dir, MARKET_DATA_FILES: 'GBPUSD_FXCM_1m_quotebars_copy.csv', MARKET_DATA_VENUE: 'OANDA' })).toMatch(
        /^invalid configuration: MARKET_DATA_VENUE OANDA matches none of MARKET_DATA_FILES/,
      );
      // Naming the file's own market is a choice that keeps it.
      expect(markets({ MARKET_DATA_FILES: 'GBPUSD_FXCM_1m_quotebars_copy.csv', MARKET_DATA_SYMBOL: 'gbpusd' })).toEqual(new Set(['GBPUSD@FXCM']));
    });

    test.each([
      [{ MARKET_DATA_FILES: 'mydata.csv', MARKET_DATA_SYMBOL: 'EUR USD', MARKET_DATA_VENUE: 'OANDA' }, /MARKET_DATA_SYMBOL must be a symbol like EURUSD or BTC-PERP .*\(got "EUR USD"\)/],
      [{ MARKET_DATA_FILES: 'mydata.csv', MARKET_DATA_SYMBOL: 'EURUSD', MARKET_DATA_VENUE: 'md.batch.>' }, /MARKET_DATA_VENUE must be a venue like OANDA .*\(got "md\.batch\.>"\)/],
      [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYMBOL: 'GBPUSD' }, /MARKET_DATA_SYMBOL applies to MARKET_DATA_FILES only: the synthetic generator publishes the symbols of MARKET_DATA_SYNTHETIC on venue SIM/],
    ])('given_%j_then_an_error_naming_the_variable', (env, message) => {
      const text = problems({ MARKET_DATA_DIR: dir, ...env });
      expect(text).toMatch(message);
      // A bad value is reported alone, not also as missing.
      expect(text).not.toMatch(/must be set|MARKET_DATA_FILES mydata/);
    });
  });

  describe('files of the shared data that hold one market twice', () => {
    const SHARED = resolve(__dirname, '../../../../shared/data');
    const source = (files: string): ReturnType<ReturnType<typeof feedSettings>['source']> =>
      feedSettings({ MARKET_DATA_DIR: SHARED, MARKET_DATA_FILES: files, MARKET_DATA_SPEED: '0' }, DIR).source('paper');

    test('given_the_1m_quote_bars_and_the_ticks_of_EURUSD_at_OANDA_when_played_together_then_the_feed_is_refused_naming_both_files_and_the_overlap', () => {
      // May 6 is in both: before, the service published both files' bars of that day, each minute twice.
      expect(() => source('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv,ticks/EURUSD_OANDA_ticks_2014-05-06.csv')).toThrow(
        /^forex\/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\.csv and ticks\/EURUSD_OANDA_ticks_2014-05-06\.csv both hold EURUSD@OANDA bars from 2014-05-06T00:00:00\.000Z to 2014-05-06T2\d:\d\d:00\.000Z: a market's bars must come from one file at a time/,
      );
    });

    test('given_EURUSD_at_OANDA_and_at_FXCM_on_the_same_days_when_played_together_then_both_markets_are_published', () => {
      const s = source('forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv,forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv');
      const counts = new Map<string, number>();
      for (const m of s.messages()) counts.set(m.data.venue, (counts.get(m.data.venue) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ OANDA: 15_366, FXCM: 15_857 });
    });
  });
});
