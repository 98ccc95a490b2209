/**
 * npm start: paper trading with every Tradeloop service in one process on the bundled EURUSD
 * data (see README "Quickstart"). SIGINT/SIGTERM stop it cleanly (a second one forces the exit);
 * QUICKSTART_EXIT_WHEN_DONE=true exits 0 after the final summary. A start-up problem (an
 * unreachable NATS_URL or DATABASE_URL, a bad variable, a busy port) prints one message and exits 1.
 */
import { startQuickstart } from './quickstart';

function report(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  for (const line of message.split('\n')) process.stderr.write(`tradeloop quickstart: ${line}\n`);
}

function fail(e: unknown): never {
  report(e);
  process.exit(1);
}

// 0 on performance.now()'s scale is the start of the process: "ready in" includes loading.
startQuickstart({ startedAt: 0 }).then((qs) => {
  let stopping = false;
  const stop = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${why}: stopping…\n`);
    qs.close().then(
      () => process.exit(code),
      (e: unknown) => fail(e),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stop(signal, 0);
    });
  }
  qs.done.then(
    () => {
      if (qs.exitWhenDone) stop('end of data', 0);
    },
    (e: unknown) => {
      if (stopping) return;
      report(e);
      stop('failed', 1);
    },
  );
}, fail);
