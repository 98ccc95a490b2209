import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import { MESSAGE_TYPES, type Message, type OrderFilledData, type PositionClosedData } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { parseOrders, readMarketDataFile } from '@tradeloop/market-data';
import { describeEvent, formatTrace, formatTradeList, parseEventLog, pipelineConfig, runBacktest, traceTrade } from './index';

const DATA = resolve(__dirname, '../../../../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');

const eurusd = readMarketDataFile(EURUSD, {});
const files = [{ name: eurusd.info.file, sha256: eurusd.info.sha256, rows: eurusd.info.rows }];
const run = runBacktest({ bars: eurusd.bars, files }, pipelineConfig({ mode: 'fully_automated', feeBps: 1 }));
const events = parseEventLog(run.eventLog.text(), 'events.ndjson');

describe('explain: a trade out of a run log (real EURUSD run)', () => {
  const closed = events.find((e) => e.type === 'PositionClosed') as Message<'PositionClosed'>;
  const corr = closed.correlationId;

  it('correlation_id_when_traced_then_the_whole_chain_in_log_order', () => {
    const t = traceTrade(events, corr)!;
    expect(t.correlationIds).toEqual([corr]);
    const types = t.events.map((x) => x.event.type);
    for (const type of ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'PositionOpened', 'PositionClosed', 'ExperienceRecorded', 'LearnedParametersPublished']) {
      expect(types).toContain(type);
    }
    expect(types[0]).toBe('SignalDetected');
    // Line numbers are the log's, ascending, and point at the events themselves.
    for (let i = 0; i < t.events.length; i++) {
      expect(events[t.events[i].line - 1]).toBe(t.events[i].event);
      if (i > 0) expect(t.events[i].line).toBeGreaterThan(t.events[i - 1].line);
    }
    // Nothing from another trade.
    expect(t.events.every((x) => x.event.correlationId === corr)).toBe(true);
  });

  it.each([
    ['signal id', (t: readonly Envelope[]) => t.find((e) => e.type === 'SignalDetected')!.id],
    ['position id', () => (closed.data as PositionClosedData).positionId],
    ['client order id of the exit fill', (t: readonly Envelope[]) => (t.filter((e) => e.type === 'OrderFilled').pop()!.data as OrderFilledData).clientOrderId],
    ['fill id', (t: readonly Envelope[]) => (t.find((e) => e.type === 'OrderFilled')!.data as OrderFilledData).fillId],
    ['risk approval id', (t: readonly Envelope[]) => t.find((e) => e.type === 'RiskApproved')!.id],
  ])('any_id_of_the_trade_%s_then_the_same_trace', (_name, pick) => {
    const chain = traceTrade(events, corr)!.events.map((x) => x.event);
    const t = traceTrade(events, pick(chain))!;
    expect(t.events.map((x) => x.line)).toEqual(traceTrade(events, corr)!.events.map((x) => x.line));
  });

  it('trace_when_formatted_then_one_line_per_event_with_outcome_and_what_was_learned', () => {
    const t = traceTrade(events, corr)!;
    const text = formatTrace(t);
    const lines = text.split('\n');
    const c = closed.data as PositionClosedData;
    expect(lines[0]).toContain(`closed by ${c.exitReason}, realised ${c.realizedPnl} ${c.currency}`);
    expect(lines).toHaveLength(t.events.length + 2);
    expect(text).toMatch(/DecisionMade\s+TAKE: confidence \d\.\d{3}/);
    expect(text).toMatch(/Reasons: posterior Beta/);
    expect(lines[lines.length - 1]).toMatch(/^learned: \w+ EURUSD (long|short) after this trade \(parameters v1\): 1 trades/);
    expect(text).not.toMatch(/undefined|NaN|\[object/);
  });

  it('denied_order_when_traced_then_outcome_names_the_reason', () => {
    const denied = events.find((e) => e.type === 'OrderDenied') as Message<'OrderDenied'> | undefined;
    expect(denied).toBeDefined();
    const t = traceTrade(events, denied!.data.requestId)!;
    expect(formatTrace(t).split('\n')[0]).toContain(`denied by risk (${denied!.data.reason})`);
  });

  it('skipped_signal_when_traced_then_outcome_says_skipped', () => {
    const skip = events.find((e) => e.type === 'DecisionMade' && (e.data as { action: string }).action === 'skip')!;
    expect(formatTrace(traceTrade(events, skip.id)!).split('\n')[0]).toContain('skipped by rl-decision');
  });

  it('unknown_id_then_undefined', () => {
    expect(traceTrade(events, 'no-such-id')).toBeUndefined();
  });
});

describe('explain: joins across correlation ids', () => {
  const env = (id: string, type: string, correlationId: string, data: object): Envelope => ({
    id, type, version: 1, ts: 0, correlationId, causationId: id, account: 'paper', source: 'executor', data,
  });

  it('exit_order_correlated_elsewhere_when_it_fills_the_traded_position_then_included', () => {
    const log = [
      env('a', 'OrderSubmitted', 'trade-1', { orderId: 'o1' }),
      env('b', 'PositionOpened', 'trade-1', { positionId: 'p1', entryOrderId: 'o1' }),
      env('c', 'OrderSubmitted', 'halt-1', { orderId: 'o2' }),
      env('d', 'PositionClosed', 'halt-1', { positionId: 'p1', entryOrderId: 'o1' }),
      env('e', 'OrderSubmitted', 'trade-2', { orderId: 'o3' }),
    ];
    expect(traceTrade(log, 'trade-1')!.events.map((x) => x.event.id)).toEqual(['a', 'b', 'd']);
  });
});

describe('explain: a position closed by a separate manual order (real EURUSD run, the CLI repro)', () => {
  /** The log of a backtest of a manual orders file (`timestamp,symbol,side,quantity,type,price` rows). */
  function manualRun(name: string, rows: readonly string[]): Envelope[] {
    const orders = parseOrders(['timestamp,symbol,side,quantity,type,price', ...rows].join('\n'), name, { venue: 'OANDA' });
    const r = runBacktest({ bars: eurusd.bars, orders, files }, pipelineConfig({ strategies: false, feeBps: 2 }));
    return parseEventLog(r.eventLog.text(), 'events.ndjson');
  }
  const fillsOf = (log: readonly Envelope[]) => log.filter((e) => e.type === 'OrderFilled') as Message<'OrderFilled'>[];
  const roundTrip = manualRun('rt.csv', ['2014-05-02T10:00:00Z,EURUSD,buy,10000,market,', '2014-05-02T14:00:00Z,EURUSD,sell,10000,market,']);
  const [entryFill, exitFill] = fillsOf(roundTrip);
  const closed = roundTrip.find((e) => e.type === 'PositionClosed') as Message<'PositionClosed'>;

  it('entry_traced_then_the_exit_order_and_its_fill_come_before_the_close', () => {
    expect(closed.correlationId).toBe('cmd:orders:rt.csv:2');
    const t = traceTrade(roundTrip, 'cmd:orders:rt.csv:2')!;
    const ids = t.events.map((x) => x.event.id);
    const exitSubmitted = roundTrip.find((e) => e.type === 'OrderSubmitted' && (e.data as { orderId: string }).orderId === exitFill.data.orderId)!;
    expect(ids).toContain(exitSubmitted.id);
    expect(ids.indexOf(exitFill.id)).toBeGreaterThan(-1);
    expect(ids.indexOf(exitFill.id)).toBeLessThan(ids.indexOf(closed.id));
    // The exit's own decision chain (its manual request) is another trade's, not this one's.
    expect(ids).not.toContain('cmd:orders:rt.csv:3');
    const text = formatTrace(t);
    expect(text).toContain(`entry order ${entryFill.data.orderId}`);
    expect(text).toContain(`entry filled: buy 10000 @ ${entryFill.data.price}`);
    // Placed as a manual "entry", but it only closed the position: labelled by what it did.
    expect(text).toContain(`close order ${exitFill.data.orderId}: sell 10000 EURUSD market`);
    expect(text).toMatch(new RegExp(`close filled: sell 10000 @ ${exitFill.data.price.replace('.', '\\.')} .*fee ${exitFill.data.fee} USD`));
  });

  it('exit_order_traced_then_it_shows_the_position_it_closed', () => {
    const t = traceTrade(roundTrip, 'cmd:orders:rt.csv:3')!;
    expect(t.correlationIds).toEqual(['cmd:orders:rt.csv:3']);
    const types = t.events.map((x) => x.event.type);
    expect(types).toContain('PositionOpened');
    expect(types).toContain('PositionClosed');
    const text = formatTrace(t);
    const first = text.split('\n')[0];
    expect(first).not.toContain('no position');
    expect(first).toContain(`(from ${new Date(roundTrip.find((e) => e.id === 'cmd:orders:rt.csv:3')!.ts).toISOString()})`);
    expect(first).toContain(`position of trade cmd:orders:rt.csv:2 closed by manual, realised ${closed.data.realizedPnl} USD`);
    // Its fill is the close; only the entry order it closed is an entry.
    expect(text.match(/entry filled/g)).toHaveLength(1);
    expect(text).toContain(`close filled: sell 10000 @ ${exitFill.data.price}`);
  });

  it('partial_exit_then_labelled_reduce_and_position_changed_is_a_sentence_not_json', () => {
    const log = manualRun('part.csv', [
      '2014-05-02T10:00:00Z,EURUSD,buy,10000,market,',
      '2014-05-02T12:00:00Z,EURUSD,sell,4000,market,',
      '2014-05-02T14:00:00Z,EURUSD,sell,6000,market,',
    ]);
    const [, reduce, close] = fillsOf(log);
    const changed = log.find((e) => e.type === 'PositionChanged') as Message<'PositionChanged'>;
    const text = formatTrace(traceTrade(log, 'cmd:orders:part.csv:2')!);
    expect(text).toContain(`reduce order ${reduce.data.orderId}: sell 4000 EURUSD market`);
    expect(text).toContain(`reduce filled: sell 4000 @ ${reduce.data.price}`);
    expect(text).toContain(`close filled: sell 6000 @ ${close.data.price}`);
    expect(text).toContain(`PositionChanged            position ${changed.data.positionId} now long 6000 EURUSD @ ${changed.data.averagePrice}, realised so far ${changed.data.realizedPnl}`);
    expect(text).not.toContain('{"');
    // The reduce order traced: the position it traded in, still named by its trade.
    expect(formatTrace(traceTrade(log, 'cmd:orders:part.csv:3')!).split('\n')[0]).toContain('position of trade cmd:orders:part.csv:2 closed by manual');
  });

  it('reversal_then_the_next_position_is_not_part_of_the_closed_trade', () => {
    const log = manualRun('rev.csv', [
      '2014-05-02T10:00:00Z,EURUSD,buy,10000,market,',
      '2014-05-02T14:00:00Z,EURUSD,sell,16000,market,',
      '2014-05-05T14:00:00Z,EURUSD,buy,4000,market,', // reduces the short 6000 the reversal opened
    ]);
    const [, reversal, later] = fillsOf(log);
    const opened = log.filter((e) => e.type === 'PositionOpened') as Message<'PositionOpened'>[];
    expect(opened).toHaveLength(2);
    const first = traceTrade(log, 'cmd:orders:rev.csv:2')!;
    const ids = first.events.map((x) => x.event.id);
    expect(ids).toContain(reversal.id);
    expect(ids).not.toContain(opened[1].id);
    expect(ids).not.toContain(later.id);
    // In this trade it is the order that closed the position: labelled by what it did here (it
    // is the entry of the next position, and labelled so in that one's trace).
    expect(formatTrace(first)).toContain(`reversal filled: sell 16000 @ ${reversal.data.price}`);
    const second = formatTrace(traceTrade(log, 'cmd:orders:rev.csv:3')!).split('\n')[0];
    expect(second).toContain('position of trade cmd:orders:rev.csv:2 closed by reversal');
    expect(second).toContain('its own position still open at the end of the log');
  });

  it('reversal_traced_then_the_position_it_closed_is_told_by_its_close_only_not_by_its_entry', () => {
    // XAUUSD: buy 10, sell 15 (closes the long, opens a short of 5), buy 5 (closes the short).
    // Before, explaining the short also printed the long's entry order, fill and opening,
    // labelled "entry", and the long's experience.
    const gold = readMarketDataFile(resolve(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), { to: Date.UTC(2014, 4, 7) });
    const orders = parseOrders(
      ['timestamp,symbol,side,quantity,type,price', '2014-05-06T10:00:00Z,XAUUSD,buy,10,market,', '2014-05-06T10:30:00Z,XAUUSD,sell,15,market,', '2014-05-06T11:00:00Z,XAUUSD,buy,5,market,'].join('\n'),
      'gold.csv',
      { venue: 'OANDA' },
    );
    const r = runBacktest({ bars: gold.bars, orders, files: [] }, pipelineConfig({ strategies: false }));
    const log = parseEventLog(r.eventLog.text(), 'events.ndjson');
    const [longEntry, reversal, close] = fillsOf(log);
    const [longOpened, shortOpened] = log.filter((e) => e.type === 'PositionOpened') as Message<'PositionOpened'>[];
    const [longClosed, shortClosed] = log.filter((e) => e.type === 'PositionClosed') as Message<'PositionClosed'>[];
    const [longExperience] = log.filter((e) => e.type === 'ExperienceRecorded');
    expect(shortOpened.data).toMatchObject({ direction: 'short', quantity: '5' });

    const short = traceTrade(log, shortOpened.data.positionId)!;
    const ids = short.events.map((x) => x.event.id);
    expect(ids).not.toContain(longEntry.id);
    expect(ids).not.toContain(longOpened.id);
    expect(ids).not.toContain(longExperience.id);
    expect(short.events.some((x) => x.event.type === 'OrderSubmitted' && (x.event.data as { orderId: string }).orderId === longEntry.data.orderId)).toBe(false);
    // What the reversal did to the long is told by the long's close, then the short's own trade.
    expect(ids).toEqual(expect.arrayContaining([reversal.id, longClosed.id, shortOpened.id, close.id, shortClosed.id]));
    const text = formatTrace(short);
    expect(text.split('\n')[0]).toBe(`trade cmd:orders:gold.csv:3 (from 2014-05-06T10:30:00.000Z): closed by manual, realised ${shortClosed.data.realizedPnl} USD`);
    expect(text.match(/entry filled/g)).toHaveLength(1);
    expect(text).toContain(`entry filled: sell 15 @ ${reversal.data.price}`);
    expect(text).toContain(`close filled: buy 5 @ ${close.data.price}`);
    expect(text).toMatch(/learned: manual XAUUSD short after this trade/);
    // The same trade from the reversal's order id.
    expect(traceTrade(log, reversal.data.orderId)!.events.map((x) => x.line)).toEqual(short.events.map((x) => x.line));
  });

  it('order_placed_on_the_last_bar_then_the_summary_counts_it_working_and_explain_says_so', () => {
    // A window ending at 12:00; the second buy comes at 11:59:30, inside the last bar (11:59–12:00):
    // no bar opens after it, so it is accepted and never fills. Before, the summary did not
    // count it anywhere and explain said 'no position'.
    const bars = eurusd.bars.filter((b) => b.data.openTime >= Date.UTC(2014, 4, 1, 9) && b.data.openTime < Date.UTC(2014, 4, 1, 12));
    const orders = parseOrders(
      ['timestamp,symbol,side,quantity,type,price', '2014-05-01T10:00:00Z,EURUSD,buy,10000,market,', '2014-05-01T11:59:30Z,EURUSD,buy,5000,market,'].join('\n'),
      'last.csv',
      { venue: 'OANDA' },
    );
    const r = runBacktest({ bars, orders, files: [] }, pipelineConfig({ strategies: false }));
    expect(r.summary).toMatchObject({ openPositions: 1, workingOrders: 1 });
    const log = parseEventLog(r.eventLog.text(), 'events.ndjson');
    const working = log.filter((e) => e.type === 'OrderSubmitted').pop() as Message<'OrderSubmitted'>;
    expect(formatTrace(traceTrade(log, 'cmd:orders:last.csv:3')!).split('\n')[0]).toBe(
      `trade cmd:orders:last.csv:3 (from 2014-05-01T11:59:30.000Z): order ${working.data.orderId} (buy 5000 EURUSD market) still working at the end of the log, never filled: no position`,
    );
    expect(formatTradeList(log).split('\n')[0]).toBe(
      '0 closed trade(s), 1 still open at the end (cmd:orders:last.csv:2), 1 order(s) still working at the end, never filled (cmd:orders:last.csv:3); explain one with its id (first column)',
    );
    // A stop-loss working for an open position is the position's, not counted.
    const guarded = parseOrders(
      ['timestamp,symbol,side,quantity,type,price,stop_loss,take_profit', '2014-05-01T10:00:00Z,EURUSD,buy,10000,market,,1.38000,1.40000'].join('\n'),
      'guarded.csv',
      { venue: 'OANDA' },
    );
    expect(runBacktest({ bars, orders: guarded, files: [] }, pipelineConfig({ strategies: false })).summary).toMatchObject({ openPositions: 1, workingOrders: 0 });
  });

  it('trade_list_when_a_position_is_still_open_then_names_its_trade', () => {
    const log = manualRun('open.csv', ['2014-05-02T10:00:00Z,EURUSD,buy,10000,market,', '2014-05-02T14:00:00Z,EURUSD,sell,10000,market,', '2014-05-06T14:00:00Z,EURUSD,sell,5000,market,']);
    const list = formatTradeList(log).split('\n');
    expect(list[0]).toBe('1 closed trade(s), 1 still open at the end (cmd:orders:open.csv:4); explain one with its id (first column)');
    expect(list[1]).toMatch(/^ {2}cmd:orders:open\.csv:2 {2}EURUSD@OANDA long /);
    expect(formatTradeList(roundTrip).split('\n')[0]).toBe('1 closed trade(s); explain one with its id (first column)');
  });
});

describe('explain: fills joined to positions when markets and chains interleave', () => {
  let n = 0;
  const env = (type: string, correlationId: string, data: object, account = 'paper'): Envelope => {
    const id = `e${++n}`;
    return { id, type, version: 1, ts: n, correlationId, causationId: id, account, source: 'executor', data };
  };
  const fill = (corr: string, orderId: string, symbol: string, side: string, account?: string) =>
    env('OrderFilled', corr, { orderId, fillId: `f-${orderId}`, venue: 'V', symbol, side, role: 'entry' }, account);
  const opened = (corr: string, positionId: string, symbol: string, direction: string, entryOrderId: string, account?: string) =>
    env('PositionOpened', corr, { positionId, venue: 'V', symbol, direction, entryOrderId }, account);
  const closedEv = (corr: string, positionId: string, symbol: string, entryOrderId: string, account?: string) =>
    env('PositionClosed', corr, { positionId, venue: 'V', symbol, entryOrderId }, account);

  it('two_markets_and_another_account_interleaved_then_each_trade_gets_only_its_own_exit', () => {
    const log = [
      fill('a', 'oa', 'EURUSD', 'buy'),
      opened('a', 'pa', 'EURUSD', 'long', 'oa'),
      fill('b', 'ob', 'GBPUSD', 'sell'),
      opened('b', 'pb', 'GBPUSD', 'short', 'ob'),
      fill('c', 'oc', 'EURUSD', 'buy', 'live'),
      opened('c', 'pc', 'EURUSD', 'long', 'oc', 'live'),
      fill('x', 'ox', 'GBPUSD', 'buy'), // closes b
      closedEv('b', 'pb', 'GBPUSD', 'ob'),
      fill('y', 'oy', 'EURUSD', 'sell'), // closes a
      closedEv('a', 'pa', 'EURUSD', 'oa'),
      fill('z', 'oz', 'EURUSD', 'sell', 'live'), // closes c, in the other account
      closedEv('c', 'pc', 'EURUSD', 'oc', 'live'),
    ];
    const orders = (q: string) => traceTrade(log, q)!.events.filter((x) => x.event.type === 'OrderFilled').map((x) => (x.event.data as { orderId: string }).orderId);
    expect(orders('a')).toEqual(['oa', 'oy']);
    expect(orders('b')).toEqual(['ob', 'ox']);
    expect(orders('c')).toEqual(['oc', 'oz']);
    expect(orders('y')).toEqual(['oa', 'oy']);
    expect([...traceTrade(log, 'a')!.exits]).toEqual([['oy', 'close']]);
  });
});

describe('describeEvent', () => {
  it.each([...MESSAGE_TYPES])('%s_sample_then_a_readable_line', (type) => {
    const text = describeEvent(SAMPLE_MESSAGES[type] as Envelope);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/undefined|\[object Object\]/);
  });
});

describe('describeEvent: a fill booked in another currency', () => {
  it('usdjpy_fill_in_a_usd_account_then_the_line_names_the_rate_and_the_dollar_amounts', () => {
    const fill = SAMPLE_MESSAGES.OrderFilled;
    const yen: Envelope = {
      ...fill,
      data: { ...fill.data, symbol: 'USDJPY', price: '151', fee: '151', feeCurrency: 'JPY', accountCurrency: 'USD', conversionRate: '0.006622516556', accountRealizedPnl: '65.56', accountFee: '1.00' },
    };
    expect(describeEvent(yen)).toMatch(/fee 151 JPY, maker; booked at 0\.006622516556 USD\/JPY: realised 65\.56 USD, fee 1\.00 USD$/);
    expect(describeEvent(fill as Envelope)).not.toContain('booked');
  });
});

describe('describeEvent: why an approval was requested', () => {
  const requested = SAMPLE_MESSAGES.ApprovalRequested;

  it('fully_manual_then_every_order_needs_approval_not_a_quality_below_threshold', () => {
    const manual = { ...requested, data: { ...requested.data, mode: 'fully_manual', quality: 100, threshold: 80 } };
    const text = describeEvent(manual as Envelope);
    expect(text).toContain(': fully_manual: every order needs approval; expires ');
    expect(text).not.toMatch(/below/);
  });

  it('quality_based_then_the_quality_below_the_threshold', () => {
    const low = { ...requested, data: { ...requested.data, mode: 'quality_based', quality: 62, threshold: 80 } };
    expect(describeEvent(low as Envelope)).toContain(': quality_based: quality 62 below threshold 80; expires ');
  });
});

describe('describeEvent: a risk approval', () => {
  it('amounts_then_labelled_with_the_instruments_quote_currency', () => {
    const approved = SAMPLE_MESSAGES.RiskApproved;
    expect(describeEvent(approved as Envelope)).toMatch(new RegExp(`; risk ${approved.data.riskAmount} USD \\(${approved.data.riskLevel}\\), notional ${approved.data.notional} USD at `));
    const yen = { ...approved, data: { ...approved.data, order: { ...approved.data.order, symbol: 'USDJPY' } } };
    expect(describeEvent(yen as Envelope)).toContain(`risk ${approved.data.riskAmount} JPY`);
  });
});
