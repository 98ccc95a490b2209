import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { backtestCommand, Io } from './backtest.command';
import { apikeyCommand } from './commands/apikey';
import { explainCommand } from './commands/explain';
import { exportCommand } from './commands/export';
import { migrateCommand } from './commands/migrate';
import { replayCommand } from './commands/replay';
import { CommandExit } from './exit';

export function buildProgram(io: Io): Command {
  const program = new Command('tradeloop')
    .description('Tradeloop: event-sourced trade execution — scanner → decision → risk → governor → executor')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(backtestCommand(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  program.addCommand(replayCommand(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  program.addCommand(explainCommand(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  program.addCommand(exportCommand(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  program.addCommand(apikeyCommand(io));
  program.addCommand(migrateCommand(io).exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  return program;
}

/** Entry point: returns the exit code (0 ok, 1 bad arguments, 2 failed run, 3 replay diverged). */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommandExit) return e.code;
    if (e instanceof CommanderError) {
      // help and version exit 0; commander already printed the message for real errors
      return e.exitCode === 0 ? 0 : 1;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

function defaultIo(): Io {
  return {
    out: writerTo(process.stdout),
    err: writerTo(process.stderr),
    isTty: Boolean(process.stderr.isTTY),
  };
}

/**
 * Writes to `stream` until its reader goes away (`tradeloop explain … | head`): the output it no
 * longer wants is dropped and the command finishes as it would have (a backtest still writes its
 * --out files), instead of dying on an unhandled EPIPE.
 */
function writerTo(stream: NodeJS.WriteStream): (s: string) => void {
  let gone = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    gone = true;
  });
  return (s) => {
    if (!gone) stream.write(s);
  };
}
