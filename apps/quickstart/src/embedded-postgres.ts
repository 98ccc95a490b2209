import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PgliteWorkerData, PgliteWorkerReply } from './pglite-worker';

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres — one connection at a time. */
  readonly url: string;
  /** The data directory was unusable (a killed run, another PGlite version) and was started over. */
  readonly recovered: boolean;
  close(): Promise<void>;
}

const WORKER_FILE = resolve(__dirname, 'pglite-worker.ts');

/**
 * Starts PGlite on a worker thread, served on 127.0.0.1 on a free port (see pglite-worker.ts).
 * A demo store: one connection at a time (pool size 1), fsync off. The worker loads its
 * TypeScript through @swc-node/register, like the rest of the repository.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; startTimeoutMs?: number } = {}): Promise<EmbeddedPostgres> {
  const data: PgliteWorkerData = options.dataDir === undefined ? {} : { dataDir: options.dataDir };
  const register = require.resolve('@swc-node/register');
  const worker = new Worker(
    `require(${JSON.stringify(register)}); require(${JSON.stringify(WORKER_FILE)});`,
    { eval: true, workerData: data, stdout: false, stderr: false },
  );
  let exited = false;
  const exit = new Promise<void>((r) =>
    worker.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const ready = await new Promise<Extract<PgliteWorkerReply, { type: 'ready' }>>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL (PGlite) did not start within ${options.startTimeoutMs ?? 120_000} ms`)), options.startTimeoutMs ?? 120_000);
    const done = (): void => clearTimeout(timer);
    const fail = (message: string): void => {
      done();
      reject(new Error(`embedded PostgreSQL (PGlite) ${message}`));
    };
    worker.on('message', (m: PgliteWorkerReply) => {
      if (m.type === 'ready') {
        done();
        resolveReady(m);
      } else if (m.type === 'failed') fail(`failed to start: ${m.message}`);
    });
    worker.once('error', (e) => fail(`thread failed: ${e.message}`));
    worker.once('exit', (code) => fail(`thread exited (${code}) before it was ready`));
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${ready.port}/postgres`,
    recovered: ready.recovered,
    close: () =>
      (closing ??= (async () => {
        if (exited) return;
        const closed = new Promise<void>((r) =>
          worker.on('message', (m: PgliteWorkerReply) => {
            if (m.type === 'closed') r();
          }),
        );
        worker.postMessage({ type: 'close' });
        // Closing flushes the data directory; a stuck thread must not hold up the shutdown.
        await Promise.race([closed, exit, new Promise((r) => setTimeout(r, 10_000).unref())]);
        await worker.terminate();
      })()),
  };
}
