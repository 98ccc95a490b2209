/**
 * The market-data service: replays shared-data files as a live feed (MARKET_DATA_FILES, paced
 * by MARKET_DATA_SPEED; 0 = as fast as possible) and publishes market-data batches to the MD
 * stream; /health shows progress. Bad rows are published as DataRejected with file and line.
 */
import { resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { JetStreamPublisher, ensureTopology } from '@tradeloop/transport-nats';
import { ConfigError, runServiceMain } from '@tradeloop/nest-service';
import { fileSource, runFeed, systemClock, type FeedRunReport } from './index';

function feedSettings(env: NodeJS.ProcessEnv): { files: string[]; dataDir: string; speed: number; barTimestamp: 'open' | 'close' } {
  const problems: { variable: string; problem: string }[] = [];
  const files = (env['MARKET_DATA_FILES'] ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (files.length === 0) problems.push({ variable: 'MARKET_DATA_FILES', problem: 'must list at least one data file (comma-separated, relative to MARKET_DATA_DIR)' });
  const speed = Number(env['MARKET_DATA_SPEED'] ?? '60');
  if (!Number.isFinite(speed) || speed < 0) problems.push({ variable: 'MARKET_DATA_SPEED', problem: `must be a number ≥ 0 (got ${JSON.stringify(env['MARKET_DATA_SPEED'])})` });
  const barTimestamp = env['MARKET_DATA_BAR_TIMESTAMP'] ?? 'open';
  if (barTimestamp !== 'open' && barTimestamp !== 'close') problems.push({ variable: 'MARKET_DATA_BAR_TIMESTAMP', problem: `must be open or close (got ${JSON.stringify(barTimestamp)})` });
  if (problems.length > 0) throw new ConfigError(problems);
  return { files, dataDir: resolve(env['MARKET_DATA_DIR'] ?? resolve(__dirname, '../../../../shared/data')), speed, barTimestamp: barTimestamp as 'open' | 'close' };
}

runServiceMain({
  name: 'market-data',
  worker: (infra) => {
    const settings = feedSettings(process.env);
    const abort = new AbortController();
    const publisher = new JetStreamPublisher(jetstream(infra.nc), infra.topo);
    let published = { batches: 0, messages: 0 };
    let report: FeedRunReport | undefined;
    let failure: string | undefined;
    let running: Promise<void> | undefined;
    return {
      async start() {
        await ensureTopology(await jetstreamManager(infra.nc), infra.topo);
        const source = fileSource(settings.files, { dataDir: settings.dataDir, barTimestamp: settings.barTimestamp, account: infra.env.ACCOUNT });
        infra.log.info({ feed: source.description, speed: settings.speed }, 'replaying');
        running = runFeed(source, {
          publisher,
          clock: systemClock(abort.signal),
          speed: settings.speed,
          signal: abort.signal,
          onBatch: (b) => {
            published = { batches: published.batches + 1, messages: published.messages + b.messages.length };
          },
        }).then(
          (r) => {
            report = r;
            infra.log.info({ ...r }, 'feed finished');
          },
          (e: unknown) => {
            failure = e instanceof Error ? e.message : String(e);
            infra.log.error({ err: failure }, 'feed failed');
          },
        );
      },
      async stop() {
        abort.abort();
        await running;
      },
      async health() {
        return { healthy: failure === undefined, ...published, done: report !== undefined, ...(failure ? { error: failure } : {}) };
      },
    };
  },
});
