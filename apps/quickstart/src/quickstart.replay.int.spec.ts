/**
 * A person in the loop, then the audit: the in-process quickstart (no NATS, no PostgreSQL) is
 * paced, a halt and a resume are sent through the gateway while the data plays, and afterwards
 * its event log — replayed from the data file with the commands it recorded sent again where
 * they came in, as `tradeloop replay --log` does — is the same run, byte for byte.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MARKET_DATA_SOURCE, readMarketDataFile } from '@tradeloop/market-data';
import { compareEventLogs, parseEventLog, recordedCommands, runBacktest, runSpecOf } from '@tradeloop/runtime';
import { startQuickstart, type Quickstart } from './quickstart';
import { bundledDataHead, call, eventually, inProcessDefaults, tempStateDir } from './quickstart.test-support';

const BARS = 2_400;

let stateDir: string;
let dataFile: string;
let qs: Quickstart;
let key: string;

beforeAll(async () => {
  stateDir = tempStateDir('replay');
  dataFile = bundledDataHead(stateDir, BARS);
  qs = await startQuickstart({
    // A bar every 3 ms of wall time: the run takes about 7 s, long enough to act in.
    env: { HTTP_PORT: '0', MARKET_DATA_SPEED: '20000', LOG_LEVEL: 'warn' },
    ...(await inProcessDefaults()),
    stateDir,
    dataFile,
    print: () => undefined,
    summaryEveryMs: 60_000,
  });
  key = readFileSync(qs.keyFile, 'utf8').trim();
}, 50_000);

afterAll(async () => {
  await qs?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('commands_when_sent_while_the_data_plays_then_the_log_replays_identically_with_them', async () => {
  expect(qs.bus).toBe('in-process');
  await eventually('a third of the data', async () => qs.summary().bars, (n) => n >= BARS / 3, 20_000);
  expect((await call(qs.url, 'POST', '/v1/trading/halt', key, { reason: 'news at 14:30' })).status).toBe(202);
  await eventually('two thirds of the data', async () => qs.summary().bars, (n) => n >= (2 * BARS) / 3, 20_000);
  expect((await call(qs.url, 'POST', '/v1/trading/resume', key, { reason: 'calm again' })).status).toBe(202);
  const final = await qs.done;
  expect(final.bars).toBe(BARS);

  const text = readFileSync(join(stateDir, 'events.ndjson'), 'utf8');
  const events = parseEventLog(text, 'events.ndjson');
  const types = events.map((e) => e.type);
  // Both came in while the data played: before RunEnded, between bars of the feed.
  const ended = types.indexOf('RunEnded');
  const halt = types.indexOf('HaltTrading');
  const resume = types.indexOf('ResumeTrading');
  expect(0 < halt && halt < resume && resume < ended).toBe(true);
  expect(types.filter((t) => t === 'TradingStateChanged')).toHaveLength(2);

  const recorded = recordedCommands(events, MARKET_DATA_SOURCE);
  expect(recorded.during.map((e) => e.type)).toEqual(['HaltTrading', 'ResumeTrading']);
  expect(recorded.afterEnd).toEqual([]);
  const spec = runSpecOf(events[0], 'events.ndjson');
  const file = readMarketDataFile(dataFile, { barTimestamp: 'open', aggregate: '1m' });
  const replay = (commands: boolean): string =>
    runBacktest(
      { bars: file.bars, files: spec.files, readOptions: spec.readOptions, ...(commands ? { commands: recorded.during, commandsAfterEnd: recorded.afterEnd } : {}) },
      spec.config,
    ).eventLog.text();
  expect(compareEventLogs(text, replay(true)).identical).toBe(true);
  // From the data alone it is another run: it first differs where the halt came in.
  const alone = compareEventLogs(text, replay(false));
  expect(alone.identical).toBe(false);
  expect(alone.first?.line).toBe(halt + 1);
}, 60_000);
