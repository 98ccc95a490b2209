import { DeciderHost } from '@tradeloop/kernel';
import { given } from '@tradeloop/testing';
import { createExecutor } from './executor.decider';
import type { ExecutorInput } from './executor.outputs';
import { accountRateOf, equityOf } from './executor.read';
import { approved, closeOf, logOf, quoteBar, tradeBar } from './test-support';

/**
 * An instrument quoted in another currency than the account's: its position, fills and fees
 * stay in the quote currency, and the account (cash, realised P&L, fees) receives them
 * converted at a rate each fill names.
 */
const usd = createExecutor({ currency: 'USD', takerFeeBps: 1, makerFeeBps: 1, slippageBps: 0 });

/** USDJPY bid OHLC with the ask one pip (0.010) above. */
function usdjpy(i: number, o: number, h: number, l: number, c: number) {
  const a = (x: number) => Math.round((x + 0.01) * 1000) / 1000;
  return quoteBar(i, [o, h, l, c], [a(o), a(h), a(l), a(c)], 'USDJPY');
}

describe('an instrument quoted in another currency than the account', () => {
  const buy = approved({ side: 'buy', quantity: '10000', symbol: 'USDJPY' }, 'buy', closeOf(0));
  const sell = approved({ side: 'sell', quantity: '10000', symbol: 'USDJPY' }, 'sell', closeOf(1));

  it('usdjpy_in_a_usd_account_when_bought_then_the_fee_in_yen_reaches_the_account_in_dollars_at_one_over_the_fill_price', () => {
    const then = given(usd, logOf(usd, [buy])).when(usdjpy(1, 150.0, 150.2, 149.9, 150.1)).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
    expect(then.first('OrderFilled')).toMatchObject({
      symbol: 'USDJPY',
      price: '150.01', // the ask at the open
      fee: '150', // 10000 × 150.01 × 0.0001 = 150.01 JPY, to the yen
      feeCurrency: 'JPY',
      accountCurrency: 'USD',
      conversionRate: '0.006666222252', // 1 / 150.01, 10 significant digits
      accountRealizedPnl: '0.00',
      accountFee: '1.00', // 150 × 0.006666222252 = 0.99993…
    });
    // The position's prices are yen, and it says so (read models and the API label them with it).
    expect(then.first('PositionOpened')).toMatchObject({ symbol: 'USDJPY', averagePrice: '150.01', currency: 'JPY' });
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '99999.00', realizedPnl: '0.00', fees: '1.00', sequence: 1 });
  });

  it('usdjpy_round_trip_then_the_position_closes_in_yen_and_the_account_books_it_in_dollars_exactly', () => {
    const past = logOf(usd, [buy, usdjpy(1, 150.0, 150.2, 149.9, 150.1), sell]);
    const then = given(usd, past).when(usdjpy(2, 151.0, 151.2, 150.9, 151.1)).thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated');
    expect(then.first('OrderFilled')).toMatchObject({
      price: '151', // the bid at the open
      fee: '151',
      feeCurrency: 'JPY',
      conversionRate: '0.006622516556', // 1 / 151
      accountRealizedPnl: '65.56', // (151 − 150.01) × 10000 = 9900 JPY × 0.006622516556 = 65.5629…
      accountFee: '1.00', // 151 × 0.006622516556 = 0.99999…
    });
    expect(then.first('PositionClosed')).toMatchObject({ currency: 'JPY', grossPnl: '9900', fees: '301', realizedPnl: '9599' });
    // 100000 − 1.00 + 65.56 − 1.00: cash = start + realised − fees, to the cent.
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '100063.56', realizedPnl: '65.56', fees: '2.00', sequence: 2 });
    expect(then.state.cash.toFixed(2)).toBe('100063.56');
  });

  it('eurgbp_in_a_usd_account_after_gbpusd_bars_then_converted_at_the_last_gbpusd_mid', () => {
    const ex = createExecutor({ currency: 'USD', takerFeeBps: 2, makerFeeBps: 2, slippageBps: 0 });
    const gbpusd = quoteBar(0, [1.25, 1.251, 1.249, 1.25], [1.2501, 1.2511, 1.2491, 1.2501], 'GBPUSD');
    const order = approved({ side: 'buy', quantity: '100000', symbol: 'EURGBP' }, 'eg', closeOf(0));
    const eurgbp = quoteBar(1, [0.85, 0.851, 0.849, 0.8505], [0.8501, 0.8511, 0.8491, 0.8506], 'EURGBP');
    const then = given(ex, logOf(ex, [gbpusd, order])).when(eurgbp);
    expect(then.first('OrderFilled')).toMatchObject({
      price: '0.8501',
      fee: '17.00', // 100000 × 0.8501 × 0.0002 = 17.002 GBP
      feeCurrency: 'GBP',
      accountCurrency: 'USD',
      conversionRate: '1.25005', // the GBPUSD mid of its last bar
      accountFee: '21.25', // 17.00 × 1.25005 = 21.25085
    });
    // Marked in dollars at the GBPUSD rate: long 100000 at 0.8501, bid close 0.8505.
    expect(accountRateOf(then.state, 'TEST', 'EURGBP')?.toFixed()).toBe('1.25005');
    expect(equityOf(then.state)).toBeCloseTo(100000 - 21.25 + 100000 * (0.8505 - 0.8501) * 1.25005, 6);
  });

  it('ethusd_in_a_btc_account_after_btcusd_bars_then_fee_and_pnl_are_booked_to_the_satoshi', () => {
    // Before, a coin account was booked in hundredths: this fee of 0.00006 BTC and the P&L below
    // became 0.00, and the account never moved however much it traded.
    const btc = createExecutor({ currency: 'BTC', startingCash: '2', takerFeeBps: 10, makerFeeBps: 10, slippageBps: 0 });
    const btcusd = (i: number) => tradeBar(i, 40000, 40000, 40000, 40000, 'BTCUSD');
    const ethusd = (i: number, price: number) => tradeBar(i, price, price, price, price, 'ETHUSD');
    const buyEth = approved({ side: 'buy', quantity: '1', symbol: 'ETHUSD' }, 'eb', closeOf(0));
    const sellEth = approved({ side: 'sell', quantity: '1', symbol: 'ETHUSD' }, 'es', closeOf(1));
    const then = given(btc, logOf(btc, [btcusd(0), buyEth, ethusd(1, 2400), btcusd(1), sellEth])).when(ethusd(2, 2500));
    expect(then.first('OrderFilled')).toMatchObject({
      fee: '2.50', // 1 × 2500 × 0.001 USD
      conversionRate: '0.000025', // 1 / the BTCUSD close
      accountRealizedPnl: '0.00250000', // 100 USD
      accountFee: '0.00006250',
    });
    // 2 − 0.00006 (2.40 USD) + 0.0025 − 0.0000625, to the satoshi.
    expect(then.first('AccountUpdated')).toEqual({ currency: 'BTC', cash: '2.00237750', realizedPnl: '0.00250000', fees: '0.00012250', sequence: 2 });
  });

  it('a_converted_run_when_its_log_is_folded_then_the_same_account_as_live', () => {
    const inputs: ExecutorInput[] = [buy, usdjpy(1, 150.0, 150.2, 149.9, 150.1), sell, usdjpy(2, 151.0, 151.2, 150.9, 151.1)];
    const live = new DeciderHost(usd);
    const log = inputs.flatMap((i) => [i, ...live.handle(i)]);
    // JSON round trip: new objects, so evolve recomputes every fill from the message (no handoff).
    const rebuilt = new DeciderHost(usd);
    for (const m of JSON.parse(JSON.stringify(log))) rebuilt.fold(m);
    expect(rebuilt.state.cash.toFixed()).toBe(live.state.cash.toFixed());
    expect(rebuilt.state.realizedPnl.toFixed()).toBe('65.56');
    expect(rebuilt.state.fees.toFixed()).toBe('2');
  });
});
