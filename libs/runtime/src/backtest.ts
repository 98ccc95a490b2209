import { createHash } from 'node:crypto';
import { dec, Decimal, Envelope, marketKey, moneyStr } from '@tradeloop/kernel';
import { CATALOG, DataFileInfo, Message, OrderFilledData, PositionClosedData } from '@tradeloop/contracts';
import * as executorLib from '@tradeloop/executor';
import { EventLog } from './event-log';
import { flatPipelineConfig } from './run-log';
import { iso } from './iso-time';
import { EquityTracker } from './performance';
import { createPipeline, PipelineConfig, pipelineInstruments } from './pipeline';
import { countStage, emptyStageStats, StageStats } from './stage-stats';

/** A row the reader refused (file base name, 1-based line), as market-data reports it. */
export interface RejectedInput {
  readonly file: string;
  readonly line: number;
  readonly field?: string;
  readonly reason: string;
}

export interface BacktestInput {
  /** Time-ordered bars (all symbols merged). */
  readonly bars: readonly Message<'BarClosed'>[];
  /** Manual orders to replay instead of strategies (time-ordered). */
  readonly orders?: readonly Message<'SubmitManualOrder'>[];
  /** Rows refused by the reader; logged as DataRejected, never traded on. */
  readonly rejected?: readonly RejectedInput[];
  readonly files: readonly DataFileInfo[];
  /**
   * How the inputs were read from the files (time window, symbol, bar timestamps, …), recorded
   * in RunStarted's config as `input.<name>` so that a replay of the log can read them again
   * the same way. Part of the run's identity.
   */
  readonly readOptions?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Commands a recorded run received from outside (the gateway: approvals, halts, manual
   * orders, …), sent again where they entered its bus — after every bar at or before their
   * time, before the first later bar (after the manual orders due there) — so that a replay of
   * a run with a person in the loop is the run again. Not part of the run's identity: they
   * arrived after it started.
   */
  readonly commands?: readonly Envelope[];
  /** Recorded commands that arrived after the end of the data: sent after RunEnded. */
  readonly commandsAfterEnd?: readonly Envelope[];
}

export interface BacktestOptions {
  /** Called every `progressEvery` bars with the number done. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

export interface FillRow {
  readonly ts: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  /** Which market filled it: a run may trade one symbol at two venues. */
  readonly venue: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  /** In feeCurrency, the instrument's quote currency. */
  readonly fee: string;
  readonly feeCurrency: string;
  /**
   * Only when feeCurrency is not the account's money (USDJPY in a USD account): the rate the
   * account was booked at and the fee in the account currency — what summary.fees adds up.
   */
  readonly accountCurrency?: string;
  readonly conversionRate?: string;
  readonly accountFee?: string;
}

export interface BacktestSummary {
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number;
  /** Realised, net of fees: finalCash − startingCash. */
  readonly netPnl: string;
  readonly grossPnl: string;
  readonly fees: string;
  readonly unrealizedPnl: string;
  readonly maxDrawdown: string;
  readonly maxDrawdownPct: number;
  readonly sharpe: number;
  /** Fraction of bars with a position open. */
  readonly exposure: number;
  readonly startingCash: string;
  readonly finalCash: string;
  readonly finalEquity: string;
  readonly currency: string;
  readonly openPositions: number;
  /**
   * Orders still working at the end of the data, never filled: not in trades, P&L or equity.
   * An order placed on or after a market's last bar has no bar left to fill on. The stop-loss
   * and take-profit orders of open positions are not counted.
   */
  readonly workingOrders: number;
}

export interface BacktestResult {
  readonly summary: BacktestSummary;
  readonly stages: StageStats;
  readonly fills: readonly FillRow[];
  readonly closedPositions: readonly PositionClosedData[];
  readonly equityCurve: ReadonlyArray<readonly [number, number]>;
  readonly eventLog: EventLog;
  readonly runId: string;
}

const NOT_LOGGED: ReadonlySet<string> = new Set(['BarClosed', 'QuoteTick', 'TradeTick', 'BookSnapshot']);

/** Whether a run's event log keeps messages of this type: everything but the market data (RunStarted names the files). */
export function isLoggedType(type: string): boolean {
  return !NOT_LOGGED.has(type);
}

// Bound once: read through the package's re-export getters on every bar they showed in profiles.
const equityOf = executorLib.equityOf;
const openPositionCount = executorLib.openPositionCount;
const portfolioOf = executorLib.portfolioOf;
const accountRateOf = executorLib.accountRateOf;

function runIdOf(input: RunIdentity, cfg: PipelineConfig): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(input.files));
  h.update(JSON.stringify(cfg));
  h.update(String(input.orders?.length ?? 0));
  // Absent for runs that record none, so their ids (and logs) are what they always were.
  if (input.readOptions !== undefined) h.update(JSON.stringify(input.readOptions));
  return h.digest('hex').slice(0, 16);
}

/** What names a run: its input files, how they were read, and how many manual orders it replays. */
export type RunIdentity = Pick<BacktestInput, 'files' | 'orders' | 'readOptions'>;

/**
 * The system events that open and close a run's log — RunStarted (the files, the seed and the
 * whole configuration, everything `tradeloop replay` needs) and RunEnded — and the DataRejected
 * of refused rows, all in the run's own correlation. A backtest publishes them; so does the
 * in-process quickstart, whose log is therefore the log of a backtest of the same file and
 * settings.
 */
export interface RunMarkers {
  readonly runId: string;
  started(firstTs: number): Envelope;
  rejected(r: RejectedInput, firstTs: number): Envelope;
  ended(lastTs: number, bars: number): Envelope;
}

export function runMarkers(input: RunIdentity, cfg: PipelineConfig): RunMarkers {
  const runId = runIdOf(input, cfg);
  const runStartedId = `run:${runId}`;
  const system = (type: 'RunStarted' | 'RunEnded' | 'DataRejected', id: string, ts: number, data: unknown): Envelope => ({
    id,
    type,
    version: CATALOG[type].version,
    ts,
    correlationId: runStartedId,
    causationId: runStartedId,
    account: cfg.account,
    source: 'runtime',
    data,
  });
  return {
    runId,
    started: (firstTs) =>
      system('RunStarted', runStartedId, firstTs, {
        runId,
        mode: 'backtest',
        seed: cfg.seed,
        files: input.files,
        config: flatPipelineConfig(cfg, input.readOptions),
      }),
    rejected: (r, firstTs) =>
      system('DataRejected', `rejected:${r.file}:${r.line}`, firstTs, {
        source: r.file,
        line: r.line,
        reason: r.reason,
        ...(r.field !== undefined ? { field: r.field } : {}),
      }),
    ended: (lastTs, bars) => system('RunEnded', `run:${runId}:end`, lastTs, { runId, bars }),
  };
}

/**
 * Runs the whole pipeline over recorded bars on the in-process bus with the simulated clock.
 * Manual orders are delivered once every bar that closed before them has been processed, so
 * neither risk nor the paper broker can see a price from after the order's time.
 */
export function runBacktest(input: BacktestInput, cfg: PipelineConfig, options: BacktestOptions = {}): BacktestResult {
  const { bars } = input;
  const orders = input.orders ?? [];
  const log = new EventLog();
  const stats = emptyStageStats();
  const fills: FillRow[] = [];
  const closed: PositionClosedData[] = [];
  const pipeline = createPipeline(cfg);
  const { bus } = pipeline;
  const executor = pipeline.hosts.executor;

  bus.observe((e: Envelope) => {
    // Nearly every message is a bar: counted and not logged, without the set lookup.
    if (e.type === 'BarClosed') {
      stats.bars++;
      return;
    }
    countStage(stats, e);
    if (NOT_LOGGED.has(e.type)) return;
    log.append(e);
    if (e.type === 'OrderFilled') {
      const f = e.data as OrderFilledData;
      const row: FillRow = {
        ts: iso(e.ts),
        orderId: f.orderId,
        clientOrderId: f.clientOrderId,
        venue: f.venue,
        symbol: f.symbol,
        side: f.side,
        quantity: f.quantity,
        price: f.price,
        fee: f.fee,
        feeCurrency: f.feeCurrency,
      };
      fills.push(
        f.accountCurrency === undefined
          ? row
          : { ...row, accountCurrency: f.accountCurrency, conversionRate: f.conversionRate, accountFee: f.accountFee },
      );
    } else if (e.type === 'PositionClosed') {
      closed.push(e.data as PositionClosedData);
    }
  });

  const firstTs = bars.length > 0 ? bars[0].ts : orders.length > 0 ? orders[0].ts : 0;
  const markers = runMarkers(input, cfg);
  bus.publish(markers.started(firstTs));
  for (const r of input.rejected ?? []) bus.publish(markers.rejected(r, firstTs));

  const equity = new EquityTracker(Number(cfg.startingCash));
  const every = options.progressEvery ?? 8192;
  const onProgress = options.onProgress;
  let oi = 0;
  const commands = input.commands ?? [];
  let ci = 0;
  // Index of each market's last bar (venue and symbol), for the summary's marks, noted when the
  // market changes: consecutive bars nearly always share theirs, so this costs two comparisons per bar.
  const lastIndex = new Map<string, number>();
  let lastSymbol: string | undefined;
  let lastVenue: string | undefined;
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i];
    const symbol = bar.data.symbol;
    const venue = bar.data.venue;
    if (symbol !== lastSymbol || venue !== lastVenue) {
      if (lastSymbol !== undefined) lastIndex.set(marketKey(lastVenue as string, lastSymbol), i - 1);
      lastSymbol = symbol;
      lastVenue = venue;
    }
    while (oi < orders.length && orders[oi].ts < bar.ts) bus.publish(orders[oi++]);
    while (ci < commands.length && commands[ci].ts < bar.ts) bus.publish(commands[ci++]);
    bus.publish(bar);
    const st = executor.state;
    equity.mark(bar.ts, equityOf(st), openPositionCount(st) > 0);
    if (onProgress !== undefined && (i + 1) % every === 0) onProgress(i + 1);
  }
  if (lastSymbol !== undefined) lastIndex.set(marketKey(lastVenue as string, lastSymbol), bars.length - 1);
  while (oi < orders.length) bus.publish(orders[oi++]);
  while (ci < commands.length) bus.publish(commands[ci++]);
  const lastTs = Math.max(bus.now, firstTs);
  bus.publish(markers.ended(lastTs, bars.length));
  for (const c of input.commandsAfterEnd ?? []) bus.publish(c);
  onProgress?.(bars.length);
  equity.finish();

  const summary = summarise(cfg, lastBars(bars, lastIndex), executor.state, closed, equity);
  return { summary, stages: stats, fills, closedPositions: closed, equityCurve: equity.curve, eventLog: log, runId: markers.runId };
}

/** Each market's last bar (by marketKey), latest first (the order a scan from the end meets them). */
function lastBars(bars: readonly Message<'BarClosed'>[], lastIndex: ReadonlyMap<string, number>): Map<string, Message<'BarClosed'>> {
  const byLatest = [...lastIndex].sort((a, b) => b[1] - a[1]);
  return new Map(byLatest.map(([market, i]) => [market, bars[i]]));
}

function summarise(
  cfg: PipelineConfig,
  marks: ReadonlyMap<string, Message<'BarClosed'>>,
  executorState: unknown,
  closed: readonly PositionClosedData[],
  equity: EquityTracker,
): BacktestSummary {
  const p = portfolioOf(executorState as never);
  const currency = p.currency;
  const instruments = pipelineInstruments(cfg);
  // As the executor resolves them; undefined for a symbol it could not trade (it said so).
  const instrumentOf = (symbol: string) => {
    try {
      return executorLib.resolveInstrument(symbol, instruments);
    } catch {
      return undefined;
    }
  };
  let unrealized: Decimal = dec(0);
  for (const pos of p.positions) {
    const bar = marks.get(marketKey(pos.venue, pos.symbol));
    if (!bar) continue;
    const inst = instrumentOf(pos.symbol);
    if (!inst) continue;
    // A long is worth what it sells for (bid), a short what it costs to buy back (ask).
    const mark = pos.direction === 'long' ? bar.data.close : (bar.data.askClose ?? bar.data.close);
    const qty = dec(pos.quantity);
    const sign = pos.direction === 'long' ? 1 : -1;
    const inQuote = dec(mark).minus(pos.averagePrice).mul(qty).mul(inst.contractSize).mul(sign);
    // Quoted in another currency than the account's: at the last rate (1 when the same money).
    const rate = accountRateOf(executorState as never, pos.venue, pos.symbol);
    if (rate === undefined) continue;
    unrealized = unrealized.plus(rate.eq(1) ? inQuote : inQuote.mul(rate));
  }
  const wins = closed.filter((c) => dec(c.realizedPnl).gt(0)).length;
  const start = dec(cfg.startingCash);
  const cash = dec(p.cash);
  const crypto = [...marks.values()].some((b) => instrumentOf(b.data.symbol)?.assetClass === 'crypto');
  return {
    trades: closed.length,
    wins,
    winRate: closed.length === 0 ? 0 : round(wins / closed.length, 4),
    netPnl: moneyStr(cash.minus(start), currency),
    grossPnl: moneyStr(p.realizedPnl, currency),
    fees: moneyStr(p.fees, currency),
    unrealizedPnl: moneyStr(unrealized, currency),
    maxDrawdown: moneyStr(round(equity.maxDrawdown, 2), currency),
    maxDrawdownPct: round(equity.maxDrawdownPct, 6),
    sharpe: round(equity.sharpe(crypto ? 365 : 252), 4),
    exposure: round(equity.exposure(), 4),
    startingCash: moneyStr(start, currency),
    finalCash: moneyStr(cash, currency),
    finalEquity: moneyStr(cash.plus(unrealized), currency),
    currency,
    openPositions: p.positions.length,
    workingOrders: p.workingOrders.length,
  };
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
