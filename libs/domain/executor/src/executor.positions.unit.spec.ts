import { deriveId } from '@tradeloop/kernel';
import { given, runAll } from '@tradeloop/testing';
import { createExecutor } from './executor.decider';
import { bookOf } from './executor.state';
import { positionIdFor } from './executor.ledger';
import { equityOf, openPositionCount, portfolioOf } from './executor.read';
import { approved, closeOf, logOf, MIN, quoteBar, T0, tradeBar } from './test-support';

const ex = createExecutor({ takerFeeBps: 10, makerFeeBps: 10 });

describe('netting positions', () => {
  const a = approved({ side: 'buy', quantity: '1' }, 'a', closeOf(0));
  const b = approved({ side: 'buy', quantity: '2' }, 'b', closeOf(1));
  const c = approved({ side: 'sell', quantity: '1' }, 'c', closeOf(2));
  const d = approved({ side: 'sell', quantity: '2' }, 'd', closeOf(3));
  const bars = [tradeBar(1, 100, 101, 99, 100), tradeBar(2, 103, 104, 102, 103), tradeBar(3, 105, 106, 104, 105), tradeBar(4, 99, 100, 98, 99)];

  it('add_when_same_direction_fill_then_position_changed_with_exact_average', () => {
    const then = given(ex, logOf(ex, [a, bars[0], b])).when(bars[1]).thenTypes('OrderFilled', 'PositionChanged', 'AccountUpdated');
    expect(then.first('PositionChanged')).toEqual({
      positionId: bookOf(then.state, 'TEST', 'BTCUSD')?.position?.positionId,
      symbol: 'BTCUSD',
      direction: 'long',
      quantity: '3',
      averagePrice: '102', // (1 × 100 + 2 × 103) / 3
      realizedPnl: '0.00',
    });
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '99999.69', realizedPnl: '0.00', fees: '0.31', sequence: 2 }); // 0.10 + 0.206→0.21
  });

  it('reduce_when_opposite_fill_smaller_than_position_then_realises_pnl_and_keeps_average', () => {
    const then = given(ex, logOf(ex, [a, bars[0], b, bars[1], c])).when(bars[2]).thenTypes('OrderFilled', 'PositionChanged', 'AccountUpdated');
    expect(then.first('PositionChanged')).toMatchObject({ quantity: '2', averagePrice: '102', realizedPnl: '3.00' });
    // fee 0.105 → 0.10 (half-even); cash = 100000 + 3.00 − 0.41
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '100002.59', realizedPnl: '3.00', fees: '0.41', sequence: 3 });
  });

  it('close_when_opposite_fill_flattens_then_position_closed_with_full_trade_record', () => {
    const then = given(ex, logOf(ex, [a, bars[0], b, bars[1], c, bars[2], d])).when(bars[3]).thenTypes('OrderFilled', 'PositionClosed', 'AccountUpdated');
    const fillA = deriveId(bars[0].id, 'executor', 0);
    expect(then.first('PositionClosed')).toEqual({
      positionId: positionIdFor(fillA),
      venue: 'TEST',
      symbol: 'BTCUSD',
      direction: 'long',
      quantity: '3',
      entryPrice: '102',
      exitPrice: '101', // (1 × 105 + 2 × 99) / 3
      realizedPnl: '-3.61',
      grossPnl: '-3.00', // +3 − 6
      fees: '0.61', // 0.10 + 0.21 + 0.10 + 0.20 (0.198)
      currency: 'USD',
      openedAt: closeOf(1),
      closedAt: closeOf(4),
      holdingMs: 4 * MIN, // from the open of bar 1 (the entry's bar) to the close of bar 4
      exitReason: 'manual',
      maxAdverseExcursion: 4, // bar 4 low 98 vs average 102
      maxFavorableExcursion: 4, // bar 2 high 104 vs average 100 (before the add)
      entryOrderId: deriveId('a', 'executor', 0),
      origin: 'strategy',
      strategy: 'structure_break',
    });
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '99996.39', realizedPnl: '-3.00', fees: '0.61', sequence: 4 });
    // The close is part of the trade's chain (the entry's signal), not the closing order's.
    expect(then.published.find((e) => e.type === 'PositionClosed')?.correlationId).toBe('sig-a');
    expect(then.published.find((e) => e.type === 'OrderFilled')?.correlationId).toBe('sig-d');
    expect(openPositionCount(then.state)).toBe(0);
  });

  it('reversal_when_fill_crosses_zero_then_closes_with_reversal_and_opens_the_remainder_with_split_fee', () => {
    const flip = approved({ side: 'sell', quantity: '3' }, 'b', closeOf(1));
    const then = given(ex, logOf(ex, [a, bars[0], flip]))
      .when(tradeBar(2, 110, 111, 109, 110))
      .thenTypes('OrderFilled', 'PositionClosed', 'PositionOpened', 'AccountUpdated');
    const fillB = deriveId(tradeBar(2, 110, 111, 109, 110).id, 'executor', 0);
    expect(then.first('OrderFilled').fee).toBe('0.33');
    expect(then.first('PositionClosed')).toMatchObject({ exitReason: 'reversal', grossPnl: '10.00', fees: '0.21', realizedPnl: '9.79', quantity: '1' });
    expect(then.first('PositionOpened')).toEqual({
      positionId: positionIdFor(fillB),
      venue: 'TEST',
      symbol: 'BTCUSD',
      direction: 'short',
      quantity: '2',
      averagePrice: '110',
      openedAt: closeOf(2),
      entryOrderId: deriveId('b', 'executor', 0),
      currency: 'USD',
    });
    expect(then.first('AccountUpdated')).toEqual({ currency: 'USD', cash: '100009.57', realizedPnl: '10.00', fees: '0.43', sequence: 2 });

    const cover = approved({ side: 'buy', quantity: '2' }, 'c', closeOf(2));
    const g = given(ex, [...logOf(ex, [a, bars[0], flip, tradeBar(2, 110, 111, 109, 110), cover])]);
    const closed = g.when(tradeBar(3, 105, 106, 104, 105)).first('PositionClosed');
    // short 2 from 110 bought back at 105: +10; fees: 0.22 of the reversal fill + 0.21
    expect(closed).toMatchObject({ direction: 'short', grossPnl: '10.00', fees: '0.43', realizedPnl: '9.57', exitReason: 'manual', quantity: '2' });
  });

  it('contract_size_when_greater_than_one_then_pnl_and_fees_scale_with_it', () => {
    const gold = createExecutor({ takerFeeBps: 1, instruments: { XAUUSD: { contractSize: '100' } } });
    const { outputs, state } = runAll(gold, [
      approved({ side: 'buy', quantity: '2', symbol: 'XAUUSD' }, 'a', closeOf(0)),
      tradeBar(1, 1900.5, 1901, 1900, 1900.8, 'XAUUSD'),
      approved({ side: 'sell', quantity: '2', symbol: 'XAUUSD' }, 'b', closeOf(1)),
      tradeBar(2, 1901.25, 1902, 1901, 1901.5, 'XAUUSD'),
    ]);
    const fees = outputs.filter((e) => e.type === 'OrderFilled').map((e) => (e.data as { fee: string }).fee);
    expect(fees).toEqual(['38.01', '38.02']); // 2 × 1900.5 × 100 × 1 bp; 38.025 → half-even
    const closed = outputs.find((e) => e.type === 'PositionClosed')?.data as Record<string, unknown>;
    expect(closed).toMatchObject({ grossPnl: '150.00', fees: '76.03', realizedPnl: '73.97' }); // 0.75 × 2 × 100
    expect(portfolioOf(state).cash).toBe('100073.97');
  });

  it('account_when_quoted_in_jpy_then_money_has_no_minor_unit', () => {
    const jpy = createExecutor({ takerFeeBps: 2 });
    const { outputs } = runAll(jpy, [
      approved({ side: 'buy', quantity: '1000', symbol: 'USDJPY' }, 'a', closeOf(0)),
      tradeBar(1, 150.123, 150.2, 150, 150.1, 'USDJPY'),
    ]);
    expect(outputs.find((e) => e.type === 'AccountUpdated')?.data).toEqual({ currency: 'JPY', cash: '99970', realizedPnl: '0', fees: '30', sequence: 1 });
  });
});

describe('rebuild', () => {
  it('log_without_bars_when_folded_then_positions_carried_at_cost_without_invented_excursions', () => {
    const inputs = [approved({ side: 'buy', quantity: '1' }, 'a', closeOf(0)), tradeBar(1, 100, 105, 95, 103)];
    const log = logOf(ex, inputs).filter((e) => e.type !== 'BarClosed');
    const state = given(ex, log).host.state;
    const p = bookOf(state, 'TEST', 'BTCUSD')?.position;
    expect(p?.maxAdverseExcursion).toBe(0);
    expect(p?.maxFavorableExcursion).toBe(0);
    expect(equityOf(state)).toBeCloseTo(100000 - 0.1, 9); // cash after the fee, position at cost
    // The next bar marks it again.
    const next = given(ex, log).when(tradeBar(2, 103, 106, 102, 104)).state;
    expect(equityOf(next)).toBeCloseTo(100000 - 0.1 + 4, 9);
    expect(bookOf(next, 'TEST', 'BTCUSD')?.position?.maxFavorableExcursion).toBeCloseTo(6, 9);
  });
});

describe('holding time', () => {
  const bracketBuy = approved({ side: 'buy', quantity: '1', stopLoss: '95' }, 'a', closeOf(0));

  it('holding_when_stopped_out_on_the_entry_bar_then_that_whole_bar_not_zero', () => {
    // The entry fills at bar 1's open and its stop inside bar 1: exposed for up to that bar.
    const then = given(ex, logOf(ex, [bracketBuy])).when(tradeBar(1, 100, 101, 94, 96));
    const fills = then.published.filter((e) => e.type === 'OrderFilled').map((e) => e.data as { role: string; barOpenTime?: number });
    expect(fills.map((f) => [f.role, f.barOpenTime])).toEqual([
      ['entry', T0 + MIN],
      ['stop_loss', T0 + MIN],
    ]);
    expect(then.first('PositionClosed')).toMatchObject({ openedAt: closeOf(1), closedAt: closeOf(1), holdingMs: MIN, exitReason: 'stop_loss' });
  });

  it('holding_when_rebuilt_from_a_log_without_bars_then_still_from_the_entry_bars_open', () => {
    // A restart folds the stored log (no bars): the entry bar's open comes from the fill.
    const log = logOf(ex, [bracketBuy, tradeBar(1, 100, 101, 99, 100), tradeBar(2, 100, 101, 99, 100)]).filter((e) => e.type !== 'BarClosed');
    const then = given(ex, log).when(tradeBar(3, 99, 99, 94, 96));
    expect(then.first('PositionClosed')).toMatchObject({ openedAt: closeOf(1), closedAt: closeOf(3), holdingMs: 3 * MIN });
  });

  it('holding_when_the_entry_fill_does_not_say_its_bar_then_from_the_fill_time', () => {
    // A fill from a log written before fills named their bar: its event time is all there is.
    const log = logOf(ex, [bracketBuy, tradeBar(1, 100, 101, 99, 100)]).map((e) => {
      if (e.type !== 'OrderFilled') return e;
      const { barOpenTime: _omitted, ...data } = e.data as { barOpenTime?: number };
      return { ...e, data };
    });
    const then = given(ex, log).when(tradeBar(2, 99, 99, 94, 96));
    expect(then.first('PositionClosed')).toMatchObject({ openedAt: closeOf(1), closedAt: closeOf(2), holdingMs: MIN });
  });

  it('holding_when_reversed_then_the_new_position_holds_from_the_reversing_bars_open', () => {
    const flip = approved({ side: 'sell', quantity: '2' }, 'b', closeOf(1));
    const cover = approved({ side: 'buy', quantity: '1' }, 'c', closeOf(2));
    const bar = (i: number) => tradeBar(i, 100, 101, 99, 100);
    const { outputs } = runAll(ex, [approved({ side: 'buy', quantity: '1' }, 'a', closeOf(0)), bar(1), flip, bar(2), cover, bar(3)]);
    const closes = outputs.filter((e) => e.type === 'PositionClosed').map((e) => e.data as { exitReason: string; holdingMs: number });
    expect(closes.map((c) => [c.exitReason, c.holdingMs])).toEqual([
      ['reversal', 2 * MIN], // bar 1's open to bar 2's close
      ['manual', 2 * MIN], // bar 2's open to bar 3's close
    ]);
  });
});

describe('read helpers', () => {
  const plain = createExecutor();

  it('equity_when_long_on_quote_bars_then_marked_at_the_bid_close', () => {
    const { state } = runAll(plain, [
      approved({ side: 'buy', quantity: '10000', symbol: 'EURUSD' }, 'a', closeOf(0)),
      quoteBar(1, [1.08, 1.081, 1.079, 1.0805], [1.0801, 1.0811, 1.0791, 1.0806]),
    ]);
    expect(equityOf(state)).toBeCloseTo(100000 + 10000 * (1.0805 - 1.0801), 6);
    expect(openPositionCount(state)).toBe(1);
    expect(portfolioOf(state)).toEqual({
      currency: 'USD',
      cash: '100000.00',
      realizedPnl: '0.00',
      fees: '0.00',
      positions: [{ venue: 'TEST', symbol: 'EURUSD', direction: 'long', quantity: '10000', averagePrice: '1.0801' }],
      workingOrders: [],
    });
  });

  it('portfolio_when_an_order_has_no_bar_to_fill_on_then_listed_working_but_a_positions_stop_loss_is_not', () => {
    const { state } = runAll(plain, [
      approved({ side: 'buy', quantity: '10000', symbol: 'EURUSD', stopLoss: '1.07' }, 'a', closeOf(0)),
      quoteBar(1, [1.08, 1.081, 1.079, 1.0805], [1.0801, 1.0811, 1.0791, 1.0806]),
      approved({ side: 'sell', quantity: '4000', symbol: 'EURUSD', type: 'limit', limitPrice: '1.09' }, 'b', closeOf(1)),
    ]);
    expect(portfolioOf(state).workingOrders).toEqual([
      { orderId: expect.any(String), venue: 'TEST', symbol: 'EURUSD', side: 'sell', type: 'limit', quantity: '4000', submittedAt: closeOf(1) },
    ]);
  });

  it('equity_when_short_then_marked_at_the_ask_close_and_follows_every_bar', () => {
    const g = given(plain, logOf(plain, [approved({ side: 'sell', quantity: '10000', symbol: 'EURUSD' }, 'a', closeOf(0))]));
    g.when(quoteBar(1, [1.08, 1.081, 1.079, 1.0805], [1.0801, 1.0811, 1.0791, 1.0806]));
    // sold at the bid open 1.0800; buying back costs the ask close 1.0806
    expect(equityOf(g.host.state)).toBeCloseTo(100000 - 6, 6);
    g.when(quoteBar(2, [1.079, 1.0795, 1.078, 1.0785], [1.0791, 1.0796, 1.0781, 1.0786]));
    expect(equityOf(g.host.state)).toBeCloseTo(100000 + 14, 6);
    const p = bookOf(g.host.state, 'TEST', 'EURUSD')?.position;
    expect(p?.maxAdverseExcursion).toBeCloseTo(0.0011, 9); // ask high 1.0811 − 1.0800
    expect(p?.maxFavorableExcursion).toBeCloseTo(0.0019, 9); // 1.0800 − ask low 1.0781
  });

  it('portfolio_when_nothing_traded_and_no_currency_configured_then_currency_empty_and_cash_is_start', () => {
    expect(portfolioOf(createExecutor({ startingCash: '2500.5' }).initialState())).toEqual({
      currency: '',
      cash: '2500.50',
      realizedPnl: '0.00',
      fees: '0.00',
      positions: [],
      workingOrders: [],
    });
    expect(equityOf(createExecutor({ startingCash: '2500.5' }).initialState())).toBe(2500.5);
  });
});
