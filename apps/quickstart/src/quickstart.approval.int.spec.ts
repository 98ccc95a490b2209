/**
 * A person answers an approval request in a paced quickstart (in-process, no NATS or
 * PostgreSQL): with APPROVAL_TTL_MS unset the quickstart scales the governor's TTL with the pace,
 * so a request stays open about a minute of wall time however fast the data plays. The governor's
 * own 300 000 ms of event time would be 15 ms of wall time here (0.5 s at the default 600×):
 * gone before anyone polling GET /v1/approvals?status=requested could see it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApprovalGrantedData, ApprovalRequestedData, OrderApprovedData, RunStartedData } from '@tradeloop/contracts';
import { MARKET_DATA_SOURCE, readMarketDataFile } from '@tradeloop/market-data';
import { compareEventLogs, parseEventLog, recordedCommands, runBacktest, runSpecOf } from '@tradeloop/runtime';
import { startQuickstart, type Quickstart } from './quickstart';
import { bundledDataHead, call, eventually, inProcessDefaults, tempStateDir } from './quickstart.test-support';

const BARS = 2_400;
const SPEED = 20_000;

let stateDir: string;
let dataFile: string;
let qs: Quickstart;
let key: string;
const printed: string[] = [];

beforeAll(async () => {
  stateDir = tempStateDir('approval');
  dataFile = bundledDataHead(stateDir, BARS);
  qs = await startQuickstart({
    // A bar every 3 ms of wall time; APPROVAL_TTL_MS not set.
    env: { HTTP_PORT: '0', MARKET_DATA_SPEED: String(SPEED), LOG_LEVEL: 'warn' },
    ...(await inProcessDefaults()),
    stateDir,
    dataFile,
    print: (line) => printed.push(line),
    summaryEveryMs: 60_000,
  });
  key = readFileSync(qs.keyFile, 'utf8').trim();
}, 50_000);

afterAll(async () => {
  await qs?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('approval_when_a_person_polls_at_a_fast_pace_then_sees_the_request_approves_it_and_the_run_replays_identically', async () => {
  expect(qs.bus).toBe('in-process');
  const ttl = 60_000 * SPEED;
  expect(printed).toContainEqual(`  approvals  open 1 min (333.33 h of market at ${SPEED}×; APPROVAL_TTL_MS=${ttl}, scaled with the pace): GET /v1/approvals?status=requested, then POST /v1/approvals/<id>/approve or /reject`);

  // What a person does: poll every 100 ms for a pending request, then approve it.
  const pending = await eventually(
    'an approval request',
    async () => (await call(qs.url, 'GET', '/v1/approvals?status=requested', key)).body?.items ?? [],
    (items: { approvalId: string }[]) => items.length > 0,
    30_000,
  );
  const approvalId = pending[0].approvalId;
  // Where the market is now, next to the price risk approved it at: the last bar fed.
  const shown = pending[0] as unknown as { referencePrice: string | null; marketPrice: string | null; marketPriceTs: number | null };
  expect(shown.referencePrice).toMatch(/^\d+\.\d+$/);
  expect(shown.marketPrice).toMatch(/^\d+\.\d+$/);
  expect(shown.marketPriceTs).toBeGreaterThanOrEqual(0);
  const approve = await call(qs.url, 'POST', `/v1/approvals/${approvalId}/approve`, key);
  expect(approve.status).toBe(202);
  await qs.done;

  // The governor granted it and released the order (after RunEnded if the data ended first).
  const file = join(stateDir, 'events.ndjson');
  const text = await eventually('ApprovalGranted in the event log', async () => readFileSync(file, 'utf8'), (t) => t.includes('"type":"ApprovalGranted"'), 10_000);
  const events = parseEventLog(text, 'events.ndjson');
  const granted = events.filter((e) => e.type === 'ApprovalGranted');
  expect(granted.map((e) => (e.data as ApprovalGrantedData).approvalId)).toEqual([approvalId]);
  const released = events.filter((e) => e.type === 'OrderApproved' && (e.data as OrderApprovedData).approvalId === approvalId);
  expect(released).toHaveLength(1);
  expect((released[0].data as OrderApprovedData).approvedBy).not.toBe('auto');
  await eventually('the granted approval in the read model', async () => (await call(qs.url, 'GET', '/v1/approvals', key)).body?.items ?? [], (items: { approvalId: string; status: string }[]) =>
    items.some((a) => a.approvalId === approvalId && a.status === 'granted'),
  );

  // The TTL the governor decided with is in RunStarted, and a replay from it is the same run.
  expect(JSON.parse((events[0].data as RunStartedData).config.governor as string)).toEqual({ approvalTtlMs: ttl });
  const requested = events.filter((e) => e.type === 'ApprovalRequested');
  for (const r of requested) expect((r.data as ApprovalRequestedData).expiresAt - r.ts).toBe(ttl);
  const recorded = recordedCommands(events, MARKET_DATA_SOURCE);
  expect([...recorded.during, ...recorded.afterEnd].map((e) => e.type)).toEqual(['ApproveOrder']);
  const spec = runSpecOf(events[0], 'events.ndjson');
  const bars = readMarketDataFile(dataFile, { barTimestamp: 'open', aggregate: '1m' }).bars;
  const replay = runBacktest({ bars, files: spec.files, readOptions: spec.readOptions, commands: recorded.during, commandsAfterEnd: recorded.afterEnd }, spec.config).eventLog.text();
  expect(compareEventLogs(text, replay).identical).toBe(true);
}, 60_000);
