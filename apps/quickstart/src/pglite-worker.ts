/**
 * The embedded PostgreSQL's thread: PGlite (PostgreSQL compiled to WebAssembly) served over the
 * PostgreSQL wire protocol on 127.0.0.1, so TypeORM and pg use it like any server. It runs on a
 * worker thread of its own, so queries do not stall the pipeline's event loop (and PGlite's
 * loader, which imports Node modules dynamically, runs in plain Node even under Jest).
 *
 * Protocol: workerData {dataDir?}; posts {type:'ready', port, recovered} or {type:'failed',
 * message}; on {type:'close'} stops and posts {type:'closed'}.
 */
import { existsSync, rmSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteWorkerData {
  /** Persistent data directory (reused across runs: no initdb after the first); undefined = in memory. */
  readonly dataDir?: string;
}

export type PgliteWorkerReply =
  | { readonly type: 'ready'; readonly port: number; readonly recovered: boolean }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'closed' };

if (parentPort === null) throw new Error('pglite-worker.ts runs on a worker thread (see embedded-postgres.ts)');
const port: MessagePort = parentPort;
const post = (reply: PgliteWorkerReply): void => port.postMessage(reply);

async function open(dataDir: string | undefined): Promise<{ db: PGlite; recovered: boolean }> {
  if (dataDir === undefined) return { db: await PGlite.create(), recovered: false };
  try {
    return { db: await PGlite.create({ dataDir }), recovered: false };
  } catch (e) {
    // A directory left by a killed run (fsync is off) or by another PGlite version: a demo
    // store, started over (the quickstart logs that it was).
    if (!existsSync(dataDir)) throw e;
    rmSync(dataDir, { recursive: true, force: true });
    return { db: await PGlite.create({ dataDir }), recovered: true };
  }
}

async function main(): Promise<void> {
  const { dataDir } = workerData as PgliteWorkerData;
  const { db, recovered } = await open(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const conn = server.getServerConn();
  post({ type: 'ready', port: Number(conn.slice(conn.lastIndexOf(':') + 1)), recovered });
  port.on('message', (m: { type?: string }) => {
    if (m?.type !== 'close') return;
    void (async () => {
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
      post({ type: 'closed' });
    })();
  });
}

main().catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
