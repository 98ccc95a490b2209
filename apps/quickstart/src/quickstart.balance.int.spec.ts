/**
 * npm start, then GET /v1/status before the first fill: the in-process pipeline's executor holds
 * STARTING_CASH in ACCOUNT_CURRENCY from the start, but publishes AccountUpdated only with a fill,
 * so the status showed `balance: null` (no money at all) until one.
 */
import { readFileSync, rmSync } from 'node:fs';
import { startQuickstart, type Quickstart } from './quickstart';
import { bundledDataHead, call, inProcessDefaults, tempStateDir } from './quickstart.test-support';

let stateDir: string;
let qs: Quickstart | undefined;

afterEach(async () => {
  await qs?.close();
  qs = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

test('given_the_in_process_quickstart_with_STARTING_CASH_25000_when_status_is_read_before_any_fill_then_the_balance_is_the_starting_cash_from_the_executor_start', async () => {
  stateDir = tempStateDir('balance');
  // No NATS or PostgreSQL at these addresses: the in-process bus and the embedded store. At 6× a
  // bar every 10 s: nothing can have filled when the status is read.
  qs = await startQuickstart({
    env: { HTTP_PORT: '0', LOG_LEVEL: 'warn', MARKET_DATA_SPEED: '6', STARTING_CASH: '25000' },
    ...(await inProcessDefaults()),
    stateDir,
    dataFile: bundledDataHead(stateDir, 30),
    print: () => undefined,
    summaryEveryMs: 60_000,
  });
  expect(qs.bus).toBe('in-process');
  const status = await call(qs.url, 'GET', '/v1/status', readFileSync(qs.keyFile, 'utf8').trim());
  expect(qs.summary().stats.fills).toBe(0);
  expect(status.body.balance).toMatchObject({ currency: 'USD', cash: '25000.00', equity: '25000.00', realizedPnl: '0.00', fees: '0.00', updatedTs: null, source: 'start' });
  expect(status.body.balance.executorStartedTs).toEqual(expect.any(Number));
}, 30_000);
