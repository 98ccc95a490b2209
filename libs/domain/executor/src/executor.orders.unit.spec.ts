import { clientOrderIdFor, deriveId, NO_OUTPUTS } from '@tradeloop/kernel';
import { given, msg } from '@tradeloop/testing';
import { createExecutor } from './executor.decider';
import { brokerOrderIdFor, ExecutorInput } from './executor.outputs';
import { bookOf, type ExecutorState } from './executor.state';
import { approved, closeOf, logOf, MIN, quoteBar, T0, tradeBar } from './test-support';

const ex = createExecutor({ takerFeeBps: 10, makerFeeBps: 2, slippageBps: 5 });
/** evolve then decide, as the host does; returns the decider's own output array. */
function decideAfterFold(state: ExecutorState, input: ExecutorInput): readonly unknown[] {
  return ex.decide(input, ex.evolve(state, input));
}
const fxEx = createExecutor({ takerFeeBps: 2, makerFeeBps: 1, slippageBps: 1 });

/** Bid and ask OHLC for EURUSD one pip (0.0001) apart. */
function fxBar(i: number, o: number, h: number, l: number, c: number) {
  const a = (x: number) => Math.round((x + 0.0001) * 1e5) / 1e5;
  return quoteBar(i, [o, h, l, c], [a(o), a(h), a(l), a(c)]);
}

describe('placing approved orders', () => {
  it('approved_order_when_valid_then_submits_once_and_accepts_with_deterministic_ids', () => {
    const a = approved({ side: 'buy', quantity: '0.5' }, 'appr-1', closeOf(0));
    const then = given(ex).when(a).thenTypes('OrderSubmitted', 'OrderAccepted');
    const orderId = deriveId('appr-1', 'executor', 0);
    expect(then.published[0].id).toBe(orderId);
    expect(then.first('OrderSubmitted')).toEqual({
      orderId,
      clientOrderId: clientOrderIdFor('appr-1'),
      approvedOrderId: 'appr-1',
      riskApprovalId: 'risk-appr-1',
      venue: 'TEST',
      symbol: 'BTCUSD',
      side: 'buy',
      type: 'market',
      quantity: '0.5',
      timeInForce: 'GTC',
      role: 'entry',
      origin: 'strategy',
      strategy: 'structure_break',
    });
    expect(then.first('OrderAccepted')).toEqual({
      orderId,
      clientOrderId: clientOrderIdFor('appr-1'),
      symbol: 'BTCUSD',
      brokerOrderId: brokerOrderIdFor(clientOrderIdFor('appr-1')),
    });
    // Outputs stay in the approval's chain (the signal), not a new one.
    expect(then.published.every((e) => e.correlationId === 'sig-appr-1')).toBe(true);
  });

  it('approved_order_when_delivered_again_then_emits_nothing', () => {
    const a = approved({ side: 'buy', quantity: '0.5' }, 'appr-1', closeOf(0));
    given(ex, logOf(ex, [a])).when(a).thenNothing();
  });

  it('approved_order_when_redelivered_after_it_filled_then_emits_nothing_and_does_not_fill_again', () => {
    const a = approved({ side: 'buy', quantity: '0.5' }, 'appr-1', closeOf(0));
    const past = logOf(ex, [a, tradeBar(1, 100, 101, 99, 100)]);
    const g = given(ex, past);
    g.when(a).thenNothing();
    g.when(tradeBar(2, 100, 101, 99, 100)).thenNothing();
  });

  const rejects: [string, Parameters<typeof approved>[0], RegExp][] = [
    ['unknown_instrument', { side: 'buy', quantity: '1', symbol: 'ACME' }, /unknown instrument "ACME"/],
    ['symbol_not_canonical', { side: 'buy', quantity: '1', symbol: 'btcusd' }, /symbol "btcusd" must be written "BTCUSD"/],
    ['quantity_off_the_lot_grid', { side: 'buy', quantity: '0.000015' }, /not a multiple of the lot size 0.00001/],
    ['zero_quantity', { side: 'buy', quantity: '0' }, /quantity must be a positive decimal/],
    ['garbage_quantity', { side: 'buy', quantity: 'lots' }, /quantity must be a positive decimal, got "lots"/],
    ['limit_without_price', { side: 'buy', quantity: '1', type: 'limit' }, /limit order needs a limitPrice/],
    ['stop_without_price', { side: 'sell', quantity: '1', type: 'stop' }, /stop order needs a stopPrice/],
    ['limit_price_off_the_tick', { side: 'buy', quantity: '1', type: 'limit', limitPrice: '100.005' }, /limitPrice 100.005 is not a multiple of the tick size 0.01/],
    ['negative_stop_price', { side: 'buy', quantity: '1', type: 'stop', stopPrice: '-5' }, /stopPrice must be a positive decimal/],
    ['stop_loss_above_take_profit_on_a_buy', { side: 'buy', quantity: '1', stopLoss: '110', takeProfit: '100' }, /stopLoss 110 must be below takeProfit 100 for a buy/],
    ['stop_loss_above_limit_entry_on_a_buy', { side: 'buy', quantity: '1', type: 'limit', limitPrice: '100', stopLoss: '101' }, /stopLoss 101 must be below the entry price 100/],
    ['take_profit_above_limit_entry_on_a_sell', { side: 'sell', quantity: '1', type: 'limit', limitPrice: '100', takeProfit: '101' }, /takeProfit 101 must be below the entry price 100 for a sell/],
    ['bad_time_in_force', { side: 'buy', quantity: '1', timeInForce: 'GTD' as never }, /timeInForce must be GTC, IOC, FOK or DAY/],
  ];
  it.each(rejects)('approved_order_when_%s_then_submitted_and_rejected_with_reason', (_name, spec, reason) => {
    const then = given(ex).when(approved(spec, 'bad', closeOf(0))).thenTypes('OrderSubmitted', 'OrderRejected');
    expect(then.first('OrderRejected').reason).toMatch(reason);
  });

  it('approved_order_when_below_minimum_quantity_then_rejected', () => {
    const strict = createExecutor({ instruments: { BTCUSD: { minQuantity: '0.001' } } });
    const then = given(strict).when(approved({ side: 'buy', quantity: '0.0005' }, 'a', closeOf(0)));
    expect(then.first('OrderRejected').reason).toBe('quantity 0.0005 is below the minimum 0.001');
  });

  it('approved_order_when_quoted_in_a_currency_no_price_converts_yet_then_rejected_naming_the_pairs', () => {
    const usd = createExecutor({ currency: 'USD' });
    const then = given(usd).when(approved({ side: 'buy', quantity: '1000', symbol: 'EURGBP' }, 'a', closeOf(0)));
    expect(then.first('OrderRejected').reason).toBe(
      'EURGBP is quoted in GBP and no price seen so far converts GBP into the account currency USD, ' +
        'so its P&L could not be booked: trade it with GBPUSD or USDGBP bars in the data',
    );
  });

  it('approved_order_when_currency_unset_then_first_accepted_order_fixes_it_for_the_run', () => {
    const free = createExecutor();
    const past = logOf(free, [approved({ side: 'buy', quantity: '1000', symbol: 'EURUSD' }, 'a', closeOf(0))]);
    const then = given(free, past).when(approved({ side: 'buy', quantity: '1000', symbol: 'EURGBP' }, 'b', closeOf(0)));
    expect(then.first('OrderRejected').reason).toMatch(/no price seen so far converts GBP into the account currency USD/);
    expect(then.state.currency).toBe('USD');
  });

  it('rejected_order_when_bars_follow_then_never_fills', () => {
    const past = logOf(ex, [approved({ side: 'buy', quantity: '0' }, 'a', closeOf(0))]);
    given(ex, past).when(tradeBar(1, 100, 101, 99, 100)).thenNothing();
  });
});

describe('placing an order against the market as it is now', () => {
  // BTCUSD last traded at 100 (the bar's close); risk priced each order at 100 unless said.
  const bar0 = tradeBar(0, 100, 101, 99, 100);
  const granted = (spec: Parameters<typeof approved>[0], referencePrice = '100') => {
    const a = approved(spec, 'late', closeOf(0));
    return { ...a, data: { ...a.data, approvedBy: 'alice', approvalId: 'ap-1', referencePrice } } as typeof a;
  };
  const placing = (a: ReturnType<typeof approved>) => given(ex, logOf(ex, [bar0])).when(a);

  it('market_buy_when_the_last_price_is_already_at_or_below_its_stop_loss_then_rejected_as_a_stale_approval', () => {
    const t = placing(granted({ side: 'buy', quantity: '1', stopLoss: '100', takeProfit: '110' }, '104')).thenTypes('OrderSubmitted', 'OrderRejected');
    expect(t.first('OrderRejected').reason).toBe(
      'stale approval: the stop-loss 100 of this buy is at or above the last price 100 of BTCUSD (it was priced at 104): placed now it would be stopped out at once',
    );
  });
  it('market_sell_when_the_last_price_is_already_past_its_take_profit_then_rejected', () => {
    const t = placing(granted({ side: 'sell', quantity: '1', stopLoss: '110', takeProfit: '100.5' }, '104')).thenTypes('OrderSubmitted', 'OrderRejected');
    expect(t.first('OrderRejected').reason).toBe(
      'stale approval: the take-profit 100.5 of this sell is at or above the last price 100 of BTCUSD (it was priced at 104): placed now it would enter past its own target',
    );
  });
  it('market_order_when_the_last_price_moved_beyond_the_collar_then_rejected_naming_both_prices', () => {
    const t = placing(granted({ side: 'buy', quantity: '1' }, '94')).thenTypes('OrderSubmitted', 'OrderRejected');
    expect(t.first('OrderRejected').reason).toBe('stale approval: the last price 100 of BTCUSD is 6.38% from 94, the price risk approved this buy at, beyond the 5% collar');
    placing(granted({ side: 'buy', quantity: '1' }, '95.3')).thenTypes('OrderSubmitted', 'OrderAccepted');
    given(createExecutor({ priceCollarPct: 0.1 }), logOf(ex, [bar0])).when(granted({ side: 'buy', quantity: '1' }, '94')).thenTypes('OrderSubmitted', 'OrderAccepted');
  });
  it('limit_buy_when_the_market_already_trades_below_its_stop_loss_then_rejected_but_a_resting_limit_or_a_stop_entry_is_placed', () => {
    // A buy limit at 102 is marketable at 100: it would fill below its own stop-loss at 101.
    const t = placing(granted({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '102', stopLoss: '101', takeProfit: '110' }));
    expect(t.first('OrderRejected').reason).toMatch(/^stale approval: the stop-loss 101 of this buy is at or above the last price 100 of BTCUSD/);
    // Resting below the market, or a breakout stop entry above it: the bracket is judged against their own price.
    placing(granted({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', stopLoss: '98', takeProfit: '99.5' })).thenTypes('OrderSubmitted', 'OrderAccepted');
    placing(granted({ side: 'buy', quantity: '1', type: 'stop', stopPrice: '105', stopLoss: '101', takeProfit: '110' })).thenTypes('OrderSubmitted', 'OrderAccepted');
  });
  it('market_order_when_inside_its_bracket_and_collar_then_placed', () => {
    placing(granted({ side: 'buy', quantity: '1', stopLoss: '95', takeProfit: '110' }, '101')).thenTypes('OrderSubmitted', 'OrderAccepted');
    // With no bar of the symbol yet there is nothing to judge it by.
    given(ex).when(granted({ side: 'buy', quantity: '1', stopLoss: '100', takeProfit: '110' }, '50')).thenTypes('OrderSubmitted', 'OrderAccepted');
  });
  it('automatic_order_when_the_market_moved_then_rejected_as_market_moved', () => {
    const a = approved({ side: 'buy', quantity: '1', stopLoss: '100.5' }, 'auto', closeOf(0));
    expect(placing(a).first('OrderRejected').reason).toMatch(/^market moved: the stop-loss 100\.5 of this buy/);
  });
  it('config_when_price_collar_out_of_range_then_range_error_naming_it', () => {
    expect(() => createExecutor({ priceCollarPct: 0 })).toThrow(/priceCollarPct/);
    expect(() => createExecutor({ priceCollarPct: 1.5 })).toThrow(/priceCollarPct/);
  });
});

describe('market orders', () => {
  it('market_buy_when_next_trade_bar_then_fills_at_open_plus_slippage_rounded_up_with_taker_fee', () => {
    const past = logOf(ex, [approved({ side: 'buy', quantity: '0.5' }, 'a', closeOf(0))]);
    const then = given(ex, past)
      .when(tradeBar(1, 20000.01, 20100, 19900, 20050))
      .thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
    expect(then.first('OrderFilled')).toMatchObject({
      side: 'buy',
      quantity: '0.5',
      price: '20010.02', // 20000.01 × 1.0005 = 20010.015005 ↑
      fee: '10.01', // 0.5 × 20010.02 × 0.001 = 10.00501
      feeCurrency: 'USD',
      liquidity: 'taker',
      referencePrice: '20000.01',
      slippage: '10.01',
      cumulativeQuantity: '0.5',
      leavesQuantity: '0',
      role: 'entry',
    });
    expect(then.first('OrderFilled').spread).toBeUndefined();
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '99989.99', realizedPnl: '0.00', fees: '10.01', sequence: 1 });
  });

  it('market_sell_when_next_trade_bar_then_fills_at_open_minus_slippage_rounded_down', () => {
    const past = logOf(ex, [approved({ side: 'sell', quantity: '0.5' }, 'a', closeOf(0))]);
    const fill = given(ex, past).when(tradeBar(1, 20000.01, 20100, 19900, 20050)).first('OrderFilled');
    expect(fill.price).toBe('19990'); // 19990.005005 ↓
    expect(fill.fee).toBe('10.00'); // 0.5 × 19990 × 0.001 = 9.995 → half-even (9.99|5 → 10.00)
  });

  it('market_order_when_bar_opened_before_the_approval_then_waits_for_the_next_bar', () => {
    // The approval came at bar 1's close, but bar 1 reaches the executor after it.
    const past = logOf(ex, [approved({ side: 'buy', quantity: '1' }, 'a', closeOf(1))]);
    const g = given(ex, past);
    g.when(tradeBar(1, 100, 101, 99, 100)).thenNothing();
    expect(g.when(tradeBar(2, 102, 103, 101, 102)).first('OrderFilled').referencePrice).toBe('102');
  });

  it('market_order_when_approved_inside_a_bar_then_fills_at_the_first_bar_opening_after_it', () => {
    const past = logOf(ex, [approved({ side: 'buy', quantity: '1' }, 'a', T0 + 30_000)]);
    const g = given(ex, past);
    g.when(tradeBar(0, 100, 101, 99, 100)).thenNothing();
    expect(g.when(tradeBar(1, 105, 106, 104, 105)).first('OrderFilled').referencePrice).toBe('105');
  });

  it('market_buy_when_quote_bar_then_fills_at_ask_open_and_records_spread', () => {
    const past = logOf(fxEx, [approved({ side: 'buy', quantity: '10000', symbol: 'EURUSD' }, 'a', closeOf(0))]);
    const fill = given(fxEx, past).when(fxBar(1, 1.08, 1.081, 1.079, 1.0805)).first('OrderFilled');
    expect(fill).toMatchObject({
      price: '1.08021', // ask open 1.0801 × 1.0001 = 1.08020801 ↑
      referencePrice: '1.0801',
      spread: '0.0001',
      fee: '2.16', // 10000 × 1.08021 × 0.0002 = 2.160420
    });
  });

  it('market_sell_when_quote_bar_then_fills_at_bid_open', () => {
    const past = logOf(fxEx, [approved({ side: 'sell', quantity: '10000', symbol: 'EURUSD' }, 'a', closeOf(0))]);
    const fill = given(fxEx, past).when(fxBar(1, 1.08, 1.081, 1.079, 1.0805)).first('OrderFilled');
    expect(fill).toMatchObject({ price: '1.07989', referencePrice: '1.08', spread: '0.0001' });
  });
});

describe('limit orders', () => {
  const limitBuy = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99' }, 'a', closeOf(0));

  it('buy_limit_when_bar_only_touches_it_then_no_fill_under_through_rule', () => {
    given(ex, logOf(ex, [limitBuy])).when(tradeBar(1, 100, 101, 99, 100)).thenNothing();
  });

  it('buy_limit_when_bar_touches_it_under_touch_rule_then_fills_at_limit', () => {
    const touch = createExecutor({ limitFillRule: 'touch' });
    const fill = given(touch, logOf(touch, [limitBuy])).when(tradeBar(1, 100, 101, 99, 100)).first('OrderFilled');
    expect(fill.price).toBe('99');
  });

  it('buy_limit_when_bar_trades_through_then_fills_at_limit_as_maker_without_slippage', () => {
    const fill = given(ex, logOf(ex, [limitBuy])).when(tradeBar(1, 100, 101, 98.5, 100)).first('OrderFilled');
    expect(fill).toMatchObject({ price: '99', referencePrice: '99', slippage: '0', liquidity: 'maker', fee: '0.02' }); // 99 × 2 bps = 0.0198
  });

  it('buy_limit_when_bar_gaps_below_then_fills_at_the_better_open', () => {
    const fill = given(ex, logOf(ex, [limitBuy])).when(tradeBar(1, 97.5, 98, 97, 97.8)).first('OrderFilled');
    expect(fill).toMatchObject({ price: '97.5', slippage: '-1.5' });
  });

  it('sell_limit_when_quote_bar_then_tested_on_bid_high_and_gap_fills_at_bid_open', () => {
    const sell = approved({ side: 'sell', quantity: '10000', type: 'limit', limitPrice: '1.08100', symbol: 'EURUSD' }, 'a', closeOf(0));
    const g = given(fxEx, logOf(fxEx, [sell]));
    // ask high 1.0811 passes the limit, bid high 1.0810 does not: a sell waits
    g.when(fxBar(1, 1.08, 1.081, 1.079, 1.0805)).thenNothing();
    expect(g.when(fxBar(2, 1.0815, 1.082, 1.0812, 1.0818)).first('OrderFilled')).toMatchObject({ price: '1.0815', spread: '0.0001' });
  });

  it('limit_order_when_untriggered_for_many_bars_then_stays_working_silently', () => {
    const g = given(ex, logOf(ex, [limitBuy]));
    for (let i = 1; i <= 20; i++) expect(decideAfterFold(g.host.state, tradeBar(i, 100, 101, 99.5, 100))).toBe(NO_OUTPUTS);
    expect(g.when(tradeBar(21, 100, 101, 98, 100)).first('OrderFilled').price).toBe('99');
  });
});

describe('stop orders', () => {
  it('buy_stop_when_only_ask_high_reaches_it_then_triggers', () => {
    const stop = approved({ side: 'buy', quantity: '10000', type: 'stop', stopPrice: '1.08100', symbol: 'EURUSD' }, 'a', closeOf(0));
    const g = given(fxEx, logOf(fxEx, [stop]));
    // bid high 1.0810 is at the stop but a buy stop watches the ask: 1.08099 < 1.081
    g.when(fxBar(1, 1.08, 1.08089, 1.079, 1.0805)).thenNothing();
    g.when(fxBar(2, 1.08, 1.0809, 1.079, 1.0805)).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
  });

  it('buy_stop_when_triggered_then_fill_price_is_stop_plus_slippage', () => {
    const stop = approved({ side: 'buy', quantity: '10000', type: 'stop', stopPrice: '1.08100', symbol: 'EURUSD' }, 'a', closeOf(0));
    const fill = given(fxEx, logOf(fxEx, [stop])).when(fxBar(1, 1.08, 1.081, 1.079, 1.0805)).first('OrderFilled');
    expect(fill).toMatchObject({ price: '1.08111', referencePrice: '1.081', slippage: '0.00011', liquidity: 'taker', fee: '2.16' });
  });

  it('buy_stop_when_bar_gaps_above_then_fills_at_the_worse_ask_open_plus_slippage', () => {
    const stop = approved({ side: 'buy', quantity: '10000', type: 'stop', stopPrice: '1.08100', symbol: 'EURUSD' }, 'a', closeOf(0));
    const fill = given(fxEx, logOf(fxEx, [stop])).when(fxBar(1, 1.0819, 1.083, 1.0818, 1.0825)).first('OrderFilled');
    expect(fill).toMatchObject({ price: '1.08211', referencePrice: '1.081' }); // ask open 1.082 × 1.0001 ↑
  });

  it('sell_stop_when_bid_low_reaches_it_then_fills_at_stop_minus_slippage_and_gap_at_bid_open', () => {
    const stop = approved({ side: 'sell', quantity: '10000', type: 'stop', stopPrice: '1.07950', symbol: 'EURUSD' }, 'a', closeOf(0));
    const past = logOf(fxEx, [stop]);
    expect(given(fxEx, past).when(fxBar(1, 1.08, 1.081, 1.079, 1.0805)).first('OrderFilled').price).toBe('1.07939');
    expect(given(fxEx, past).when(fxBar(1, 1.079, 1.0795, 1.0785, 1.079)).first('OrderFilled').price).toBe('1.07889'); // 1.079 × 0.9999 = 1.0788921 ↓
  });
});

describe('time in force', () => {
  it('ioc_limit_when_first_eligible_bar_does_not_reach_it_then_cancelled', () => {
    const ioc = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', timeInForce: 'IOC' }, 'a', closeOf(0));
    const g = given(ex, logOf(ex, [ioc]));
    expect(g.when(tradeBar(1, 100, 101, 99.5, 100)).first('OrderCancelled').reason).toBe('ioc_unfilled');
    g.when(tradeBar(2, 100, 101, 95, 100)).thenNothing();
  });

  it('fok_limit_when_first_eligible_bar_does_not_reach_it_then_cancelled', () => {
    const fok = approved({ side: 'sell', quantity: '1', type: 'limit', limitPrice: '102', timeInForce: 'FOK' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [fok])).when(tradeBar(1, 100, 101, 99.5, 100)).thenTypes('OrderCancelled');
    expect(then.first('OrderCancelled').reason).toBe('fok_unfilled');
  });

  it('ioc_limit_when_first_eligible_bar_reaches_it_then_fills', () => {
    const ioc = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', timeInForce: 'IOC' }, 'a', closeOf(0));
    given(ex, logOf(ex, [ioc])).when(tradeBar(1, 100, 101, 98, 100)).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
  });

  it('ioc_limit_when_bar_before_eligibility_then_not_counted_as_its_first_bar', () => {
    const ioc = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', timeInForce: 'IOC' }, 'a', closeOf(1));
    const g = given(ex, logOf(ex, [ioc]));
    g.when(tradeBar(1, 100, 101, 99.5, 100)).thenNothing();
    g.when(tradeBar(2, 100, 101, 98, 100)).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
  });

  it('day_order_when_a_bar_opens_on_the_next_utc_day_then_expires', () => {
    const day = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', timeInForce: 'DAY' }, 'a', closeOf(0));
    const g = given(ex, logOf(ex, [day]));
    const lastOfDay = msg(
      'BarClosed',
      { venue: 'TEST', symbol: 'BTCUSD', timeframe: '1m', openTime: T0 + 14 * 60 * MIN - MIN, open: 100, high: 101, low: 99.5, close: 100, volume: 1 },
      { ts: T0 + 14 * 60 * MIN },
    );
    g.when(lastOfDay).thenNothing(); // 23:59–24:00 still belongs to the day
    const nextDay = msg(
      'BarClosed',
      { venue: 'TEST', symbol: 'BTCUSD', timeframe: '1m', openTime: T0 + 14 * 60 * MIN, open: 100, high: 101, low: 90, close: 100, volume: 1 },
      { ts: T0 + 14 * 60 * MIN + MIN },
    );
    g.when(nextDay).thenTypes('OrderExpired');
    expect(g.host.state.orders.get(deriveId('a', 'executor', 0))?.status).toBe('expired');
  });

  it('gtc_order_when_days_pass_then_still_working', () => {
    const gtc = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99' }, 'a', closeOf(0));
    const later = msg(
      'BarClosed',
      { venue: 'TEST', symbol: 'BTCUSD', timeframe: '1m', openTime: T0 + 3 * 86_400_000, open: 100, high: 101, low: 98, close: 100, volume: 1 },
      { ts: T0 + 3 * 86_400_000 + MIN },
    );
    given(ex, logOf(ex, [gtc])).when(later).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
  });
});

describe('cancel and kill switch', () => {
  const limitBuy = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99' }, 'a', closeOf(0));
  const orderId = deriveId('a', 'executor', 0);

  it('cancel_order_when_working_then_cancelled_and_never_fills', () => {
    const g = given(ex, logOf(ex, [limitBuy]));
    const then = g.when(msg('CancelOrder', { orderId, by: 'alice' }, { ts: closeOf(0) })).thenTypes('OrderCancelled');
    expect(then.first('OrderCancelled')).toEqual({ orderId, clientOrderId: clientOrderIdFor('a'), symbol: 'BTCUSD', reason: 'manual' });
    g.when(tradeBar(1, 100, 101, 90, 100)).thenNothing();
    g.when(msg('CancelOrder', { orderId, by: 'alice' })).thenNothing();
  });

  it('cancel_order_when_addressed_by_client_order_id_then_cancelled', () => {
    given(ex, logOf(ex, [limitBuy])).when(msg('CancelOrder', { orderId: clientOrderIdFor('a'), by: 'bob' })).thenTypes('OrderCancelled');
  });

  it('cancel_order_when_filled_or_unknown_then_nothing', () => {
    const past = logOf(ex, [limitBuy, tradeBar(1, 100, 101, 98, 100)]);
    given(ex, past).when(msg('CancelOrder', { orderId, by: 'alice' })).thenNothing();
    given(ex, past).when(msg('CancelOrder', { orderId: 'nope', by: 'alice' })).thenNothing();
  });

  it('kill_switch_when_cancel_working_orders_then_cancels_entries_and_keeps_protective_orders', () => {
    const bracketed = approved({ side: 'buy', quantity: '1', stopLoss: '90', takeProfit: '120' }, 'b', closeOf(0));
    const past = logOf(ex, [limitBuy, bracketed, tradeBar(1, 100, 101, 99.5, 100)]);
    const halt = msg('TradingStateChanged', { state: 'HALTED', previous: 'ACTIVE', reason: 'kill', by: 'ops', cancelWorkingOrders: true }, { ts: closeOf(1) });
    const g = given(ex, past);
    const then = g.when(halt).thenTypes('OrderCancelled');
    expect(then.first('OrderCancelled')).toMatchObject({ orderId, reason: 'kill_switch' });
    const roles = bookOf(g.host.state, 'TEST', 'BTCUSD')?.working.map((o) => o.role);
    expect(roles).toEqual(['stop_loss', 'take_profit']);
    // The protection still works while halted.
    expect(g.when(tradeBar(2, 100, 101, 89, 95)).first('PositionClosed').exitReason).toBe('stop_loss');
  });

  it('trading_state_change_without_cancel_flag_then_nothing', () => {
    const halt = msg('TradingStateChanged', { state: 'HALTED', previous: 'ACTIVE', reason: 'x', by: 'ops', cancelWorkingOrders: false });
    given(ex, logOf(ex, [limitBuy])).when(halt).thenNothing();
  });
});

describe('hot path', () => {
  it('bar_when_symbol_has_no_orders_and_no_position_then_returns_the_shared_empty_outputs', () => {
    expect(decideAfterFold(ex.initialState(), tradeBar(1, 100, 101, 99, 100))).toBe(NO_OUTPUTS);
    const past = logOf(ex, [approved({ side: 'buy', quantity: '1', symbol: 'ETHUSD' }, 'a', closeOf(0))]);
    expect(decideAfterFold(given(ex, past).host.state, tradeBar(1, 100, 101, 99, 100))).toBe(NO_OUTPUTS);
  });

  it('bar_when_a_bracket_rests_out_of_reach_then_returns_the_shared_empty_outputs', () => {
    const bracketed = approved({ side: 'buy', quantity: '1', stopLoss: '90', takeProfit: '120' }, 'a', closeOf(0));
    const g = given(ex, logOf(ex, [bracketed, tradeBar(1, 100, 101, 99, 100)]));
    expect(bookOf(g.host.state, 'TEST', 'BTCUSD')?.working.map((o) => o.role)).toEqual(['stop_loss', 'take_profit']);
    for (let i = 2; i <= 20; i++) expect(decideAfterFold(g.host.state, tradeBar(i, 100, 119, 91, 100))).toBe(NO_OUTPUTS);
    expect(g.when(tradeBar(21, 100, 121, 95, 118)).first('PositionClosed').exitReason).toBe('take_profit');
  });

  it('bar_when_only_a_position_is_open_then_no_outputs_but_marks_and_excursions_move', () => {
    const past = logOf(ex, [approved({ side: 'buy', quantity: '1' }, 'a', closeOf(0)), tradeBar(1, 100, 101, 99, 100)]);
    const state = given(ex, past).host.state;
    expect(decideAfterFold(state, tradeBar(2, 100, 104, 97, 103))).toBe(NO_OUTPUTS);
    const p = bookOf(state, 'TEST', 'BTCUSD')?.position;
    expect(p?.markF).toBe(103);
    expect(p?.maxFavorableExcursion).toBeCloseTo(104 - 100.05, 9);
    expect(p?.maxAdverseExcursion).toBeCloseTo(100.05 - 97, 9);
  });
});
