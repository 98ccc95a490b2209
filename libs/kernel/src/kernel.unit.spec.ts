import { clientOrderIdFor, deriveId, flat, nextBeta, nextFloat, seedPrng, clonePrng } from './index';
import { currencyDecimals, dec, roundMoney, roundToStep, moneyStr } from './money';
import { instrumentFor } from './instruments';
import { utcHour, utcWeekday, utcDayStart } from './time';
import { EMA } from 'trading-signals';

describe('deterministic ids', () => {
  it('derive_id_when_same_cause_then_same_id_and_differs_by_index', () => {
    expect(deriveId('a', 'risk', 0)).toBe(deriveId('a', 'risk', 0));
    expect(deriveId('a', 'risk', 0)).not.toBe(deriveId('a', 'risk', 1));
    expect(deriveId('a', 'risk', 0)).not.toBe(deriveId('a', 'governor', 0));
  });
  it('client_order_id_when_derived_then_short_alphanumeric_and_stable', () => {
    const c = clientOrderIdFor('order-1');
    expect(c).toMatch(/^TLE[0-9a-f]{28}$/);
    expect(c.length).toBeLessThanOrEqual(36);
    expect(clientOrderIdFor('order-1')).toBe(c);
  });
});

describe('seeded prng', () => {
  it('same_seed_when_drawn_then_same_sequence', () => {
    const a = seedPrng(42);
    const b = seedPrng(42);
    const xs = Array.from({ length: 5 }, () => nextFloat(a));
    expect(Array.from({ length: 5 }, () => nextFloat(b))).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it('clone_when_advanced_separately_then_independent', () => {
    const a = seedPrng(7);
    const b = clonePrng(a);
    nextFloat(a);
    expect(nextFloat(b)).not.toBe(nextFloat(a));
  });
  it('beta_samples_when_many_then_mean_matches_alpha_over_sum', () => {
    const st = seedPrng(1);
    let s = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) s += nextBeta(st, 3, 7);
    expect(s / n).toBeCloseTo(0.3, 2);
  });
  it('non_integer_seed_then_throws', () => {
    expect(() => seedPrng(1.5)).toThrow(/seed must be an integer/);
  });
});

describe('exact money', () => {
  it('round_to_step_when_modes_then_floor_ceil_nearest', () => {
    expect(roundToStep('1.234567', '0.00001', 'down').toFixed()).toBe('1.23456');
    expect(roundToStep('1.234561', '0.00001', 'up').toFixed()).toBe('1.23457');
    expect(roundToStep('0.123456', '0.00001').toFixed()).toBe('0.12346');
  });
  it('round_money_when_half_then_half_even_to_minor_unit', () => {
    expect(roundMoney('2.345', 'USD').toFixed()).toBe('2.34');
    expect(roundMoney('2.355', 'USD').toFixed()).toBe('2.36');
    expect(roundMoney('1234.5', 'JPY').toFixed()).toBe('1234');
    expect(moneyStr('5', 'USD')).toBe('5.00');
  });
  it('round_money_when_a_coin_then_to_its_smallest_unit_not_to_cents', () => {
    // A BTC account booked in hundredths of a bitcoin lost every fee and most P&L below 0.005 BTC.
    expect(currencyDecimals('BTC')).toBe(8);
    expect(roundMoney('0.000228523', 'BTC').toFixed()).toBe('0.00022852');
    expect(moneyStr('20', 'ETH')).toBe('20.00000000');
    expect(roundMoney('1.2345675', 'XRP').toFixed()).toBe('1.234568');
    // Fiat and the USD stablecoins keep their cents; a code nobody knows too.
    expect(['USD', 'USDT', 'EUR', 'JPY', 'XYZ'].map(currencyDecimals)).toEqual([2, 2, 2, 0, 2]);
  });
  it('decimal_sum_when_floats_would_drift_then_exact', () => {
    let total = dec(0);
    for (let i = 0; i < 10; i++) total = total.plus('0.1');
    expect(total.toFixed()).toBe('1');
  });
  it('dec_when_nan_then_throws', () => {
    expect(() => dec(Number.NaN)).toThrow(/not a finite number/);
  });
});

describe('instruments', () => {
  it('defaults_per_asset_class', () => {
    expect(instrumentFor('EURUSD')).toMatchObject({ assetClass: 'forex', tickSize: '0.00001', priceTolerance: 0.001, quoteCurrency: 'USD' });
    expect(instrumentFor('USDJPY')).toMatchObject({ tickSize: '0.001', quoteCurrency: 'JPY' });
    expect(instrumentFor('XAUUSD')).toMatchObject({ assetClass: 'metal', priceTolerance: 5 });
    expect(instrumentFor('BTCUSDT')).toMatchObject({ assetClass: 'crypto', priceTolerance: 100, quoteCurrency: 'USDT' });
    expect(instrumentFor('BTC-PERP')).toMatchObject({ assetClass: 'crypto', quoteCurrency: 'USD' });
  });
  it('overrides_when_given_then_win', () => {
    expect(instrumentFor('EURUSD', { priceTolerance: 0.0005 }).priceTolerance).toBe(0.0005);
  });
  it('given_crypto_quoted_in_a_fiat_currency_other_than_usd_when_looked_up_then_that_currency_is_its_quote', () => {
    // Before: BTCEUR, BTCGBP and BTCJPY were all quoted in USD, so their P&L was labelled and
    // booked as dollars.
    expect(instrumentFor('BTCEUR')).toMatchObject({ assetClass: 'crypto', baseCurrency: 'BTC', quoteCurrency: 'EUR', tickSize: '0.01' });
    expect(instrumentFor('ETH-GBP')).toMatchObject({ baseCurrency: 'ETH', quoteCurrency: 'GBP' });
    expect(instrumentFor('BTCUSD-PERP')).toMatchObject({ baseCurrency: 'BTC', quoteCurrency: 'USD' });
  });
  it('given_crypto_quoted_in_another_coin_or_an_unknown_currency_when_looked_up_then_throws_rather_than_guess_usd_and_a_tick', () => {
    // Before: ETHBTC was quoted in USD with a tick of 0.01, at a price of about 0.07.
    expect(() => instrumentFor('ETHBTC')).toThrow('unknown instrument "ETHBTC": ETH quoted in BTC, whose tick and lot sizes are not known here; give its metadata explicitly');
    expect(() => instrumentFor('BTCXYZ')).toThrow('unknown instrument "BTCXYZ": BTC quoted in XYZ, a currency not known here; give its metadata explicitly');
    const ethbtc = {
      assetClass: 'crypto',
      baseCurrency: 'ETH',
      quoteCurrency: 'BTC',
      tickSize: '0.00001',
      lotSize: '0.0001',
      minQuantity: '0.0001',
      contractSize: '1',
      priceTolerance: 0.0005,
    } as const;
    expect(instrumentFor('ethbtc', ethbtc)).toEqual({ ...ethbtc, symbol: 'ETHBTC' });
    const { tickSize: _tick, ...partial } = ethbtc;
    expect(() => instrumentFor('ETHBTC', partial)).toThrow('give its metadata explicitly (all of assetClass, baseCurrency, quoteCurrency, tickSize, lotSize, minQuantity, contractSize, priceTolerance)');
  });
  it('unknown_symbol_then_throws_naming_it', () => {
    expect(() => instrumentFor('FOO')).toThrow(/unknown instrument "FOO"/);
  });
});

describe('utc time', () => {
  it('hour_weekday_daystart_without_date', () => {
    const ts = Date.UTC(2014, 4, 6, 13, 45);
    expect(utcHour(ts)).toBe(13);
    expect(utcWeekday(ts)).toBe(2); // Tuesday
    expect(utcDayStart(ts)).toBe(Date.UTC(2014, 4, 6));
  });
});

describe('trading-signals loads under jest', () => {
  it('ema_when_updated_then_result', () => {
    const e = new EMA(3);
    [1, 2, 3, 4].forEach((v) => e.add(v));
    expect(e.getResult()).toBeGreaterThan(2);
  });
});

describe('flat', () => {
  it('returns the same text for a concatenation, an empty string and non-ASCII text', () => {
    const parts = ['long ', 'momentum: ', 'EMA20 ', (1.23456).toFixed(2), ' → ', 'ok'];
    let rope = '';
    for (const p of parts) rope = `${rope}${p}`;
    expect(flat(rope)).toBe('long momentum: EMA20 1.23 → ok');
    expect(flat('')).toBe('');
    expect(flat('≥ breakeven')).toBe('≥ breakeven');
  });
});
