/**
 * A person's orders with a time in force, through the whole pipeline (orders CSV → risk →
 * governor → executor) on real EURUSD quote bars. Every price is taken from the bars the case
 * is about, and each case first checks that the data still holds the situation it needs.
 */
import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import type { Message } from '@tradeloop/contracts';
import { parseOrders, readMarketDataFile } from '@tradeloop/market-data';
import { formatTrace, PipelineConfig, pipelineConfig, runBacktest, traceTrade } from './index';

const DATA = resolve(__dirname, '../../../../shared/data');
const eurusd = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {});
const bars = eurusd.bars;
const TICK = 0.00001;
const HEADER = 'timestamp,symbol,side,quantity,type,price,time_in_force';

function config(over: Partial<PipelineConfig> = {}): PipelineConfig {
  return pipelineConfig({ strategies: false, feeBps: 0, slippageBps: 0, ...over });
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const price = (x: number): string => x.toFixed(5);
/** Index of the bar that opens at `t`. */
const barAt = (t: number): number => {
  const i = bars.findIndex((b) => b.data.openTime === t);
  if (i < 0) throw new Error(`no bar opens at ${iso(t)}`);
  return i;
};
const askLow = (i: number): number => bars[i].data.askLow as number;
const askOpen = (i: number): number => bars[i].data.askOpen as number;

function run(rows: readonly string[], from: string, to: string, over: Partial<PipelineConfig> = {}, commands: Envelope[] = []) {
  const orders = parseOrders([HEADER, ...rows].join('\n'), 'tif.csv', { venue: 'OANDA' });
  const window = bars.filter((b) => b.data.openTime >= ms(from) && b.data.openTime < ms(to));
  const r = runBacktest({ bars: window, orders, files: [], commands }, config(over));
  const events = r.eventLog
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Message);
  /** What became of the order on CSV line `line`: its entry's terminal event, with its time. */
  const fate = (line: number): string => {
    const chain = events.filter((e) => e.correlationId === `cmd:orders:tif.csv:${line}`);
    const end = chain.find((e) => e.type === 'OrderFilled' || e.type === 'OrderCancelled' || e.type === 'OrderExpired' || e.type === 'OrderDenied' || e.type === 'OrderRejected');
    if (end === undefined) return 'working';
    switch (end.type) {
      case 'OrderFilled':
        return `filled ${end.data.price} at ${iso(end.ts)}`;
      case 'OrderCancelled':
        return `cancelled ${end.data.reason} at ${iso(end.ts)}`;
      case 'OrderExpired':
        return `expired at ${iso(end.ts)}`;
      case 'OrderDenied':
        return `denied ${end.data.reason}`;
      default:
        return `rejected ${(end as Message<'OrderRejected'>).data.reason}`;
    }
  };
  return { r, events, fate };
}

describe('IOC and FOK', () => {
  // The first bar from 10:00 on 6 May whose ask opens at least 3 ticks above its low, and the
  // first from there whose low a later bar (within 30) trades below.
  const reach = (() => {
    for (let i = barAt(ms('2014-05-06T10:00:00Z')); i < bars.length; i++) if (askOpen(i) - askLow(i) >= 3 * TICK - 1e-12) return i;
    throw new Error('no bar opens 3 ticks above its low');
  })();
  const miss = (() => {
    for (let i = reach + 5; i < bars.length - 30; i++) {
      for (let j = i + 1; j <= i + 30; j++) if (askLow(j) < askLow(i) - 1e-12) return { i, j };
    }
    throw new Error('no bar whose low a later one trades below');
  })();

  it('limits_when_their_first_eligible_bar_trades_through_them_then_they_fill_on_it_at_the_limit', () => {
    const limit = price(askLow(reach) + TICK);
    // Placed when the bar before closes: the bar at `reach` is their first eligible bar.
    const at = iso(bars[reach].data.openTime);
    const { fate } = run([`${at},EURUSD,buy,1000,limit,${limit},IOC`, `${at},EURUSD,buy,1000,limit,${limit},FOK`], '2014-05-06', '2014-05-07');
    const close = iso(bars[reach].ts);
    expect([fate(2), fate(3)]).toEqual([`filled ${limit} at ${close}`, `filled ${limit} at ${close}`]);
  });

  it('limits_when_their_first_eligible_bar_does_not_reach_them_then_cancelled_there_and_never_filled_while_a_gtc_twin_fills_later', () => {
    const { i, j } = miss;
    // The bar only touches the limit: under the default 'through' rule that is no fill.
    const limit = price(askLow(i));
    const at = iso(bars[i].data.openTime);
    const { fate, r } = run(
      [`${at},EURUSD,buy,1000,limit,${limit},IOC`, `${at},EURUSD,buy,1000,limit,${limit},FOK`, `${at},EURUSD,buy,1000,limit,${limit},GTC`],
      '2014-05-06',
      '2014-05-07',
    );
    const close = iso(bars[i].ts);
    expect([fate(2), fate(3)]).toEqual([`cancelled ioc_unfilled at ${close}`, `cancelled fok_unfilled at ${close}`]);
    expect(fate(4)).toBe(`filled ${limit} at ${iso(bars[j].ts)}`);
    expect(r.fills).toHaveLength(1);
    expect(r.stages.orders).toMatchObject({ submitted: 3, filled: 1, cancelled: 2 });
  });

  it('limit_when_placed_inside_a_bar_then_that_bar_is_not_its_first_and_the_next_one_decides', () => {
    const { i } = miss;
    // 30 s into the bar before `i`: the bar it was placed in opened before it existed.
    const at = iso(bars[i].data.openTime - 30_000);
    const { fate } = run([`${at},EURUSD,buy,1000,limit,${price(askLow(i))},IOC`], '2014-05-06', '2014-05-07');
    expect(fate(2)).toBe(`cancelled ioc_unfilled at ${iso(bars[i].ts)}`);
  });

  it('market_orders_when_ioc_or_fok_then_fill_at_their_first_bars_open_exactly_as_gtc', () => {
    const at = iso(bars[reach].data.openTime);
    const { fate } = run(
      [`${at},EURUSD,buy,1000,market,,GTC`, `${at},EURUSD,buy,1000,market,,IOC`, `${at},EURUSD,buy,1000,market,,FOK`],
      '2014-05-06',
      '2014-05-07',
    );
    const filled = `filled ${askOpen(reach)} at ${iso(bars[reach].ts)}`;
    expect([fate(2), fate(3), fate(4)]).toEqual([filled, filled, filled]);
  });

  it('stop_when_ioc_or_fok_arrives_as_a_command_then_risk_denies_it_and_nothing_is_placed', () => {
    // The orders CSV refuses such a row, so this command comes from elsewhere (the bus, an API).
    const t = bars[reach].data.openTime;
    const command = (id: string, timeInForce: 'IOC' | 'FOK'): Message<'SubmitManualOrder'> => ({
      id,
      type: 'SubmitManualOrder',
      version: 1,
      ts: t,
      correlationId: id,
      causationId: id,
      account: 'paper',
      source: 'test',
      data: { venue: 'OANDA', symbol: 'EURUSD', side: 'buy', quantity: '1000', type: 'stop', price: price(askOpen(reach) + 20 * TICK), timeInForce, requestedBy: 'alice' },
    });
    const window = bars.filter((b) => b.data.openTime >= ms('2014-05-06') && b.data.openTime < ms('2014-05-07'));
    const r = runBacktest({ bars: window, orders: [command('cmd-ioc', 'IOC'), command('cmd-fok', 'FOK')], files: [] }, config());
    expect(r.stages.risk.deniedByReason).toEqual({ INVALID_ORDER: 2 });
    expect(r.stages.orders.submitted).toBe(0);
  });
});

describe('DAY', () => {
  // 13 May 2014, ten minutes before midnight: the lowest ask until midnight, and the first bar of
  // 14 May, which trades below it.
  const midnight = ms('2014-05-14T00:00:00Z');
  const first = barAt(midnight);
  const evening = barAt(midnight - 10 * 60_000);
  let low = Infinity;
  for (let i = evening; i < first; i++) low = Math.min(low, askLow(i));

  it('data_when_read_then_the_first_bar_after_midnight_trades_below_the_evenings_low', () => {
    expect(askLow(first)).toBeLessThan(low);
  });

  it('limit_when_its_price_is_reached_only_after_midnight_then_it_expires_on_the_first_bar_of_the_next_day_while_a_gtc_twin_fills_on_it', () => {
    const at = iso(bars[evening].data.openTime);
    const { fate, r, events } = run([`${at},EURUSD,buy,1000,limit,${price(low)},DAY`, `${at},EURUSD,buy,1000,limit,${price(low)},GTC`], '2014-05-13', '2014-05-15');
    const firstClose = iso(bars[first].ts);
    expect(fate(2)).toBe(`expired at ${firstClose}`);
    // explain says what the person asked for.
    expect(formatTrace(traceTrade(events, 'cmd:orders:tif.csv:2')!)).toContain(`manual order by csv:tif.csv: buy 1000 EURUSD limit ${price(low)}, DAY`);
    expect(fate(3)).toMatch(new RegExp(`^filled [0-9.]+ at ${firstClose}$`));
    expect(r.stages.orders).toMatchObject({ submitted: 2, filled: 1, expired: 1 });
  });

  it('limit_when_reached_before_midnight_then_it_fills_as_gtc_would', () => {
    // The same evening, a DAY limit one tick above the low: reached before its day ends.
    const at = iso(bars[evening].data.openTime);
    const limit = price(low + TICK);
    const day = run([`${at},EURUSD,buy,1000,limit,${limit},DAY`], '2014-05-13', '2014-05-15').fate(2);
    const gtc = run([`${at},EURUSD,buy,1000,limit,${limit},GTC`], '2014-05-13', '2014-05-15').fate(2);
    expect(day).toMatch(/^filled /);
    expect(day).toBe(gtc);
    expect(Date.parse(day.split(' at ')[1])).toBeLessThanOrEqual(midnight);
  });

  it('market_when_placed_inside_the_last_bar_of_its_day_then_it_expires_at_the_next_days_first_bar_and_earlier_it_fills_at_the_next_open', () => {
    const { fate } = run(
      ['2014-05-13T23:58:00Z,EURUSD,buy,1000,market,,DAY', '2014-05-13T23:59:30Z,EURUSD,buy,1000,market,,DAY', '2014-05-13T23:59:30Z,EURUSD,buy,1000,market,,GTC'],
      '2014-05-13',
      '2014-05-15',
    );
    const lastOfDay = barAt(ms('2014-05-13T23:58:00Z'));
    expect(fate(2)).toBe(`filled ${askOpen(lastOfDay)} at 2014-05-13T23:59:00Z`);
    // Its first eligible bar opens at midnight: the next day, so it never fills.
    expect(fate(3)).toBe(`expired at ${iso(bars[first].ts)}`);
    expect(fate(4)).toBe(`filled ${askOpen(first)} at ${iso(bars[first].ts)}`);
  });

  it('limit_in_fully_manual_when_a_person_approves_it_after_midnight_then_the_request_has_expired_and_nothing_is_placed', () => {
    // A ten-hour approval window would run into 14 May; a DAY order's ends with its day.
    const at = iso(bars[evening].data.openTime);
    const rows = [`${at},EURUSD,buy,1000,limit,${price(low)},DAY`];
    const manual = { mode: 'fully_manual' as const, governor: { approvalTtlMs: 10 * 3_600_000 } };
    const requested = run(rows, '2014-05-13', '2014-05-15', manual).events.find((e) => e.type === 'ApprovalRequested') as Message<'ApprovalRequested'>;
    expect(requested.data.expiresAt).toBe(midnight);
    const approve = (ts: number): Envelope => ({
      id: `cmd:approve:${ts}`,
      type: 'ApproveOrder',
      version: 1,
      ts,
      correlationId: `cmd:approve:${ts}`,
      causationId: `cmd:approve:${ts}`,
      account: 'paper',
      source: 'test',
      data: { approvalId: requested.id, by: 'alice' },
    });
    const late = run(rows, '2014-05-13', '2014-05-15', manual, [approve(midnight + 5 * 60_000)]);
    expect(late.events.filter((e) => e.type === 'ApprovalExpired')).toHaveLength(1);
    expect(late.events.find((e) => e.type === 'CommandRejected')).toMatchObject({ data: { reason: 'APPROVAL_EXPIRED' } });
    expect(late.r.stages.orders.submitted).toBe(0);
    // Approved before midnight it is placed, and expires with its day like any DAY order.
    const inTime = run(rows, '2014-05-13', '2014-05-15', manual, [approve(midnight - 5 * 60_000)]);
    expect(inTime.fate(2)).toBe(`expired at ${iso(bars[first].ts)}`);
  });
});

describe('orders that name no time in force', () => {
  it('csv_when_the_column_is_absent_or_empty_then_the_run_is_the_same_byte_for_byte_and_gtc_fills_alike', () => {
    const rows = ['2014-05-06T09:00:30Z,EURUSD,buy,10000,market,', '2014-05-06T15:00:00Z,EURUSD,sell,10000,market,', '2014-05-07T09:00:00Z,EURUSD,sell,5000,limit,1.39600'];
    const window = bars.filter((b) => b.data.openTime >= ms('2014-05-06') && b.data.openTime < ms('2014-05-08'));
    const backtest = (text: string) => runBacktest({ bars: window, orders: parseOrders(text, 'same.csv', { venue: 'OANDA' }), files: [] }, config());
    const without = backtest(['timestamp,symbol,side,quantity,type,price', ...rows].join('\n'));
    const empty = backtest([HEADER, ...rows.map((r) => `${r},`)].join('\n'));
    const gtc = backtest([HEADER, ...rows.map((r) => `${r},GTC`)].join('\n'));
    // The two market orders fill; the sell limit rests to the end.
    expect(without.fills.length).toBe(2);
    expect(without.summary.workingOrders).toBe(1);
    expect(empty.eventLog.sha256()).toBe(without.eventLog.sha256());
    expect(gtc.fills).toEqual(without.fills);
  });
});
