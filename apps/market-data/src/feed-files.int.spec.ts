import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, type Message } from '@tradeloop/contracts';
import { readMarketDataFile } from '@tradeloop/market-data';
import { decodeBatch, JetStreamPublisher, type MarketDataBatch } from '@tradeloop/transport-nats';
import { readStream, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { DEFAULT_MAX_BATCH_BYTES, fileSource, runFeed, systemClock, type PublishedBatch } from './index';
import { DATA, EURUSD_FILE, ids, RUN_START, useNatsFixture } from './market-data.test-support';

const EURUSD = readMarketDataFile(join(DATA, EURUSD_FILE)).bars;

describe('market-data file replay on real NATS (127.0.0.1:4222)', () => {
  const f = useNatsFixture('files', () => uniqueNs('mdfiles'));

  test('file_replayed_at_speed_0_then_every_bar_arrives_exactly_once_in_order_in_per_series_batches', async () => {
    const publisher = new JetStreamPublisher(f.js, f.topo);
    const source = fileSource([EURUSD_FILE], { dataDir: DATA, rejectedAt: RUN_START });
    const report = await runFeed(source, { publisher, clock: systemClock(), speed: 0, maxBatch: 500 });

    expect(report).toEqual({
      batches: expect.any(Number),
      messages: EURUSD.length,
      duplicates: 0,
      bytes: expect.any(Number),
      firstTs: EURUSD[0].ts,
      lastTs: EURUSD[EURUSD.length - 1].ts,
      rejected: 0,
      rejectedDuplicates: 0,
    });
    // Runs of 500 quote bars (~500 bytes each) are split to stay within the batch byte budget.
    expect(report.batches).toBeGreaterThan(Math.ceil(EURUSD.length / 500));
    expect(await f.storedCount()).toBe(report.batches);

    const stored = await f.readBatches(report.batches);
    for (const { msg, batch } of stored) {
      expect(msg.subject).toBe(`${f.topo.ns}.md.batch.OANDA.EURUSD`);
      expect(msg.headers?.get('Nats-Msg-Id')).toBe(`${batch.messages[0].id}:${batch.messages[batch.messages.length - 1].id}`);
      // Its newest event time, for services that read market data only as their clock.
      expect(Number(msg.headers?.get('Tl-Batch-Ts'))).toBe(Math.max(...batch.messages.map((m) => m.ts)));
      expect(batch.messages.length).toBeLessThanOrEqual(500);
      expect(msg.data.length).toBeLessThanOrEqual(DEFAULT_MAX_BATCH_BYTES);
    }
    const replayed = stored.flatMap((s) => s.batch.messages);
    expect(ids(replayed)).toEqual(ids(EURUSD));
    expect(JSON.stringify(replayed)).toBe(JSON.stringify(EURUSD));
  });

  test('order_book_file_then_its_snapshots_and_the_quote_bars_of_its_top_of_book_are_published_in_time_order', async () => {
    const book = 'orderbook/BTCUSDT_BINANCE_spot_2024-08-08T2354_2024-08-09T0005_L2top20_1s.csv';
    const read = readMarketDataFile(join(DATA, book));
    expect(read.books).toHaveLength(650);
    expect(read.bars).toHaveLength(12);
    const publisher = new JetStreamPublisher(f.js, f.topo);
    const report = await runFeed(fileSource([book], { dataDir: DATA, rejectedAt: RUN_START }), { publisher, clock: systemClock(), speed: 0 });
    expect(report.messages).toBe(662);
    const replayed = (await f.readBatches(report.batches)).flatMap((s) => s.batch.messages);
    expect(replayed.filter((m) => m.type === 'BookSnapshot').map((m) => m.id)).toEqual(ids(read.books));
    expect(JSON.stringify(replayed.filter((m) => m.type === 'BarClosed'))).toBe(JSON.stringify(read.bars));
    // One feed, by event time: each bar (stamped at its close) after the snapshots of its minute.
    expect(replayed.every((m, i) => i === 0 || replayed[i - 1].ts <= m.ts)).toBe(true);
  });

  test('same_file_published_twice_then_stored_once_by_nats_msg_id', async () => {
    const publisher = new JetStreamPublisher(f.js, f.topo);
    const source = fileSource([join(DATA, EURUSD_FILE)], { rejectedAt: RUN_START });
    const first = await runFeed(source, { publisher, clock: systemClock(), speed: 0, maxBatch: 700 });
    const second = await runFeed(source, { publisher, clock: systemClock(), speed: 0, maxBatch: 700 });

    expect(first.duplicates).toBe(0);
    expect(second).toEqual({ ...first, duplicates: first.batches });
    expect(await f.storedCount()).toBe(first.batches);
    // Schema checks were the first test's job; here only the ids count.
    const stored = await readStream(f.js, f.topo.streams.MD.name, first.batches);
    expect(ids(stored.flatMap((m) => m.json<MarketDataBatch>().messages))).toEqual(ids(EURUSD));
  });

  test('paced_replay_run_twice_then_batches_follow_the_event_schedule_and_the_rerun_is_all_duplicates', async () => {
    // 300 bars at 60,000× (a minute of event time per ms): the delay budget, not the batch
    // size, closes batches; their boundaries come from event times, so the re-run matches.
    const from = EURUSD[1_000].ts;
    const to = EURUSD[1_300].ts;
    const source = fileSource([EURUSD_FILE], { dataDir: DATA, rejectedAt: RUN_START });
    const run = async (): Promise<{ report: Awaited<ReturnType<typeof runFeed>>; batches: PublishedBatch[] }> => {
      const batches: PublishedBatch[] = [];
      const publisher = new JetStreamPublisher(f.js, f.topo);
      const report = await runFeed(source, { publisher, clock: systemClock(), speed: 60_000, maxBatch: 2_000, maxBatchDelayMs: 20, from, to, onBatch: (b) => batches.push(b) });
      return { report, batches };
    };
    const first = await run();
    const second = await run();

    expect(first.report.messages).toBe(300);
    expect(first.report.batches).toBeGreaterThan(5);
    for (const b of first.batches) expect((b.messages[b.messages.length - 1].ts - b.messages[0].ts) / 60_000).toBeLessThanOrEqual(20);
    expect(second.batches.map((b) => b.msgID)).toEqual(first.batches.map((b) => b.msgID));
    expect(second.report.duplicates).toBe(second.report.batches);
    expect(await f.storedCount()).toBe(first.report.batches);
  });

  test('file_with_bad_rows_then_data_rejected_events_go_to_md_rejected_and_only_good_rows_are_batched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloop-md-'));
    try {
      const lines = readFileSync(join(DATA, EURUSD_FILE), 'utf8').split('\n').slice(0, 101);
      lines.splice(20, 0, lines[19]); // duplicate bar time → line 21
      const withField = (line: string, index: number, value: string): string => line.split(',').map((f, i) => (i === index ? value : f)).join(',');
      lines[40] = withField(lines[40], 1, 'NaN'); // open not a number → line 41
      lines[60] = withField(lines[60], 3, '-1'); // non-positive low → line 61
      const file = join(dir, 'EURUSD_OANDA_1m_quotebars_broken.csv');
      writeFileSync(file, lines.join('\n'));
      const source = fileSource([file], { rejectedAt: RUN_START });
      expect(source.rejected.map((r) => r.data.line)).toEqual([21, 41, 61]);

      const publisher = new JetStreamPublisher(f.js, f.topo);
      const report = await runFeed(source, { publisher, clock: systemClock(), speed: 0 });
      expect(report.rejected).toBe(3);
      expect(report.messages).toBe(98); // 101 rows, 3 refused
      const again = await runFeed(source, { publisher, clock: systemClock(), speed: 0 });
      expect(again.rejectedDuplicates).toBe(3);

      const stored = await readStream(f.js, f.topo.streams.MD.name, 3 + report.batches);
      const rejections = stored.filter((m) => m.subject === `${f.topo.ns}.md.rejected.market-data`);
      expect(rejections).toHaveLength(3);
      const decoded = rejections.map((m) => decodeMessage(m.data));
      expect(decoded.every((d) => d.ok)).toBe(true);
      const events = decoded.map((d) => (d.ok ? (d.value as Message<'DataRejected'>) : undefined));
      expect(events.map((e) => [e?.ts, e?.data.source, e?.data.line, e?.data.field])).toEqual([
        [RUN_START, 'EURUSD_OANDA_1m_quotebars_broken.csv', 21, 'timestamp'],
        [RUN_START, 'EURUSD_OANDA_1m_quotebars_broken.csv', 41, 'open'],
        [RUN_START, 'EURUSD_OANDA_1m_quotebars_broken.csv', 61, 'low'],
      ]);
      const bars = stored.filter((m) => m.subject.includes('.md.batch.')).flatMap((m) => (decodeBatch(m.data) as { value: MarketDataBatch }).value.messages);
      expect(ids(bars)).toEqual(ids([...source.messages()]));
      expect(bars).toHaveLength(98);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('paced_replay_aborted_while_waiting_for_the_next_bar_then_returns_without_waiting_it_out', async () => {
    // At speed 1 the second bar is due a minute after the first: only the abort ends the wait.
    const controller = new AbortController();
    const publisher = new JetStreamPublisher(f.js, f.topo);
    const source = fileSource([EURUSD_FILE], { dataDir: DATA, rejectedAt: RUN_START });
    const report = await runFeed(source, {
      publisher,
      clock: systemClock(controller.signal),
      speed: 1,
      signal: controller.signal,
      onBatch: () => controller.abort(),
    });
    expect(report.messages).toBe(1);
    expect(await f.storedCount()).toBe(1);
  });
});
