/**
 * The market-data service: replays shared-data files as a live feed (MARKET_DATA_FILES, paced
 * by MARKET_DATA_SPEED; 0 = as fast as possible), or runs the synthetic generator for load tests
 * (MARKET_DATA_SYNTHETIC, see settings.ts), and publishes market-data batches to the MD stream;
 * /health shows progress, /metrics the messages published and the feed's event time. Bad rows are published as DataRejected with file and line.
 */
import { resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { JetStreamPublisher, ensureTopology } from '@tradeloop/transport-nats';
import { runServiceMain } from '@tradeloop/nest-service';
import { quietWaitMs, resumeFeed, runFeed, skipQuietStretches, systemClock, type FeedRunReport, type MarketResume } from './index';
import { FeedMetrics } from './feed-metrics';
import { feedSettings, type FeedSettings } from './settings';
import type { FeedSource } from './sources';

// Read before anything connects (see `validate`): a bad variable, a missing, unreadable or
// invalid data file is reported as itself whether NATS answers or not.
let settings: FeedSettings;
let feed: FeedSource;

runServiceMain({
  name: 'market-data',
  validate: (env) => {
    settings = feedSettings(process.env, resolve(__dirname, '../../../../shared/data'));
    feed = settings.source(env.ACCOUNT);
  },
  worker: (infra) => {
    const abort = new AbortController();
    const publisher = new JetStreamPublisher(jetstream(infra.nc), infra.topo);
    const metrics = new FeedMetrics(infra.metrics);
    let published = { batches: 0, messages: 0 };
    let report: FeedRunReport | undefined;
    let failure: string | undefined;
    let running: Promise<void> | undefined;
    let resumed: Record<string, string> = {};
    return {
      async start() {
        const jsm = await jetstreamManager(infra.nc);
        await ensureTopology(jsm, infra.topo);
        // What an earlier run stored is not published again: each market goes on after its last
        // stored message (a ResumeError, another file's data in the stream, stops the start).
        const plan = await resumeFeed(feed, { js: jetstream(infra.nc), jsm, topo: infra.topo });
        const source = plan.source;
        resumed = Object.fromEntries(plan.markets.map((m) => [`${m.symbol}@${m.venue}`, resumeText(m)]));
        if (plan.storedUpTo !== undefined) metrics.storedUpTo(plan.storedUpTo);
        const maxWaitMs = quietWaitMs(settings.maxQuietMs, settings.speed);
        infra.log.info(
          {
            feed: source.description,
            speed: settings.speed,
            quiet: quietText(settings.maxQuietMs, maxWaitMs),
            markets: resumed,
            ...(plan.rejectedStored > 0 && { rejectedStored: plan.rejectedStored }),
          },
          'replaying',
        );
        if (settings.passedOver.length > 0) infra.log.info({ passedOver: settings.passedOver }, 'files of another symbol or venue than MARKET_DATA_SYMBOL / MARKET_DATA_VENUE are not played');
        running = runFeed(source, {
          publisher,
          clock: skipQuietStretches(systemClock(abort.signal), maxWaitMs),
          speed: settings.speed,
          signal: abort.signal,
          onRejected: (r) => metrics.rejected(r.published),
          onBatch: (b) => {
            published = { batches: published.batches + 1, messages: published.messages + b.messages.length };
            metrics.batch(b);
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
        return { healthy: failure === undefined, ...published, done: report !== undefined, markets: resumed, ...(failure ? { error: failure } : {}) };
      },
    };
  },
});

/** For the log: how quiet stretches pass. */
function quietText(maxQuietMs: number, maxWaitMs: number): string {
  if (maxWaitMs === Number.POSITIVE_INFINITY) return maxQuietMs === 0 ? 'every stretch waited out at the replay speed (MARKET_DATA_MAX_QUIET_MS=0)' : 'nothing waited out (not paced)';
  const wait = maxWaitMs >= 1_000 ? `${+(maxWaitMs / 1_000).toFixed(1)} s` : `${+maxWaitMs.toFixed(1)} ms`;
  const quiet = maxQuietMs % 60_000 === 0 ? `${maxQuietMs / 60_000} min` : `${maxQuietMs} ms`;
  return `a quiet stretch longer than ${quiet} of market passes in ${wait} (MARKET_DATA_MAX_QUIET_MS=${maxQuietMs})`;
}

/** For the log and /health: where a market's feed started. */
function resumeText(m: MarketResume): string {
  switch (m.rule) {
    case 'fresh':
      return 'from the start (nothing stored)';
    case 'resumed':
      return `after ${m.stored!.id} (${new Date(m.stored!.ts).toISOString()}), the last stored; ${m.skipped} already stored`;
    case 'continues':
      return `from the start, continuing the stored data that ends at ${new Date(m.stored!.ts).toISOString()}`;
  }
}
