import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import { MESSAGE_TYPES, type Message, type OrderFilledData, type PositionClosedData } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { readMarketDataFile } from '@tradeloop/market-data';
import { describeEvent, formatTrace, parseEventLog, pipelineConfig, runBacktest, traceTrade } from './index';

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

describe('describeEvent: a risk approval', () => {
  it('amounts_then_labelled_with_the_instruments_quote_currency', () => {
    const approved = SAMPLE_MESSAGES.RiskApproved;
    expect(describeEvent(approved as Envelope)).toMatch(new RegExp(`; risk ${approved.data.riskAmount} USD \\(${approved.data.riskLevel}\\), notional ${approved.data.notional} USD at `));
    const yen = { ...approved, data: { ...approved.data, order: { ...approved.data.order, symbol: 'USDJPY' } } };
    expect(describeEvent(yen as Envelope)).toContain(`risk ${approved.data.riskAmount} JPY`);
  });
});
