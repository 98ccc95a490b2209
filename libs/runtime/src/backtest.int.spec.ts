import { resolve } from 'node:path';
import { dec, type Envelope, instrumentFor } from '@tradeloop/kernel';
import type { Message, OrderStatus } from '@tradeloop/contracts';
import { mergeByTime, parseOrders, readMarketDataFile } from '@tradeloop/market-data';
import { portfolioOf } from '@tradeloop/executor';
import { createPipeline, formatTrace, PipelineConfig, pipelineConfig, runBacktest, traceTrade } from './index';

const DATA = resolve(__dirname, '../../../../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');

function config(over: Partial<PipelineConfig> = {}): PipelineConfig {
  return pipelineConfig({ feeBps: 0.5, slippageBps: 0.5, ...over });
}

const eurusd = readMarketDataFile(EURUSD, {});
const files = [{ name: eurusd.info.file, sha256: eurusd.info.sha256, rows: eurusd.info.rows }];

function parse(result: ReturnType<typeof runBacktest>): Message[] {
  return result.eventLog
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Message);
}

describe('backtest on EURUSD OANDA 1m (real data)', () => {
  const result = runBacktest({ bars: eurusd.bars, files }, config());
  const events = parse(result);

  it('run_when_fully_automated_then_signals_flow_to_fills', () => {
    expect(result.stages.bars).toBe(15366);
    expect(result.stages.signals).toBeGreaterThan(10);
    expect(result.stages.decisions.taken).toBeGreaterThan(0);
    expect(result.stages.orders.submitted).toBeGreaterThan(0);
    expect(result.fills.length).toBeGreaterThan(0);
    expect(result.summary.trades).toBeGreaterThan(0);
    expect(events[0].type).toBe('RunStarted');
    expect(events[events.length - 1].type).toBe('RunEnded');
  });

  it('same_inputs_when_run_twice_then_identical_event_log_hash', () => {
    const again = runBacktest({ bars: eurusd.bars, files }, config());
    expect(again.eventLog.sha256()).toBe(result.eventLog.sha256());
    const otherSeed = runBacktest({ bars: eurusd.bars, files }, config({ seed: 7 }));
    expect(otherSeed.eventLog.sha256()).not.toBe(result.eventLog.sha256());
  });

  it('invariant_1_every_approved_order_has_exactly_one_broker_order', () => {
    const approved = events.filter((e) => e.type === 'OrderApproved');
    const entries = events.filter((e) => e.type === 'OrderSubmitted' && e.data.role === 'entry') as Message<'OrderSubmitted'>[];
    expect(entries.length).toBe(approved.length);
    for (const a of approved) expect(entries.filter((s) => s.data.approvedOrderId === a.id)).toHaveLength(1);
    const cids = events.filter((e) => e.type === 'OrderSubmitted').map((e) => (e as Message<'OrderSubmitted'>).data.clientOrderId);
    expect(new Set(cids).size).toBe(cids.length);
  });

  it('invariant_2_position_equals_signed_sum_of_fills_and_no_fill_twice', () => {
    const fills = events.filter((e) => e.type === 'OrderFilled') as Message<'OrderFilled'>[];
    expect(new Set(fills.map((f) => f.data.fillId)).size).toBe(fills.length);
    let qty = dec(0);
    for (const f of fills) qty = f.data.side === 'buy' ? qty.plus(f.data.quantity) : qty.minus(f.data.quantity);
    const p = portfolioOf(createdState(result));
    const held = p.positions.reduce((s, x) => (x.direction === 'long' ? s.plus(x.quantity) : s.minus(x.quantity)), dec(0));
    expect(held.toFixed()).toBe(qty.toFixed());
  });

  it('invariant_3_cash_is_start_plus_realised_minus_fees_exactly', () => {
    const updates = events.filter((e) => e.type === 'AccountUpdated') as Message<'AccountUpdated'>[];
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) {
      expect(dec('100000').plus(u.data.realizedPnl).minus(u.data.fees).eq(u.data.cash)).toBe(true);
    }
    const feeSum = events
      .filter((e) => e.type === 'OrderFilled')
      .reduce((s, e) => s.plus((e as Message<'OrderFilled'>).data.fee), dec(0));
    expect(feeSum.eq(updates[updates.length - 1].data.fees)).toBe(true);
    expect(dec(result.summary.finalCash).eq(updates[updates.length - 1].data.cash)).toBe(true);
  });

  it('invariant_5_order_states_only_move_forward', () => {
    const rank: Record<OrderStatus, number> = { submitted: 0, accepted: 1, partially_filled: 2, filled: 3, cancelled: 3, rejected: 3, expired: 3 };
    const status = new Map<string, OrderStatus>();
    const step = (id: string, next: OrderStatus) => {
      const prev = status.get(id);
      if (prev !== undefined) {
        expect(rank[prev]).toBeLessThan(3); // nothing after a terminal state
        expect(rank[next]).toBeGreaterThanOrEqual(rank[prev]);
      }
      status.set(id, next);
    };
    for (const e of events) {
      if (e.type === 'OrderSubmitted') step(e.data.orderId, 'submitted');
      else if (e.type === 'OrderAccepted') step(e.data.orderId, 'accepted');
      else if (e.type === 'OrderFilled') step(e.data.orderId, e.data.leavesQuantity === '0' ? 'filled' : 'partially_filled');
      else if (e.type === 'OrderCancelled') step(e.data.orderId, 'cancelled');
      else if (e.type === 'OrderRejected') step(e.data.orderId, 'rejected');
      else if (e.type === 'OrderExpired') step(e.data.orderId, 'expired');
    }
  });

  it('learning_loop_when_positions_close_then_parameters_reach_rl_decision', () => {
    expect(result.stages.experiences).toBe(result.summary.trades);
    expect(result.stages.paramsVersion).toBe(result.summary.trades);
    const decisions = events.filter((e) => e.type === 'DecisionMade') as Message<'DecisionMade'>[];
    expect(decisions.some((d) => d.data.paramsVersion > 0)).toBe(true);
  });

  it('every_output_id_is_unique_and_causation_points_backwards', () => {
    const seen = new Set<string>();
    for (const e of events) {
      expect(seen.has(e.id)).toBe(false);
      seen.add(e.id);
    }
  });
});

describe('modes on the same data', () => {
  it('display_only_when_signals_then_no_orders', () => {
    const r = runBacktest({ bars: eurusd.bars, files }, config({ mode: 'display_only' }));
    expect(r.stages.signals).toBeGreaterThan(0);
    expect(r.stages.orders.submitted).toBe(0);
    expect(r.stages.governor.displayed).toBe(r.stages.risk.approved);
  });

  it('fully_manual_when_nobody_answers_then_approvals_expire_and_nothing_trades', () => {
    const r = runBacktest({ bars: eurusd.bars, files }, config({ mode: 'fully_manual' }));
    expect(r.stages.governor.approvalsRequested).toBe(r.stages.risk.approved);
    expect(r.stages.governor.approvalsExpired).toBeGreaterThan(0);
    expect(r.stages.orders.submitted).toBe(0);
  });

  it('quality_based_when_threshold_then_only_quality_at_or_above_executes_unasked', () => {
    const r = runBacktest({ bars: eurusd.bars, files }, config({ mode: 'quality_based', threshold: 90 }));
    const events = parse(r);
    const approvals = events.filter((e) => e.type === 'RiskApproved') as Message<'RiskApproved'>[];
    const high = approvals.filter((a) => a.data.quality >= 90).length;
    expect(r.stages.governor.autoApproved).toBe(high);
    expect(r.stages.governor.approvalsRequested).toBe(approvals.length - high);
    expect(r.stages.governor.approvalsRequested).toBeGreaterThan(0);
  });
});

describe('manual order replay', () => {
  it('market_order_when_placed_mid_bar_then_fills_at_next_bar_open_ask', () => {
    const bars = eurusd.bars.slice(0, 200);
    const placeAt = bars[100].data.openTime + 30_000; // inside bar 100
    const order: Message<'SubmitManualOrder'> = {
      id: 'cmd:test:1',
      type: 'SubmitManualOrder',
      version: 1,
      ts: placeAt,
      correlationId: 'cmd:test:1',
      causationId: 'cmd:test:1',
      account: 'paper',
      source: 'test',
      data: { venue: 'OANDA', symbol: 'EURUSD', side: 'buy', quantity: '10000', type: 'market', requestedBy: 'test' },
    };
    const r = runBacktest({ bars, orders: [order], files }, config({ strategies: false }));
    expect(r.fills).toHaveLength(1);
    const expected = bars[101].data.askOpen!;
    expect(instrumentFor('EURUSD').tickSize).toBe('0.00001');
    // buy at the ask open of the first bar that opens after the order, plus 0.5 bps slippage rounded up to the tick
    const withSlip = dec(expected).mul('1.00005');
    const tick = dec('0.00001');
    const rounded = withSlip.div(tick).ceil().mul(tick);
    expect(r.fills[0].price).toBe(rounded.toFixed());
  });
  it('orders_when_placed_inside_an_hour_or_a_day_bar_then_approved_on_the_last_bar_and_filled_at_the_next_open', () => {
    // The last price of a 1h or 1d series is minutes or hours old inside every bar: the newest
    // there is. Before, risk applied the 15-minute stale-price limit to it and denied every
    // order of a trade log not placed at a bar's close, then let the closing sell open a short.
    const gold = readMarketDataFile(resolve(DATA, 'metals/XAUUSD_OANDA_1d_quotebars_2006-03-20_2019-02-25.csv'), {
      from: Date.UTC(2018, 0, 1),
      to: Date.UTC(2018, 1, 1),
    });
    const orders = parseOrders(
      'timestamp,symbol,side,quantity,type,price\n2018-01-09T14:30:00Z,XAUUSD,buy,10,market,\n2018-01-10T23:00:00Z,XAUUSD,sell,10,market,\n',
      'gold-days.csv',
      { venue: 'OANDA' },
    );
    const r = runBacktest({ bars: gold.bars, orders, files: [] }, config({ strategies: false, feeBps: 0, slippageBps: 0 }));
    expect(r.stages.risk.deniedByReason).toEqual({});
    const day = (iso: string) => gold.bars.find((b) => b.data.openTime === Date.parse(iso)) as Message<'BarClosed'>;
    // The buy fills at the ask open of 2018-01-10, the sell at the bid open of 2018-01-11.
    expect(r.fills.map((f) => [f.ts, f.side, f.price])).toEqual([
      ['2018-01-11T00:00:00.000Z', 'buy', String(day('2018-01-10T00:00:00Z').data.askOpen)],
      ['2018-01-12T00:00:00.000Z', 'sell', String(day('2018-01-11T00:00:00Z').data.open)],
    ]);
    expect(r.summary.openPositions).toBe(0);
  });

  it('close_when_the_daily_trade_limit_is_reached_then_the_closing_sell_still_passes_and_only_the_new_buy_is_denied', () => {
    // Two buys use the day's two trades; the sell that closes them takes risk off and must pass
    // (before: DAILY_TRADE_LIMIT, the position stayed open to the end of the data). The last buy
    // is new risk and is denied.
    const orders = parseOrders(
      'timestamp,symbol,side,quantity,type,price\n' +
        '2014-05-05T10:00:00Z,EURUSD,buy,10000,market,\n' +
        '2014-05-05T10:05:00Z,EURUSD,buy,10000,market,\n' +
        '2014-05-05T10:10:00Z,EURUSD,sell,20000,market,\n' +
        '2014-05-05T10:15:00Z,EURUSD,buy,5000,market,\n',
      'four.csv',
      { venue: 'OANDA' },
    );
    const bars = eurusd.bars.filter((b) => b.data.openTime >= Date.UTC(2014, 4, 5) && b.data.openTime < Date.UTC(2014, 4, 6));
    const r = runBacktest(
      { bars, orders, files: [] },
      config({ strategies: false, feeBps: 0, slippageBps: 0, risk: { maxPositionPct: 0.5, cooldownMs: 0, dailyTradeLimit: 2 } }),
    );
    expect(r.stages.risk.deniedByReason).toEqual({ DAILY_TRADE_LIMIT: 1 });
    expect(r.fills.map((f) => [f.side, f.quantity])).toEqual([
      ['buy', '10000'],
      ['buy', '10000'],
      ['sell', '20000'],
    ]);
    expect(r.summary.openPositions).toBe(0);
    expect(r.summary.trades).toBe(1);
  });

  it('order_when_an_hour_bar_series_has_been_quiet_longer_than_a_bar_then_its_price_is_stale', () => {
    const hours = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31.csv'), {
      from: Date.UTC(2017, 0, 6),
      to: Date.UTC(2017, 0, 10),
    });
    // Friday 2017-01-06: the last bar opens at 21:00 and closes at 22:00; Saturday noon is a day later.
    const orders = parseOrders('timestamp,symbol,side,quantity,type,price\n2017-01-07T12:00:00Z,EURUSD,buy,1000,market,\n', 'weekend.csv', { venue: 'OANDA' });
    const r = runBacktest({ bars: hours.bars, orders, files: [] }, config({ strategies: false }));
    expect(r.stages.risk.deniedByReason).toEqual({ STALE_PRICE: 1 });
  });
});

describe('approvals granted late', () => {
  // 6 May 2014: a short of 10 000 EURUSD asked for at 06:00 (bid 1.38794) with its stop at
  // 1.38950 and its target at 1.38600, in fully_manual mode with a 4-hour approval TTL (the
  // quickstart gives 10 hours of market time at 600×). By 09:15, when someone approves it, EURUSD
  // trades at 1.3924: above the stop. Before, the executor placed it anyway: the short filled at
  // the next open above its own stop and was stopped out on that bar.
  const bars = eurusd.bars.filter((b) => b.data.openTime >= Date.UTC(2014, 4, 6) && b.data.openTime < Date.UTC(2014, 4, 7));
  const orders = parseOrders(
    'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit\n2014-05-06T06:00:00Z,EURUSD,sell,10000,market,,1.38950,1.38600\n',
    'late.csv',
    { venue: 'OANDA' },
  );
  const cfg = config({ strategies: false, mode: 'fully_manual', feeBps: 0, slippageBps: 0, governor: { approvalTtlMs: 4 * 3_600_000 } });
  const approve = (approvalId: string, ts: number): Envelope => ({
    id: `cmd:approve:${ts}`,
    type: 'ApproveOrder',
    version: 1,
    ts,
    correlationId: `cmd:approve:${ts}`,
    causationId: `cmd:approve:${ts}`,
    account: 'paper',
    source: 'test',
    data: { approvalId, by: 'alice' },
  });
  const requestId = () => {
    const r = runBacktest({ bars, orders, files: [] }, cfg);
    return parse(r).find((e) => e.type === 'ApprovalRequested')!.id;
  };

  it('approval_when_granted_after_the_market_went_through_the_stop_then_refused_with_the_reason_and_nothing_fills', () => {
    const r = runBacktest({ bars, orders, files: [], commands: [approve(requestId(), Date.UTC(2014, 4, 6, 9, 15))] }, cfg);
    const events = parse(r);
    expect(r.fills).toEqual([]);
    expect(r.summary.trades).toBe(0);
    const rejected = events.find((e) => e.type === 'OrderRejected') as Message<'OrderRejected'>;
    expect(rejected.data.reason).toMatch(
      /^stale approval: the stop-loss 1\.3895 of this sell is at or below the last price 1\.392\d+ of EURUSD \(it was priced at 1\.388\d+\): placed now it would be stopped out at once$/,
    );
    // explain's first line says so, rather than 'no position'.
    expect(formatTrace(traceTrade(events, 'cmd:orders:late.csv:2')!).split('\n')[0]).toContain(`order rejected by the executor: ${rejected.data.reason}`);
  });

  it('approval_when_granted_while_the_market_is_still_inside_the_bracket_then_placed', () => {
    // 06:20: EURUSD near where it was asked for; the short is placed and fills at the next open.
    const r = runBacktest({ bars, orders, files: [], commands: [approve(requestId(), Date.UTC(2014, 4, 6, 6, 20))] }, cfg);
    expect(r.fills[0]).toMatchObject({ ts: '2014-05-06T06:21:00.000Z', side: 'sell', quantity: '10000' });
    expect(parse(r).filter((e) => e.type === 'OrderRejected')).toEqual([]);
  });
});

describe('summary figures', () => {
  it('sharpe_when_the_only_trade_loses_on_the_first_day_then_that_day_counts_from_the_starting_cash', () => {
    // 1 and 2 May 2014: a losing round trip on the first morning, flat afterwards. Before, the
    // daily closes began with the first day's (its return from the starting cash was lost), and
    // the last bar of 2 May, which closes at midnight, made a day of its own: returns [0, 0],
    // Sharpe 0 for a run that lost money.
    const bars = eurusd.bars.filter((b) => b.data.openTime < Date.UTC(2014, 4, 3));
    const orders = parseOrders(
      'timestamp,symbol,side,quantity,type,price\n2014-05-01T10:00:00Z,EURUSD,buy,10000,market,\n2014-05-01T10:03:00Z,EURUSD,sell,10000,market,\n',
      'day-one.csv',
      { venue: 'OANDA' },
    );
    const r = runBacktest({ bars, orders, files: [] }, config({ strategies: false, feeBps: 0, slippageBps: 0 }));
    const end = Number(r.summary.finalEquity);
    expect(end).toBeLessThan(100_000);
    // Daily closes: the starting cash, then 1 May and 2 May (flat: the same equity).
    const returns = [end / 100_000 - 1, 0];
    const mean = (returns[0] + returns[1]) / 2;
    const sd = Math.sqrt(((returns[0] - mean) ** 2 + (returns[1] - mean) ** 2) / 1);
    expect(r.summary.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 4);
  });
});

function createdState(result: ReturnType<typeof runBacktest>): never {
  // Rebuild executor state by folding the log: what a restart would do.
  const p = createPipeline(config());
  for (const line of result.eventLog.text().trimEnd().split('\n')) p.hosts.executor.fold(JSON.parse(line));
  return p.hosts.executor.state as never;
}

describe('account snapshots when markets arrive in batches (as the services receive them)', () => {
  it('markets_batched_then_snapshot_times_can_go_back_but_sequences_count_every_fill_in_delivery_order', () => {
    const files = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv'];
    const merged = mergeByTime(...files.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
    // Every 90 bars of the merged feed, one batch per market, as the chaos test feeds the services.
    const delivered: Message<'BarClosed'>[] = [];
    for (let i = 0; i < merged.length; i += 90) {
      const byMarket = new Map<string, Message<'BarClosed'>[]>();
      for (const b of merged.slice(i, i + 90)) {
        const key = `${b.data.venue}|${b.data.symbol}`;
        byMarket.set(key, [...(byMarket.get(key) ?? []), b]);
      }
      for (const batch of byMarket.values()) delivered.push(...batch);
    }
    const r = runBacktest({ bars: delivered, files: [] }, config({ mode: 'fully_automated' }));
    const accounts = parse(r).filter((e): e is Message<'AccountUpdated'> => e.type === 'AccountUpdated');
    const fills = parse(r).filter((e) => e.type === 'OrderFilled');
    expect(accounts.length).toBe(fills.length);
    expect(accounts.map((a) => a.data.sequence)).toEqual(accounts.map((_a, i) => i + 1));
    // Event time is not monotone across markets: ordering snapshots by it would keep a stale one.
    let inversions = 0;
    for (let i = 1; i < accounts.length; i++) if (accounts[i].ts < Math.max(...accounts.slice(0, i).map((a) => a.ts))) inversions++;
    expect(inversions).toBeGreaterThan(0);
    expect(accounts[accounts.length - 1].data.cash).toBe(r.summary.finalCash);
  });
});
