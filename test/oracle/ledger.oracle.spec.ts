/**
 * The books of real backtests, checked by an independent oracle (ledger-oracle.ts): the product
 * path (`tradeloop backtest … --out`) over the shared recorded data, strategies and manual order
 * logs, fees and slippage on, four markets, three account currencies; then every cash figure,
 * closed position and summary amount recomputed from the fills alone, exactly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { main } from '../../apps/cli/src/main';
import { checkLedger, readRun, readRunBars, runStartedOf, type InstrumentFacts, type LedgerRules, type OracleInputs } from './ledger-oracle';

const DATA = resolve(__dirname, '../../../shared/data');
const FILES = {
  eurusd: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
  eurusdFxcm: 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv',
  xauusd: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
  usdjpy: 'forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv',
  btcPerp: 'crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv',
  btcusd: 'crypto/coinbase/BTCUSD_COINBASE_1m_trades_2017-09-03_2017-09-04.csv',
  ethusd: 'crypto/coinbase/ETHUSD_COINBASE_1m_trades_2017-09-03_2017-09-04.csv',
} as const;

/** Gold in 100-ounce contracts, traded in hundredths: the contract size has to reach every figure. */
const GOLD_CONTRACT = '100';

/** README "Instruments": what the oracle is told about each market (the run is told the gold contract by a file). */
const INSTRUMENTS: Readonly<Record<string, InstrumentFacts>> = {
  EURUSD: { contractSize: '1', quoteCurrency: 'USD', baseCurrency: 'EUR' },
  USDJPY: { contractSize: '1', quoteCurrency: 'JPY', baseCurrency: 'USD' },
  XAUUSD: { contractSize: GOLD_CONTRACT, quoteCurrency: 'USD', baseCurrency: 'XAU' },
  'BTC-PERP': { contractSize: '1', quoteCurrency: 'USD', baseCurrency: 'BTC' },
  BTCUSD: { contractSize: '1', quoteCurrency: 'USD', baseCurrency: 'BTC' },
  ETHUSD: { contractSize: '1', quoteCurrency: 'USD', baseCurrency: 'ETH' },
};

/** Limits wide enough that every manual order below reaches the broker (a denied add or reversal would test nothing). */
const OPEN_LIMITS = ['--max-position', '3', '--max-exposure', '10', '--cooldown', '0', '--loss-streak', '1000', '--daily-loss-limit', '0.9'];

const ORDERS_HEADER = 'timestamp,symbol,side,quantity,type,price,stop_loss,take_profit\n';

interface Case {
  readonly name: string;
  readonly files: readonly string[];
  readonly args: readonly string[];
  /** A manual order log (replaces the strategies). */
  readonly orders?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'eurusd strategies, USD',
    files: [FILES.eurusd],
    args: ['--from', '2014-05-05', '--to', '2014-05-13T13:17:00Z', '--fee-bps', '2', '--slippage-bps', '1'],
  },
  {
    name: 'xauusd strategies in 100-ounce contracts, USD',
    files: [FILES.xauusd],
    args: ['--to', '2014-05-09', '--fee-bps', '1.3', '--slippage-bps', '0.9'],
  },
  {
    // Two books of EURUSD (OANDA and FXCM), and gold converted at the EURUSD mid of whichever
    // venue's bar came last.
    name: 'eurusd at two venues and gold, strategies, EUR account',
    files: [FILES.eurusd, FILES.eurusdFxcm, FILES.xauusd],
    args: ['--from', '2014-05-05', '--to', '2014-05-10', '--currency', 'EUR', '--fee-bps', '1.1', '--slippage-bps', '0.5'],
  },
  {
    name: 'usdjpy strategies, USD account',
    files: [FILES.usdjpy],
    args: ['--bar-timestamp', 'close', '--currency', 'USD', '--from', '2013-02-04', '--to', '2013-02-16', '--fee-bps', '1.7', '--slippage-bps', '1'],
  },
  {
    name: 'btc-perp strategies, USD',
    files: [FILES.btcPerp],
    args: ['--bar-timestamp', 'close', '--from', '2022-01-03', '--to', '2022-01-15', '--fee-bps', '4', '--slippage-bps', '2'],
  },
  {
    // Euro account: EURUSD converts at 1 / its fill price, gold at 1 / the last EURUSD mid.
    name: 'eurusd and gold manual orders, EUR account',
    files: [FILES.eurusd, FILES.xauusd],
    args: ['--from', '2014-05-05', '--to', '2014-05-08', '--currency', 'EUR', '--fee-bps', '2.5', '--slippage-bps', '1', ...OPEN_LIMITS],
    orders:
      ORDERS_HEADER +
      '2014-05-05T08:00:30Z,EURUSD,buy,20000,market,,,\n' + // open
      '2014-05-05T08:10:30Z,XAUUSD,buy,0.5,market,,,\n' +
      '2014-05-05T09:00:30Z,EURUSD,buy,10001,market,,,\n' + // add: an average of two prices
      '2014-05-05T10:00:30Z,EURUSD,sell,5003,market,,,\n' + // partial close
      '2014-05-05T10:30:30Z,XAUUSD,buy,0.25,market,,,\n' +
      '2014-05-05T11:00:30Z,XAUUSD,sell,0.3,market,,,\n' +
      '2014-05-05T12:00:30Z,EURUSD,sell,40000,market,,,\n' + // through zero: short 15002
      '2014-05-05T13:00:30Z,XAUUSD,sell,0.8,market,,,\n' + // through zero: short 0.35
      '2014-05-05T14:00:30Z,EURUSD,buy,14998,market,,,\n' +
      '2014-05-06T09:00:30Z,EURUSD,buy,10000,market,,1.38000,1.40000\n' + // reversal with a bracket
      '2014-05-06T12:00:30Z,EURUSD,sell,3333,market,,,\n' + // shrinks the bracketed position
      '2014-05-06T13:00:30Z,EURUSD,sell,2000,limit,1.39450,,\n' + // maker fill (if reached)
      '2014-05-06T14:00:30Z,XAUUSD,buy,0.1,market,,,\n' +
      '2014-05-07T08:00:30Z,EURUSD,sell,20000,market,,,\n' +
      '2014-05-07T10:00:30Z,EURUSD,buy,7777,market,,,\n', // both markets left open at the end
  },
  {
    // Yen P&L and whole-yen fees into a dollar account, each fill at 1 / its price.
    name: 'usdjpy manual orders, USD account',
    files: [FILES.usdjpy],
    args: ['--bar-timestamp', 'close', '--from', '2013-02-04', '--to', '2013-02-07', '--currency', 'USD', '--fee-bps', '1.5', '--slippage-bps', '0.7', ...OPEN_LIMITS],
    orders:
      ORDERS_HEADER +
      '2013-02-04T08:00:00Z,USDJPY,buy,30000,market,,,\n' +
      '2013-02-04T09:00:00Z,USDJPY,buy,12345,market,,,\n' +
      '2013-02-04T10:00:00Z,USDJPY,sell,10007,market,,,\n' +
      '2013-02-04T11:00:00Z,USDJPY,sell,50000,market,,,\n' +
      '2013-02-04T13:00:00Z,USDJPY,sell,3001,market,,,\n' +
      '2013-02-04T14:00:00Z,USDJPY,buy,20663,market,,,\n' + // flat again, exactly
      '2013-02-05T08:00:00Z,USDJPY,buy,25000,market,,91.000,95.500\n' +
      '2013-02-05T12:00:00Z,USDJPY,sell,5000,limit,93.900,,\n' +
      '2013-02-06T09:00:00Z,USDJPY,sell,40000,market,,,\n' +
      '2013-02-06T15:00:00Z,USDJPY,buy,4321,market,,,\n',
  },
  {
    // USD-quoted perp in a USDT account: the same money, booked without conversion.
    name: 'btc-perp manual orders, USDT account',
    files: [FILES.btcPerp],
    args: ['--bar-timestamp', 'close', '--from', '2022-01-03', '--to', '2022-01-06', '--currency', 'USDT', '--fee-bps', '5', '--slippage-bps', '2', ...OPEN_LIMITS],
    orders:
      ORDERS_HEADER +
      '2022-01-03T08:00:00Z,BTC-PERP,buy,0.12345,market,,,\n' +
      '2022-01-03T09:00:00Z,BTC-PERP,buy,0.2,market,,,\n' +
      '2022-01-03T10:00:00Z,BTC-PERP,sell,0.1,market,,,\n' +
      '2022-01-03T12:00:00Z,BTC-PERP,sell,0.5,market,,,\n' +
      '2022-01-03T14:00:00Z,BTC-PERP,buy,0.07655,market,,,\n' +
      '2022-01-04T08:00:00Z,BTC-PERP,buy,0.3,market,,45000,49000\n' +
      '2022-01-04T12:00:00Z,BTC-PERP,sell,0.13333,market,,,\n' +
      '2022-01-05T09:00:00Z,BTC-PERP,sell,0.3,market,,,\n',
  },
  {
    // An account in bitcoin, to the satoshi: ETHUSD converts at 1 / the last BTCUSD trade price,
    // BTCUSD at 1 / its own fill price.
    name: 'ethusd and btcusd manual orders, BTC account',
    files: [FILES.btcusd, FILES.ethusd],
    args: ['--currency', 'BTC', '--cash', '20', '--fee-bps', '10', '--slippage-bps', '3', ...OPEN_LIMITS],
    orders:
      ORDERS_HEADER +
      '2017-09-03T06:00:30Z,ETHUSD,buy,3,market,,,\n' +
      '2017-09-03T08:00:30Z,BTCUSD,sell,0.05,market,,,\n' +
      '2017-09-03T09:00:30Z,ETHUSD,buy,1.5,market,,,\n' +
      '2017-09-03T12:00:30Z,ETHUSD,sell,1,market,,,\n' +
      '2017-09-03T14:00:30Z,BTCUSD,buy,0.08,market,,,\n' +
      '2017-09-03T16:00:30Z,ETHUSD,sell,6,market,,,\n' +
      '2017-09-03T20:00:30Z,BTCUSD,sell,0.03,market,,,\n' +
      '2017-09-04T02:00:30Z,ETHUSD,buy,2.5,market,,,\n' +
      '2017-09-04T09:00:30Z,ETHUSD,buy,0.7,market,,,\n' +
      '2017-09-04T11:00:30Z,BTCUSD,sell,0.02,market,,,\n',
  },
];

interface Ran {
  readonly c: Case;
  readonly inputs: OracleInputs;
}

const runs: Ran[] = [];

async function backtest(c: Case, dir: string): Promise<Ran> {
  let err = '';
  const args = ['node', 'tradeloop', 'backtest', '--data', ...c.files.map((f) => join(DATA, f)), '--mode', 'fully_automated', '--no-progress', ...c.args];
  if (c.files.includes(FILES.xauusd)) {
    const inst = join(dir, 'gold.yaml');
    writeFileSync(inst, `XAUUSD:\n  contractSize: ${GOLD_CONTRACT}\n  lotSize: 0.01\n  minQuantity: 0.01\n`);
    args.push('--instruments', inst);
  }
  if (c.orders !== undefined) {
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, c.orders);
    args.push('--orders', orders);
  }
  const out = join(dir, 'out');
  const code = await main([...args, '--out', out], { out: () => undefined, err: (s) => void (err += s), isTty: false });
  if (code !== 0) throw new Error(`${c.name}: backtest exited ${code}: ${err}`);
  const { report, events } = readRun(out);
  const byName = new Map(c.files.map((f) => [basename(f), join(DATA, f)]));
  const bars = readRunBars(runStartedOf(events), (name) => {
    const path = byName.get(name);
    if (path === undefined) throw new Error(`${c.name}: the run names ${name}, which the case did not pass`);
    return path;
  });
  return {
    c,
    inputs: {
      report,
      events,
      bars,
      instrument: (symbol) => {
        const i = INSTRUMENTS[symbol];
        if (i === undefined) throw new Error(`no instrument facts for ${symbol}`);
        return i;
      },
    },
  };
}

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'tl-ledger-oracle-'));
  for (const [i, c] of CASES.entries()) runs.push(await backtest(c, mkdtempSync(join(root, `${i}-`))));
}, 120_000);

const types = (r: Ran, type: string) => r.inputs.events.filter((e) => e.type === type);

describe('ledger oracle over real backtests', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s_when_recomputed_from_the_fills_then_every_cash_position_and_summary_figure_agrees_exactly', (_name, i) => {
    const r = runs[i];
    const verdict = checkLedger(r.inputs);
    expect(verdict.disagreements).toEqual([]);
    // The run traded, and the oracle rebuilt every fill and close it reports.
    const fills = types(r, 'OrderFilled');
    expect(fills.length).toBeGreaterThan(5);
    expect(verdict.figures.cashAfterFill).toHaveLength(fills.length);
    expect(verdict.figures.closes.length).toBe(r.inputs.report.summary.trades);
    // DESIGN §7.3 on the oracle's own books: start + realised − fees = end.
    const f = verdict.figures;
    expect(f.startingCash.plus(f.realized).minus(f.fees).eq(f.finalCash)).toBe(true);
  });

  it('the_manual_order_logs_when_replayed_then_they_add_reduce_reverse_and_leave_positions_open_as_intended', () => {
    // The oracle is only as good as the cases it sees: check the cases are what they claim.
    for (const r of runs.filter((x) => x.c.orders !== undefined)) {
      const reasons = types(r, 'PositionClosed').map((e) => e.data['exitReason']);
      const denied = types(r, 'OrderDenied').length + types(r, 'OrderRejected').length;
      expect({ name: r.c.name, denied }).toEqual({ name: r.c.name, denied: 0 });
      expect(reasons).toContain('reversal');
      // Adds and partial closes: a position growing and shrinking without closing.
      const held = new Map<unknown, number>();
      const moves = { adds: 0, partialCloses: 0 };
      for (const e of r.inputs.events) {
        if (e.type !== 'PositionOpened' && e.type !== 'PositionChanged') continue;
        const qty = Number(e.data['quantity']);
        const before = held.get(e.data['positionId']);
        if (before !== undefined) moves[qty > before ? 'adds' : 'partialCloses']++;
        held.set(e.data['positionId'], qty);
      }
      expect({ name: r.c.name, adds: moves.adds > 0, partialCloses: moves.partialCloses > 0 }).toEqual({ name: r.c.name, adds: true, partialCloses: true });
      expect(r.inputs.report.summary.openPositions).toBeGreaterThan(0);
      expect(r.inputs.report.summary.unrealizedPnl).not.toBe(r.inputs.report.summary.finalEquity);
    }
    const manual = runs.filter((x) => x.c.orders !== undefined).flatMap((r) => types(r, 'PositionClosed').map((e) => e.data['exitReason']));
    expect(manual).toContain('manual');
    // Converted fills: at one over their own price (USDJPY, EURUSD, BTCUSD) and from a linking pair (gold, ether).
    const converted = runs.flatMap((r) => r.inputs.report.fills.filter((f) => f.conversionRate !== undefined).map((f) => `${f.symbol}→${f.accountCurrency}`));
    expect(new Set(converted)).toEqual(new Set(['USDJPY→USD', 'EURUSD→EUR', 'XAUUSD→EUR', 'ETHUSD→BTC', 'BTCUSD→BTC']));
  });

  it('the_strategy_runs_when_replayed_then_brackets_close_positions_and_limits_pay_the_maker_fee', () => {
    const strategy = runs.filter((x) => x.c.orders === undefined);
    const reasons = new Set(strategy.flatMap((r) => types(r, 'PositionClosed').map((e) => e.data['exitReason'])));
    expect([...reasons]).toEqual(expect.arrayContaining(['stop_loss', 'take_profit']));
    const liquidity = new Set(strategy.flatMap((r) => types(r, 'OrderFilled').map((e) => e.data['liquidity'])));
    expect([...liquidity]).toEqual(expect.arrayContaining(['maker', 'taker']));
  });

  // An oracle that agrees with everything proves nothing: each plausible wrong rule, swapped in
  // for the README's, must disagree with at least one of the runs above.
  const WRONG_RULES: ReadonlyArray<readonly [string, Partial<LedgerRules>]> = [
    ['realised against the oldest entries (FIFO), not the average', { costBasis: 'fifo' }],
    ['halves rounded up, not to even', { rounding: 'half-up' }],
    ["a reversal's whole fee on the closed position", { reversalFee: 'all-to-close' }],
    ['foreign amounts booked unconverted', { conversion: 'none' }],
    ['foreign P&L converted before its rounding to the quote currency', { conversion: 'unrounded-pnl' }],
    ['open positions marked at the mid', { markSide: 'mid' }],
    ['a win judged before fees', { win: 'gross' }],
    ['a USD-quoted instrument in a USDT account labelled USD', { sameMoneyLabel: 'quote' }],
    ["a linking pair's bar of the fill's own time left out", { linkBar: 'closed-before' }],
    ['open foreign positions marked at their last fill rate', { markRate: 'last-fill' }],
  ];
  it.each(WRONG_RULES)('given_a_wrong_rule_%s_when_checked_then_the_oracle_disagrees_with_the_runs', (_name, rule) => {
    const disagreements = runs.flatMap((r) => checkLedger({ ...r.inputs, rules: rule }).disagreements);
    expect(disagreements.length).toBeGreaterThan(0);
  });
});
