/**
 * GET /v1/status and /v1/trading-state show the mode the governor is in from its start: the
 * governor publishes no event about the mode its configuration starts it in, so the read models
 * held no mode until a command changed it. Likewise the balance the executor starts with: it
 * publishes AccountUpdated only with a fill, so the status showed `balance: null` until the first.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { bootstrapService, type RunningService } from '@tradeloop/nest-service';
import { getAccountStart, getGovernorStart, projectMessage, recordAccountStart, recordGovernorStart } from '@tradeloop/persistence';
import { openTestDatabase, sampleOf, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { ACCOUNT, call, serviceTestEnv, startTestGateway, type TestGateway } from './gateway.test-support';

const T0 = 1_709_649_000_000;
const STARTED = 1_780_000_000_000;

describe('trading state before any command, from the governor start record', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('given_a_governor_started_in_fully_manual_and_no_command_when_status_is_read_then_that_mode_its_threshold_and_ACTIVE_from_the_start', async () => {
    await recordGovernorStart(gw.db.ds, { account: ACCOUNT, mode: 'fully_manual', threshold: 85, state: 'ACTIVE', startedTs: STARTED });
    // Another account's governor is not this gateway's.
    await recordGovernorStart(gw.db.ds, { account: 'someone-else', mode: 'fully_automated', threshold: 10, state: 'HALTED', startedTs: STARTED });
    const status = await call(gw, 'GET', '/v1/status', { key: gw.keys.read });
    expect(status.body.trading).toEqual({
      account: ACCOUNT,
      state: 'ACTIVE',
      reason: null,
      stateBy: null,
      stateTs: null,
      stateSource: 'start',
      mode: 'fully_manual',
      threshold: 85,
      modeBy: null,
      modeTs: null,
      modeSource: 'start',
      governorStartedTs: STARTED,
    });
    expect((await call(gw, 'GET', '/v1/trading-state', { key: gw.keys.read })).body).toEqual(status.body.trading);
  });

  it('given_a_start_record_when_a_command_changed_one_half_then_that_half_is_the_commands_and_the_other_still_the_starts', async () => {
    await recordGovernorStart(gw.db.ds, { account: ACCOUNT, mode: 'fully_manual', threshold: 85, state: 'ACTIVE', startedTs: STARTED });
    await gw.db.ds.transaction((tx) => projectMessage(tx, sampleOf('ExecutionModeChanged', { id: 'mode-1', ts: T0, account: ACCOUNT })));
    const trading = (await call(gw, 'GET', '/v1/trading-state', { key: gw.keys.read })).body;
    expect(trading).toMatchObject({ mode: 'quality_based', threshold: 80, modeBy: 'alice', modeTs: T0, modeSource: 'command' });
    expect(trading).toMatchObject({ state: 'ACTIVE', stateBy: null, stateTs: null, stateSource: 'start', governorStartedTs: STARTED });
    // A start recorded late (an older start) does not undo the newer one.
    await recordGovernorStart(gw.db.ds, { account: ACCOUNT, mode: 'display_only', threshold: 70, state: 'ACTIVE', startedTs: STARTED - 1 });
    expect(await getGovernorStart(gw.db.ds, ACCOUNT)).toMatchObject({ mode: 'fully_manual', startedTs: STARTED });
  });
});

describe('balance before the first fill, from the executor start record', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('given_an_executor_start_record_and_no_AccountUpdated_when_status_is_read_then_the_start_balance_and_then_an_AccountUpdated_replaces_it', async () => {
    await recordAccountStart(gw.db.ds, { account: ACCOUNT, currency: 'EUR', cash: '25000.00', realizedPnl: '0.00', fees: '0.00', sequence: 0, startedTs: STARTED });
    await recordAccountStart(gw.db.ds, { account: 'someone-else', currency: 'USD', cash: '1.00', realizedPnl: '0.00', fees: '0.00', sequence: 0, startedTs: STARTED });
    const before = await call(gw, 'GET', '/v1/status', { key: gw.keys.read });
    expect(before.body.balance).toEqual({
      currency: 'EUR',
      cash: '25000.00',
      equity: '25000.00',
      realizedPnl: '0.00',
      fees: '0.00',
      updatedTs: null,
      source: 'start',
      executorStartedTs: STARTED,
    });

    await gw.db.ds.transaction((tx) =>
      projectMessage(tx, sampleOf('AccountUpdated', { id: 'acct-1', ts: T0, account: ACCOUNT }, { currency: 'EUR', cash: '24990.50', realizedPnl: '-7.00', fees: '2.50', sequence: 1 })),
    );
    expect((await call(gw, 'GET', '/v1/status', { key: gw.keys.read })).body.balance).toEqual({
      currency: 'EUR',
      cash: '24990.50',
      equity: '24990.50',
      realizedPnl: '-7.00',
      fees: '2.50',
      updatedTs: T0,
      source: 'account_updated',
      executorStartedTs: STARTED,
    });

    // A start after that fill records what the fill left (the same sequence): the update stays shown.
    await recordAccountStart(gw.db.ds, { account: ACCOUNT, currency: 'EUR', cash: '24990.50', realizedPnl: '-7.00', fees: '2.50', sequence: 1, startedTs: STARTED + 1 });
    expect((await call(gw, 'GET', '/v1/status', { key: gw.keys.read })).body.balance).toMatchObject({ source: 'account_updated', updatedTs: T0, executorStartedTs: STARTED + 1 });
    // A start with a later account than the read model holds (it missed updates) is the figure in force.
    await recordAccountStart(gw.db.ds, { account: ACCOUNT, currency: 'EUR', cash: '24980.00', realizedPnl: '-15.00', fees: '5.00', sequence: 2, startedTs: STARTED + 2 });
    expect((await call(gw, 'GET', '/v1/status', { key: gw.keys.read })).body.balance).toMatchObject({ cash: '24980.00', source: 'start', updatedTs: null });
  });
});

describe('GET /v1/status with the governor service running on NATS and PostgreSQL', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let topo: Topology;
  let gw: TestGateway | undefined;
  const services: RunningService[] = [];

  /** The governor service as its container starts it, on this test's namespace and schema. */
  function startGovernor(env: Record<string, string>): Promise<RunningService> {
    return startService('governor', env);
  }

  async function startService(name: 'governor' | 'executor', env: Record<string, string>): Promise<RunningService> {
    const svc = await bootstrapService({
      name,
      env: serviceTestEnv(topo.ns, db.schema, {
        ...env,
      }),
    });
    services.push(svc);
    return svc;
  }

  async function stop(svc: RunningService): Promise<void> {
    services.splice(services.indexOf(svc), 1);
    await svc.close();
  }

  beforeEach(async () => {
    db = await openTestDatabase({ poolSize: 4 });
    nc = await connectNats();
    jsm = await jetstreamManager(nc);
    topo = topology({ ns: uniqueNs('status') });
    const publisher = new JetStreamPublisher(jetstream(nc), topo);
    gw = await startTestGateway({ db, forward: async (command) => void (await publisher.publish(command)) });
  });

  afterEach(async () => {
    for (const svc of services.splice(0)) await svc.close();
    await gw?.close();
    await deleteTopology(jsm, topo);
    for (const s of await jsm.streams.names().next()) if (s.startsWith(`${topo.ns}_IN_`)) await jsm.streams.delete(s);
    await nc.close();
    await db.close();
  });

  const trading = async (): Promise<Record<string, unknown>> => (await call(gw!, 'GET', '/v1/status', { key: gw!.keys.read })).body.trading;

  it('given_a_governor_configured_fully_manual_with_threshold_85_when_no_command_was_sent_then_status_shows_it_and_a_command_then_replaces_it', async () => {
    const first = await startGovernor({ EXECUTION_MODE: 'fully_manual', QUALITY_THRESHOLD: '85' });
    expect(await trading()).toMatchObject({ mode: 'fully_manual', threshold: 85, modeSource: 'start', state: 'ACTIVE', stateSource: 'start' });

    const put = await call(gw!, 'PUT', '/v1/trading/mode', { key: gw!.keys.admin, body: { mode: 'quality_based', threshold: 75 } });
    expect(put.status).toBe(202);
    await waitFor('the mode change in the read model', async () => (await trading()).modeSource === 'command');
    expect(await trading()).toMatchObject({ mode: 'quality_based', threshold: 75, modeBy: 'alice', modeSource: 'command', state: 'ACTIVE', stateSource: 'start' });

    // Restarted with a configuration that would start it display_only: it rebuilds from its inbox,
    // so the command's mode stays in force, and that is what it records as its start.
    const before = (await getGovernorStart(db.ds, ACCOUNT))!.startedTs;
    await stop(first);
    await startGovernor({ EXECUTION_MODE: 'fully_manual', QUALITY_THRESHOLD: '85', AUTO_EXECUTE: 'false' });
    expect(await getGovernorStart(db.ds, ACCOUNT)).toMatchObject({ mode: 'quality_based', threshold: 75, state: 'ACTIVE' });
    expect((await getGovernorStart(db.ds, ACCOUNT))!.startedTs).toBeGreaterThanOrEqual(before);
    expect(await trading()).toMatchObject({ mode: 'quality_based', threshold: 75, modeSource: 'command' });
  });

  it('given_a_governor_without_AUTO_EXECUTE_when_no_command_was_sent_then_status_shows_display_only_whatever_EXECUTION_MODE_says', async () => {
    await startGovernor({ EXECUTION_MODE: 'fully_automated', AUTO_EXECUTE: 'false' });
    expect(await trading()).toMatchObject({ mode: 'display_only', threshold: 70, modeSource: 'start', modeBy: null, state: 'ACTIVE' });
  });

  it('given_an_executor_started_with_STARTING_CASH_25000_EUR_when_nothing_was_filled_then_status_shows_that_balance_from_its_start', async () => {
    // Before: no executor has started, nothing is known about the account.
    expect((await call(gw!, 'GET', '/v1/status', { key: gw!.keys.read })).body.balance).toBeNull();
    const executor = await startService('executor', { STARTING_CASH: '25000', ACCOUNT_CURRENCY: 'EUR' });
    const status = await call(gw!, 'GET', '/v1/status', { key: gw!.keys.read });
    expect(status.body.balance).toMatchObject({ currency: 'EUR', cash: '25000.00', equity: '25000.00', realizedPnl: '0.00', fees: '0.00', updatedTs: null, source: 'start' });
    expect(status.body.balance.executorStartedTs).toEqual(expect.any(Number));

    // Restarted under another configuration without a fill in its inbox: its state is a fresh
    // account again, so that is what it records.
    await stop(executor);
    await startService('executor', { STARTING_CASH: '30000', ACCOUNT_CURRENCY: 'EUR' });
    expect(await getAccountStart(db.ds, ACCOUNT)).toMatchObject({ currency: 'EUR', cash: '30000.00', sequence: 0 });
  });
});
