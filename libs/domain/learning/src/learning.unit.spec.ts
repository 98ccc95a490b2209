import { WIN_RATE_PRIOR, type ExperienceRecordedData, type LearnedParametersPublishedData } from '@tradeloop/contracts';
import { dec, deriveId } from '@tradeloop/kernel';
import { given, msg, runAll } from '@tradeloop/testing';
import { createLearning, defaultLearningConfig, LearningConfigInput, rMultipleOf } from './index';
import {
  closedOf,
  decisionOf,
  fillOf,
  orderApprovedOf,
  orderSpecOf,
  riskApprovedOf,
  signalOf,
  strategyChain,
  submittedOf,
  TradeSpec,
} from './learning.test-fixtures';

const LOSS = { gross: '-10.70', net: '-11.10' };
const A: TradeSpec = { corr: 'sig-A' };
const B: TradeSpec = { corr: 'sig-B', exit: '1.10308', holdingMs: 120_000, mae: 0.0002 };
const WIN_B = { gross: '30.60', net: '30.20' };

describe('learning: one strategy trade', () => {
  it('full_chain_when_position_closes_then_one_experience_with_the_whole_context_and_parameters_v1', () => {
    const then = given(createLearning(), strategyChain(A))
      .when(closedOf(A, LOSS))
      .thenTypes('ExperienceRecorded', 'LearnedParametersPublished');
    const e = then.first('ExperienceRecorded');

    expect(e).toMatchObject({
      positionId: 'pos-sig-A',
      signalId: 'sig-A',
      origin: 'strategy',
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      session: 'london',
      signalQuality: 90,
      features: { rsi: 58, atr: 0.0009 },
      decision: { confidence: 0.7, sizeMultiplier: 0.75, sampledWinRate: 0.55, paramsVersion: 0 },
      risk: { level: 'LOW', riskAmount: '10.20', quantity: '10000' },
      approval: { mode: 'fully_automated', approvedBy: 'auto' },
      orderType: 'market',
      slippageCost: '0.7',
      spreadAtEntry: '0.00008',
      exitReason: 'stop_loss',
      entryPrice: '1.10002',
      exitPrice: '1.09895',
      quantity: '10000',
      pnl: '-11.10',
      fees: '0.40',
      win: false,
      holdingMs: 60_000, // the position's, as the executor measured it
      maxAdverseExcursion: 0.0011,
      maxFavorableExcursion: 0.0003,
      openedAt: 2_000,
      closedAt: 62_000,
    });
    // −11.10 / (10000 × |1.10002 − 1.09900| × 1) = −11.10 / 10.20
    expect(e.rMultiple).toBeCloseTo(-11.1 / 10.2, 12);
    expect(e.fills).toEqual([
      { ts: 2_000, side: 'buy', quantity: '10000', price: '1.10002', fee: '0.20', slippage: '0.00002', role: 'entry' },
      { ts: 62_000, side: 'sell', quantity: '10000', price: '1.09895', fee: '0.20', slippage: '0.00005', role: 'stop_loss' },
    ]);

    expect(then.first('LearnedParametersPublished')).toEqual({
      paramsVersion: 1,
      asOf: 62_000,
      parameters: [
        {
          strategy: 'structure_break',
          symbol: 'EURUSD',
          direction: 'long',
          trades: 1,
          wins: 0,
          winRate: 0,
          expectancy: e.rMultiple,
          averageHoldingMs: 60_000,
          averageAdverseExcursion: 0.0011 / 1.10002,
          alpha: 2,
          beta: 3,
        },
      ],
    });
    // The experience and the parameters stay on the signal's chain and are caused by the close.
    expect(then.published.map((p) => p.correlationId)).toEqual(['sig-A', 'sig-A']);
    expect(then.published.map((p) => p.causationId)).toEqual(['close-sig-A', 'close-sig-A']);
    expect(then.published[0].id).toBe(deriveId('close-sig-A', 'learning', 0));
  });

  it('chain_when_closed_then_dropped_with_its_order_index', () => {
    const { state } = given(createLearning(), strategyChain(A)).when(closedOf(A, LOSS));
    expect(state.pending.size + state.live.size).toBe(0);
    expect(state.orders.size).toBe(0);
    expect(state.riskApprovals.size).toBe(0);
    expect(state.holders.size).toBe(0);
  });

  it('second_close_when_recorded_then_parameters_version_2_with_running_statistics', () => {
    const past = [...strategyChain(A), closedOf(A, LOSS), ...strategyChain(B)];
    const then = given(createLearning(), past).when(closedOf(B, WIN_B, { exitReason: 'take_profit' }));
    const e = then.first('ExperienceRecorded');
    expect(e.win).toBe(true);
    expect(e.rMultiple).toBeCloseTo(30.2 / 10.2, 12);
    const p = then.first('LearnedParametersPublished');
    expect(p.paramsVersion).toBe(2);
    expect(p.parameters).toHaveLength(1);
    const row = p.parameters[0];
    expect(row).toMatchObject({ trades: 2, wins: 1, winRate: 0.5, averageHoldingMs: 90_000, alpha: 3, beta: 3 });
    expect(row.expectancy).toBeCloseTo((-11.1 / 10.2 + 30.2 / 10.2) / 2, 12);
    expect(row.averageAdverseExcursion).toBeCloseTo((0.0011 + 0.0002) / 1.10002 / 2, 15);
  });

  it('position_closed_when_redelivered_then_nothing_is_recorded_twice', () => {
    const close = closedOf(A, LOSS);
    const then = given(createLearning(), [...strategyChain(A), close]).when(close).thenNothing();
    expect(then.state.paramsVersion).toBe(1);
    expect(then.state.table[0].trades).toBe(1);
  });

  it('fills_when_correlated_with_a_bar_not_the_signal_then_joined_by_order_id', () => {
    const chain = [
      signalOf(A),
      decisionOf(A),
      riskApprovedOf(A),
      orderApprovedOf(A),
      submittedOf(A),
      fillOf(A, 'entry', { corr: 'bar-1' }),
      submittedOf(A, 'stop_loss', 'bar-1'),
      fillOf(A, 'stop_loss', { corr: 'bar-2' }),
    ];
    const e = given(createLearning(), chain).when(closedOf(A, LOSS, {}, 'bar-3')).first('ExperienceRecorded');
    expect(e.signalId).toBe('sig-A');
    expect(e.fills.map((f) => f.role)).toEqual(['entry', 'stop_loss']);
  });

  it('kill_switch_close_when_order_unknown_to_the_chain_then_fill_joined_by_symbol', () => {
    const chain = [...strategyChain(A).slice(0, 6), fillOf(A, 'close', { corr: 'halt-1', orderId: 'ord-kill' })];
    const e = given(createLearning(), chain)
      .when(closedOf(A, LOSS, { exitReason: 'kill_switch' }, 'halt-1'))
      .first('ExperienceRecorded');
    expect(e.fills.map((f) => f.role)).toEqual(['entry', 'close']);
    expect(e.exitReason).toBe('kill_switch');
  });

  it('position_when_no_chain_was_seen_then_still_recorded_from_the_close_alone', () => {
    const e = given(createLearning(), []).when(closedOf(A, LOSS)).first('ExperienceRecorded');
    expect(e).toMatchObject({ origin: 'strategy', strategy: 'structure_break', fills: [], features: {}, orderType: 'market', win: false });
    expect(e.signalId).toBeUndefined();
    expect(e.decision).toBeUndefined();
    expect(e.rMultiple).toBeUndefined();
  });

  it('position_when_booked_in_another_currency_than_the_account_then_the_experience_says_which', () => {
    // USDJPY in a USD account: the position's P&L and fees are yen, as PositionClosed says.
    const Y: TradeSpec = { corr: 'sig-Y', symbol: 'USDJPY', entry: '93.010', exit: '92.910', stop: '92.900', quantity: '10000', fee: '0' };
    const e = given(createLearning(), strategyChain(Y))
      .when(closedOf(Y, { gross: '-1000', net: '-1000', fees: '0' }, { currency: 'JPY' }))
      .first('ExperienceRecorded');
    expect(e).toMatchObject({ symbol: 'USDJPY', pnl: '-1000', fees: '0', currency: 'JPY' });
    expect(Object.keys(e).slice(Object.keys(e).indexOf('pnl'), Object.keys(e).indexOf('pnl') + 3)).toEqual(['pnl', 'fees', 'currency']);
  });

  it('breakeven_trade_when_net_pnl_zero_then_counts_as_a_loss', () => {
    const then = given(createLearning(), strategyChain(A)).when(closedOf(A, { gross: '0.40', net: '0.00' }));
    expect(then.first('ExperienceRecorded').win).toBe(false);
    expect(then.first('LearnedParametersPublished').parameters[0]).toMatchObject({ wins: 0, alpha: 2, beta: 3 });
  });
});

describe('learning: holding time', () => {
  const loss = { gross: '-10.70', net: '-11.10' };

  // The executor measures it where the bars are known: from the open of the entry's bar to the
  // close of the exit's bar (its PositionClosed.holdingMs). Learning records that, as it is.
  it('holding_when_stopped_out_on_the_entry_bar_then_the_positions_one_bar', () => {
    const S: TradeSpec = { corr: 'same-bar', openedAt: 120_000, holdingMs: 60_000 };
    const then = given(createLearning(), strategyChain(S)).when(closedOf(S, loss, { closedAt: 120_000 }));
    expect(then.first('ExperienceRecorded').holdingMs).toBe(60_000);
    expect(then.first('LearnedParametersPublished').parameters[0].averageHoldingMs).toBe(60_000);
  });

  it('holding_when_a_strategy_trade_closes_then_the_positions_holding_unchanged', () => {
    const S: TradeSpec = { corr: 'three-bars', openedAt: 120_000, holdingMs: 180_000 };
    const then = given(createLearning(), strategyChain(S)).when(closedOf(S, loss, { closedAt: 240_000 }));
    expect(then.first('ExperienceRecorded').holdingMs).toBe(180_000);
  });

  it('holding_when_a_manual_trade_closes_then_the_positions_holding_as_for_a_strategy_trade', () => {
    // No signal: learning does not know the bars, and needs not.
    const S: TradeSpec = { corr: 'no-signal', openedAt: 120_000, holdingMs: 60_000 };
    const chain = strategyChain(S).filter((m) => m.type !== 'SignalDetected' && m.type !== 'DecisionMade');
    const then = given(createLearning(), chain).when(closedOf(S, loss, { origin: 'manual', strategy: undefined, closedAt: 120_000 }));
    expect(then.first('ExperienceRecorded').holdingMs).toBe(60_000);
  });
});

describe('learning: manual trades', () => {
  const M: TradeSpec = { corr: 'cmd-1', direction: 'short', entry: '1.26500', exit: '1.26300', stop: '1.26700', quantity: '5000', orderType: 'limit' };
  const manualOrder = orderSpecOf(M, { origin: 'manual', strategy: undefined, limitPrice: '1.26500' });

  it('manual_chain_when_closed_then_strategy_and_origin_manual_with_the_approver', () => {
    const chain = [
      riskApprovedOf(M, manualOrder),
      msg(
        'ApprovalRequested',
        { riskApprovalId: 'risk-cmd-1', order: manualOrder, quality: 100, threshold: 70, mode: 'fully_manual', expiresAt: 301_000 },
        { id: 'apr-req-1', correlationId: 'cmd-1' },
      ),
      // The person's ApproveOrder command starts its own correlation; the join is by riskApprovalId.
      orderApprovedOf(M, { mode: 'fully_manual', by: 'alice', corr: 'approve-cmd-7', order: manualOrder }),
      submittedOf(M, 'entry', 'approve-cmd-7'),
      fillOf(M, 'entry', { corr: 'approve-cmd-7' }),
      fillOf(M, 'close', { corr: 'approve-cmd-7', orderId: 'ord-cmd-1-close' }),
    ];
    // Short 5000 from 1.26500 to 1.26300: +10.00 gross, −0.40 fees.
    const close = closedOf(M, { gross: '10.00', net: '9.60' }, { origin: 'manual', strategy: undefined, exitReason: 'manual' }, 'approve-cmd-7');
    const then = given(createLearning(), chain).when(close);
    const e = then.first('ExperienceRecorded');

    expect(e).toMatchObject({
      origin: 'manual',
      strategy: 'manual',
      direction: 'short',
      approval: { mode: 'fully_manual', approvedBy: 'alice' },
      risk: { level: 'LOW', quantity: '5000' },
      orderType: 'limit',
      win: true,
    });
    expect(e.signalId).toBeUndefined();
    expect(e.decision).toBeUndefined();
    // 9.60 / (5000 × 0.002) = 0.96
    expect(e.rMultiple).toBeCloseTo(0.96, 12);
    expect(e.fills.map((f) => f.side)).toEqual(['sell', 'buy']);
    expect(then.first('LearnedParametersPublished').parameters[0]).toMatchObject({
      strategy: 'manual',
      symbol: 'EURUSD',
      direction: 'short',
      trades: 1,
      wins: 1,
      alpha: 3,
      beta: 2,
    });
  });

  it('manual_trade_without_stop_when_closed_then_no_r_multiple_and_expectancy_in_money', () => {
    const noStop = orderSpecOf(M, { origin: 'manual', strategy: undefined, stopLoss: undefined });
    const past = [
      riskApprovedOf(M, noStop),
      orderApprovedOf(M, { order: noStop }),
      submittedOf(M),
      fillOf(M, 'entry'),
      closedOf(M, { gross: '10.00', net: '9.60' }, { origin: 'manual' }),
      riskApprovedOf({ ...M, corr: 'cmd-2' }, noStop),
      submittedOf({ ...M, corr: 'cmd-2' }),
      fillOf({ ...M, corr: 'cmd-2' }, 'entry'),
    ];
    const then = given(createLearning(), past).when(
      closedOf({ ...M, corr: 'cmd-2' }, { gross: '-3.60', net: '-4.00' }, { origin: 'manual' }),
    );
    expect(then.first('ExperienceRecorded').rMultiple).toBeUndefined();
    // Mean net P&L of 9.60 and −4.00.
    expect(then.first('LearnedParametersPublished').parameters[0].expectancy).toBeCloseTo(2.8, 12);
  });
});

describe('learning: positions closed or changed by another order', () => {
  // Manual orders are separate commands: a sell that closes a manual buy is an entry order of
  // its own chain, filled on the same market (what the executor books against the position).
  const noStop = (t: TradeSpec) => orderSpecOf(t, { origin: 'manual', strategy: undefined, stopLoss: undefined });
  const manual = (t: TradeSpec, fillOver: Parameters<typeof fillOf>[3] = {}) => [
    riskApprovedOf(t, noStop(t)),
    orderApprovedOf(t, { order: noStop(t) }),
    submittedOf(t),
    fillOf(t, 'entry', {}, fillOver),
  ];
  const BUY: TradeSpec = { corr: 'cmd-buy', entry: '1.10002', quantity: '5000', fee: '0.10', entrySlippage: '0.00002', openedAt: 2_000 };
  const SELL: TradeSpec = { corr: 'cmd-sell', direction: 'short', entry: '1.10102', quantity: '5000', fee: '0.10', entrySlippage: '0.00003', openedAt: 62_000 };
  const closeOfBuy = (over: Parameters<typeof closedOf>[2] = {}) =>
    closedOf({ ...BUY, exit: '1.10102', holdingMs: 60_000 }, { gross: '5.00', net: '4.80', fees: '0.20' }, { origin: 'manual', strategy: undefined, exitReason: 'manual', ...over }, 'cmd-sell');

  it('manual_position_when_closed_by_another_manual_order_then_its_experience_holds_the_closing_fill', () => {
    const then = given(createLearning(), [...manual(BUY), ...manual(SELL)]).when(closeOfBuy());
    const e = then.first('ExperienceRecorded');
    expect(e.fills).toEqual([
      { ts: 2_000, side: 'buy', quantity: '5000', price: '1.10002', fee: '0.10', slippage: '0.00002', role: 'entry' },
      { ts: 62_000, side: 'sell', quantity: '5000', price: '1.10102', fee: '0.10', slippage: '0.00003', role: 'close' },
    ]);
    // 5000 × (0.00002 + 0.00003): both legs' slippage, not the entry's alone.
    expect(e.slippageCost).toBe('0.25');
    // The closing order's chain was used up by the close: nothing is left waiting for a position.
    expect(then.state.live.size + then.state.pending.size).toBe(0);
  });

  it('manual_position_when_added_to_by_a_second_order_then_every_fill_is_in_its_experience', () => {
    const ADD: TradeSpec = { ...BUY, corr: 'cmd-add', entry: '1.10052', openedAt: 32_000 };
    const SELL_ALL: TradeSpec = { ...SELL, quantity: '10000', fee: '0.20' };
    const close = closedOf(
      { ...BUY, quantity: '10000', exit: '1.10102', holdingMs: 60_000 },
      { gross: '7.50', net: '7.10', fees: '0.40' },
      { origin: 'manual', strategy: undefined, exitReason: 'manual' },
      'cmd-sell',
    );
    const then = given(createLearning(), [...manual(BUY), ...manual(ADD), ...manual(SELL_ALL)]).when(close);
    const e = then.first('ExperienceRecorded');
    expect(e.fills.map((f) => [f.side, f.quantity, f.price, f.role])).toEqual([
      ['buy', '5000', '1.10002', 'entry'],
      ['buy', '5000', '1.10052', 'entry'],
      ['sell', '10000', '1.10102', 'close'],
    ]);
    expect(then.state.live.size + then.state.pending.size).toBe(0);
  });

  it('order_when_it_reverses_the_position_then_the_closed_part_goes_to_the_old_experience_and_the_rest_opens_the_next', () => {
    // Sell 15000 against long 5000: 5000 close it, 10000 open a short; the fee splits pro rata.
    const FLIP: TradeSpec = { ...SELL, quantity: '15000', fee: '0.31' };
    const first = given(createLearning(), [...manual(BUY), ...manual(FLIP)]).when(closeOfBuy({ exitReason: 'reversal' }));
    expect(first.first('ExperienceRecorded').fills.slice(1)).toEqual([
      { ts: 62_000, side: 'sell', quantity: '5000', price: '1.10102', fee: '0.10', slippage: '0.00003', role: 'close' },
    ]);

    const COVER: TradeSpec = { corr: 'cmd-cover', entry: '1.10002', quantity: '10000', fee: '0.20', entrySlippage: '0', openedAt: 122_000 };
    const closeOfShort = closedOf(
      { ...FLIP, quantity: '10000', exit: '1.10002', holdingMs: 60_000 },
      { gross: '10.00', net: '9.59', fees: '0.41' },
      { origin: 'manual', strategy: undefined, exitReason: 'manual', entryOrderId: 'ord-cmd-sell-entry' },
      'cmd-cover',
    );
    const second = given(createLearning(), [...manual(BUY), ...manual(FLIP), closeOfBuy({ exitReason: 'reversal' }), ...manual(COVER)]).when(closeOfShort);
    const e = second.first('ExperienceRecorded');
    expect(e.fills).toEqual([
      { ts: 62_000, side: 'sell', quantity: '10000', price: '1.10102', fee: '0.21', slippage: '0.00003', role: 'entry' },
      { ts: 122_000, side: 'buy', quantity: '10000', price: '1.10002', fee: '0.20', slippage: '0', role: 'close' },
    ]);
    expect(second.state.live.size + second.state.pending.size).toBe(0);
  });
});

describe('learning: bounded memory', () => {
  it('decision_when_skip_then_chain_dropped_at_once', () => {
    const { state } = given(createLearning(), [signalOf(A)]).when(decisionOf(A, { action: 'skip', sizeMultiplier: 0 }));
    expect(state.pending.size).toBe(0);
  });

  it('order_when_denied_then_its_chain_is_forgotten_at_once', () => {
    const denied = msg(
      'OrderDenied',
      { requestId: `dec-${A.corr}`, symbol: 'EURUSD', reason: 'POSITION_ALREADY_OPEN', detail: 'a position is open', riskLevel: 'BLOCKED', origin: 'strategy' },
      { correlationId: A.corr },
    );
    const { state } = given(createLearning(), [signalOf(A), decisionOf(A)]).when(denied);
    expect(state.pending.size).toBe(0);
  });

  it('approval_when_rejected_expired_or_only_displayed_then_the_chain_is_forgotten_by_its_risk_approval', () => {
    // Correlated elsewhere on purpose: the join is by riskApprovalId.
    const meta = { correlationId: 'governor-timer' };
    const ends = [
      msg('ApprovalRejected', { approvalId: 'ap-1', riskApprovalId: `risk-${A.corr}`, by: 'ops', reason: 'not today' }, meta),
      msg('ApprovalExpired', { approvalId: 'ap-1', riskApprovalId: `risk-${A.corr}` }, meta),
      msg('OrderDisplayed', { riskApprovalId: `risk-${A.corr}`, order: orderSpecOf(A), reason: 'DISPLAY_ONLY' }, meta),
    ];
    for (const end of ends) {
      const { state } = given(createLearning(), [signalOf(A), decisionOf(A), riskApprovedOf(A)]).when(end);
      expect([end.type, state.pending.size, state.riskApprovals.size]).toEqual([end.type, 0, 0]);
    }
  });

  it('entry_order_when_rejected_cancelled_or_expired_before_any_fill_then_the_chain_is_forgotten_by_its_order', () => {
    // A manual limit order cancelled by its sender, an order the broker refused, a day order
    // that expired: none will ever fill, so nothing will close; correlated elsewhere on purpose.
    const order = { orderId: `ord-${A.corr}-entry`, clientOrderId: `TLEord-${A.corr}-entry`, symbol: 'EURUSD' };
    const meta = { correlationId: 'cancel-cmd-3' };
    const ends = [
      msg('OrderRejected', { ...order, reason: 'quantity below the minimum' }, meta),
      msg('OrderCancelled', { ...order, reason: 'cancelled by alice' }, meta),
      msg('OrderExpired', order, meta),
    ];
    const chain = [signalOf(A), decisionOf(A), riskApprovedOf(A), orderApprovedOf(A), submittedOf(A)];
    for (const end of ends) {
      const { state } = given(createLearning(), chain).when(end);
      expect([end.type, state.pending.size, state.orders.size, state.riskApprovals.size]).toEqual([end.type, 0, 0, 0]);
    }
  });

  it('bracket_leg_when_cancelled_after_the_entry_filled_then_the_position_is_still_recorded', () => {
    // The take-profit cancelled when the stop filled (OCO), or a leg cancelled while the position is open.
    const leg = { orderId: `ord-${A.corr}-stop_loss`, clientOrderId: `TLEord-${A.corr}-stop_loss`, symbol: 'EURUSD', reason: 'oco' };
    const past = [...strategyChain(A).slice(0, 7), msg('OrderCancelled', leg, { correlationId: A.corr }), msg('OrderCancelled', { ...leg, orderId: `ord-${A.corr}-entry` }, { correlationId: A.corr })];
    const e = given(createLearning(), past).when(closedOf(A, LOSS)).first('ExperienceRecorded');
    expect(e.signalId).toBe(A.corr);
    expect(e.decision).toBeDefined();
  });

  it('live_chain_when_a_denial_or_display_carries_its_correlation_then_the_position_is_still_recorded', () => {
    const denied = msg(
      'OrderDenied',
      { requestId: 'dec-other', symbol: 'EURUSD', reason: 'POSITION_ALREADY_OPEN', detail: 'a position is open', riskLevel: 'BLOCKED', origin: 'strategy' },
      { correlationId: A.corr },
    );
    const displayed = msg('OrderDisplayed', { riskApprovalId: `risk-${A.corr}`, order: orderSpecOf(A), reason: 'REDUCE_ONLY' }, { correlationId: A.corr });
    const host = given(createLearning(), [...strategyChain(A), denied, displayed]).host;
    expect(host.state.live.has(A.corr)).toBe(true);
    const [e] = host.handle(closedOf(A, LOSS));
    expect((e.data as ExperienceRecordedData).signalId).toBe(A.corr);
  });

  it('chains_when_more_than_the_cap_never_trade_then_the_oldest_are_evicted', () => {
    const learning = createLearning({ maxOpenChains: 2 });
    const specs = ['s1', 's2', 's3'].map((corr) => ({ corr }));
    const past = specs.flatMap((s) => [signalOf(s), decisionOf(s), riskApprovedOf(s)]);
    const host = given(learning, past).host;
    expect([...host.state.pending.keys()]).toEqual(['s2', 's3']);
    expect(host.state.riskApprovals.has('risk-s1')).toBe(false);

    // The evicted chain's close is still recorded, but without the context that was dropped.
    const [evicted] = host.handle(closedOf(specs[0], LOSS));
    expect((evicted.data as ExperienceRecordedData).signalId).toBeUndefined();
    const [kept] = host.handle(closedOf(specs[1], LOSS));
    expect((kept.data as ExperienceRecordedData).signalId).toBe('s2');
  });

  it('filled_chain_when_many_later_signals_never_trade_then_it_survives_the_pending_cap', () => {
    const learning = createLearning({ maxOpenChains: 2 });
    const others = Array.from({ length: 10 }, (_, i) => ({ corr: `other-${i}`, symbol: 'GBPUSD' }));
    const past = [...strategyChain(A), ...others.flatMap((s) => [signalOf(s), decisionOf(s)])];
    const host = given(learning, past).host;
    expect(host.state.pending.size).toBe(2);
    expect(host.state.live.has('sig-A')).toBe(true);
    const [e] = host.handle(closedOf(A, LOSS));
    expect((e.data as ExperienceRecordedData).decision?.sizeMultiplier).toBe(0.75);
  });

  it('live_chains_when_more_than_the_cap_then_the_oldest_is_evicted_too', () => {
    const learning = createLearning({ maxOpenChains: 1 });
    const C: TradeSpec = { corr: 'sig-C', symbol: 'GBPUSD' };
    const { state } = given(learning, strategyChain(A)).when(fillOf(C, 'entry'));
    // sig-C's fill has no chain to join (never signalled), so sig-A stays.
    expect([...state.live.keys()]).toEqual(['sig-A']);
    const after = given(learning, [...strategyChain(A), ...strategyChain(C)]).host.state;
    expect([...after.live.keys()]).toEqual(['sig-C']);
    expect(after.orders.has('ord-sig-A-entry')).toBe(false);
  });
});

describe('learning: the parameter table', () => {
  const trades: { spec: TradeSpec; pnl: { gross: string; net: string } }[] = [
    { spec: { corr: 't1', strategy: 'trend_momentum', direction: 'short', exit: '1.10104', stop: '1.10104' }, pnl: { gross: '-10.20', net: '-10.60' } },
    { spec: { corr: 't2', strategy: 'rejection_wick', symbol: 'XAUUSD', entry: '2000.00', exit: '2010.00', stop: '1995.00', quantity: '1', mae: 2 }, pnl: { gross: '10.00', net: '9.60' } },
    { spec: { corr: 't3', strategy: 'rejection_wick' }, pnl: { gross: '-10.70', net: '-11.10' } },
    { spec: { corr: 't4', strategy: 'rejection_wick', direction: 'short', exit: '1.09800', stop: '1.10104' }, pnl: { gross: '20.20', net: '19.80' } },
    { spec: { corr: 't5', strategy: 'rejection_wick', exit: '1.10308' }, pnl: { gross: '30.60', net: '30.20' } },
    { spec: { corr: 't6', strategy: 'rejection_wick', exit: '1.10104' }, pnl: { gross: '10.20', net: '9.80' } },
  ];
  const inputs = trades.flatMap(({ spec, pnl }) => [...strategyChain(spec), closedOf(spec, pnl)]);

  it('as_of_when_a_close_comes_out_of_time_order_then_stays_at_the_newest_close', () => {
    // Markets arrive one batch each: a close on GBPUSD's earlier bar can follow EURUSD's later one.
    const late: TradeSpec = { corr: 'late', openedAt: 600_000 };
    const early: TradeSpec = { corr: 'early', symbol: 'GBPUSD', openedAt: 100_000 };
    const loss = { gross: '-10.70', net: '-11.10' };
    const { outputs } = runAll(createLearning(), [...strategyChain(late), closedOf(late, loss), ...strategyChain(early), closedOf(early, loss)]);
    const published = outputs.filter((o) => o.type === 'LearnedParametersPublished').map((o) => o.data as LearnedParametersPublishedData);
    expect(published.map((p) => [p.paramsVersion, p.asOf])).toEqual([
      [1, 660_000],
      [2, 660_000],
    ]);
  });

  it('several_trades_when_published_then_rows_sorted_by_strategy_symbol_direction', () => {
    const { outputs } = runAll(createLearning(), inputs);
    const published = outputs.filter((o) => o.type === 'LearnedParametersPublished').map((o) => o.data as LearnedParametersPublishedData);
    expect(published.map((p) => p.paramsVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    const last = published[5].parameters;
    expect(last.map((r) => `${r.strategy}/${r.symbol}/${r.direction}`)).toEqual([
      'rejection_wick/EURUSD/long',
      'rejection_wick/EURUSD/short',
      'rejection_wick/XAUUSD/long',
      'trend_momentum/EURUSD/short',
    ]);
  });

  it('several_trades_when_one_key_has_three_then_its_statistics_are_exact', () => {
    const { outputs } = runAll(createLearning(), inputs);
    const last = outputs.at(-1)!.data as LearnedParametersPublishedData;
    const row = last.parameters[0];
    // R multiples over 10.20 of risk: −11.10, +30.20, +9.80.
    expect(row).toMatchObject({ trades: 3, wins: 2, alpha: 4, beta: 3, averageHoldingMs: 60_000 });
    expect(row.winRate).toBeCloseTo(2 / 3, 15);
    expect(row.expectancy).toBeCloseTo((-11.1 + 30.2 + 9.8) / 10.2 / 3, 12);
    const gold = last.parameters[2];
    // 9.60 / (1 × 5 × contract size 1); MAE 2 on an entry of 2000.
    expect(gold).toMatchObject({ trades: 1, wins: 1, winRate: 1, alpha: 3, beta: 2 });
    expect(gold.expectancy).toBeCloseTo(1.92, 12);
    expect(gold.averageAdverseExcursion).toBeCloseTo(0.001, 15);
  });

  it('same_inputs_when_run_twice_or_rebuilt_by_fold_then_identical_outputs', () => {
    const a = runAll(createLearning(), inputs).outputs;
    expect(runAll(createLearning(), inputs).outputs).toEqual(a);
    const next: TradeSpec = { corr: 't7', strategy: 'rejection_wick' };
    const live = runAll(createLearning(), [...inputs, ...strategyChain(next), closedOf(next, LOSS)]).outputs.slice(-2);
    const rebuilt = given(createLearning(), [...inputs, ...strategyChain(next)]).when(closedOf(next, LOSS)).published;
    expect(rebuilt).toEqual(live);
  });
});

describe('learning: r multiple and config', () => {
  it('r_multiple_when_stop_equals_entry_or_size_unknown_then_undefined', () => {
    expect(rMultipleOf(dec(-5), dec(1), dec(1), dec(10), dec(1))).toBeUndefined();
    expect(rMultipleOf(dec(-5), dec(1), dec('0.5'), dec(10), undefined)).toBeUndefined();
    expect(rMultipleOf(dec(-5), dec(1), undefined, dec(10), dec(1))).toBeUndefined();
    expect(rMultipleOf(dec(-5), dec(1), dec('0.5'), dec(10), dec(1))).toBe(-1);
  });

  it('contract_size_when_configured_then_scales_the_money_at_risk', () => {
    const G: TradeSpec = { corr: 'g', symbol: 'XAUUSD', entry: '2000.00', exit: '1995.00', stop: '1995.00', quantity: '1' };
    const e = given(createLearning({ contractSizes: { XAUUSD: '100' } }), strategyChain(G))
      .when(closedOf(G, { gross: '-500.00', net: '-501.00' }))
      .first('ExperienceRecorded');
    expect(e.rMultiple).toBeCloseTo(-501 / 500, 12);
  });

  it('slippage_cost_when_contract_size_configured_then_it_is_money_like_the_pnl', () => {
    // One 100-oz contract: 0.30 of price slippage on each fill costs 30 USD each, as the P&L counts it.
    const G: TradeSpec = { corr: 'g', symbol: 'XAUUSD', entry: '2000.00', exit: '1995.00', stop: '1995.00', quantity: '1', entrySlippage: '0.30', exitSlippage: '0.30' };
    const e = given(createLearning({ contractSizes: { XAUUSD: '100' } }), strategyChain(G))
      .when(closedOf(G, { gross: '-500.00', net: '-501.00' }))
      .first('ExperienceRecorded');
    expect(e.slippageCost).toBe('60');
  });

  it('unknown_instrument_when_closed_then_recorded_without_r_multiple', () => {
    const U: TradeSpec = { corr: 'u', symbol: 'FOOBAR' };
    const then = given(createLearning(), strategyChain(U)).when(closedOf(U, LOSS));
    expect(then.first('ExperienceRecorded').rMultiple).toBeUndefined();
    expect(then.first('LearnedParametersPublished').parameters[0].expectancy).toBeCloseTo(-11.1, 12);
  });

  it('prior_when_a_loss_is_learned_then_alpha_beta_are_the_shared_prior_plus_the_counts', () => {
    const p = given(createLearning(), strategyChain(A)).when(closedOf(A, LOSS)).first('LearnedParametersPublished');
    expect(p.parameters[0]).toMatchObject({ alpha: WIN_RATE_PRIOR.alpha, beta: WIN_RATE_PRIOR.beta + 1 });
  });

  it.each(['priorAlpha', 'priorBeta'])('prior_when_%s_is_configured_then_refused_because_rl_decision_could_not_share_it', (field) => {
    // A prior of learning's own made every published posterior disagree with the one
    // rl-decision starts unseen agents at, with nothing to notice it.
    const cfg = { [field]: 1 } as LearningConfigInput;
    expect(() => createLearning(cfg)).toThrow(RangeError);
    expect(() => createLearning(cfg)).toThrow(`learning config: ${field} is not a setting: the win-rate prior is Beta(2, 2) for learning and rl-decision alike`);
  });

  it('defaults_when_no_config_then_documented_values', () => {
    expect(defaultLearningConfig).toMatchObject({ maxOpenChains: 10_000, dedupeWindow: 10_000 });
    expect(createLearning().name).toBe('learning');
  });

  it.each([
    [{ maxOpenChains: 0 }, /maxOpenChains/],
    [{ maxOpenChains: 1.5 }, /maxOpenChains/],
    [{ dedupeWindow: 0 }, /dedupeWindow/],
    [{ contractSizes: { XAUUSD: 'abc' } }, /contractSizes\.XAUUSD/],
    [{ contractSizes: { XAUUSD: '0' } }, /contractSizes\.XAUUSD/],
  ])('config_when_%o_then_range_error_naming_the_field', (cfg, field) => {
    expect(() => createLearning(cfg as LearningConfigInput)).toThrow(RangeError);
    expect(() => createLearning(cfg as LearningConfigInput)).toThrow(field);
  });
});
