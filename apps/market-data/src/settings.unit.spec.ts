import { ConfigError } from '@tradeloop/nest-service';
import { feedSettings } from './settings';

const DIR = '/nonexistent-data-dir';

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

  test.each([
    [{}, /MARKET_DATA_FILES must list at least one data file .*or set MARKET_DATA_SYNTHETIC/],
    [{ MARKET_DATA_FILES: 'a.csv', MARKET_DATA_SYNTHETIC: 'EURUSD' }, /MARKET_DATA_SYNTHETIC cannot be set together with MARKET_DATA_FILES/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_KIND: 'tick' }, /MARKET_DATA_SYNTHETIC_KIND must be bar or quote \(got "tick"\)/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_COUNT: '0' }, /MARKET_DATA_SYNTHETIC_COUNT must be an integer ≥ 1 \(got "0"\)/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_INTERVAL_MS: '1.5' }, /MARKET_DATA_SYNTHETIC_INTERVAL_MS must be an integer ≥ 1/],
    [{ MARKET_DATA_SYNTHETIC: 'EURUSD', MARKET_DATA_SYNTHETIC_START: 'yesterday' }, /MARKET_DATA_SYNTHETIC_START must be an ISO time/],
    [{ MARKET_DATA_SYNTHETIC: 'NOTASYMBOL' }, /MARKET_DATA_SYNTHETIC .*NOTASYMBOL/],
  ])('%j_then_an_error_naming_the_variable', (env, message) => {
    expect(problems(env)).toMatch(message);
  });
});
