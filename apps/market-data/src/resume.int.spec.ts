import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import { JetStreamPublisher } from '@tradeloop/transport-nats';
import { uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { fileSource, resumeFeed, ResumeError, runFeed, systemClock, type FileSourceOptions } from './index';
import { DATA, EURUSD_FILE, ids, RUN_START, useNatsFixture } from './market-data.test-support';

const EURUSD = readMarketDataFile(join(DATA, EURUSD_FILE)).bars;
const BOOK = 'orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv';
/** Bars open in [from, to) of the file: EURUSD[i].data.openTime. */
const at = (i: number): number => EURUSD[i].data.openTime;

describe('resumeFeed: a restarted feed goes on after what the MD stream holds (real NATS)', () => {
  const f = useNatsFixture('resume', () => uniqueNs('mdresume'));
  const eurusd = (options: FileSourceOptions = {}) => fileSource([EURUSD_FILE], { dataDir: DATA, rejectedAt: RUN_START, ...options });
  const play = async (source: ReturnType<typeof eurusd>) =>
    runFeed(source, { publisher: new JetStreamPublisher(f.js, f.topo), clock: systemClock(), speed: 0, maxBatch: 100 });
  const storedMessages = async () => (await f.readBatches(await f.storedCount())).flatMap((b) => b.batch.messages);

  beforeEach(async () => {
    // A new MD stream, not only a purged one: its de-duplication window would swallow the batches
    // a test publishes again.
    const md = f.topo.streams.MD.config;
    await f.jsm.streams.delete(md.name);
    await f.jsm.streams.add({ ...md, subjects: [...md.subjects] });
  });

  test('given_an_empty_stream_then_every_market_starts_at_its_first_message', async () => {
    const source = eurusd({ to: at(300) });
    const plan = await resumeFeed(source, f);
    expect(plan.markets).toEqual([{ venue: 'OANDA', symbol: 'EURUSD', subject: `${f.topo.ns}.md.batch.OANDA.EURUSD`, rule: 'fresh', skipped: 0 }]);
    expect(plan.storedUpTo).toBeUndefined();
    expect(ids([...plan.source.messages()])).toEqual(ids(EURUSD.slice(0, 300)));
  });

  test('given_part_of_a_book_file_stored_then_the_rest_of_its_snapshots_and_bars_follow_each_once_in_order', async () => {
    const all = [...fileSource([BOOK], { dataDir: DATA }).messages()];
    // Stopped after three batches, as a kill would stop it.
    const stop = new AbortController();
    let batches = 0;
    const publisher = new JetStreamPublisher(f.js, f.topo, { window: 1 });
    await runFeed(fileSource([BOOK], { dataDir: DATA }), { publisher, clock: systemClock(), speed: 0, maxBatch: 100, signal: stop.signal, onBatch: () => ++batches === 3 && stop.abort() });
    const plan = await resumeFeed(fileSource([BOOK], { dataDir: DATA }), f);
    const stored = await storedMessages();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(all.length);
    expect(plan.markets[0]).toMatchObject({ rule: 'resumed', skipped: stored.length, stored: { id: stored[stored.length - 1].id } });
    await play(plan.source);
    expect(JSON.stringify(await storedMessages())).toBe(JSON.stringify(all));
  });

  test('given_the_whole_file_stored_then_nothing_is_left_to_publish', async () => {
    await play(eurusd({ to: at(200) }));
    const plan = await resumeFeed(eurusd({ to: at(200) }), f);
    expect(plan.markets[0]).toMatchObject({ rule: 'resumed', skipped: 200, stored: { id: EURUSD[199].id, ts: EURUSD[199].ts } });
    expect(plan.storedUpTo).toBe(EURUSD[199].ts);
    expect([...plan.source.messages()]).toHaveLength(0);
    expect((await play(plan.source)).messages).toBe(0);
  });

  test('given_a_later_file_of_the_same_market_then_it_continues_the_stored_data_from_its_start', async () => {
    await play(eurusd({ to: at(200) }));
    const plan = await resumeFeed(eurusd({ from: at(500), to: at(700) }), f);
    expect(plan.markets[0]).toMatchObject({ rule: 'continues', skipped: 0, stored: { id: EURUSD[199].id } });
    expect(ids([...plan.source.messages()])).toEqual(ids(EURUSD.slice(500, 700)));
  });

  test('given_the_stream_holds_the_file_read_with_another_bar_timestamp_then_it_refuses_naming_the_market_and_the_remedy', async () => {
    await play(eurusd({ to: at(200) }));
    // Stamped at the close, every bar is a minute earlier: the stored last id holds the next row's prices.
    const error = await resumeFeed(eurusd({ barTimestamp: 'close' }), f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeError);
    expect((error as Error).message).toContain(`EURUSD@OANDA: the MD stream already holds ${EURUSD[199].id} with other data than this feed's`);
    expect((error as Error).message).toContain(`NATS_NAMESPACE of its own`);
    expect((error as Error).message).toContain(`(nats stream purge ${f.topo.ns}_MD --subject ${f.topo.ns}.md.batch.OANDA.EURUSD)`);
  });

  test('given_the_stream_holds_bars_of_another_timeframe_before_the_file_then_it_refuses', async () => {
    await play(eurusd({ to: at(200) }));
    const hourly = fileSource(['forex/EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31.csv'], { dataDir: DATA, to: Date.UTC(2017, 0, 10) });
    await expect(resumeFeed(hourly, f)).rejects.toThrow(
      `EURUSD@OANDA: the MD stream holds 1m bars of this market (up to ${new Date(EURUSD[199].ts).toISOString()}) and this feed has 1h bars`,
    );
  });

  test('given_the_stream_holds_data_beyond_the_end_of_the_file_then_it_refuses', async () => {
    await play(eurusd({ to: at(400) }));
    await expect(resumeFeed(eurusd({ to: at(200) }), f)).rejects.toThrow(
      `EURUSD@OANDA: the MD stream already holds this market up to ${new Date(EURUSD[399].ts).toISOString()} (${EURUSD[399].id}), beyond the end of this feed's data (200 messages from`,
    );
  });

  test('given_a_stored_last_bar_the_file_does_not_have_inside_its_time_then_it_refuses', async () => {
    await play(eurusd({ to: at(200) }));
    const dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-resume-'));
    try {
      // The same recording without the row of the stored last bar.
      const lines = readFileSync(join(DATA, EURUSD_FILE), 'utf8').split('\n').slice(0, 401);
      lines.splice(200, 1);
      writeFileSync(join(dir, 'EURUSD_OANDA_1m_gappy.csv'), lines.join('\n'));
      await expect(resumeFeed(fileSource(['EURUSD_OANDA_1m_gappy.csv'], { dataDir: dir }), f)).rejects.toThrow(
        `EURUSD@OANDA: the MD stream's last message of this market, ${EURUSD[199].id} (${new Date(EURUSD[199].ts).toISOString()}), is not in this feed, whose data runs through that time`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('given_data_rejected_events_already_stored_then_they_are_not_published_again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-resume-'));
    try {
      const lines = readFileSync(join(DATA, EURUSD_FILE), 'utf8').split('\n').slice(0, 101);
      lines.splice(20, 0, lines[19]); // a duplicate bar time → line 21
      writeFileSync(join(dir, 'EURUSD_OANDA_1m_broken.csv'), lines.join('\n'));
      const broken = (): ReturnType<typeof eurusd> => fileSource(['EURUSD_OANDA_1m_broken.csv'], { dataDir: dir, rejectedAt: RUN_START });
      expect(broken().rejected).toHaveLength(1);
      const first = await resumeFeed(broken(), f);
      expect(first.rejectedStored).toBe(0);
      await play(first.source);
      const again = await resumeFeed(broken(), f);
      expect(again.rejectedStored).toBe(1);
      expect(again.source.rejected).toEqual([]);
      expect((await play(again.source)).rejected).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
