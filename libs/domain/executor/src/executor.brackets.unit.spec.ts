import { clientOrderIdFor, deriveId } from '@tradeloop/kernel';
import { given } from '@tradeloop/testing';
import { createExecutor } from './executor.decider';
import { bookOf } from './executor.state';
import { approved, closeOf, logOf, quoteBar, tradeBar } from './test-support';

const ex = createExecutor();
const entryId = deriveId('a', 'executor', 0);
const bracketBuy = approved({ side: 'buy', quantity: '1', stopLoss: '95', takeProfit: '110' }, 'a', closeOf(0));
/** Entry filled at 100 on bar 1; its children are working from bar 2. */
const afterEntry = () => logOf(ex, [bracketBuy, tradeBar(1, 100, 101, 99, 100)]);

describe('bracket placement', () => {
  it('entry_with_stop_loss_and_take_profit_when_filled_then_places_oco_children_for_the_filled_quantity', () => {
    const then = given(ex, logOf(ex, [bracketBuy]))
      .when(tradeBar(1, 100, 101, 99, 100))
      .thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated', 'OrderSubmitted', 'OrderAccepted', 'OrderSubmitted', 'OrderAccepted');
    const [sl, tp] = then.published.filter((e) => e.type === 'OrderSubmitted').map((e) => e.data as Record<string, unknown>);
    expect(sl).toMatchObject({
      clientOrderId: clientOrderIdFor('a', 'S'),
      approvedOrderId: 'a',
      riskApprovalId: 'risk-a',
      side: 'sell',
      type: 'stop',
      stopPrice: '95',
      quantity: '1',
      timeInForce: 'GTC',
      role: 'stop_loss',
      parentOrderId: entryId,
      origin: 'strategy',
      strategy: 'structure_break',
    });
    expect(tp).toMatchObject({ clientOrderId: clientOrderIdFor('a', 'T'), side: 'sell', type: 'limit', limitPrice: '110', role: 'take_profit', parentOrderId: entryId });
    expect(sl.ocoGroup).toBeDefined();
    expect(tp.ocoGroup).toBe(sl.ocoGroup);
    expect(then.published.filter((e) => e.type === 'OrderSubmitted').every((e) => e.correlationId === 'sig-a')).toBe(true);
  });

  it('entry_with_stop_loss_only_when_filled_then_places_a_lone_stop_without_oco_group', () => {
    const slOnly = approved({ side: 'sell', quantity: '1', stopLoss: '105' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [slOnly])).when(tradeBar(1, 100, 101, 99, 100));
    expect(then.first('OrderSubmitted')).toMatchObject({ side: 'buy', type: 'stop', stopPrice: '105', role: 'stop_loss' });
    expect(then.first('OrderSubmitted').ocoGroup).toBeUndefined();
  });
});

describe('entry bar', () => {
  it('entry_bar_when_target_inside_bar_then_target_not_checked_until_the_next_bar', () => {
    const g = given(ex, logOf(ex, [bracketBuy]));
    const then = g.when(tradeBar(1, 100, 111, 99, 105));
    expect(then.published.filter((e) => e.type === 'OrderFilled')).toHaveLength(1);
    const next = g.when(tradeBar(2, 105, 112, 104, 110)).thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated', 'OrderCancelled');
    expect(next.first('OrderFilled')).toMatchObject({ role: 'take_profit', price: '110' });
    expect(next.first('OrderCancelled').reason).toBe('oco');
  });

  it('entry_bar_when_stop_inside_bar_after_market_entry_then_stop_fills_on_the_entry_bar', () => {
    const then = given(ex, logOf(ex, [bracketBuy]))
      .when(tradeBar(1, 100, 101, 94, 96))
      .thenTypes(
        'OrderFilled',
        'PositionOpened',
        'AccountUpdated',
        'OrderSubmitted',
        'OrderAccepted',
        'OrderSubmitted',
        'OrderAccepted',
        'OrderFilled',
        'PositionClosed',
        'AccountUpdated',
        'OrderCancelled',
      );
    const fills = then.published.filter((e) => e.type === 'OrderFilled').map((e) => e.data as { price: string; role: string });
    expect(fills.map((f) => [f.role, f.price])).toEqual([
      ['entry', '100'],
      ['stop_loss', '95'],
    ]);
    expect(then.first('PositionClosed')).toMatchObject({ exitReason: 'stop_loss', grossPnl: '-5.00' });
    expect(then.first('OrderCancelled')).toMatchObject({ reason: 'oco', clientOrderId: clientOrderIdFor('a', 'T') });
  });

  it('entry_bar_when_a_buy_stop_fills_inside_a_bar_that_opened_below_its_stop_loss_then_the_stop_loss_fills_at_its_stop_not_at_the_open', () => {
    // Opens at 96, rises through the stop at 102 (the entry), falls to 94 through the
    // stop-loss at 99. The stop-loss was placed at 102; the open came before it existed.
    const stopEntry = approved({ side: 'buy', quantity: '1', type: 'stop', stopPrice: '102', stopLoss: '99', takeProfit: '110' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [stopEntry])).when(tradeBar(1, 96, 103, 94, 95));
    const fills = then.published.filter((e) => e.type === 'OrderFilled').map((e) => e.data as { price: string; role: string });
    expect(fills.map((f) => [f.role, f.price])).toEqual([
      ['entry', '102'],
      ['stop_loss', '99'],
    ]);
  });

  it('entry_bar_when_a_sell_stop_fills_inside_a_quote_bar_whose_ask_opened_above_its_stop_loss_then_the_stop_loss_fills_at_its_stop_with_slippage', () => {
    const slip = createExecutor({ slippageBps: 10 });
    const stopEntry = approved(
      { side: 'sell', quantity: '10000', symbol: 'EURUSD', type: 'stop', stopPrice: '1.07900', stopLoss: '1.08100' },
      'a',
      closeOf(0),
    );
    const then = given(slip, logOf(slip, [stopEntry])).when(quoteBar(1, [1.0812, 1.0814, 1.0785, 1.08], [1.0813, 1.0815, 1.0786, 1.0801]));
    const fills = then.published.filter((e) => e.type === 'OrderFilled').map((e) => e.data as { price: string; role: string });
    // Entry: 1.079 × 0.999 = 1.077921 ↓ 1.07792. Stop-loss: 1.081 × 1.001 = 1.082081 ↑ 1.08209, not the ask open 1.0813 × 1.001.
    expect(fills.map((f) => [f.role, f.price])).toEqual([
      ['entry', '1.07792'],
      ['stop_loss', '1.08209'],
    ]);
  });

  it('entry_bar_when_the_entry_filled_at_the_open_of_a_bar_that_opened_through_its_stop_loss_then_the_stop_loss_fills_at_the_open', () => {
    // A buy limit at 99 on a bar opening at 96: the entry is at the open, and so is the stop-loss at 97.
    const limit = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', stopLoss: '97' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [limit])).when(tradeBar(1, 96, 100, 95, 99));
    const fills = then.published.filter((e) => e.type === 'OrderFilled').map((e) => e.data as { price: string; role: string });
    expect(fills.map((f) => [f.role, f.price])).toEqual([
      ['entry', '96'],
      ['stop_loss', '96'],
    ]);
  });

  it('entry_bar_when_limit_entry_and_both_stop_and_target_inside_then_only_the_stop_counts', () => {
    const limit = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', stopLoss: '95', takeProfit: '110' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [limit])).when(tradeBar(1, 100, 111, 94, 105));
    expect(then.first('PositionClosed')).toMatchObject({ exitReason: 'stop_loss', entryPrice: '99', exitPrice: '95' });
  });
});

describe('after the entry bar', () => {
  it('stop_and_target_when_both_inside_one_bar_then_stop_loss_fills_first_and_target_is_cancelled', () => {
    const then = given(ex, afterEntry())
      .when(tradeBar(2, 100, 111, 94, 100))
      .thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated', 'OrderCancelled');
    expect(then.first('OrderFilled')).toMatchObject({ role: 'stop_loss', price: '95' });
    expect(then.first('OrderCancelled')).toMatchObject({ reason: 'oco', clientOrderId: clientOrderIdFor('a', 'T') });
  });

  it('stop_and_target_when_bar_opens_through_the_target_then_target_fills_at_open', () => {
    const then = given(ex, afterEntry()).when(tradeBar(2, 112, 113, 94, 100));
    expect(then.first('OrderFilled')).toMatchObject({ role: 'take_profit', price: '112' });
    expect(then.first('PositionClosed').exitReason).toBe('take_profit');
    expect(then.first('OrderCancelled')).toMatchObject({ reason: 'oco', clientOrderId: clientOrderIdFor('a', 'S') });
  });

  it('take_profit_when_filled_then_stop_loss_cancelled_oco_and_never_fills_later', () => {
    const g = given(ex, afterEntry());
    g.when(tradeBar(2, 105, 111, 104, 110)).thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated', 'OrderCancelled');
    g.when(tradeBar(3, 100, 101, 80, 90)).thenNothing();
    expect(bookOf(g.host.state, 'TEST', 'BTCUSD')?.working).toEqual([]);
  });

  it('stop_loss_when_bar_gaps_through_it_then_fills_at_the_worse_open_with_slippage', () => {
    const slip = createExecutor({ slippageBps: 10 });
    const past = logOf(slip, [bracketBuy, tradeBar(1, 100, 101, 99, 100)]);
    const then = given(slip, past).when(tradeBar(2, 90, 92, 89, 91));
    // 90 × 0.999 = 89.91 (entry: 100 × 1.001 = 100.1)
    expect(then.first('OrderFilled')).toMatchObject({ role: 'stop_loss', price: '89.91', referencePrice: '95', slippage: '5.09' });
    expect(then.first('PositionClosed')).toMatchObject({ entryPrice: '100.1', exitPrice: '89.91', grossPnl: '-10.19' });
    expect(then.first('PositionClosed').maxAdverseExcursion).toBeCloseTo(11.1, 9); // 100.1 − bar low 89
  });

  it('stop_loss_when_slippage_fills_beyond_the_bar_low_then_adverse_excursion_counts_the_fill', () => {
    const slip = createExecutor({ slippageBps: 10 });
    const past = logOf(slip, [bracketBuy, tradeBar(1, 100, 101, 99, 100)]);
    const closed = given(slip, past).when(tradeBar(2, 100, 100.5, 94.95, 95.5)).first('PositionClosed');
    // stop 95 × 0.999 = 94.905 ↓ 94.90, below the bar's low of 94.95
    expect(closed.exitPrice).toBe('94.9');
    expect(closed.maxAdverseExcursion).toBeCloseTo(100.1 - 94.9, 9);
  });

  it('short_bracket_when_ask_reaches_the_stop_then_buy_stop_closes_the_short', () => {
    const short = approved({ side: 'sell', quantity: '1', stopLoss: '105', takeProfit: '90' }, 'a', closeOf(0));
    const then = given(ex, logOf(ex, [short, tradeBar(1, 100, 101, 99, 100)])).when(tradeBar(2, 100, 106, 99, 104));
    expect(then.first('OrderFilled')).toMatchObject({ side: 'buy', role: 'stop_loss', price: '105' });
    expect(then.first('PositionClosed')).toMatchObject({ direction: 'short', grossPnl: '-5.00', exitReason: 'stop_loss' });
  });

  it('long_stop_when_quote_bar_then_triggered_by_the_bid_low_not_the_ask', () => {
    const fx = approved({ side: 'buy', quantity: '10000', symbol: 'EURUSD', stopLoss: '1.07900' }, 'a', closeOf(0));
    const past = logOf(ex, [fx, quoteBar(1, [1.08, 1.081, 1.0795, 1.0805], [1.0801, 1.0811, 1.0796, 1.0806])]);
    const then = given(ex, past).when(quoteBar(2, [1.08, 1.081, 1.07895, 1.0805], [1.0801, 1.0811, 1.07905, 1.0806]));
    expect(then.first('OrderFilled')).toMatchObject({ role: 'stop_loss', price: '1.079', spread: '0.0001' });
    expect(then.first('PositionClosed').grossPnl).toBe('-11.00'); // (1.0790 − 1.0801) × 10000
  });
});

describe('protective orders only reduce', () => {
  it('position_when_closed_by_another_order_then_its_protective_orders_are_cancelled', () => {
    const close = approved({ side: 'sell', quantity: '1' }, 'b', closeOf(1));
    const then = given(ex, logOf(ex, [bracketBuy, tradeBar(1, 100, 101, 99, 100), close]))
      .when(tradeBar(2, 102, 103, 101, 102))
      .thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated', 'OrderCancelled', 'OrderCancelled');
    expect(then.first('PositionClosed').exitReason).toBe('manual');
    const reasons = then.published.filter((e) => e.type === 'OrderCancelled').map((e) => (e.data as { reason: string }).reason);
    expect(reasons).toEqual(['position_closed', 'position_closed']);
  });

  it('stop_loss_when_larger_than_the_remaining_position_then_fills_the_position_and_cancels_the_rest', () => {
    const two = approved({ side: 'buy', quantity: '2', stopLoss: '95', takeProfit: '110' }, 'a', closeOf(0));
    const scaleOut = approved({ side: 'sell', quantity: '1' }, 'b', closeOf(1));
    const past = logOf(ex, [two, tradeBar(1, 100, 101, 99, 100), scaleOut, tradeBar(2, 102, 103, 101, 102)]);
    const then = given(ex, past)
      .when(tradeBar(3, 100, 101, 94, 96))
      .thenTypes('OrderFilled', 'OrderCancelled', 'PositionClosed', 'AccountUpdated', 'OrderCancelled');
    expect(then.first('OrderFilled')).toMatchObject({ role: 'stop_loss', quantity: '1', cumulativeQuantity: '1', leavesQuantity: '1' });
    const cancels = then.published.filter((e) => e.type === 'OrderCancelled').map((e) => e.data as { reason: string; clientOrderId: string });
    expect(cancels).toEqual([
      expect.objectContaining({ reason: 'reduce_only', clientOrderId: clientOrderIdFor('a', 'S') }),
      expect.objectContaining({ reason: 'oco', clientOrderId: clientOrderIdFor('a', 'T') }),
    ]);
    expect(bookOf(then.state, 'TEST', 'BTCUSD')?.position).toBeUndefined();
  });

  it('reversal_with_bracket_when_filled_then_old_protection_cancelled_and_new_bracket_covers_only_the_opened_part', () => {
    const reverse = approved({ side: 'sell', quantity: '3', stopLoss: '110', takeProfit: '90' }, 'c', closeOf(1));
    const then = given(ex, logOf(ex, [bracketBuy, tradeBar(1, 100, 101, 99, 100), reverse]))
      .when(tradeBar(2, 100, 101, 99, 100))
      .thenTypes(
        'OrderFilled',
        'PositionClosed',
        'PositionOpened',
        'AccountUpdated',
        'OrderCancelled',
        'OrderCancelled',
        'OrderSubmitted',
        'OrderAccepted',
        'OrderSubmitted',
        'OrderAccepted',
      );
    expect(then.first('PositionClosed').exitReason).toBe('reversal');
    expect(then.first('PositionOpened')).toMatchObject({ direction: 'short', quantity: '2', averagePrice: '100' });
    const children = then.published.filter((e) => e.type === 'OrderSubmitted').map((e) => e.data as Record<string, string>);
    expect(children.map((c) => [c.role, c.side, c.quantity])).toEqual([
      ['stop_loss', 'buy', '2'],
      ['take_profit', 'buy', '2'],
    ]);
  });
});
