import { join } from 'node:path';
import { readMarketDataFile, syntheticFeed, type SyntheticFeedOptions } from '@tradeloop/market-data';
import type { Envelope } from '@tradeloop/kernel';
import { decodeBatch, JetStreamPublisher, PublishError, topology, type MarketDataBatch } from '@tradeloop/transport-nats';
import { readStream, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { DEFAULT_MAX_BATCH_BYTES, publishFeed, runFeed, syntheticSource, systemClock, type PublishedBatch } from './index';
import { DATA, EURUSD_FILE, ids, RUN_START, useNatsFixture } from './market-data.test-support';

const EURUSD = readMarketDataFile(join(DATA, EURUSD_FILE)).bars;

describe('market-data synthetic feed and batch limits on real NATS (127.0.0.1:4222)', () => {
  const f = useNatsFixture('synthetic', () => uniqueNs('mdsyn'));

  test('synthetic_run_of_200k_quote_ticks_then_every_tick_is_stored_and_read_back_in_order', async () => {
    const options: SyntheticFeedOptions<'quote'> = { symbols: ['BTCUSD', 'ETHUSD', 'EURUSD', 'XAUUSD'], venue: 'SIM', start: RUN_START, intervalMs: 1, seed: 11, kind: 'quote', count: 200_000 };
    const publisher = new JetStreamPublisher(f.js, f.topo, { window: 64 });
    const began = performance.now();
    const report = await runFeed(syntheticSource(options), { publisher, clock: systemClock(), speed: 0, maxBatch: 1_000 });
    const ms = performance.now() - began;
    console.log(`synthetic feed: ${report.messages} quote ticks in ${report.batches} batches, ${(report.bytes / 1e6).toFixed(1)} MB, ${Math.round((report.messages / ms) * 1000)} ticks/s`);

    expect(report.messages).toBe(200_000);
    // Runs of 1,000 ticks (~325 KB) go out as batches within the byte budget.
    expect(report.batches).toBeGreaterThan(200);
    expect(report.bytes / report.batches).toBeLessThanOrEqual(DEFAULT_MAX_BATCH_BYTES);
    expect(await f.storedCount()).toBe(report.batches);
    const stored = await readStream(f.js, f.topo.streams.MD.name, report.batches, 30_000);
    expect(stored.every((m) => m.data.length <= DEFAULT_MAX_BATCH_BYTES)).toBe(true);
    // Every batch parsed; a sample fully validated (decodeBatch checks each tick's schema).
    const batches = stored.map((m, i) => {
      if (i % 50 === 0) {
        const r = decodeBatch(m.data);
        if (!r.ok) throw new Error(JSON.stringify(r.error.slice(0, 3)));
      }
      return m.json<MarketDataBatch>();
    });
    const expected = new Map<string, string[]>(options.symbols.map((s) => [s, []]));
    for (const m of syntheticFeed(options)) expected.get(m.data.symbol)!.push(m.id);
    for (const symbol of options.symbols) {
      const got = batches.filter((b) => b.symbol === symbol).flatMap((b) => ids(b.messages));
      expect(got).toEqual(expected.get(symbol));
    }
  });

  test('batch_over_the_byte_limit_then_split_into_parts_that_fit_and_nothing_is_lost', async () => {
    const publisher = new JetStreamPublisher(f.js, f.topo);
    const bars = EURUSD.slice(0, 1_000);
    const sent: PublishedBatch[] = [];
    const counts = await publishFeed([bars.slice(0, 500), bars.slice(500)], { publisher, maxBatchBytes: 40_000, onBatch: (b) => sent.push(b) });
    expect(sent.every((b) => b.bytes <= 40_000)).toBe(true);
    expect(counts.batches).toBe(sent.length);
    expect(counts.batches).toBeGreaterThan(2);
    const stored = await f.readBatches(counts.batches);
    expect(ids(stored.flatMap((s) => s.batch.messages))).toEqual(ids(bars));
  });

  test('publish_to_a_namespace_without_streams_then_rejects_with_the_publish_error_and_pulls_no_further_batch', async () => {
    const nowhere = topology({ ns: uniqueNs('mdnostream') });
    const publisher = new JetStreamPublisher(f.js, nowhere, { timeoutMs: 2_000 });
    let pulled = 0;
    function* batches(): Generator<Envelope[]> {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield EURUSD.slice(i * 10, i * 10 + 10);
      }
    }
    const failure = await publishFeed(batches(), { publisher, window: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as PublishError).failures.map((x) => x.subject)).toEqual([`${nowhere.ns}.md.batch.OANDA.EURUSD`]);
    expect(pulled).toBe(1);
    // The failure was reported once; the publisher is usable again.
    await expect(publisher.flush()).resolves.toBeUndefined();
  });
});
