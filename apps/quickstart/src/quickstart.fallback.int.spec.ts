/**
 * npm start on a machine without NATS or PostgreSQL: the probed default addresses do not answer
 * (free ports here; NATS_URL and DATABASE_URL are not set), so the quickstart runs the pipeline
 * on the in-process bus with the embedded PGlite store, over the whole bundled file.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PositionClosedData } from '@tradeloop/contracts';
import { loadServiceEnv, pipelineConfigFromEnv } from '@tradeloop/nest-service';
import { MARKET_DATA_SOURCE, readMarketDataFile } from '@tradeloop/market-data';
import { compareEventLogs, parseEventLog, recordedCommands, runBacktest, runSpecOf, traceTrade } from '@tradeloop/runtime';
import { startQuickstart, type Quickstart } from './quickstart';
import { BUNDLED_DATA_FILE } from './settings';
import { call, eventually, inProcessDefaults, tempStateDir } from './quickstart.test-support';
import type { SummarySnapshot } from './summary';

const ENV = { HTTP_PORT: '0', MARKET_DATA_SPEED: '0', LOG_LEVEL: 'warn' };

let stateDir: string;
let qs: Quickstart;
let final: SummarySnapshot;
let key: string;
const printed: string[] = [];

beforeAll(async () => {
  stateDir = tempStateDir('fallback');
  qs = await startQuickstart({
    env: ENV,
    ...(await inProcessDefaults()),
    stateDir,
    print: (line) => printed.push(line),
    summaryEveryMs: 1_000,
  });
  final = await qs.done;
  key = readFileSync(qs.keyFile, 'utf8').trim();
}, 50_000);

afterAll(async () => {
  await qs?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('fallback_when_nats_and_postgres_do_not_answer_then_in_process_bus_and_embedded_pglite', () => {
  expect(qs.bus).toBe('in-process');
  expect(qs.store).toBe('pglite');
  expect(printed).toContainEqual(expect.stringMatching(/^ {2}bus +in-process \(no NATS JetStream at nats:\/\/127\.0\.0\.1:\d+: /));
  expect(printed).toContainEqual(expect.stringMatching(/^ {2}store +embedded PGlite, a demo store: one connection, fsync off/));
  expect(printed).toContainEqual(expect.stringMatching(/^ {2}execution +ON: paper broker .*quality_based/));
  // No streams to export on the in-process bus: the audit trail is the run's own event log.
  const log = join(stateDir, 'events.ndjson');
  expect(printed).toContainEqual(`  audit      ${log} (every decision, order and fill; rewritten at every start)`);
  expect(printed).toContainEqual(`             npx tradeloop explain --log ${log}`);
  expect(printed).toContainEqual(expect.stringMatching(new RegExp(`^ {13}npx tradeloop replay --log ${log} --data \\S*EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15\\.csv`)));
  expect(printed.some((l) => l.includes('tradeloop export'))).toBe(false);
});

test('fallback_run_when_the_data_ends_then_the_summary_equals_a_backtest_of_the_same_file_and_settings', () => {
  const file = readMarketDataFile(BUNDLED_DATA_FILE);
  const backtest = runBacktest(
    { bars: file.bars, files: [{ name: file.info.file, sha256: file.info.sha256, rows: file.info.rows }], readOptions: { barTimestamp: 'open', aggregate: '1m' } },
    pipelineConfigFromEnv(loadServiceEnv(ENV)),
  );
  expect(final.bars).toBe(file.bars.length);
  expect(final.stats.signals).toBeGreaterThan(0);
  expect(final.stats.fills).toBeGreaterThan(0);
  const { bars: _b, ...stages } = final.stats;
  const { bars: _bb, ...expected } = backtest.stages;
  expect(stages).toEqual(expected);
  expect(final.cash).toBe(backtest.summary.finalCash);
  expect(printed).toContainEqual(expect.stringMatching(new RegExp(`^end of data: ${file.bars.length} bars fed`)));
  expect(printed).toContainEqual(`  orders     ${final.stats.orders.submitted} submitted, ${final.stats.orders.filled} filled, ${final.stats.orders.cancelled} cancelled, 0 rejected, 0 expired; ${final.stats.fills} fills`);
  // Its event log is that backtest's, byte for byte: RunStarted to RunEnded.
  expect(readFileSync(join(stateDir, 'events.ndjson'), 'utf8')).toBe(backtest.eventLog.text());
});

test('event_log_when_the_data_ended_then_explain_traces_a_trade_and_a_replay_from_its_run_started_is_identical', () => {
  const text = readFileSync(join(stateDir, 'events.ndjson'), 'utf8');
  const events = parseEventLog(text, 'events.ndjson');
  expect(events[0].type).toBe('RunStarted');
  expect(events[events.length - 1].type).toBe('RunEnded');
  // What `tradeloop explain --log` lists and traces.
  const closed = events.filter((e) => e.type === 'PositionClosed');
  expect(closed.length).toBeGreaterThan(0);
  const trace = traceTrade(events, closed[0].correlationId)!;
  const types = trace.events.map((t) => t.event.type);
  for (const t of ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderApproved', 'OrderFilled', 'PositionClosed', 'ExperienceRecorded']) expect(types).toContain(t);
  expect((trace.events.find((t) => t.event.type === 'PositionClosed')!.event.data as PositionClosedData).positionId).toBe((closed[0].data as PositionClosedData).positionId);
  // What `tradeloop replay --log … --data …` does: the run again from its RunStarted alone.
  const spec = runSpecOf(events[0], 'events.ndjson');
  expect(spec.readOptions).toEqual({ barTimestamp: 'open', aggregate: '1m' });
  const file = readMarketDataFile(BUNDLED_DATA_FILE, { barTimestamp: 'open', aggregate: '1m' });
  expect(spec.files).toEqual([{ name: file.info.file, sha256: file.info.sha256, rows: file.info.rows }]);
  const replayed = runBacktest({ bars: file.bars, files: spec.files, readOptions: spec.readOptions }, spec.config);
  expect(compareEventLogs(text, replayed.eventLog.text()).identical).toBe(true);
});

test('api_key_when_created_then_in_a_0600_file_and_never_printed', () => {
  expect(statSync(qs.keyFile).mode & 0o777).toBe(0o600);
  expect(key).toMatch(/^tl_[0-9a-f]{16}_/);
  expect(printed.join('\n')).not.toContain(key);
  expect(printed).toContainEqual(expect.stringContaining(`curl -H "Authorization: Bearer $(cat ${qs.keyFile})" ${qs.url}/v1/status`));
});

test('given_no_mode_command_when_status_is_read_then_it_shows_the_mode_the_start_up_line_printed', async () => {
  // `execution ON: … mode quality_based (quality ≥ 70 …)`: the governor publishes nothing about
  // the mode it starts in, so the mode comes from its start.
  const status = await call(qs.url, 'GET', '/v1/status', key);
  expect(status.body.trading).toMatchObject({ mode: 'quality_based', threshold: 70, modeSource: 'start', modeBy: null, state: 'ACTIVE', stateSource: 'start' });
});

test('gateway_over_pglite_when_asked_with_the_key_then_answers_from_the_projected_read_models', async () => {
  expect((await call(qs.url, 'GET', '/v1/status')).status).toBe(401);
  const status = await call(qs.url, 'GET', '/v1/status', key);
  expect(status.status).toBe(200);
  expect(status.body.balance.cash).toBe(final.cash);
  expect(status.body.openPositions).toBe(final.openPositions);
  const fills = await call(qs.url, 'GET', '/v1/fills?limit=5', key);
  expect(fills.status).toBe(200);
  expect(fills.body.items).toHaveLength(5);
  const health = await call(qs.url, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok', store: { kind: 'pglite', ok: true }, pipeline: { bus: 'in-process', pendingWrites: 0 }, feed: { done: true } });
  const metrics = await call(qs.url, 'GET', '/metrics');
  expect(metrics.text).toMatch(new RegExp(`tradeloop_fills_total\\{service="executor",symbol="EURUSD",side="(buy|sell)"\\} \\d+`));
});

test('command_when_sent_to_the_gateway_after_the_data_then_it_enters_the_bus_and_the_read_model_follows', async () => {
  const halt = await call(qs.url, 'POST', '/v1/trading/halt', key, { reason: 'quickstart test' });
  expect(halt.status).toBe(202);
  const state = await eventually(
    'the halt in the read model',
    async () => (await call(qs.url, 'GET', '/v1/trading-state', key)).body,
    (b) => b?.state === 'HALTED',
  );
  expect(state).toMatchObject({ state: 'HALTED', reason: 'quickstart test', stateBy: 'quickstart' });
  expect(qs.summary().stats.governor.tradingStateChanges).toBe(1);
  // The audit trail goes on after RunEnded: the command and what it changed.
  const after = await eventually(
    'the halt in the event log',
    async () => parseEventLog(readFileSync(join(stateDir, 'events.ndjson'), 'utf8'), 'events.ndjson'),
    (events) => events.some((e) => e.type === 'TradingStateChanged'),
  );
  const ended = after.findIndex((e) => e.type === 'RunEnded');
  expect(after.slice(ended + 1).map((e) => e.type)).toEqual(['HaltTrading', 'TradingStateChanged']);
  // `tradeloop replay --log` sends it again after RunEnded: the same log.
  const recorded = recordedCommands(after, MARKET_DATA_SOURCE);
  expect(recorded).toEqual({ during: [], afterEnd: [after[ended + 1]] });
  const spec = runSpecOf(after[0], 'events.ndjson');
  const file = readMarketDataFile(BUNDLED_DATA_FILE, { barTimestamp: 'open', aggregate: '1m' });
  const replayed = runBacktest({ bars: file.bars, files: spec.files, readOptions: spec.readOptions, commandsAfterEnd: recorded.afterEnd }, spec.config);
  expect(compareEventLogs(readFileSync(join(stateDir, 'events.ndjson'), 'utf8'), replayed.eventLog.text()).identical).toBe(true);
});
