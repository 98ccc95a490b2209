import { deriveId, MS_PER_DAY, NO_OUTPUTS } from '@tradeloop/kernel';
import { msg, runAll } from '@tradeloop/testing';
import type { Envelope } from '@tradeloop/kernel';
import { marketKey } from '@tradeloop/kernel';
import { createRisk, defaultRiskConfig } from './index';
import {
  account,
  after,
  bar,
  btcTake,
  closed,
  decision,
  filled,
  manual,
  MIN,
  submitted,
  T0,
  tradingState,
} from './risk.test-fixtures';

const btc = (ts = T0, close = 50_000) => bar('BTCUSDT', close, ts);
const eth = (ts = T0, close = 2_000) => bar('ETHUSDT', close, ts);
const ethTake = (ts: number, id?: string) => decision({ symbol: 'ETHUSDT', entry: 2_000, stop: 1_800, target: 2_400 }, ts, id);
const approvalOf = (requestId: string) => deriveId(requestId, 'risk', 0);

describe('risk config', () => {
  it('defaults_when_no_overrides_then_documented_values', () => {
    expect(defaultRiskConfig).toMatchObject({
      startingCash: '100000',
      riskPerTrade: 0.01,
      maxPositionPct: 0.25,
      maxExposurePct: 1.0,
      dailyTradeLimit: 50,
      dailyLossLimitPct: 0.03,
      lossStreakLimit: 5,
      cooldownMs: 900_000,
      stalePriceMs: 900_000,
      collarPct: 0.05,
      maxOrdersPerMinute: 30,
    });
  });
  it.each([
    ['riskPerTrade', 0],
    ['riskPerTrade', 1.5],
    ['maxPositionPct', -1],
    ['maxExposurePct', Number.NaN],
    ['dailyTradeLimit', 2.5],
    ['dailyLossLimitPct', 0],
    ['lossStreakLimit', 0],
    ['lossStreakResetsDaily', 'yes'],
    ['cooldownMs', -1],
    ['stalePriceMs', 0],
    ['collarPct', 2],
    ['maxOrdersPerMinute', 0],
    ['startingCash', '1e5'],
    ['startingCash', 100000],
    ['maxOrderValue', '0'],
    ['maxOrderQuantity', 'lots'],
    ['accountCurrency', 'usd'],
    ['riskLevelLowMaxFraction', 0.5],
    ['riskLevelLowMaxUtilisation', 0.9],
    ['instruments', null],
  ])('create_when_%s_is_%p_then_range_error_naming_it', (field, value) => {
    expect(() => createRisk({ [field]: value } as never)).toThrow(RangeError);
    expect(() => createRisk({ [field]: value } as never)).toThrow(new RegExp(`risk config: ${field} `));
  });
  it('create_when_override_undefined_then_default_kept', () => {
    const { outputs } = runAll(createRisk({ riskPerTrade: undefined }), [btc(), btcTake(T0)]);
    expect((outputs[0].data as { order: { quantity: string } }).order.quantity).toBe('0.2');
  });
});

describe('sizing strategy entries', () => {
  it('take_when_fresh_price_then_sized_from_stop_distance_with_bracket', () => {
    const t = after([btc()]).when(btcTake(T0)).thenTypes('RiskApproved');
    expect(t.first('RiskApproved')).toEqual({
      requestId: expect.any(String),
      order: {
        venue: 'paper',
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.2',
        timeInForce: 'GTC',
        stopLoss: '45000',
        takeProfit: '60000',
        origin: 'strategy',
        strategy: 'trend_momentum',
      },
      riskLevel: 'MEDIUM',
      riskAmount: '1000.00',
      notional: '10000.00',
      referencePrice: '50000',
      quality: 80,
      tradingState: 'ACTIVE',
    });
  });
  it('take_when_answered_then_request_id_and_correlation_follow_the_decision', () => {
    const d = msg('DecisionMade', btcTake(T0).data, { ts: T0, id: 'dec-1', correlationId: 'sig-1' });
    const t = after([btc()]).when(d);
    expect(t.first('RiskApproved').requestId).toBe('dec-1');
    expect(t.published[0]).toMatchObject({ id: approvalOf('dec-1'), correlationId: 'sig-1', causationId: 'dec-1', source: 'risk' });
  });
  it('take_when_short_then_sell_with_stop_above', () => {
    const t = after([btc()]).when(btcTake(T0, { direction: 'short', stop: 55_000, target: 40_000 }));
    expect(t.first('RiskApproved').order).toMatchObject({ side: 'sell', quantity: '0.2', stopLoss: '55000', takeProfit: '40000' });
  });
  it('take_when_size_multiplier_half_then_half_size_and_low_risk', () => {
    const t = after([btc()]).when(btcTake(T0, { sizeMultiplier: 0.5 }));
    expect(t.first('RiskApproved')).toMatchObject({ order: { quantity: '0.1' }, riskAmount: '500.00', riskLevel: 'LOW' });
  });
  it('take_when_quantity_not_on_lot_grid_then_rounded_down', () => {
    const t = after([btc()]).when(btcTake(T0, { stop: 47_000 }));
    expect(t.first('RiskApproved').order.quantity).toBe('0.33333');
  });
  it('take_when_stop_and_target_off_tick_then_rounded_to_tick', () => {
    const t = after([btc()]).when(btcTake(T0, { stop: 45_000.004, target: 60_000.006 }));
    expect(t.first('RiskApproved').order).toMatchObject({ stopLoss: '45000', takeProfit: '60000.01' });
  });
  it('take_when_tight_stop_then_capped_at_max_position_notional', () => {
    const t = after([bar('EURUSD', 1.1, T0)]).when(decision({ symbol: 'EURUSD', entry: 1.1, stop: 1.099, target: 1.103 }, T0));
    // 1 000 / 0.001 = 1 000 000 units by risk; 25 % of 100 000 at 1.1 allows 22 727.
    expect(t.first('RiskApproved')).toMatchObject({ order: { quantity: '22727' }, notional: '24999.70' });
  });
  it('take_when_open_position_in_profit_then_equity_includes_unrealised', () => {
    const t = after([filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '40000' }, T0), btc(), eth()]).when(ethTake(T0));
    // equity 110 000 → budget 1 100 over a 200 stop = 5.5 ETH
    expect(t.first('RiskApproved').order.quantity).toBe('5.5');
  });
  it('take_when_account_updated_then_sized_from_reported_cash', () => {
    const t = after([account('50000', T0), btc()]).when(btcTake(T0));
    expect(t.first('RiskApproved').order.quantity).toBe('0.1');
  });
  it('take_when_quote_currency_differs_then_risk_converted_through_last_price', () => {
    const t = after([bar('USDJPY', 100, T0)]).when(decision({ symbol: 'USDJPY', entry: 100, stop: 90, target: 120 }, T0));
    // a 10 JPY stop is 0.1 USD per unit at 100 → 1 000 USD / 0.1 = 10 000 units; amounts in JPY
    expect(t.first('RiskApproved')).toMatchObject({ order: { quantity: '10000' }, notional: '1000000', riskAmount: '100000' });
  });
  it('take_when_no_pair_converts_quote_currency_then_denies_no_market_price', () => {
    const take = decision({ symbol: 'EURGBP', entry: 0.85, stop: 0.84, target: 0.87 }, T0);
    const t = after([bar('EURGBP', 0.85, T0)]).when(take).thenTypes('OrderDenied');
    expect(t.first('OrderDenied')).toMatchObject({ reason: 'NO_MARKET_PRICE', riskLevel: 'BLOCKED', origin: 'strategy' });
    expect(t.first('OrderDenied').detail).toMatch(/GBP.*USD/);
    after([bar('EURGBP', 0.85, T0), bar('GBPUSD', 1.25, T0)]).when(take).thenTypes('RiskApproved');
  });
  it('skip_when_decided_then_nothing', () => {
    after([btc()]).when(btcTake(T0, { action: 'skip', sizeMultiplier: 0 })).thenNothing();
  });
});

describe('manual orders', () => {
  it('manual_market_when_valid_then_approved_as_given_with_quality_100', () => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.3', stopLoss: '49000', takeProfit: '52000' }, T0));
    expect(t.first('RiskApproved')).toMatchObject({
      order: { type: 'market', quantity: '0.3', stopLoss: '49000', takeProfit: '52000', origin: 'manual' },
      riskAmount: '300.00',
      notional: '15000.00',
      quality: 100,
    });
    expect(t.first('RiskApproved').order.strategy).toBeUndefined();
  });
  it('manual_limit_when_within_collar_then_limit_price_is_reference', () => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type: 'limit', price: '48000' }, T0));
    expect(t.first('RiskApproved')).toMatchObject({ order: { type: 'limit', limitPrice: '48000' }, referencePrice: '48000', notional: '4800.00' });
    expect(t.first('RiskApproved').order.stopPrice).toBeUndefined();
  });
  it('manual_stop_when_within_collar_then_stop_price_set', () => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type: 'stop', price: '51000' }, T0));
    expect(t.first('RiskApproved').order).toMatchObject({ type: 'stop', stopPrice: '51000' });
  });
  it('manual_when_no_stop_then_whole_notional_at_risk_and_high', () => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1' }, T0));
    expect(t.first('RiskApproved')).toMatchObject({ riskAmount: '5000.00', riskLevel: 'HIGH' });
  });
  it('manual_when_opposite_to_working_order_then_nets_and_passes', () => {
    const past = [btc(), manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.4' }, T0)];
    after(past).when(manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.2' }, T0)).thenTypes('RiskApproved');
  });
});

describe('manual orders: time in force', () => {
  it('manual_when_no_time_in_force_then_approved_gtc_as_before', () => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type: 'limit', price: '48000' }, T0));
    expect(t.first('RiskApproved').order.timeInForce).toBe('GTC');
  });
  it.each([
    ['market', 'GTC', undefined],
    ['market', 'DAY', undefined],
    ['market', 'IOC', undefined],
    ['market', 'FOK', undefined],
    ['limit', 'GTC', '48000'],
    ['limit', 'DAY', '48000'],
    ['limit', 'IOC', '48000'],
    ['limit', 'FOK', '48000'],
    ['stop', 'GTC', '51000'],
    ['stop', 'DAY', '51000'],
  ] as const)('manual_%s_when_time_in_force_%s_then_the_approved_order_carries_it', (type, timeInForce, price) => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type, price, timeInForce }, T0));
    expect(t.first('RiskApproved').order).toMatchObject({ type, timeInForce, origin: 'manual' });
  });
  it.each(['IOC', 'FOK'] as const)('manual_stop_when_%s_then_denies_invalid_order_saying_why', (timeInForce) => {
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type: 'stop', price: '51000', timeInForce }, T0)).thenTypes('OrderDenied');
    expect(t.first('OrderDenied')).toMatchObject({
      reason: 'INVALID_ORDER',
      detail: `a stop order cannot be ${timeInForce}: it waits for its trigger, and ${timeInForce} would cancel it on its first bar unless that bar already reached it; use GTC or DAY`,
      origin: 'manual',
    });
  });
  it('manual_when_time_in_force_not_a_known_value_then_denies_invalid_order', () => {
    // A command built in code (not decoded from the bus) can carry anything.
    const t = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', timeInForce: 'GTD' as never }, T0)).thenTypes('OrderDenied');
    expect(t.first('OrderDenied')).toMatchObject({ reason: 'INVALID_ORDER', detail: 'time in force must be GTC, DAY, IOC or FOK, got GTD' });
  });
});

describe('denials', () => {
  const denied = (inputs: Envelope[], input: Envelope, config = {}) => {
    const t = after(inputs, config).when(input).thenTypes('OrderDenied');
    const d = t.first('OrderDenied');
    expect(d.riskLevel).toBe('BLOCKED');
    expect(d.requestId).toBe(input.id);
    return d;
  };

  it('order_when_halted_then_denies_trading_halted', () => {
    const past = [btc(), tradingState('HALTED', T0)];
    expect(denied(past, btcTake(T0)).reason).toBe('TRADING_HALTED');
    expect(denied(past, manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.1' }, T0)).reason).toBe('TRADING_HALTED');
  });

  it('manual_when_its_venue_has_no_bars_of_the_symbol_then_denies_no_market_price_naming_the_venues_seen', () => {
    // The paper broker fills an order on its own venue's bars only: this one would rest forever.
    const d = denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', venue: 'PAPER' }, T0));
    expect(d.reason).toBe('NO_MARKET_PRICE');
    expect(d.detail).toBe('no bar of BTCUSDT has been seen at venue "PAPER" (its bars come from paper), so the order could never fill');
    // A second venue's bars make it tradable there too.
    const t = after([btc(), bar('BTCUSDT', 50_050, T0, { venue: 'PAPER' })]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', venue: 'PAPER' }, T0));
    expect(t.first('RiskApproved').order.venue).toBe('PAPER');
  });

  it('manual_when_reducing_and_the_sell_is_at_another_venue_than_the_long_then_it_opens_a_short_there_and_is_refused', () => {
    // A long at 'paper'; a sell at 'PAPER' would open a short at that venue (the paper broker
    // keeps the two apart), not close the long: REDUCING lets only real reductions through.
    const past = [btc(), bar('BTCUSDT', 50_000, T0, { venue: 'PAPER' }), filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '50000' }, T0), tradingState('REDUCING', T0)];
    expect(after(past).when(manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.5' }, T0)).first('RiskApproved').riskAmount).toBe('0.00');
    const d = denied(past, manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.5', venue: 'PAPER' }, T0));
    expect(d.reason).toBe('REDUCE_ONLY');
    expect(d.detail).toMatch(/would open or increase a position \(current 0\)/);
  });

  it('entry_when_reducing_then_denies_reduce_only', () => {
    const d = denied([btc(), tradingState('REDUCING', T0)], btcTake(T0));
    expect(d.reason).toBe('REDUCE_ONLY');
    expect(d.detail).toMatch(/REDUCING/);
  });
  it('manual_when_reducing_and_order_shrinks_position_then_approved_with_no_risk', () => {
    const past = [btc(), filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '50000' }, T0), tradingState('REDUCING', T0)];
    const t = after(past).when(manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.5' }, T0)).thenTypes('RiskApproved');
    expect(t.first('RiskApproved')).toMatchObject({ riskAmount: '0.00', tradingState: 'REDUCING' });
    expect(denied(past, manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '1.5' }, T0)).reason).toBe('REDUCE_ONLY');
    expect(denied(past, manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1' }, T0)).reason).toBe('REDUCE_ONLY');
  });
  it('manual_when_reducing_and_working_close_already_covers_position_then_reduce_only', () => {
    const past = [btc(), filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '50000' }, T0), tradingState('REDUCING', T0)];
    const first = manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.8' }, T0);
    expect(denied([...past, first], manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.5' }, T0)).reason).toBe('REDUCE_ONLY');
  });

  const losses = (n: number, ts = T0) => Array.from({ length: n }, (_, i) => closed('ETHUSDT', '-10', ts - (n - i) * MIN));
  it('order_when_daily_trade_limit_reached_then_denies', () => {
    const past = [btc(), manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0), manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0 + MIN)];
    const d = denied(past, manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0 + 2 * MIN), { dailyTradeLimit: 2 });
    expect(d).toMatchObject({ reason: 'DAILY_TRADE_LIMIT', detail: '2 orders adding risk approved today (UTC), the limit is 2' });
  });

  describe('orders that only reduce a position pass every limit meant to stop new risk', () => {
    // A long of 0.4 BTC (20 000 USD) and, each time, one limit already reached or set below the close.
    const long = [btc(), filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '0.4', price: '50000' }, T0)];
    const buys = (n: number) => Array.from({ length: n }, (_, i) => manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0 + i * 1000));
    const sell = (quantity: string, ts = T0 + 30_000) => manual({ symbol: 'BTCUSDT', side: 'sell', quantity }, ts);
    const cases: [string, Envelope[], Record<string, unknown>][] = [
      ['DAILY_TRADE_LIMIT', [...long, ...buys(2)], { dailyTradeLimit: 2, maxOrdersPerMinute: 100 }],
      ['MESSAGE_RATE', [...long, ...buys(2)], { maxOrdersPerMinute: 2 }],
      ['DAILY_LOSS_LIMIT', [...long, closed('ETHUSDT', '-5000', T0)], {}],
      ['LOSS_STREAK', [...long, ...losses(5)], {}],
      ['COOLDOWN', [...long, closed('BTCUSDT', '-10', T0)], {}],
      ['MAX_ORDER_QUANTITY', long, { maxOrderQuantity: '0.005' }],
      ['MAX_ORDER_VALUE', long, { maxOrderValue: '400' }],
      ['MAX_POSITION', long, { maxPositionPct: 0.1 }],
      ['EXPOSURE_LIMIT', long, { maxExposurePct: 0.1 }],
    ];
    it.each(cases)('close_when_%s_reached_then_the_closing_sell_is_approved_and_a_new_buy_denied', (reason, past, cfg) => {
      // Before: the trade count and message rate, and the per-order caps, refused the close
      // and left the position open.
      const close = after(past, cfg).when(sell('0.4')).thenTypes('RiskApproved').first('RiskApproved');
      expect(close.order).toMatchObject({ side: 'sell', quantity: '0.4' });
      expect(close.riskAmount).toBe('0.00');
      expect(denied(past, manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0 + 30_000), cfg).reason).toBe(reason);
    });
    it.each(cases)('flip_when_%s_reached_then_the_order_through_zero_is_new_risk_and_denied_saying_what_would_pass', (reason, past, cfg) => {
      const d = denied(past, sell('0.7'), cfg);
      expect(d.reason).toBe(reason);
      expect(d.detail).toContain('(this sell of 0.7 closes the long of 0.4 BTCUSDT and opens a position the other way; a sell of up to 0.4 only reduces it and passes this limit)');
    });
    it('close_when_counted_limits_then_reductions_use_none_of_them', () => {
      // Two closes in pieces, then the day's two entries: the reductions took no count.
      const cfg = { dailyTradeLimit: 2, maxOrdersPerMinute: 2 };
      const past = [...long, sell('0.2', T0), sell('0.2', T0 + 1000)];
      const t = after(past, cfg);
      expect(t.outputs.map((o) => o.type)).toEqual(['RiskApproved', 'RiskApproved']);
      expect(t.state.approvalsToday).toBe(0);
      expect(t.state.recentApprovals).toEqual([]);
      after([...past, ...buys(1)], cfg).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, T0 + 5000)).thenTypes('RiskApproved');
    });
    it('close_when_working_sells_already_cover_the_position_then_another_sell_is_new_risk', () => {
      const past = [...long, sell('0.3', T0), ...buys(2)];
      const d = denied(past, sell('0.2'), { dailyTradeLimit: 2 });
      expect(d.reason).toBe('DAILY_TRADE_LIMIT');
      expect(d.detail).toContain('(this sell of 0.2 closes the long of 0.4 BTCUSDT with the working sell orders of 0.3 and opens a position the other way; a sell of up to 0.1 only reduces it and passes this limit)');
      after(past, { dailyTradeLimit: 2 }).when(sell('0.1')).thenTypes('RiskApproved');
    });
    it('flip_when_exposure_checked_then_only_the_part_beyond_the_position_counts', () => {
      // Long 0.4 BTC = 20 000 of 100 000 equity, cap 40%: a sell of 0.8 leaves a short of 0.4
      // (20 000) and adds only that; before, the whole 40 000 of the order was added to the long's.
      const cfg = { maxExposurePct: 0.4 };
      after(long, cfg).when(sell('0.8')).thenTypes('RiskApproved');
      const d = denied(long, sell('0.9'), cfg);
      expect(d.reason).toBe('EXPOSURE_LIMIT');
      expect(d.detail).toMatch(/^exposure would be 45000\.00 USD \(positions 20000\.00 USD \+ working orders 0\.00 USD \+ the part of this order beyond the position 25000\.00 USD\)/);
    });
    it('close_when_halted_then_still_denied', () => {
      expect(denied([...long, tradingState('HALTED', T0)], sell('0.4')).reason).toBe('TRADING_HALTED');
    });
  });

  it('entry_when_daily_loss_reached_then_denies_with_numbers', () => {
    const d = denied([btc(), closed('ETHUSDT', '-3000', T0)], btcTake(T0));
    expect(d.reason).toBe('DAILY_LOSS_LIMIT');
    expect(d.detail).toBe('realised loss today 3000.00 USD has reached the limit 3000.00 USD (3% of start-of-day equity 100000.00 USD)');
  });
  it('entry_when_daily_loss_just_below_limit_then_approved', () => {
    after([btc(), closed('ETHUSDT', '-2999.99', T0)]).when(btcTake(T0)).thenTypes('RiskApproved');
  });
  it('close_when_daily_loss_reached_then_reducing_order_still_passes', () => {
    const past = [btc(), filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '50000' }, T0), closed('ETHUSDT', '-5000', T0)];
    after(past).when(manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '1' }, T0)).thenTypes('RiskApproved');
  });

  it('entry_when_loss_streak_at_limit_then_denies', () => {
    expect(denied([btc(), ...losses(5)], btcTake(T0))).toMatchObject({ reason: 'LOSS_STREAK', detail: '5 losing trades in a row, the limit is 5' });
    after([btc(), ...losses(4)]).when(btcTake(T0)).thenTypes('RiskApproved');
  });
  it('entry_when_streak_broken_by_win_then_approved', () => {
    after([btc(), ...losses(5), closed('ETHUSDT', '5', T0)]).when(btcTake(T0)).thenTypes('RiskApproved');
  });
  it('entry_when_streak_ends_in_break_even_then_still_denied', () => {
    expect(denied([btc(), ...losses(5), closed('ETHUSDT', '-0.00', T0)], btcTake(T0)).reason).toBe('LOSS_STREAK');
  });
  it('entry_when_streak_and_next_utc_day_then_reset_by_default_and_kept_when_configured', () => {
    const day2 = T0 + MS_PER_DAY;
    after([btc(), ...losses(5), btc(day2)]).when(btcTake(day2)).thenTypes('RiskApproved');
    expect(denied([btc(), ...losses(5), btc(day2)], btcTake(day2), { lossStreakResetsDaily: false }).reason).toBe('LOSS_STREAK');
  });

  it('entry_when_symbol_closed_at_loss_recently_then_denies_cooldown_until_it_passes', () => {
    const past = [closed('BTCUSDT', '-10', T0), btc(T0 + 14 * MIN), eth(T0 + 14 * MIN)];
    expect(denied(past, btcTake(T0 + 14 * MIN)).reason).toBe('COOLDOWN');
    after(past).when(ethTake(T0 + 14 * MIN)).thenTypes('RiskApproved');
    after([closed('BTCUSDT', '-10', T0), btc(T0 + 15 * MIN)]).when(btcTake(T0 + 15 * MIN)).thenTypes('RiskApproved');
  });
  it('entry_when_symbol_closed_at_profit_then_no_cooldown', () => {
    after([closed('BTCUSDT', '10', T0), btc()]).when(btcTake(T0)).thenTypes('RiskApproved');
  });

  it('order_when_quantity_above_per_order_cap_then_denies', () => {
    const d = denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.2' }, T0), { maxOrderQuantity: '0.1' });
    expect(d).toMatchObject({ reason: 'MAX_ORDER_QUANTITY', detail: 'quantity 0.2 exceeds the per-order cap 0.1' });
  });
  it('order_when_notional_above_per_order_cap_then_denies', () => {
    expect(denied([btc()], btcTake(T0), { maxOrderValue: '5000' }).reason).toBe('MAX_ORDER_VALUE');
  });

  it('manual_when_resulting_position_above_cap_then_denies_max_position', () => {
    const d = denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.6' }, T0));
    expect(d.reason).toBe('MAX_POSITION');
    expect(d.detail).toMatch(/30000\.00 USD, above 25000\.00 USD \(25% of equity/);
  });
  it('manual_when_working_order_plus_this_exceed_position_cap_then_denies_max_position', () => {
    const past = [btc(), manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.4' }, T0)];
    expect(denied(past, manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.2' }, T0)).reason).toBe('MAX_POSITION');
  });

  it('order_when_exposure_incl_open_orders_above_cap_then_denies', () => {
    const past = [btc(), eth(), manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.4' }, T0)];
    const d = denied(past, manual({ symbol: 'ETHUSDT', side: 'buy', quantity: '6' }, T0), { maxExposurePct: 0.3 });
    expect(d.reason).toBe('EXPOSURE_LIMIT');
    expect(d.detail).toBe(
      'exposure would be 32000.00 USD (positions 0.00 USD + working orders 20000.00 USD + this order 12000.00 USD), above 30000.00 USD (30% of equity)',
    );
  });
  it('concurrent_signals_when_together_above_exposure_then_second_denied', () => {
    const { outputs } = runAll(createRisk({ maxExposurePct: 0.15 }), [btc(), eth(), btcTake(T0), ethTake(T0)]);
    expect(outputs.map((o) => o.type)).toEqual(['RiskApproved', 'OrderDenied']);
    expect((outputs[1].data as { reason: string }).reason).toBe('EXPOSURE_LIMIT');
  });

  it('entry_when_working_entry_or_position_on_symbol_then_denies_position_already_open', () => {
    expect(denied([btc(), btcTake(T0)], btcTake(T0)).reason).toBe('POSITION_ALREADY_OPEN');
    const d = denied([btc(), filled('o1', { symbol: 'BTCUSDT', side: 'sell', quantity: '0.1', price: '50000' }, T0)], btcTake(T0));
    expect(d).toMatchObject({ reason: 'POSITION_ALREADY_OPEN', detail: 'BTCUSDT already has a position of -0.1; a strategy opens one position per symbol' });
  });

  it('order_when_price_older_than_limit_then_denies_stale_price', () => {
    const d = denied([btc()], btcTake(T0 + 15 * MIN + 1));
    expect(d).toMatchObject({ reason: 'STALE_PRICE', detail: 'last price of BTCUSDT is 900001 ms old, more than the 900000 ms allowed' });
    after([btc()]).when(btcTake(T0 + 15 * MIN)).thenTypes('RiskApproved');
  });
  it('order_when_bars_are_longer_than_the_limit_then_stale_only_after_one_bar', () => {
    const hourBar = bar('BTCUSDT', 50_000, T0, { timeframe: '1h', openTime: T0 - 60 * MIN });
    after([hourBar]).when(btcTake(T0 + 60 * MIN)).thenTypes('RiskApproved');
    const d = denied([hourBar], btcTake(T0 + 60 * MIN + 1));
    expect(d).toMatchObject({ reason: 'STALE_PRICE', detail: 'last price of BTCUSDT is 3600001 ms old, more than the 3600000 ms (one bar) allowed' });
  });
  it('order_when_no_bar_seen_then_denies_no_market_price', () => {
    expect(denied([eth()], btcTake(T0)).reason).toBe('NO_MARKET_PRICE');
  });

  it('limit_when_price_beyond_collar_then_denies_price_collar', () => {
    const d = denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', type: 'limit', price: '47000' }, T0));
    expect(d).toMatchObject({ reason: 'PRICE_COLLAR', detail: 'limit price 47000 is 6% from the last price 50000, more than the 5% collar' });
  });

  it('entry_when_stop_wrong_side_or_zero_distance_then_denies_invalid_stop', () => {
    expect(denied([btc()], btcTake(T0, { stop: 55_000 })).reason).toBe('INVALID_STOP');
    const zero = denied([btc()], btcTake(T0, { stop: 50_000.004 }));
    expect(zero).toMatchObject({ reason: 'INVALID_STOP', detail: 'stop 50000 must be below entry 50000 for a long (after rounding to tick 0.01)' });
    expect(denied([btc(T0, 44_000)], btcTake(T0)).reason).toBe('INVALID_STOP');
  });
  it('manual_when_stop_loss_wrong_side_then_denies_invalid_stop', () => {
    expect(denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', stopLoss: '51000' }, T0)).reason).toBe('INVALID_STOP');
    expect(denied([btc()], manual({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.1', stopLoss: '49000' }, T0)).reason).toBe('INVALID_STOP');
  });

  it('entry_when_sized_below_minimum_then_denies_quantity_below_minimum', () => {
    const gold = decision({ symbol: 'XAUUSD', entry: 2_000, stop: 1_000, target: 3_000, sizeMultiplier: 0.5 }, T0);
    const d = denied([bar('XAUUSD', 2_000, T0)], gold);
    expect(d.reason).toBe('QUANTITY_BELOW_MINIMUM');
    expect(d.detail).toMatch(/sized quantity 0 XAUUSD is below the minimum 1: risk budget 500.00 USD/);
  });
  it('manual_when_below_instrument_minimum_then_denies_quantity_below_minimum', () => {
    const cfg = { instruments: { BTCUSDT: { minQuantity: '0.001' } } };
    expect(denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.0005' }, T0), cfg).reason).toBe('QUANTITY_BELOW_MINIMUM');
  });

  it('order_when_rate_limit_reached_then_denies_until_window_passes', () => {
    const cfg = { maxOrdersPerMinute: 2 };
    const o = (ts: number) => manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, ts);
    const past = [btc(), o(T0), o(T0 + 10_000)];
    expect(denied(past, o(T0 + 30_000), cfg)).toMatchObject({ reason: 'MESSAGE_RATE', detail: '2 orders adding risk approved in the last 60 s, the limit is 2' });
    after(past, cfg).when(o(T0 + 60_000)).thenTypes('RiskApproved');
  });

  it('order_when_symbol_unknown_then_denies_unknown_instrument', () => {
    expect(denied([], decision({ symbol: 'FOO', entry: 1, stop: 0.9, target: 1.2 }, T0))).toMatchObject({
      reason: 'UNKNOWN_INSTRUMENT',
      symbol: 'FOO',
    });
    expect(denied([], manual({ symbol: 'FOO', side: 'buy', quantity: '1' }, T0)).origin).toBe('manual');
  });

  it('order_when_equity_not_positive_then_denies_insufficient_cash', () => {
    expect(denied([account('0', T0), btc()], btcTake(T0)).reason).toBe('INSUFFICIENT_CASH');
    expect(denied([account('-5', T0), btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1' }, T0)).reason).toBe('INSUFFICIENT_CASH');
  });

  it.each([
    [{ quantity: 'abc' }, /quantity must be a positive decimal/],
    [{ quantity: '0' }, /quantity must be a positive decimal/],
    [{ quantity: '1e3' }, /quantity must be a positive decimal/],
    [{ quantity: '0.000001' }, /not a multiple of the lot size 0.00001/],
    [{ type: 'limit' }, /a limit order needs a positive price/],
    [{ type: 'stop', price: '-1' }, /a stop order needs a positive price/],
    [{ price: '50000' }, /a market order takes no price/],
    [{ type: 'limit', price: '49999.999' }, /not on the tick grid 0.01/],
    [{ takeProfit: '49000' }, /take-profit 49000 must be above/],
    [{ stopLoss: 'x' }, /stop-loss must be a positive price/],
    [{ side: 'hold' }, /side must be buy or sell/],
    [{ type: 'iceberg' }, /type must be market, limit or stop/],
  ])('manual_when_malformed_%p_then_denies_invalid_order', (patch, detail) => {
    const d = denied([btc()], manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', ...(patch as object) }, T0));
    expect(d.reason).toBe('INVALID_ORDER');
    expect(d.detail).toMatch(detail);
  });
  it('entry_when_prices_not_finite_or_target_wrong_side_then_denies_invalid_order', () => {
    expect(denied([btc()], btcTake(T0, { entry: Number.NaN })).reason).toBe('INVALID_ORDER');
    expect(denied([btc()], btcTake(T0, { target: 40_000 })).reason).toBe('INVALID_ORDER');
    expect(denied([btc()], btcTake(T0, { sizeMultiplier: 0 })).reason).toBe('INVALID_ORDER');
  });
});

describe('exposure bookkeeping', () => {
  // Exposure cap 15 000: the BTC approval holds 10 000, so a 10 000 ETH entry only fits once it is released.
  const cfg = { maxExposurePct: 0.15 };
  const held = approvalOf('btc-1');
  const base = () => [btc(), eth(), btcTake(T0, {}, 'btc-1')];
  const sub = (ts = T0) => submitted('o1', held, { symbol: 'BTCUSDT', side: 'buy', quantity: '0.2' }, ts);
  const ethAfter = (events: Envelope[]) => after([...base(), ...events], cfg).when(ethTake(T0)).published.map((e) => e.type);

  it('approval_when_open_then_notional_reserved_and_blocks', () => {
    expect(ethAfter([])).toEqual(['OrderDenied']);
    const { state } = after(base(), cfg);
    expect(state.reservations.get(held)).toMatchObject({ symbol: 'BTCUSDT', side: 'buy', orderId: undefined });
    expect(state.reservations.get(held)?.remaining.toFixed()).toBe('0.2');
  });
  it.each([
    ['OrderCancelled', () => [sub(), msg('OrderCancelled', { orderId: 'o1', clientOrderId: 'c-o1', symbol: 'BTCUSDT', reason: 'user' }, { ts: T0 })]],
    ['OrderRejected', () => [sub(), msg('OrderRejected', { orderId: 'o1', clientOrderId: 'c-o1', symbol: 'BTCUSDT', reason: 'broker' }, { ts: T0 })]],
    ['OrderExpired', () => [sub(), msg('OrderExpired', { orderId: 'o1', clientOrderId: 'c-o1', symbol: 'BTCUSDT' }, { ts: T0 })]],
    ['OrderDisplayed', () => [msg('OrderDisplayed', { riskApprovalId: held, order: {} as never, reason: 'DISPLAY_ONLY' }, { ts: T0 })]],
    ['ApprovalRejected', () => [msg('ApprovalRejected', { approvalId: 'a', riskApprovalId: held, by: 'bob', reason: 'no' }, { ts: T0 })]],
    ['ApprovalExpired', () => [msg('ApprovalExpired', { approvalId: 'a', riskApprovalId: held }, { ts: T0 })]],
  ])('reservation_when_%s_then_released_and_next_entry_fits', (_name, events) => {
    const evs = events();
    expect(ethAfter(evs)).toEqual(['RiskApproved']);
    expect(after([...base(), ...evs], cfg).state.reservations.size).toBe(0);
  });
  it('reservation_when_bracket_child_or_unknown_order_ends_then_kept', () => {
    const child = submitted('o2', held, { symbol: 'BTCUSDT', side: 'sell', quantity: '0.2', role: 'stop_loss', parentOrderId: 'o1' }, T0);
    const cancelChild = msg('OrderCancelled', { orderId: 'o2', clientOrderId: 'c-o2', symbol: 'BTCUSDT', reason: 'oco' }, { ts: T0 });
    const cancelOther = msg('OrderCancelled', { orderId: 'zz', clientOrderId: 'c-zz', symbol: 'BTCUSDT', reason: 'user' }, { ts: T0 });
    expect(ethAfter([sub(), child, cancelChild, cancelOther])).toEqual(['OrderDenied']);
  });
  it('reservation_when_filled_then_becomes_position_exposure', () => {
    const fill = filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '0.2', price: '50000' }, T0);
    expect(ethAfter([sub(), fill])).toEqual(['OrderDenied']);
    const { state } = after([...base(), sub(), fill], cfg);
    expect(state.reservations.size).toBe(0);
    expect(state.orderApprovals.size).toBe(0);
    expect(state.positions.get(marketKey('paper', 'BTCUSDT'))?.qty.toFixed()).toBe('0.2');
  });
  it('reservation_when_partly_filled_then_remainder_held_until_cancelled', () => {
    const part = filled('o1', { symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', price: '50000', cumulativeQuantity: '0.1', leavesQuantity: '0.1' }, T0);
    const { state } = after([...base(), sub(), part], cfg);
    expect(state.reservations.get(held)?.remaining.toFixed()).toBe('0.1');
    expect(ethAfter([sub(), part])).toEqual(['OrderDenied']);
    const cancel = msg('OrderCancelled', { orderId: 'o1', clientOrderId: 'c-o1', symbol: 'BTCUSDT', reason: 'user' }, { ts: T0 });
    // 5 000 position + 10 000 entry = the 15 000 cap exactly: allowed
    expect(ethAfter([sub(), part, cancel])).toEqual(['RiskApproved']);
  });
});

describe('positions and bars', () => {
  it('fills_when_added_reduced_and_flipped_then_signed_sum_with_average_price', () => {
    const { state } = runAll(createRisk(), [
      filled('a', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '100' }, T0),
      filled('b', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '110' }, T0),
    ]);
    expect(state.positions.get(marketKey('paper', 'BTCUSDT'))?.avgPrice.toFixed()).toBe('105');
    const r = runAll(createRisk(), [], state);
    r.host.handle(filled('c', { symbol: 'BTCUSDT', side: 'sell', quantity: '0.5', price: '120' }, T0));
    expect(r.host.state.positions.get(marketKey('paper', 'BTCUSDT'))?.avgPrice.toFixed()).toBe('105');
    r.host.handle(filled('d', { symbol: 'BTCUSDT', side: 'sell', quantity: '2.5', price: '120' }, T0));
    expect(r.host.state.positions.get(marketKey('paper', 'BTCUSDT'))?.qty.toFixed()).toBe('-1');
    expect(r.host.state.positions.get(marketKey('paper', 'BTCUSDT'))?.avgPrice.toFixed()).toBe('120');
    r.host.handle(filled('e', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '90' }, T0));
    expect(r.host.state.positions.has(marketKey('paper', 'BTCUSDT'))).toBe(false);
  });
  it('bar_when_closed_then_no_outputs_and_price_slot_updated_in_place', () => {
    const risk = createRisk();
    const state = risk.initialState();
    risk.evolve(state, btc(T0, 50_000));
    const slot = state.prices.get('BTCUSDT');
    const b = btc(T0 + MIN, 50_100);
    expect(risk.decide(b, risk.evolve(state, b))).toBe(NO_OUTPUTS);
    expect(state.prices.get('BTCUSDT')).toBe(slot);
    expect(slot).toEqual({ price: 50_100, ts: T0 + MIN, interval: MIN, venue: 'paper', venues: ['paper'] });
    risk.evolve(state, btc(T0, 1));
    expect(slot).toEqual({ price: 50_100, ts: T0 + MIN, interval: MIN, venue: 'paper', venues: ['paper'] });
  });
  it('quote_bar_when_closed_then_marked_at_mid', () => {
    const { state } = runAll(createRisk(), [bar('EURUSD', 1.1, T0, { askClose: 1.1002 })]);
    expect(state.prices.get('EURUSD')?.price).toBeCloseTo(1.1001, 10);
  });
  it('quote_bar_when_mid_between_ticks_then_reference_price_exact_without_float_noise', () => {
    const t = after([bar('EURUSD', 1.1, T0, { askClose: 1.10003 })]).when(manual({ symbol: 'EURUSD', side: 'buy', quantity: '1000' }, T0));
    expect(t.first('RiskApproved')).toMatchObject({ referencePrice: '1.100015', notional: '1100.02' });
  });
});

describe('risk levels', () => {
  it('approval_when_exposure_utilisation_high_then_high', () => {
    const t = after([btc()], { maxExposurePct: 0.25 }).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.45', stopLoss: '49000' }, T0));
    expect(t.first('RiskApproved')).toMatchObject({ riskAmount: '450.00', riskLevel: 'HIGH' });
    const low = after([btc()]).when(manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.45', stopLoss: '49000' }, T0));
    expect(low.first('RiskApproved').riskLevel).toBe('LOW');
  });
});

describe('utc day rollover', () => {
  const day2 = T0 + MS_PER_DAY;
  it('counters_when_next_utc_day_then_reset', () => {
    const o = (ts: number) => manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, ts);
    const past = [btc(), o(T0)];
    after(past, { dailyTradeLimit: 1 }).when(o(T0 + MIN)).thenTypes('OrderDenied');
    after([...past, btc(day2)], { dailyTradeLimit: 1 }).when(o(day2)).thenTypes('RiskApproved');
    after([btc(), closed('ETHUSDT', '-3000', T0), btc(day2)]).when(btcTake(day2)).thenTypes('RiskApproved');
  });
  it('day_when_rolled_then_start_equity_marks_positions_at_last_price', () => {
    const { state } = runAll(createRisk(), [
      filled('a', { symbol: 'BTCUSDT', side: 'buy', quantity: '1', price: '40000' }, T0),
      btc(T0, 50_000),
      btc(day2, 60_000),
    ]);
    expect(state.dayStart).toBe(Date.UTC(2024, 0, 3));
    expect(state.startOfDayEquity.toFixed()).toBe('110000');
  });
  it('day_when_late_message_from_yesterday_then_counters_not_reopened', () => {
    const o = (ts: number) => manual({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }, ts);
    const { state } = runAll(createRisk(), [btc(day2), o(day2), btc(T0)]);
    expect(state.approvalsToday).toBe(1);
    expect(state.dayStart).toBe(Date.UTC(2024, 0, 3));
  });
});
