import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { Timeframe } from '@tradeloop/kernel';
import { resolveInstrument } from '@tradeloop/executor';
import { defaultGovernorConfig } from '@tradeloop/governor';
import type { DataFileInfo, ExecutionMode, Message } from '@tradeloop/contracts';
import { inferFromFileName, inverseContractText, MarketCoverage, mergeByTime, readMarketDataFile, readOrdersFile, unnamedFilesText, type RejectedRow } from '@tradeloop/market-data';
import {
  instrumentsText,
  pipelineConfig,
  readInstrumentsFile,
  runBacktest,
  unconvertibleInstruments,
  type BacktestInput,
  type BacktestResult,
  type InstrumentTable,
  type PipelineConfig,
} from '@tradeloop/runtime';
import {
  parseBarTimestamp,
  parseCurrency,
  parseIsoTime,
  parseMarket,
  parseMode,
  parseMoney,
  parseNumber,
  parseTimeframe,
} from './options';
import { equityChartHtml, reportJson } from './report';
import { limitsText, riskLimitsOf, withRiskLimitOptions, type RiskLimitOptions } from './risk-limits';
import { formatSummary } from './summary';

export interface BacktestCliOptions extends RiskLimitOptions {
  data: string[];
  symbol?: string;
  venue?: string;
  from?: number;
  to?: number;
  mode: ExecutionMode;
  threshold: number;
  /** How long an approval request stays open, ms of event time; undefined: the governor's default. */
  approvalTtl?: number;
  risk: number;
  cash: string;
  /** The account currency; default the quote currency of the first file's instrument. */
  currency?: string;
  feeBps: number;
  slippageBps: number;
  orders?: string;
  /** An instruments file (JSON or YAML): metadata over the built-in instruments. */
  instruments?: string;
  seed: number;
  out?: string;
  barTimestamp: 'open' | 'close';
  aggregate: Timeframe;
  progress: boolean;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTty: boolean;
}

export function backtestCommand(io: Io): Command {
  const cmd = new Command('backtest')
    .description('Run the whole pipeline (scanner → decision → risk → governor → paper broker → learning) over recorded data')
    .requiredOption('--data <file...>', 'market data CSV file(s): trade bars, bid/ask quote bars, ticks, trades or order-book snapshots (traded on their top of book)')
    .option('--symbol <symbol>', 'symbol of the data when the file name does not say; otherwise trade only this symbol', parseMarket('--symbol'))
    .option('--venue <venue>', 'venue of the data when the file name does not say; otherwise trade only this venue', parseMarket('--venue'))
    .option('--from <iso>', 'first bar time (UTC, inclusive)', parseIsoTime('--from'))
    .option('--to <iso>', 'last bar time (UTC, exclusive)', parseIsoTime('--to'))
    .addOption(
      new Option('--mode <mode>', 'execution mode: fully_automated | quality_based | fully_manual | display_only')
        .argParser(parseMode)
        .default('quality_based'),
    )
    .option('--threshold <0-100>', 'quality threshold for quality_based', parseNumber('--threshold', 0, 100), 70)
    .option(
      '--approval-ttl <ms>',
      "how long an approval request stays open, in ms of event time (default 300000; as the quickstart's APPROVAL_TTL_MS)",
      parseNumber('--approval-ttl', 1, 365 * 24 * 3_600_000, true),
    )
    .option('--risk <fraction>', 'risk per trade as a fraction of equity', parseNumber('--risk', 0.0001, 0.1), 0.01)
    .option('--cash <amount>', 'starting cash, in the account currency', parseMoney('--cash'), '100000')
    .option('--currency <code>', "account currency (default: the first file's quote currency); instruments quoted in another are booked converted", parseCurrency)
    .option('--fee-bps <n>', 'fee in basis points of notional, per fill', parseNumber('--fee-bps', 0, 1000), 0)
    .option('--slippage-bps <n>', 'slippage in basis points on market and stop fills', parseNumber('--slippage-bps', 0, 1000), 0)
    .option('--orders <csv>', 'replay manual orders (timestamp,symbol,side,quantity,type,price[,stop_loss,take_profit][,time_in_force]) instead of the strategies')
    .option(
      '--instruments <file>',
      'instrument metadata over the built-in instruments, JSON or YAML by symbol: tickSize, lotSize, minQuantity, contractSize, priceTolerance, assetClass, baseCurrency, quoteCurrency (README "Instruments")',
    )
    .option('--seed <n>', 'seed for the decision agent', parseNumber('--seed', 0, 2 ** 31 - 1, true), 42)
    .option('--out <dir>', 'write report.json, events.ndjson and equity.html here')
    .option('--bar-timestamp <open|close>', 'whether bar timestamps in the files mark the bar open or close', parseBarTimestamp, 'open')
    .option('--aggregate <tf>', 'bar size built from tick, trade and order-book files; bar files are resampled to it when coarser', parseTimeframe, '1m')
    .option('--no-progress', 'no progress bar');
  return withRiskLimitOptions(cmd).action((opts: BacktestCliOptions, self: Command) => {
    runBacktestCommand(opts, io, self.getOptionValueSource('threshold') === 'cli');
  });
}

/** The inputs of a run as the backtest command reads them: shared with replay, which must read them the same way. */
export interface LoadedInputs {
  readonly bars: Message<'BarClosed'>[];
  readonly orders?: Message<'SubmitManualOrder'>[];
  readonly rejected: RejectedRow[];
  readonly files: DataFileInfo[];
  /** How the files were read, recorded in RunStarted (`input.*`) so a replay reads them alike. */
  readonly readOptions: Record<string, string | number | boolean>;
  readonly currency: string;
  /** The symbols traded (the files' not passed over). */
  readonly symbols: ReadonlySet<string>;
}

export type ReadCliOptions = Pick<BacktestCliOptions, 'data' | 'symbol' | 'venue' | 'from' | 'to' | 'orders' | 'barTimestamp' | 'aggregate' | 'out'>;

/** `instruments`: the run's instrument overrides (the default account currency is the first instrument's quote currency). */
export function loadInputs(opts: ReadCliOptions, io: Io, instruments: InstrumentTable = {}): LoadedInputs {
  if (opts.from !== undefined && opts.to !== undefined && opts.from >= opts.to) {
    throw new Error(`--from must be before --to`);
  }
  // A file's name says its symbol and venue (EURUSD_OANDA_…); --symbol and --venue name them
  // for a file whose name does not, and otherwise select: a name is never overridden, so no
  // EURUSD prices are ever traded as another instrument.
  const symbol = opts.symbol?.toUpperCase();
  const venue = opts.venue?.toUpperCase();
  const files: DataFileInfo[] = [];
  const lists: Message<'BarClosed'>[][] = [];
  const rejected: RejectedRow[] = [];
  const passedOver: string[] = [];
  const symbols = new Set<string>();
  // Before any file is read, as the market-data service checks MARKET_DATA_SYMBOL/_VENUE: a file
  // whose name does not say its market needs both flags, and the message names the one missing.
  const unnamed = opts.data.filter((f) => inferFromFileName(f).symbol === undefined).map((f) => basename(f));
  if (unnamed.length > 0 && (symbol === undefined || venue === undefined)) {
    const missing = symbol === undefined && venue === undefined ? '--symbol and --venue' : symbol === undefined ? '--symbol' : '--venue';
    throw new Error(`${unnamedFilesText(unnamed)}: pass ${missing} to name them, or rename the file`);
  }
  // Two files that hold the same market at the same time are refused (see MarketCoverage).
  const coverage = new MarketCoverage('narrow them with --from/--to or pass one of them');
  for (const file of opts.data) {
    const named = inferFromFileName(file);
    const r = readMarketDataFile(resolve(file), {
      symbol: named.symbol === undefined ? symbol : undefined,
      venue: named.venue === undefined ? venue : undefined,
      barTimestamp: opts.barTimestamp,
      from: opts.from,
      to: opts.to,
      aggregate: opts.aggregate,
    });
    const selected = (symbol === undefined || r.info.symbol === symbol) && (venue === undefined || r.info.venue === venue);
    // Risk, the paper broker and the account treat every instrument as linear, P&L in its quote
    // currency: an inverse contract would get a plausible P&L that is simply wrong.
    if (selected && r.info.inverse === true) {
      throw new Error(inverseContractText(r.info.file, r.info.symbol, r.info.venue, 'Leave the file out, or choose the other files with --symbol/--venue'));
    }
    const bars = selected ? r.bars : [];
    if (!selected) passedOver.push(`${r.info.file} (${r.info.symbol}@${r.info.venue})`);
    else symbols.add(r.info.symbol);
    coverage.add(r.info.file, bars);
    lists.push(bars);
    files.push({ name: r.info.file, sha256: r.info.sha256, rows: r.info.rows });
    // A file passed over is not part of the run: its bad rows are not the run's (the market-data
    // service does not even read such a file, and publishes nothing of it).
    const refused = selected ? r.rejected : [];
    rejected.push(...refused);
    io.err(
      `loaded ${r.info.file}: ${bars.length} ${r.info.format === 'books' ? `${opts.aggregate} top-of-book` : r.info.timeframe} bars of ${r.info.symbol}@${r.info.venue}` +
        (selected ? '' : ` (passed over: not ${[symbol, venue].filter((x) => x !== undefined).join('@')})`) +
        (refused.length ? `, ${refused.length} rows rejected` : '') +
        '\n',
    );
    for (const rej of refused.slice(0, 5)) {
      io.err(`  rejected ${rej.file}:${rej.line}${rej.field ? ` (${rej.field})` : ''}: ${rej.reason}\n`);
    }
    // Every one is a DataRejected event of the run's log, which only --out writes.
    if (refused.length > 5) io.err(`  … and ${refused.length - 5} more (${opts.out !== undefined ? 'all in events.ndjson' : 'every one in events.ndjson with --out'})\n`);
  }
  if (passedOver.length === opts.data.length) {
    const wanted = [opts.symbol !== undefined ? `--symbol ${opts.symbol}` : '', opts.venue !== undefined ? `--venue ${opts.venue}` : ''].filter(Boolean).join(' ');
    throw new Error(
      `${wanted} matches none of the data: ${passedOver.join(', ')}. A file's name says its symbol and venue; ` +
        `--symbol and --venue name them only for a file whose name does not, and otherwise choose among the files`,
    );
  }
  const bars = lists.length === 1 ? lists[0] : mergeByTime(...lists);
  if (bars.length === 0) throw new Error('no bars to run on (check --from/--to/--symbol)');
  let orders: Message<'SubmitManualOrder'>[] | undefined;
  if (opts.orders) {
    const path = resolve(opts.orders);
    const text = readFileSync(path);
    // Each order goes to the venue of its symbol's data (the file has no venue column); a symbol
    // the data does not hold goes to the first bar's venue, where risk denies it NO_MARKET_PRICE.
    const venues = new Map<string, string[]>();
    for (const list of lists) {
      if (list.length === 0) continue;
      const { symbol: s, venue: v } = list[0].data;
      const held = venues.get(s) ?? [];
      if (!held.includes(v)) venues.set(s, [...held, v]);
    }
    orders = readOrdersFile(path, { venue: bars[0].data.venue, venues });
    files.push({ name: basename(opts.orders), sha256: createHash('sha256').update(text).digest('hex'), rows: orders.length });
  }
  const readOptions: Record<string, string | number | boolean> = { barTimestamp: opts.barTimestamp, aggregate: opts.aggregate };
  if (opts.symbol !== undefined) readOptions['symbol'] = opts.symbol;
  if (opts.venue !== undefined) readOptions['venue'] = opts.venue;
  if (opts.from !== undefined) readOptions['from'] = opts.from;
  if (opts.to !== undefined) readOptions['to'] = opts.to;
  if (opts.orders !== undefined) readOptions['orders'] = basename(opts.orders);
  return { bars, orders, rejected, files, readOptions, currency: resolveInstrument(bars[0].data.symbol, instruments).quoteCurrency, symbols };
}

export function runBacktestCommand(opts: BacktestCliOptions, io: Io, thresholdGiven = false): void {
  // Before the data: a bad file stops the run at once, naming the file, line, symbol and field.
  const instruments = opts.instruments === undefined ? {} : readInstrumentsFile(opts.instruments);
  const inputs = loadInputs(opts, io, instruments);
  const { bars, orders, files } = inputs;
  const currency = opts.currency ?? inputs.currency;
  const limits = riskLimitsOf(opts);
  const cfg = pipelineConfig({
    seed: opts.seed,
    mode: opts.mode,
    threshold: opts.threshold,
    // A backtest moves simulated money only: the mode given is the mode used.
    autoExecute: true,
    riskPerTrade: opts.risk,
    startingCash: opts.cash,
    currency,
    feeBps: opts.feeBps,
    slippageBps: opts.slippageBps,
    strategies: orders === undefined,
    // Recorded only when it is not the default, as the services and the quickstart record it,
    // so a backtest with the quickstart's settings writes the quickstart's log.
    ...(opts.approvalTtl !== undefined && opts.approvalTtl !== defaultGovernorConfig.approvalTtlMs && { governor: { approvalTtlMs: opts.approvalTtl } }),
    // Only the limits given: a run without them records what it always recorded.
    ...(Object.keys(limits).length > 0 && { risk: limits }),
    // Recorded in RunStarted (config.instruments) so a replay trades the same instruments; a
    // run without any records what it always recorded.
    ...(Object.keys(instruments).length > 0 && { instruments }),
  });
  io.err(
    `backtest: ${bars.length} bars, mode ${cfg.mode}${cfg.mode === 'quality_based' ? ` (threshold ${cfg.threshold})` : ''}, ` +
      `risk ${cfg.riskPerTrade}, cash ${cfg.startingCash} ${currency}, fees ${cfg.feeBps} bps, slippage ${cfg.slippageBps} bps, seed ${cfg.seed}` +
      (orders ? `, replaying ${orders.length} manual orders` : '') +
      (Object.keys(limits).length > 0 ? `, risk limits ${limitsText(limits)}` : '') +
      '\n',
  );
  if (opts.instruments !== undefined) {
    io.err(`instruments (${basename(opts.instruments)}): ${Object.keys(instruments).length > 0 ? instrumentsText(instruments) : 'none set, the built-in ones'}\n`);
    const unused = Object.keys(instruments).filter((s) => !inputs.symbols.has(s));
    if (unused.length > 0) io.err(`warning: ${basename(opts.instruments)} sets ${unused.join(', ')}, which the data does not hold (it trades ${[...inputs.symbols].join(', ')})\n`);
  }
  for (const line of unconvertibleInstruments(inputs.symbols, currency, instruments)) io.err(`warning: ${line}\n`);
  if (thresholdGiven && cfg.mode !== 'quality_based') {
    io.err(`warning: --threshold ${cfg.threshold} has no effect in ${cfg.mode} mode (only quality_based compares quality with it)\n`);
  }
  const result = runWithProgress(inputs, cfg, opts.progress, io);
  io.out(formatSummary(result) + '\n');
  if (opts.out) writeRunFiles(opts.out, result, cfg, files, io);
  io.out(`event-log sha256: ${result.eventLog.sha256()}\n`);
}

/** Runs the pipeline, with a progress bar on a terminal for long runs. */
export function runWithProgress(input: BacktestInput, cfg: PipelineConfig, progress: boolean, io: Io): BacktestResult {
  const { bars } = input;
  const showProgress = progress && io.isTty && bars.length >= 20_000;
  const bar = showProgress ? new SingleBar({ stream: process.stderr, clearOnComplete: true, hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(bars.length, 0);
  const result = runBacktest(input, cfg, { onProgress: bar ? (n) => bar.update(n) : undefined, progressEvery: 4096 });
  bar?.stop();
  return result;
}

/** report.json, events.ndjson and equity.html into `out`. */
export function writeRunFiles(out: string, result: BacktestResult, cfg: PipelineConfig, files: readonly DataFileInfo[], io: Io): void {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'report.json'), reportJson(result, { config: cfg, files }));
  writeFileSync(resolve(dir, 'events.ndjson'), result.eventLog.text());
  writeFileSync(resolve(dir, 'equity.html'), equityChartHtml(result, `Tradeloop backtest ${files.map((f) => f.name).join(', ')}`));
  io.out(`wrote ${dir}/report.json, events.ndjson, equity.html\n`);
}
