import { dec } from '@tradeloop/kernel';
import type { BarClosedData } from '@tradeloop/contracts';
import {
  feeFor,
  isQuoteBar,
  limitFill,
  limitMarketableAtOpen,
  limitTriggered,
  marketFill,
  matchOrder,
  slippageOf,
  spreadAtOpen,
  stopFill,
  stopTriggered,
} from './paper-broker';

const tick = dec('0.01');
const fxTick = dec('0.00001');
const bps = (n: number) => dec(n).div(10_000);

function trade(o: number, h: number, l: number, c: number): BarClosedData {
  return { venue: 'T', symbol: 'BTCUSD', timeframe: '1m', openTime: 0, open: o, high: h, low: l, close: c, volume: 1 };
}
function quote(bid: [number, number, number, number], ask: [number, number, number, number]): BarClosedData {
  return {
    venue: 'T',
    symbol: 'EURUSD',
    timeframe: '1m',
    openTime: 0,
    open: bid[0],
    high: bid[1],
    low: bid[2],
    close: bid[3],
    volume: 0,
    askOpen: ask[0],
    askHigh: ask[1],
    askLow: ask[2],
    askClose: ask[3],
  };
}

const fx = quote([1.08, 1.081, 1.079, 1.0805], [1.0801, 1.0811, 1.0791, 1.0806]);

describe('market orders', () => {
  it('market_buy_when_trade_bar_with_slippage_then_open_times_one_plus_s_rounded_up_to_tick', () => {
    const q = marketFill('buy', trade(20000.01, 20100, 19900, 20050), tick, bps(5));
    // 20000.01 × 1.0005 = 20010.015005 → up to the cent
    expect(q.price.toFixed()).toBe('20010.02');
    expect(q.reference.toFixed()).toBe('20000.01');
    expect(q.liquidity).toBe('taker');
    expect(slippageOf('buy', q).toFixed()).toBe('10.01');
  });

  it('market_sell_when_trade_bar_with_slippage_then_rounded_down_to_tick', () => {
    const q = marketFill('sell', trade(20000.01, 20100, 19900, 20050), tick, bps(5));
    // 20000.01 × 0.9995 = 19990.005005 → down
    expect(q.price.toFixed()).toBe('19990');
    expect(slippageOf('sell', q).toFixed()).toBe('10.01');
  });

  it('market_when_quote_bar_then_buy_lifts_ask_open_and_sell_hits_bid_open', () => {
    expect(marketFill('buy', fx, fxTick, bps(1)).price.toFixed()).toBe('1.08021'); // 1.0801 × 1.0001 = 1.08020801 ↑
    expect(marketFill('sell', fx, fxTick, bps(1)).price.toFixed()).toBe('1.07989'); // 1.08 × 0.9999 = 1.079892 ↓
    expect(marketFill('buy', fx, fxTick, bps(0)).price.toFixed()).toBe('1.0801');
  });
});

describe('limit orders', () => {
  it('buy_limit_when_low_equals_limit_then_through_rule_waits_and_touch_rule_fills', () => {
    const bar = trade(101, 102, 99, 100);
    expect(limitTriggered('buy', 99, bar, 'through')).toBe(false);
    expect(limitTriggered('buy', 99, bar, 'touch')).toBe(true);
    expect(limitTriggered('buy', 99.01, bar, 'through')).toBe(true);
  });

  it('sell_limit_when_high_equals_limit_then_through_rule_waits_and_touch_rule_fills', () => {
    const bar = trade(101, 102, 99, 100);
    expect(limitTriggered('sell', 102, bar, 'through')).toBe(false);
    expect(limitTriggered('sell', 102, bar, 'touch')).toBe(true);
    expect(limitTriggered('sell', 101.99, bar, 'through')).toBe(true);
  });

  it('buy_limit_when_traded_through_then_fills_at_limit_as_maker', () => {
    const q = limitFill('buy', dec('100'), trade(101, 102, 99, 100), tick);
    expect(q.price.toFixed()).toBe('100');
    expect(q.liquidity).toBe('maker');
    expect(slippageOf('buy', q).toFixed()).toBe('0');
  });

  it('buy_limit_when_bar_gaps_below_then_fills_at_the_better_open', () => {
    const q = limitFill('buy', dec('100'), trade(98, 99, 97, 98.5), tick);
    expect(q.price.toFixed()).toBe('98');
    expect(slippageOf('buy', q).toFixed()).toBe('-2');
  });

  it('sell_limit_when_bar_gaps_above_then_fills_at_the_better_open', () => {
    expect(limitFill('sell', dec('100'), trade(103, 104, 102, 103), tick).price.toFixed()).toBe('103');
    expect(limitFill('sell', dec('100'), trade(99, 101, 98, 100), tick).price.toFixed()).toBe('100');
  });

  it('limit_when_quote_bar_then_buy_tests_ask_low_and_sell_tests_bid_high', () => {
    // bid low 1.079 is below 1.07905 but the ask low 1.0791 is not: a buy limit does not fill
    expect(limitTriggered('buy', 1.07905, fx, 'through')).toBe(false);
    expect(limitTriggered('buy', 1.07911, fx, 'through')).toBe(true);
    // ask high 1.0811 is above 1.08105 but the bid high 1.081 is not: a sell limit does not fill
    expect(limitTriggered('sell', 1.08105, fx, 'through')).toBe(false);
    expect(limitTriggered('sell', 1.08099, fx, 'through')).toBe(true);
  });

  it('limit_marketable_at_open_when_open_beyond_limit_then_true', () => {
    expect(limitMarketableAtOpen('sell', 102, trade(103, 104, 90, 95), 'through')).toBe(true);
    expect(limitMarketableAtOpen('sell', 103, trade(103, 104, 90, 95), 'through')).toBe(false);
    expect(limitMarketableAtOpen('sell', 103, trade(103, 104, 90, 95), 'touch')).toBe(true);
    expect(limitMarketableAtOpen('buy', 1.0802, fx, 'through')).toBe(true);
  });
});

describe('stop orders', () => {
  it('buy_stop_when_ask_high_reaches_it_then_fills_at_stop_plus_slippage', () => {
    expect(stopTriggered('buy', 1.0811, fx)).toBe(true);
    expect(stopTriggered('buy', 1.08111, fx)).toBe(false);
    // 1.081 × 1.0001 = 1.0811081 ↑
    expect(stopFill('buy', dec('1.081'), fx, fxTick, bps(1)).price.toFixed()).toBe('1.08111');
  });

  it('buy_stop_when_bar_gaps_above_then_fills_at_the_worse_open_plus_slippage', () => {
    const gap = quote([1.0819, 1.083, 1.0818, 1.0825], [1.082, 1.0831, 1.0819, 1.0826]);
    const q = stopFill('buy', dec('1.081'), gap, fxTick, bps(1));
    expect(q.price.toFixed()).toBe('1.08211'); // 1.082 × 1.0001 = 1.0821082 ↑
    expect(q.reference.toFixed()).toBe('1.081');
    expect(slippageOf('buy', q).toFixed()).toBe('0.00111');
  });

  it('sell_stop_when_bid_low_reaches_it_then_fills_at_stop_minus_slippage', () => {
    expect(stopTriggered('sell', 1.079, fx)).toBe(true);
    expect(stopTriggered('sell', 1.07899, fx)).toBe(false);
    expect(stopFill('sell', dec('1.0795'), fx, fxTick, bps(1)).price.toFixed()).toBe('1.07939'); // 1.07939205 ↓
  });

  it('sell_stop_when_bar_gaps_below_then_fills_at_the_worse_open', () => {
    expect(stopFill('sell', dec('100'), trade(95, 96, 94, 95), tick, bps(0)).price.toFixed()).toBe('95');
  });
});

describe('match, fees, spread', () => {
  it('match_order_when_not_triggered_then_undefined_else_quote', () => {
    const bar = trade(101, 102, 99, 100);
    const opts = { tick, slippageRate: bps(0), limitFillRule: 'through' as const };
    expect(matchOrder({ side: 'buy', type: 'limit', priceF: 98, price: dec('98') }, bar, opts)).toBeUndefined();
    expect(matchOrder({ side: 'buy', type: 'limit', priceF: 100, price: dec('100') }, bar, opts)?.price.toFixed()).toBe('100');
    expect(matchOrder({ side: 'sell', type: 'stop', priceF: 99.5, price: dec('99.5') }, bar, opts)?.price.toFixed()).toBe('99.5');
    expect(matchOrder({ side: 'buy', type: 'market', priceF: Number.NaN }, bar, opts)?.price.toFixed()).toBe('101');
  });

  it('fee_when_half_a_minor_unit_then_rounds_half_even', () => {
    expect(feeFor(dec(1), dec(125), dec(1), bps(10), 'USD').toFixed()).toBe('0.12'); // 0.125
    expect(feeFor(dec(1), dec(135), dec(1), bps(10), 'USD').toFixed()).toBe('0.14'); // 0.135
    expect(feeFor(dec(2), dec('1900.5'), dec(100), bps(1), 'USD').toFixed()).toBe('38.01'); // 38.01
    expect(feeFor(dec(1000), dec('150.123'), dec(1), bps(2), 'JPY').toFixed()).toBe('30'); // 30.0246
  });

  it('spread_when_quote_bar_then_ask_open_minus_bid_open_and_none_on_trade_bars', () => {
    expect(spreadAtOpen(fx)?.toFixed()).toBe('0.0001');
    expect(isQuoteBar(fx)).toBe(true);
    expect(spreadAtOpen(trade(1, 1, 1, 1))).toBeUndefined();
    expect(isQuoteBar(trade(1, 1, 1, 1))).toBe(false);
  });
});
