/**
 * A newcomer's first audit: `npm start` on the in-process bus, Ctrl-C before the end of the data,
 * then the `tradeloop replay` command the quickstart printed, run as printed by the installed
 * bin. The log must say where the run stopped, so that the replay re-runs exactly the bars the
 * run saw and reports `replay identical` (before, it re-ran the whole file: "replay DIVERGED:
 * 651 of 982 lines differ").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEventLog, runSpecOf } from '@tradeloop/runtime';
import { startQuickstart, type Quickstart } from './quickstart';
import { bundledDataHead, call, eventually, inProcessDefaults, tempStateDir } from './quickstart.test-support';

const REPO = resolve(__dirname, '../../..');
const BARS = 2_400;

let stateDir: string;
let dataFile: string;
let qs: Quickstart | undefined;
const printed: string[] = [];

beforeAll(async () => {
  stateDir = tempStateDir('stop-replay');
  dataFile = bundledDataHead(stateDir, BARS);
  qs = await startQuickstart({
    // A bar every 3 ms of wall time: stopped long before the end of the data.
    env: { HTTP_PORT: '0', MARKET_DATA_SPEED: '20000', LOG_LEVEL: 'warn' },
    ...(await inProcessDefaults()),
    stateDir,
    dataFile,
    print: (line) => void printed.push(line),
    summaryEveryMs: 60_000,
  });
}, 50_000);

afterAll(async () => {
  await qs?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('stopped_before_the_end_of_the_data_then_the_printed_replay_command_reports_identical', async () => {
  const running = qs!;
  expect(running.bus).toBe('in-process');
  const key = readFileSync(running.keyFile, 'utf8').trim();
  await eventually('a fifth of the data', async () => running.summary().bars, (n) => n >= BARS / 5, 20_000);
  // A person in the loop before the stop: the halt is an input of the run like the bars.
  expect((await call(running.url, 'POST', '/v1/trading/halt', key, { reason: 'lunch' })).status).toBe(202);
  await eventually('more data after the halt', async () => running.summary().bars, (n) => n >= BARS / 3, 20_000);
  await running.close();
  await expect(running.done).rejects.toThrow('stopped before the end of the data');
  const fed = running.summary().bars;
  expect(fed).toBeLessThan(BARS);

  const text = readFileSync(join(stateDir, 'events.ndjson'), 'utf8');
  const events = parseEventLog(text, 'events.ndjson');
  // The log says where the run stopped: RunStarted's window ends after the last bar fed, and
  // RunEnded counts the bars the run saw.
  const ended = events.find((e) => e.type === 'RunEnded');
  expect(ended?.data).toEqual({ runId: runSpecOf(events[0], 'events.ndjson').runId, bars: fed });
  expect(events.map((e) => e.type)).toContain('HaltTrading');
  // The window is the run's: the bars of the file up to the close of the last one fed.
  const bars = readFileSync(dataFile, 'utf8').split('\n').slice(1, fed + 1);
  const lastOpen = Date.parse(bars[fed - 1].split(',')[0]);
  expect(runSpecOf(events[0], 'events.ndjson').readOptions).toEqual({ barTimestamp: 'open', aggregate: '1m', to: lastOpen + 60_000 });

  // The command as printed (the paths are absolute here: the state folder is outside the cwd).
  const line = printed.find((l) => l.includes('npx tradeloop replay --log'));
  expect(line).toBeDefined();
  const args = line!.slice(line!.indexOf('replay')).split('   ')[0].trim().split(/\s+/);
  expect(args).toEqual(['replay', '--log', join(stateDir, 'events.ndjson'), '--data', dataFile]);
  // Said again at the stop, with where the run stopped.
  const stop = printed.find((l) => l.startsWith('stopped after'));
  expect(stop).toBe(
    `stopped after ${fed} of ${BARS} bars (data up to ${new Date(lastOpen + 60_000).toISOString().slice(0, 16).replace('T', ' ')} UTC): ` +
      `${join(stateDir, 'events.ndjson')} ends there (RunEnded; RunStarted's input.to) and replays as this run: npx tradeloop ${args.join(' ')}`,
  );
  const r = spawnSync(resolve(REPO, 'node_modules/.bin/tradeloop'), [...args, '--no-progress'], { encoding: 'utf8', cwd: REPO });
  expect(`${r.stdout}${r.stderr}`).toMatch(/replay identical/);
  expect(r.status).toBe(0);
}, 60_000);
