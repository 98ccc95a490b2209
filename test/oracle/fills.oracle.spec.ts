/**
 * The paper broker checked against an independent oracle on real data.
 *
 * Orders are drawn from the shared data files with a seeded generator (bar times and prices
 * taken from the bars themselves), written as an orders CSV and replayed by
 * `tradeloop backtest --orders … --out …`; every fill of report.json (time, side, quantity,
 * price, fee, as decimal strings) must be the oracle's exactly, and so must the set of orders
 * that were refused, filled or left working. The oracle (paper-oracle.ts) is the README's fill
 * rules written out from the text, importing nothing of the product.
 *
 * Risk's limits that depend on the trades' P&L (loss streak, cooldown, daily loss) or count
 * orders per day are relaxed on the command line: they are risk's business, not the broker's.
 * The position and exposure limits keep their defaults; the quantities are small enough that
 * they never bind. The risk checks the oracle does model are those of the order itself: no or
 * stale price, the price collar, a stop-loss or take-profit on the wrong side.
 *
 * Each file is read with its own bar-timestamp convention, as the benchmark picks it
 * (`--bar-timestamp close` for the nautilus_trader files: FXCM GBPUSD/USDJPY, FTX BTC-PERP).
 * The edge cases run on slices of the real files around the moment each needs. With
 * ORACLE_STATS=1 the runs print what the oracle decided and by which rule.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { differences } from './compare';
import { Bars, EDGE_CASES, type EdgeCase } from './edge-cases';
import { generateOrders, ordersCsv } from './order-gen';
import { barMsOf, readOracleBars, type BarTimestamp } from './oracle-bars';
import { builtInInstrument, runOracle, type OracleOrder } from './paper-oracle';
import { runProduct } from './product-run';

const DATA = resolve(__dirname, '../../../shared/data');

/** Risk limits driven by P&L or counts, off: only the fill rules are under test. */
const RELAXED = ['--cooldown', '0', '--loss-streak', '1000000', '--daily-trades', '1000000', '--daily-loss-limit', '1'];

interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly symbol: string;
  readonly barTimestamp: BarTimestamp;
  readonly feeBps: string;
  readonly slippageBps: string;
  readonly count: number;
  readonly quantities: readonly string[];
  readonly seed: number;
  /** In the account currency, the instrument's quote currency. */
  readonly cash: string;
  /** An instruments file's entry for the symbol (`--instruments`), over the built-in instrument. */
  readonly instrument?: Readonly<Partial<Record<'tickSize' | 'lotSize' | 'minQuantity' | 'contractSize', string>>>;
  /** Share of orders with a time_in_force (README "Time in force"); none: the file has no such column. */
  readonly timeInForceShare?: number;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'BTC-PERP FTX 1m trade bars, bar close stamps',
    file: 'crypto/BTC-PERP_FTX_1m_2021-12-31_2022-02-01.csv',
    symbol: 'BTC-PERP',
    barTimestamp: 'close',
    feeBps: '2',
    slippageBps: '3',
    count: 220,
    quantities: ['0.001', '0.0025', '0.00731', '0.01', '0.015'],
    seed: 1,
    cash: '1000000',
  },
  {
    name: 'ETHUSD Coinbase 1m trade bars, bar open stamps',
    file: 'crypto/coinbase/ETHUSD_COINBASE_1m_trades_2018-04-04_2018-04-05.csv',
    symbol: 'ETHUSD',
    barTimestamp: 'open',
    feeBps: '1.5',
    slippageBps: '2.5',
    count: 120,
    quantities: ['0.05', '0.1234', '0.5', '1'],
    seed: 2,
    cash: '1000000',
  },
  {
    name: 'EURUSD OANDA 1m quote bars, bar open stamps',
    file: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
    symbol: 'EURUSD',
    barTimestamp: 'open',
    feeBps: '0.7',
    slippageBps: '0.5',
    count: 220,
    quantities: ['1000', '2500', '7777', '10000'],
    seed: 3,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'GBPUSD FXCM 1m quote bars, bar close stamps',
    file: 'forex/GBPUSD_FXCM_1m_quotebars_2012-02-01_2012-03-01.csv',
    symbol: 'GBPUSD',
    barTimestamp: 'close',
    feeBps: '1',
    slippageBps: '1',
    count: 220,
    quantities: ['1000', '3333', '10000'],
    seed: 4,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'XAUUSD OANDA 1m quote bars, bar open stamps',
    file: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
    symbol: 'XAUUSD',
    barTimestamp: 'open',
    feeBps: '2.5',
    slippageBps: '1.5',
    count: 200,
    quantities: ['1', '3', '7', '10'],
    seed: 5,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'USDJPY FXCM 1m quote bars, bar close stamps, fees in whole yen',
    file: 'forex/USDJPY_FXCM_1m_quotebars_2013-02-01_2013-03-01.csv',
    symbol: 'USDJPY',
    barTimestamp: 'close',
    feeBps: '3',
    slippageBps: '2',
    count: 150,
    quantities: ['1000', '2345', '10000'],
    seed: 6,
    timeInForceShare: 0.3,
    cash: '100000000',
  },
  {
    name: 'XAUUSD OANDA 1h quote bars: orders inside a long bar, no fees or slippage',
    file: 'metals/XAUUSD_OANDA_1h_quotebars_2017-01-01_2019-02-25.csv',
    symbol: 'XAUUSD',
    barTimestamp: 'open',
    feeBps: '0',
    slippageBps: '0',
    count: 120,
    quantities: ['1', '2', '5'],
    seed: 7,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'ETHUSD Coinbase 1m quote bars (crypto bid/ask), bar open stamps',
    file: 'crypto/coinbase/ETHUSD_COINBASE_1m_quotebars_2017-09-03_2017-09-04.csv',
    symbol: 'ETHUSD',
    barTimestamp: 'open',
    feeBps: '4',
    slippageBps: '3',
    count: 100,
    quantities: ['0.1', '0.25', '1.2345'],
    seed: 8,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'XAUUSD OANDA daily quote bars: orders inside a day fill from the next day',
    file: 'metals/XAUUSD_OANDA_1d_quotebars_2006-03-20_2019-02-25.csv',
    symbol: 'XAUUSD',
    barTimestamp: 'open',
    feeBps: '1',
    slippageBps: '5',
    count: 150,
    quantities: ['1', '3'],
    seed: 9,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'EURUSD FXCM 1m quote bars (crossed quotes in the source), bar open stamps',
    file: 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv',
    symbol: 'EURUSD',
    barTimestamp: 'open',
    feeBps: '0.25',
    slippageBps: '0.3',
    count: 150,
    quantities: ['1000', '5000'],
    seed: 11,
    timeInForceShare: 0.3,
    cash: '1000000',
  },
  {
    name: 'XAUUSD OANDA 1m quote bars traded as 100-ounce contracts on a 0.01 tick (an instruments file; the data is finer than the tick)',
    file: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
    symbol: 'XAUUSD',
    barTimestamp: 'open',
    feeBps: '1.3',
    slippageBps: '0.7',
    count: 200,
    quantities: ['0.01', '0.05', '0.1'],
    seed: 10,
    timeInForceShare: 0.3,
    cash: '10000000',
    instrument: { contractSize: '100', tickSize: '0.01', lotSize: '0.01', minQuantity: '0.01' },
  },
];

/** Every rule the oracle applied, over all runs: the last test checks that none went untested. */
const applied = new Map<string, number>();
const note = (rules: ReadonlyMap<string, number>): void => {
  for (const [rule, n] of rules) applied.set(rule, (applied.get(rule) ?? 0) + n);
};

describe('paper broker fills against the oracle, on real data', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: every fill is the oracle’s', async (_name, s) => {
    const file = resolve(DATA, s.file);
    const bars = readOracleBars(file, s.barTimestamp);
    const instrument = { ...builtInInstrument(s.symbol), ...s.instrument };
    const dir = mkdtempSync(join(tmpdir(), 'tl-fill-oracle-'));
    const instruments = join(dir, 'instruments.json');
    writeFileSync(instruments, JSON.stringify({ [s.symbol]: s.instrument ?? {} }));
    const orders = generateOrders(bars, { seed: s.seed, count: s.count, instrument, quantities: s.quantities, bracketShare: 0.3, timeInForceShare: s.timeInForceShare });
    const oracle = runOracle(bars, orders, { instrument, feeBps: s.feeBps, slippageBps: s.slippageBps, barMs: barMsOf(file) });
    const product = await runProduct({
      data: file,
      barTimestamp: s.barTimestamp,
      ordersCsv: ordersCsv(s.symbol, orders),
      feeBps: s.feeBps,
      slippageBps: s.slippageBps,
      cash: s.cash,
      extra: [...RELAXED, ...(s.instrument === undefined ? [] : ['--instruments', instruments])],
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(product.dataRejected).toBe(0);
    note(oracle.rules);
    if (process.env['ORACLE_STATS'] !== undefined) {
      const kinds = [...oracle.outcomes.values()].map((o) => (o.kind === 'refused' || o.kind === 'cancelled' ? `${o.kind} ${o.why}` : o.kind));
      const count = (xs: string[]) => Object.fromEntries([...new Set(xs)].map((k) => [k, xs.filter((x) => x === k).length]));
      process.stderr.write(`${s.name}: ${orders.length} orders ${JSON.stringify(count(kinds))}, rules ${JSON.stringify(Object.fromEntries(oracle.rules))}\n`);
    }
    expect(differences(oracle, product, orders, bars)).toEqual([]);
    // The run must check something: most orders placed, many filled, some on brackets.
    const filled = [...oracle.outcomes.values()].filter((o) => o.kind === 'filled').length;
    expect(filled).toBeGreaterThan(orders.length / 2);
    expect(oracle.fills.some((f) => f.role !== 'entry')).toBe(true);
  });
});

/** The rows of a shared file in [from, to) of their timestamps, under a name that still says the market and bar length. */
const fileLines = new Map<string, string[]>();

function slice(file: string, from: string, to: string, dir: string): string {
  const lines = fileLines.get(file) ?? readFileSync(file, 'utf8').split('\n');
  fileLines.set(file, lines);
  const [header, ...rows] = lines;
  const lo = Date.parse(from);
  const hi = Date.parse(to);
  const kept = rows.filter((r) => r !== '' && Date.parse(r.slice(0, r.indexOf(','))) >= lo && Date.parse(r.slice(0, r.indexOf(','))) < hi);
  const out = join(dir, `${basename(file).split('_').slice(0, 3).join('_')}_slice.csv`);
  writeFileSync(out, [header, ...kept].join('\n') + '\n');
  return out;
}

describe('paper broker fills against the oracle, hand-written edge cases', () => {
  it.each(EDGE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c: EdgeCase) => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-fill-edge-'));
    try {
      const file = slice(resolve(DATA, c.market.file), c.from, c.to, dir);
      const bars = readOracleBars(file, c.market.barTimestamp);
      const instrument = builtInInstrument(c.market.symbol);
      const drafted = c.orders(new Bars(bars, instrument.tickSize));
      const orders: OracleOrder[] = [...drafted].sort((a, b) => a.at - b.at).map(({ at, ...o }, k) => ({ ...o, ts: at, line: k + 2 }));
      const oracle = runOracle(bars, orders, { instrument, feeBps: c.feeBps, slippageBps: c.slippageBps, barMs: barMsOf(file) });
      const product = await runProduct({
        data: file,
        barTimestamp: c.market.barTimestamp,
        ordersCsv: ordersCsv(c.market.symbol, orders),
        feeBps: c.feeBps,
        slippageBps: c.slippageBps,
        cash: '1000000',
        extra: RELAXED,
      });
      expect(product.dataRejected).toBe(0);
      note(oracle.rules);
      if (process.env['ORACLE_STATS'] !== undefined) {
        process.stderr.write(`${c.name}\n  ${JSON.stringify(Object.fromEntries(oracle.rules))}\n  ${oracle.fills.map((f) => JSON.stringify(f)).join('\n  ')}\n`);
      }
      expect(differences(oracle, product, orders, bars)).toEqual([]);
      expect(c.covers.filter((rule) => !oracle.rules.has(rule))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('paper broker fills against the oracle, coverage', () => {
  it('every fill rule of the oracle decided something in the runs above', () => {
    const rules = [
      'market at the open',
      'limit',
      'limit gapped through',
      'limit only touched: no fill',
      'stop',
      'stop gapped through',
      'stop reached exactly at the extreme',
      'stop-loss',
      'stop-loss gapped through',
      'stop-loss, the take-profit reached too',
      'stop-loss on the entry bar',
      'stop-loss on the entry bar, gapped through at the open',
      'stop-loss on the entry bar, at its stop: the bar opened beyond it before the entry',
      'take-profit',
      'take-profit: the bar opens through it',
      'take-profit: the bar opens through it, the stop-loss reached too',
      'take-profit reached on the entry bar, not filled',
      'protective order reduced to the position',
      'protective order cancelled: position closed',
      'reversal',
      'bracket for the part of a reversal',
      'refused: NO_MARKET_PRICE',
      'refused: STALE_PRICE',
      'refused: PRICE_COLLAR',
      'refused: INVALID_STOP',
      'refused: INVALID_ORDER',
      'refused: tick',
      'refused: quantity',
      'refused: market moved (stop-loss)',
      'IOC market order at the open',
      'FOK market order at the open',
      'DAY market order at the open',
      'DAY market order expired: its first eligible bar is on the next day',
      'IOC limit filled',
      'FOK limit filled',
      'IOC limit cancelled: its first eligible bar did not fill it',
      'FOK limit cancelled: its first eligible bar did not fill it',
      'DAY limit filled',
      'DAY limit expired at the first bar of the next day',
      'DAY stop filled',
      'DAY stop expired at the first bar of the next day',
    ];
    expect(rules.filter((r) => !applied.has(r))).toEqual([]);
    // And nothing the oracle did is missing from the list above.
    expect([...applied.keys()].filter((r) => !rules.includes(r))).toEqual([]);
  });
});
