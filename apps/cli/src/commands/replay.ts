import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { isTimeframe } from '@tradeloop/kernel';
import { MARKET_DATA_SOURCE } from '@tradeloop/market-data';
import type { DataFileInfo, ExecutionMode } from '@tradeloop/contracts';
import {
  compareEventLogs,
  instrumentsText,
  pipelineInstruments,
  readInstrumentsFile,
  recordedCommands,
  parseEventLog,
  runSpecOf,
  type BacktestResult,
  type LogComparison,
  type PipelineConfig,
  type RunSpec,
} from '@tradeloop/runtime';
import { loadInputs, runWithProgress, writeRunFiles, type Io, type ReadCliOptions } from '../backtest.command';
import { CommandExit, EXIT_DIVERGED } from '../exit';
import { namespaceOf, natsUrlOf } from '../nats';
import { runServiceReplay } from './replay-service';
import { parseMode, parseMoney, parseNumber } from '../options';
import { limitsText, riskLimitsOf, withRiskLimitOptions, type RiskLimitOptions } from '../risk-limits';

export interface ReplayCliOptions extends RiskLimitOptions {
  log?: string;
  data?: string[];
  service?: string;
  nats?: string;
  namespace?: string;
  orders?: string;
  /** What-if: an instruments file instead of the instruments the run recorded. */
  instruments?: string;
  out?: string;
  progress: boolean;
  mode?: ExecutionMode;
  threshold?: number;
  risk?: number;
  cash?: string;
  feeBps?: number;
  slippageBps?: number;
  seed?: number;
}

export function replayCommand(io: Io, env: Readonly<Record<string, string | undefined>> = process.env): Command {
  const cmd = new Command('replay')
    .description(
      'Re-run a backtest from its event log (events.ndjson) and the same data files, and check that every event comes out ' +
        'byte for byte the same; with --mode, --threshold, --risk, … also run the same inputs under another policy and compare. ' +
        'With --service, audit one service of a deployment: its decider re-run over its JetStream inbox against what it published',
    )
    .option('--log <events.ndjson>', 'the event log of the run (written by backtest --out)')
    .option('--data <file...>', 'the data files the run read (checked by sha256 against its RunStarted)')
    .option('--service <name>', 'audit this service of a deployment instead (scanner, rl-decision, risk, governor, executor, learning)')
    // Defaults from the environment are read when the command runs (natsUrlOf).
    .option('--nats <url>', 'with --service: NATS server (default: NATS_URL, else nats://127.0.0.1:4222)')
    .option('--namespace <ns>', "with --service: the deployment's namespace (default: NATS_NAMESPACE, else none)")
    .option('--orders <csv>', 'the manual orders file, if the run replayed one')
    .addOption(new Option('--mode <mode>', 'what-if: execution mode').argParser(parseMode))
    .option('--threshold <0-100>', 'what-if: quality threshold', parseNumber('--threshold', 0, 100))
    .option('--risk <fraction>', 'what-if: risk per trade', parseNumber('--risk', 0.0001, 0.1))
    .option('--cash <amount>', 'what-if: starting cash', parseMoney('--cash'))
    .option('--fee-bps <n>', 'what-if: fee in basis points', parseNumber('--fee-bps', 0, 1000))
    .option('--slippage-bps <n>', 'what-if: slippage in basis points', parseNumber('--slippage-bps', 0, 1000))
    .option('--seed <n>', 'what-if: seed of the decision agent', parseNumber('--seed', 0, 2 ** 31 - 1, true))
    .option('--instruments <file>', "what-if: instrument metadata from this file (JSON or YAML) instead of the run's (the replay itself applies the instruments RunStarted recorded)");
  return withRiskLimitOptions(cmd, 'what-if: ')
    .option('--out <dir>', 'write report.json, events.ndjson and equity.html of the replay (of the what-if run, if any)')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: ReplayCliOptions) => {
      if (opts.service !== undefined) {
        if (
          opts.log !== undefined ||
          opts.data !== undefined ||
          opts.orders !== undefined ||
          opts.out !== undefined ||
          opts.instruments !== undefined ||
          Object.keys(whatIfOf(opts)).length > 0 ||
          Object.keys(riskLimitsOf(opts)).length > 0
        ) {
          usage(io, '--service audits a deployment from JetStream: it takes no --log, --data, --orders, --out or what-if options (its instruments are those its ServiceStarted recorded)');
        }
        await runServiceReplay({ service: opts.service, nats: natsUrlOf(opts.nats, env), namespace: namespaceOf(opts.namespace, env) }, io);
        return;
      }
      if (opts.nats !== undefined || opts.namespace !== undefined) usage(io, '--nats and --namespace go with --service (a backtest log replays from files)');
      if (opts.log === undefined || opts.data === undefined) usage(io, 'replay needs --log and --data (or --service to audit a deployment)');
      runReplayCommand({ ...opts, log: opts.log, data: opts.data }, io);
    });
}

/** A combination of options that cannot work: said, then exit 1 like commander's own argument errors. */
function usage(io: Io, message: string): never {
  io.err(`error: ${message}\n`);
  throw new CommandExit(1);
}

function whatIfOf(opts: ReplayCliOptions): Partial<PipelineConfig> {
  const o: { -readonly [K in keyof PipelineConfig]?: PipelineConfig[K] } = {};
  if (opts.mode !== undefined) o.mode = opts.mode;
  if (opts.threshold !== undefined) o.threshold = opts.threshold;
  if (opts.risk !== undefined) o.riskPerTrade = opts.risk;
  if (opts.cash !== undefined) o.startingCash = opts.cash;
  if (opts.feeBps !== undefined) o.feeBps = opts.feeBps;
  if (opts.slippageBps !== undefined) o.slippageBps = opts.slippageBps;
  if (opts.seed !== undefined) o.seed = opts.seed;
  return o;
}

/**
 * The data paths in the order the run read them (merging is order-sensitive on equal times),
 * each named in the log; anything missing or extra is an error naming the file.
 */
function orderedPaths(spec: RunSpec, data: readonly string[], ordersFile: DataFileInfo | undefined): string[] {
  const byName = new Map<string, string>();
  for (const p of data) {
    const name = basename(p);
    if (byName.has(name)) throw new Error(`--data names two files called ${name}; a run log tells files apart by name`);
    byName.set(name, p);
  }
  const wanted = spec.files.filter((f) => f !== ordersFile);
  const missing = wanted.filter((f) => !byName.has(f.name));
  if (missing.length > 0) {
    throw new Error(`the run read ${missing.map((f) => `${f.name} (sha256 ${f.sha256.slice(0, 12)}…, ${f.rows} rows)`).join(', ')}: pass it with --data`);
  }
  const extra = [...byName.keys()].filter((n) => !wanted.some((f) => f.name === n));
  if (extra.length > 0) throw new Error(`${extra.join(', ')}: not a file of this run (it read ${wanted.map((f) => f.name).join(', ')})`);
  return wanted.map((f) => byName.get(f.name)!);
}

/** The read options of the log, as the backtest command takes them. */
function readOptionsOf(spec: RunSpec, data: string[], orders: string | undefined, io: Io): ReadCliOptions {
  const r = spec.readOptions;
  if (Object.keys(r).length === 0) {
    io.err('the log records no read options (an older version wrote it): reading with the defaults (bar timestamps open, 1m bars)\n');
  }
  const bad = (key: string, want: string): Error => new Error(`RunStarted config.input.${key} must be ${want}, got ${JSON.stringify(r[key])}`);
  const barTimestamp = r['barTimestamp'] ?? 'open';
  if (barTimestamp !== 'open' && barTimestamp !== 'close') throw bad('barTimestamp', '"open" or "close"');
  const aggregate = r['aggregate'] ?? '1m';
  if (typeof aggregate !== 'string' || !isTimeframe(aggregate)) throw bad('aggregate', 'a timeframe');
  const opt = (key: string, type: 'string' | 'number'): string | number | undefined => {
    const v = r[key];
    if (v !== undefined && typeof v !== type) throw bad(key, `a ${type}`);
    return v as string | number | undefined;
  };
  return {
    data,
    orders,
    barTimestamp,
    aggregate,
    symbol: opt('symbol', 'string') as string | undefined,
    venue: opt('venue', 'string') as string | undefined,
    from: opt('from', 'number') as number | undefined,
    to: opt('to', 'number') as number | undefined,
  };
}

function checkFiles(spec: RunSpec, loaded: readonly DataFileInfo[]): void {
  for (let i = 0; i < spec.files.length; i++) {
    const want = spec.files[i];
    const got = loaded[i];
    if (got === undefined || got.name !== want.name) throw new Error(`the run's file ${i + 1} is ${want.name}, the replay read ${got?.name ?? 'none'}`);
    if (got.sha256 !== want.sha256) {
      throw new Error(`${want.name} is not the file the run read: sha256 ${got.sha256}, the run's ${want.sha256}`);
    }
    if (got.rows !== want.rows) throw new Error(`${want.name}: ${got.rows} rows, the run read ${want.rows}`);
  }
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function formatDivergence(c: LogComparison, log: string): string {
  const f = c.first!;
  const lines = [
    `replay DIVERGED: ${c.differingLines} of ${Math.max(c.recordedLines, c.replayedLines)} lines differ ` +
      `(${c.recordedLines} recorded, ${c.replayedLines} replayed); first at ${log}:${f.line}`,
  ];
  const typeOf = (text: string | undefined): string => {
    if (text === undefined) return '(no line)';
    try {
      const e = JSON.parse(text) as { type?: string; id?: string };
      return `${e.type ?? '?'} ${e.id ?? ''}`.trim();
    } catch {
      return '(not JSON)';
    }
  };
  lines.push(`  recorded: ${typeOf(f.recorded)}`, `  replayed: ${typeOf(f.replayed)}`);
  for (const d of f.fields) lines.push(`  ${d.path}: recorded ${show(d.recorded)}, replayed ${show(d.replayed)}`);
  return lines.join('\n');
}

function comparisonTable(recorded: BacktestResult, whatIf: BacktestResult, changed: string): string {
  const a = recorded.summary;
  const b = whatIf.summary;
  const sa = recorded.stages;
  const sb = whatIf.stages;
  const rows: [string, string | number, string | number][] = [
    ['trades', a.trades, b.trades],
    ['win rate', a.winRate, b.winRate],
    ['net P&L', a.netPnl, b.netPnl],
    ['fees', a.fees, b.fees],
    ['max drawdown', a.maxDrawdown, b.maxDrawdown],
    ['sharpe', a.sharpe, b.sharpe],
    ['exposure', a.exposure, b.exposure],
    ['final equity', a.finalEquity, b.finalEquity],
    ['signals', sa.signals, sb.signals],
    ['decisions taken', sa.decisions.taken, sb.decisions.taken],
    ['risk approved', sa.risk.approved, sb.risk.approved],
    ['risk denied', sa.risk.denied, sb.risk.denied],
    ['approvals requested', sa.governor.approvalsRequested, sb.governor.approvalsRequested],
    ['display-only', sa.governor.displayed, sb.governor.displayed],
    ['orders submitted', sa.orders.submitted, sb.orders.submitted],
    ['fills', sa.fills, sb.fills],
  ];
  const w = Math.max(...rows.map((r) => String(r[1]).length), 'recorded'.length);
  const lines = [
    `what-if: ${changed} on the same inputs`,
    `  ${''.padEnd(20)} ${'recorded'.padStart(w)}  what-if`,
  ];
  for (const [name, x, y] of rows) lines.push(`  ${name.padEnd(20)} ${String(x).padStart(w)}  ${String(y)}${String(x) === String(y) ? '' : '  *'}`);
  return lines.join('\n');
}

export function runReplayCommand(opts: ReplayCliOptions & { log: string; data: string[] }, io: Io): void {
  const logPath = resolve(opts.log);
  const logName = basename(opts.log);
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch (e) {
    throw new Error(`--log: cannot read ${opts.log}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const events = parseEventLog(text, logName);
  const spec = runSpecOf(events[0], logName);
  const ordersName = spec.readOptions['orders'];
  const ordersFile = typeof ordersName === 'string' ? spec.files.find((f) => f.name === ordersName) : undefined;
  if (ordersFile !== undefined && opts.orders === undefined) throw new Error(`the run replayed the orders file ${ordersFile.name}: pass it with --orders`);
  if (ordersFile === undefined && opts.orders !== undefined) throw new Error(`the run replayed no orders file; --orders ${opts.orders} does not belong to it`);
  if (ordersFile !== undefined && basename(opts.orders!) !== ordersFile.name) {
    throw new Error(`--orders ${opts.orders}: the run replayed ${ordersFile.name}`);
  }
  // Read before the data, as backtest reads it: a bad file stops the replay at once.
  const otherInstruments = opts.instruments === undefined ? undefined : readInstrumentsFile(opts.instruments);
  const read = readOptionsOf(spec, orderedPaths(spec, opts.data, ordersFile), opts.orders, io);
  const loaded = loadInputs(read, io, pipelineInstruments(spec.config));
  checkFiles(spec, loaded.files);
  // What a person sent during the run (approvals, halts, …) is an input too: sent again where it came in.
  const recorded = recordedCommands(events, MARKET_DATA_SOURCE);
  const sent = recorded.during.length + recorded.afterEnd.length;
  const inputs = { ...loaded, commands: recorded.during, commandsAfterEnd: recorded.afterEnd };
  io.err(
    `replay of run ${spec.runId}: ${events.length} events recorded; ${loaded.files.length} file(s) match the run's sha256` +
      (sent > 0 ? `; ${sent} command(s) it received are sent again where they came in` : '') +
      '\n',
  );
  if (spec.config.instruments !== undefined) io.err(`instruments (recorded in RunStarted): ${instrumentsText(spec.config.instruments)}\n`);

  const replayed = runWithProgress(inputs, spec.config, opts.progress, io);
  const comparison = compareEventLogs(text, replayed.eventLog.text());
  const changes = whatIfOf(opts);
  const limits = riskLimitsOf(opts);
  const whatIf = Object.keys(changes).length > 0 || Object.keys(limits).length > 0 || otherInstruments !== undefined;
  if (!comparison.identical) {
    if (opts.out && !whatIf) writeRunFiles(opts.out, replayed, spec.config, inputs.files, io);
    io.out(formatDivergence(comparison, logName) + '\n');
    io.out(`event-log sha256: ${replayed.eventLog.sha256()} (replayed)\n`);
    throw new CommandExit(EXIT_DIVERGED);
  }
  io.out(`replay identical: ${comparison.recordedLines} events, byte for byte\n`);
  if (!whatIf) {
    if (opts.out) writeRunFiles(opts.out, replayed, spec.config, inputs.files, io);
    io.out(`event-log sha256: ${replayed.eventLog.sha256()}\n`);
    return;
  }
  // A limit changes one field of the recorded risk settings; the others stay as they were.
  const { instruments: recordedInstruments, ...runConfig } = spec.config;
  // The file's instruments replace the run's whole table (none: the built-in instruments).
  const instruments = otherInstruments ?? recordedInstruments;
  const cfg: PipelineConfig = {
    ...runConfig,
    ...changes,
    ...(Object.keys(limits).length > 0 && { risk: { ...spec.config.risk, ...limits } }),
    ...(instruments !== undefined && Object.keys(instruments).length > 0 && { instruments }),
  };
  const other = runWithProgress(inputs, cfg, opts.progress, io);
  const changed = [
    ...Object.entries(changes).map(([k, v]) => `${k} ${String(v)}`),
    ...(Object.keys(limits).length > 0 ? [limitsText(limits)] : []),
    ...(otherInstruments !== undefined ? [`instruments of ${basename(opts.instruments!)}`] : []),
  ].join(', ');
  io.out(comparisonTable(replayed, other, changed) + '\n');
  if (opts.out) writeRunFiles(opts.out, other, cfg, inputs.files, io);
  io.out(`event-log sha256: ${other.eventLog.sha256()} (what-if)\n`);
}
