import { given } from '@tradeloop/testing';
import { defaultExecutorConfig, resolveExecutorConfig } from './executor.config';
import { createExecutor } from './executor.decider';
import { approved, closeOf, logOf, tradeBar } from './test-support';

describe('executor config', () => {
  it('defaults_when_nothing_given_then_documented_values', () => {
    expect(defaultExecutorConfig).toMatchObject({
      startingCash: '100000',
      takerFeeBps: 0,
      makerFeeBps: 0,
      slippageBps: 0,
      limitFillRule: 'through',
      instruments: {},
    });
    expect(defaultExecutorConfig.currency).toBeUndefined();
    expect(createExecutor().name).toBe('executor');
    expect(createExecutor().consumes).toEqual(['OrderApproved', 'BarClosed', 'TradingStateChanged', 'CancelOrder']);
  });

  it('undefined_fields_when_given_then_defaults_apply', () => {
    expect(resolveExecutorConfig({ currency: undefined, slippageBps: undefined }).slippageBps).toBe(0);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['startingCash_not_a_decimal', { startingCash: 'lots' }, /startingCash/],
    ['startingCash_negative', { startingCash: '-1' }, /startingCash/],
    ['startingCash_a_number', { startingCash: 100 }, /startingCash/],
    ['startingCash_finer_than_the_currency', { startingCash: '10.5', currency: 'JPY' }, /startingCash/],
    ['currency_lower_case', { currency: 'usd' }, /currency/],
    ['takerFeeBps_negative', { takerFeeBps: -1 }, /takerFeeBps/],
    ['makerFeeBps_nan', { makerFeeBps: Number.NaN }, /makerFeeBps/],
    ['slippageBps_whole_price', { slippageBps: 10_000 }, /slippageBps/],
    ['limitFillRule_unknown', { limitFillRule: 'near' }, /limitFillRule/],
    ['unknown_field', { slipageBps: 1 }, /unknown field "slipageBps"/],
    ['instrument_tick_zero', { instruments: { EURUSD: { tickSize: '0' } } }, /instruments\.EURUSD\.tickSize/],
    ['instrument_unknown_and_incomplete', { instruments: { ACME: { tickSize: '0.01' } } }, /instruments\.ACME.*lack assetClass, quoteCurrency, lotSize, minQuantity, contractSize/],
  ];
  it.each(invalid)('config_when_%s_then_range_error_naming_the_field', (_name, partial, field) => {
    expect(() => createExecutor(partial as never)).toThrow(RangeError);
    expect(() => createExecutor(partial as never)).toThrow(field);
  });

  it('instrument_when_unknown_to_the_kernel_but_fully_described_then_tradable', () => {
    const ex = createExecutor({
      instruments: { ACME: { assetClass: 'equity', quoteCurrency: 'USD', tickSize: '0.01', lotSize: '1', minQuantity: '1', contractSize: '1' } },
    });
    const past = logOf(ex, [approved({ side: 'buy', quantity: '10', symbol: 'ACME' }, 'a', closeOf(0))]);
    const fill = given(ex, past).when(tradeBar(1, 42.5, 43, 42, 42.8, 'ACME')).first('OrderFilled');
    expect(fill).toMatchObject({ symbol: 'ACME', price: '42.5', quantity: '10' });
  });

  it('instrument_overrides_when_given_then_lot_grid_follows_them', () => {
    const ex = createExecutor({ instruments: { EURUSD: { lotSize: '1000', minQuantity: '1000' } } });
    expect(given(ex).when(approved({ side: 'buy', quantity: '1500', symbol: 'EURUSD' }, 'a', closeOf(0))).first('OrderRejected').reason).toBe(
      'quantity 1500 is not a multiple of the lot size 1000',
    );
  });
});
