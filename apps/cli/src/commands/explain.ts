import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import type { Envelope } from '@tradeloop/kernel';
import { formatTrace, formatTradeList, parseReadableEventLog, traceTrade } from '@tradeloop/runtime';
import type { Io } from '../backtest.command';

export interface ExplainCliOptions {
  log: string;
  json: boolean;
}

export function explainCommand(io: Io): Command {
  return new Command('explain')
    .description(
      'Explain a trade from a run\'s event log: the signal, the decision and its reasons, the risk verdict, the approval, ' +
        'the orders and fills, the closed position and what learning took from it. Without an id, lists the trades in the log',
    )
    .argument('[id]', 'any id of the trade: an event, correlation, signal, order, client order, fill, approval or position id')
    .requiredOption('--log <events.ndjson>', 'the event log (written by backtest --out)')
    .option('--json', 'print the trade\'s events as ndjson instead of text', false)
    .action((id: string | undefined, opts: ExplainCliOptions) => {
      runExplainCommand(id, opts, io);
    });
}

function readLog(path: string, io: Io): Envelope[] {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (e) {
    throw new Error(`--log: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const log = parseReadableEventLog(text, basename(path));
  if (log.cutLine !== undefined) {
    io.err(`warning: ${basename(path)}:${log.cutLine}: the last line is cut off (its writer stopped mid-line); explaining the ${log.events.length} events before it\n`);
  }
  return log.events;
}

export function runExplainCommand(id: string | undefined, opts: ExplainCliOptions, io: Io): void {
  const events = readLog(opts.log, io);
  if (id === undefined) {
    io.out(formatTradeList(events) + '\n');
    return;
  }
  const trace = traceTrade(events, id);
  if (trace === undefined) throw new Error(`no event in ${basename(opts.log)} carries the id ${id}`);
  if (opts.json) {
    for (const t of trace.events) io.out(JSON.stringify(t.event) + '\n');
    return;
  }
  io.out(formatTrace(trace) + '\n');
}
