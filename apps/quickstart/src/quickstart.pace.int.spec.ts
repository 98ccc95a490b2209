/**
 * The replay pace of a slow quickstart (in-process, no NATS or PostgreSQL): MARKET_DATA_SPEED is
 * kept within sessions, and only stretches without data longer than MARKET_DATA_MAX_QUIET_MS of
 * market (weekends) are shortened, by the market-data service's rule.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startQuickstart, type Quickstart } from './quickstart';
import { bundledDataHead, eventually, inProcessDefaults, tempStateDir } from './quickstart.test-support';
import { BUNDLED_DATA_FILE } from './settings';

let stateDir: string;
let qs: Quickstart | undefined;

afterEach(async () => {
  await qs?.close();
  qs = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

/** The bundled file's last ten bars before the weekend of 3-4 May 2014 and its first ten after (Fri 20:50 → Sun 21:09 UTC). */
function weekendFile(dir: string): string {
  const lines = readFileSync(BUNDLED_DATA_FILE, 'utf8').split('\n');
  const friday = lines.findIndex((l) => l.startsWith('2014-05-02T20:50:00Z'));
  const file = join(dir, 'EURUSD_OANDA_1m_quotebars_weekend.csv');
  writeFileSync(file, `${[lines[0], ...lines.slice(friday, friday + 20)].join('\n')}\n`);
  return file;
}

async function start(env: Record<string, string>, printed: string[], data: (dir: string) => string = (dir) => bundledDataHead(dir, 30)): Promise<Quickstart> {
  stateDir = tempStateDir('pace');
  return startQuickstart({
    env: { HTTP_PORT: '0', LOG_LEVEL: 'warn', ...env },
    ...(await inProcessDefaults()),
    stateDir,
    dataFile: data(stateDir),
    print: (line) => printed.push(line),
    summaryEveryMs: 60_000,
  });
}

test('pace_when_slower_than_a_bar_a_second_then_bars_a_minute_apart_keep_the_pace_instead_of_one_a_second', async () => {
  const printed: string[] = [];
  // 6×: a 1m bar every 10 s (the bundled file's first bars are a minute apart).
  qs = await start({ MARKET_DATA_SPEED: '6' }, printed);
  await eventually('the first bar fed', async () => qs!.summary().bars, (n) => n >= 1);
  await new Promise((r) => setTimeout(r, 4_000));
  // The second bar follows 10 s after the first (capping every wait at 1 s fed one a second).
  expect(qs.summary().bars).toBe(1);
  expect(printed).toContainEqual('  pace       6× (a 1m bar every 10 s; a stretch without data longer than 10 min of market, such as a weekend, passes in 100 s; MARKET_DATA_SPEED, MARKET_DATA_MAX_QUIET_MS to change)');
}, 30_000);

test('pace_at_the_default_speed_when_the_data_spans_a_weekend_then_the_weekend_passes_in_about_a_second', async () => {
  const printed: string[] = [];
  qs = await start({}, printed, weekendFile);
  const started = performance.now();
  const final = await qs.done;
  // 20 bars at 600× are 2 s; the weekend, 48 h of market (288 s at 600×), 1 s more.
  expect(final.bars).toBe(20);
  expect(final.replayTs).toBe(Date.UTC(2014, 4, 4, 21, 10));
  expect(performance.now() - started).toBeLessThan(10_000);
}, 40_000);
