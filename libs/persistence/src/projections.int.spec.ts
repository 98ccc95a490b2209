import type { Message } from '@tradeloop/contracts';
import { handleOnce, type HandleOutcome } from './idempotent';
import { projectExecution, projectGovernor, projectMessage, type ProjectionOutcome } from './projections';
import { listDisplayedOrders, listPositions } from './queries';
import {
  AccountEntity,
  ApprovalEntity,
  CommandResultEntity,
  DenialEntity,
  DisplayedOrderEntity,
  FillEntity,
  OrderEntity,
  PositionEntity,
  RiskApprovalEntity,
  TradeExperienceEntity,
  TradingStateEntity,
} from './entities';
import { countRows, openTestDatabase, sampleOf, type TestDatabase } from './persistence.test-support';

const T0 = 1_709_649_000_000;
const MIN = 60_000;
const ENTRY = 'ord-9e4c7b13';

/** One EURUSD trade through the pipeline: the contract samples plus its bracket legs. */
function tradeSequence(): Message[] {
  const leg = (id: string, role: 'stop_loss' | 'take_profit', type: 'stop' | 'limit', price: string) =>
    sampleOf(
      'OrderSubmitted',
      { id, ts: T0 + 3 * MIN },
      {
        orderId: id,
        clientOrderId: `TL-${id}`,
        side: 'sell',
        type,
        limitPrice: type === 'limit' ? price : undefined,
        stopPrice: type === 'stop' ? price : undefined,
        role,
        parentOrderId: ENTRY,
        ocoGroup: 'oco-1',
      },
    );
  return [
    sampleOf('ExecutionModeChanged'),
    sampleOf('ApprovalRequested'),
    sampleOf('ApprovalGranted'),
    sampleOf('OrderSubmitted'),
    sampleOf('OrderAccepted'),
    sampleOf('OrderFilled'),
    sampleOf('PositionOpened'),
    sampleOf('AccountUpdated', { id: 'acct-0', ts: T0 + 3 * MIN }, { cash: '100000.00', realizedPnl: '0.00', fees: '0.00', sequence: 1 }),
    leg('ord-sl', 'stop_loss', 'stop', '1.08310'),
    leg('ord-tp', 'take_profit', 'limit', '1.08736'),
    sampleOf('OrderAccepted', { id: 'acc-sl', ts: T0 + 3 * MIN }, { orderId: 'ord-sl', clientOrderId: 'TL-ord-sl', brokerOrderId: 'paper-18' }),
    sampleOf('OrderAccepted', { id: 'acc-tp', ts: T0 + 3 * MIN }, { orderId: 'ord-tp', clientOrderId: 'TL-ord-tp', brokerOrderId: 'paper-19' }),
    sampleOf(
      'OrderFilled',
      { id: 'fill-tp', ts: T0 + 45 * MIN },
      { orderId: 'ord-tp', clientOrderId: 'TL-ord-tp', fillId: 'fill-tp', side: 'sell', price: '1.08736', referencePrice: '1.08736', role: 'take_profit' },
    ),
    sampleOf('OrderCancelled', { id: 'ocan-1', ts: T0 + 45 * MIN }, { orderId: 'ord-sl', clientOrderId: 'TL-ord-sl' }),
    sampleOf('PositionClosed'),
    sampleOf('AccountUpdated'),
    sampleOf('ExperienceRecorded'),
    sampleOf('TradingStateChanged'),
    sampleOf('CommandRejected'),
  ];
}

describe('projections', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db.close();
  });

  const deliver = (m: Message): Promise<HandleOutcome> =>
    handleOnce(db.ds, 'read-models', m, async (manager) => {
      await projectMessage(manager, m);
    });

  const project = (m: Message): Promise<ProjectionOutcome> => db.ds.transaction((manager) => projectMessage(manager, m));

  const order = (orderId: string) => db.ds.getRepository(OrderEntity).findOneByOrFail({ orderId });

  describe('one trade end to end', () => {
    beforeAll(async () => {
      for (const m of tradeSequence()) expect(await deliver(m)).toBe('applied');
    });

    it('orders_when_trade_completes_then_entry_and_tp_filled_and_sl_cancelled', async () => {
      expect(await order(ENTRY)).toEqual({
        orderId: ENTRY,
        clientOrderId: 'TLE9e4c7b13a0f24d5c8b61e2f7a9d0',
        approvedOrderId: 'ord-appr-5a61f0b2',
        riskApprovalId: 'rsk-7c20e95b',
        account: 'paper',
        venue: 'oanda',
        symbol: 'EURUSD',
        side: 'buy',
        type: 'limit',
        quantity: '10000',
        limitPrice: '1.08452',
        stopPrice: null,
        tif: 'GTC',
        role: 'entry',
        parentOrderId: null,
        ocoGroup: null,
        origin: 'strategy',
        strategy: 'structure_break',
        status: 'filled',
        statusReason: null,
        statusCauseId: null,
        brokerOrderId: 'paper-000017',
        filledQuantity: '10000',
        createdTs: T0 + 2 * MIN,
        updatedTs: T0 + 3 * MIN,
        correlationId: 'sig-0b6f7d1e',
      });
      expect(await order('ord-tp')).toMatchObject({ status: 'filled', filledQuantity: '10000', brokerOrderId: 'paper-19', ocoGroup: 'oco-1', parentOrderId: ENTRY });
      expect(await order('ord-sl')).toMatchObject({
        status: 'cancelled',
        statusReason: 'OCO sibling filled',
        statusCauseId: sampleOf('OrderCancelled').causationId,
        filledQuantity: '0',
        stopPrice: '1.08310',
        updatedTs: T0 + 45 * MIN,
      });
    });

    it('fills_when_trade_completes_then_one_row_per_fill_with_exact_amounts', async () => {
      const fills = await db.ds.getRepository(FillEntity).find({ order: { ts: 'ASC' } });
      expect(fills.map((f) => [f.fillId, f.orderId, f.side, f.quantity, f.price, f.fee, f.role, f.ts])).toEqual([
        ['fill-1', ENTRY, 'buy', '10000', '1.08452', '0.00', 'entry', T0 + 3 * MIN],
        ['fill-tp', 'ord-tp', 'sell', '10000', '1.08736', '0.00', 'take_profit', T0 + 45 * MIN],
      ]);
      expect(fills[0]).toMatchObject({ spread: '0.00013', slippage: '0', liquidity: 'maker', feeCurrency: 'USD' });
      // Fees in the account's own money: nothing was converted.
      expect(fills[0]).toMatchObject({ accountCurrency: null, conversionRate: null, accountRealizedPnl: null, accountFee: null });
    });

    it('position_when_trade_closes_then_row_is_closed_with_net_pnl', async () => {
      expect(await db.ds.getRepository(PositionEntity).find()).toEqual([
        {
          account: 'paper',
          symbol: 'EURUSD',
          positionId: 'pos-2f81c6aa',
          venue: 'oanda',
          direction: 'long',
          quantity: '0',
          averagePrice: '1.08452',
          realizedPnl: '28.40',
          currency: 'USD',
          status: 'closed',
          entryOrderId: ENTRY,
          exitReason: 'take_profit',
          openedAt: T0 + 3 * MIN,
          closedAt: T0 + 45 * MIN,
          updatedTs: T0 + 45 * MIN,
        },
      ]);
    });

    it('account_when_trade_closes_then_holds_the_latest_snapshot', async () => {
      expect(await db.ds.getRepository(AccountEntity).find()).toEqual([
        { account: 'paper', currency: 'USD', cash: '100028.40', realizedPnl: '28.40', fees: '0.00', updatedTs: T0 + 45 * MIN, sequence: 2 },
      ]);
    });

    it('approval_when_granted_then_records_who_and_when_and_the_order', async () => {
      const approval = await db.ds.getRepository(ApprovalEntity).findOneByOrFail({ approvalId: 'apr-d3e8a14c' });
      expect(approval).toMatchObject({
        riskApprovalId: 'rsk-7c20e95b',
        account: 'paper',
        symbol: 'EURUSD',
        status: 'granted',
        quality: 78.5,
        threshold: 80,
        mode: 'quality_based',
        expiresAt: T0 + 15 * MIN,
        requestedTs: T0,
        decidedTs: T0 + 2 * MIN,
        decidedBy: 'alice',
        reason: null,
      });
      expect(approval.order).toEqual(sampleOf('ApprovalRequested').data.order);
    });

    it('trading_state_when_mode_then_halt_then_row_holds_both_halves', async () => {
      expect(await db.ds.getRepository(TradingStateEntity).find()).toEqual([
        {
          account: 'paper',
          state: 'HALTED',
          reason: 'kill switch from the dashboard',
          stateBy: 'alice',
          stateTs: T0 + 60 * MIN,
          mode: 'quality_based',
          threshold: 80,
          modeBy: 'alice',
          modeTs: T0 - 60 * MIN,
          // The commands that made each half, so GET /v1/commands/<id> can tell a halt applied.
          stateCauseId: 'cmd-halt-1',
          modeCauseId: 'cmd-mode-1',
          updatedTs: T0 + 60 * MIN,
        },
      ]);
    });

    it('command_results_when_governor_answered_then_one_row_per_command_applied_or_not', async () => {
      expect(await db.ds.getRepository(CommandResultEntity).find({ order: { commandId: 'ASC' } })).toEqual([
        { commandId: 'cmd-halt-1', account: 'paper', commandType: 'HaltTrading', outcome: 'applied', reason: null, detail: 'trading HALTED', eventId: 'state-1', ts: T0 + 60 * MIN },
        { commandId: 'cmd-mode-1', account: 'paper', commandType: 'SetExecutionMode', outcome: 'applied', reason: null, detail: 'execution mode quality_based', eventId: 'mode-1', ts: T0 - 60 * MIN },
        {
          commandId: 'cmd-reject-2',
          account: 'paper',
          commandType: 'RejectOrder',
          outcome: 'ignored',
          reason: 'APPROVAL_ALREADY_GRANTED',
          detail: 'approval already granted by alice',
          eventId: 'crej-1',
          ts: T0 + 2 * MIN,
        },
      ]);
    });

    it('command_results_when_a_resume_replaces_the_halt_then_the_halt_still_reads_applied', async () => {
      const resumed = sampleOf('TradingStateChanged', { id: 'state-2', ts: T0 + 61 * MIN, causationId: 'cmd-resume-1' }, { state: 'ACTIVE', previous: 'HALTED', cancelWorkingOrders: false });
      expect(await project(resumed)).toBe('applied');
      const notAnApprover = sampleOf(
        'CommandRejected',
        { id: 'crej-2', ts: T0 + 62 * MIN, causationId: 'cmd-approve-9' },
        { commandId: 'cmd-approve-9', commandType: 'ApproveOrder', by: 'mallory', reason: 'NOT_AN_APPROVER', detail: 'mallory is not an approver' },
      );
      expect(await project(notAnApprover)).toBe('applied');
      expect(await project(notAnApprover)).toBe('unchanged');
      const rows = await db.ds.getRepository(CommandResultEntity).find({ order: { commandId: 'ASC' } });
      expect(rows.map((r) => [r.commandId, r.outcome, r.detail])).toEqual([
        ['cmd-approve-9', 'refused', 'mallory is not an approver'],
        ['cmd-halt-1', 'applied', 'trading HALTED'],
        ['cmd-mode-1', 'applied', 'execution mode quality_based'],
        ['cmd-reject-2', 'ignored', 'approval already granted by alice'],
        ['cmd-resume-1', 'applied', 'trading ACTIVE'],
      ]);
    });

    it('experience_when_recorded_then_store_has_one_row_for_the_position', async () => {
      const rows = await db.ds.getRepository(TradeExperienceEntity).find();
      expect(rows.map((r) => [r.experienceId, r.positionId, r.pnl, r.win, r.rMultiple])).toEqual([['exp-1', 'pos-2f81c6aa', '28.40', true, 2]]);
    });

    it('sequence_when_redelivered_then_every_message_is_a_duplicate', async () => {
      for (const m of tradeSequence()) expect(await deliver(m)).toBe('duplicate');
    });

    it('projections_when_rerun_without_the_processed_record_then_read_models_do_not_change', async () => {
      // The projections are idempotent on their own too (a second consumer name, a rebuilt
      // processed table): every write is keyed and guarded.
      const snapshot = async () => ({
        orders: await db.ds.getRepository(OrderEntity).find({ order: { orderId: 'ASC' } }),
        fills: await db.ds.getRepository(FillEntity).find({ order: { fillId: 'ASC' } }),
        positions: await db.ds.getRepository(PositionEntity).find(),
        accounts: await db.ds.getRepository(AccountEntity).find(),
        approvals: await db.ds.getRepository(ApprovalEntity).find({ order: { approvalId: 'ASC' } }),
        state: await db.ds.getRepository(TradingStateEntity).find(),
        commandResults: await db.ds.getRepository(CommandResultEntity).find({ order: { commandId: 'ASC' } }),
        experiences: await countRows(db.ds, db.schema, 'trade_experiences'),
      });
      const before = await snapshot();
      const outcomes: ProjectionOutcome[] = [];
      for (const m of tradeSequence()) outcomes.push(await project(m));
      expect(await snapshot()).toEqual(before);
      expect(tradeSequence().map((m, i) => [m.type, outcomes[i]]).filter(([, o]) => o === 'applied')).toEqual([]);
    });
  });

  describe('an instrument quoted in another currency than the account (USDJPY in a USD account)', () => {
    const jpy = (id: string, ts: number, fill: Partial<Message<'OrderFilled'>['data']>) =>
      sampleOf('OrderFilled', { id, ts }, { venue: 'oanda', symbol: 'USDJPY', feeCurrency: 'JPY', accountCurrency: 'USD', ...fill });

    beforeAll(async () => {
      const entry = jpy('jpy-fill-1', T0 + 100 * MIN, {
        orderId: 'jpy-ord-1', clientOrderId: 'TL-jpy-1', fillId: 'jpy-fill-1', quantity: '10000', price: '151.000', referencePrice: '151.000',
        fee: '151', conversionRate: '0.006622516556', accountRealizedPnl: '0.00', accountFee: '1.00',
      });
      const open = sampleOf(
        'PositionOpened',
        { id: 'jpy-open-1', ts: T0 + 100 * MIN },
        { positionId: 'jpy-pos-1', venue: 'oanda', symbol: 'USDJPY', quantity: '10000', averagePrice: '151.000', openedAt: T0 + 100 * MIN, entryOrderId: 'jpy-ord-1', currency: 'JPY' },
      );
      const exit = jpy('jpy-fill-2', T0 + 130 * MIN, {
        orderId: 'jpy-ord-2', clientOrderId: 'TL-jpy-2', fillId: 'jpy-fill-2', side: 'sell', quantity: '10000', price: '152.000', referencePrice: '152.000',
        fee: '152', role: 'take_profit', conversionRate: '0.006578947368', accountRealizedPnl: '65.79', accountFee: '1.00',
      });
      for (const m of [entry, open, exit]) expect(await deliver(m)).toBe('applied');
    });

    it('position_when_opened_then_its_prices_say_their_currency_and_keep_it_when_closed', async () => {
      const positions = db.ds.getRepository(PositionEntity);
      expect(await positions.findOneByOrFail({ symbol: 'USDJPY' })).toMatchObject({ status: 'open', averagePrice: '151.000', currency: 'JPY' });
      const closed = sampleOf('PositionClosed', { id: 'jpy-close-1', ts: T0 + 130 * MIN }, {
        positionId: 'jpy-pos-1', venue: 'oanda', symbol: 'USDJPY', quantity: '10000', entryPrice: '151.000', exitPrice: '152.000',
        grossPnl: '10000', fees: '303', realizedPnl: '9697', currency: 'JPY', openedAt: T0 + 100 * MIN, closedAt: T0 + 130 * MIN,
        holdingMs: 30 * MIN, entryOrderId: 'jpy-ord-1',
      });
      expect(await deliver(closed)).toBe('applied');
      expect(await positions.findOneByOrFail({ symbol: 'USDJPY' })).toMatchObject({ status: 'closed', realizedPnl: '9697', currency: 'JPY' });
    });

    it('fill_when_converted_then_the_row_keeps_what_it_did_to_the_account', async () => {
      const fills = db.ds.getRepository(FillEntity);
      expect(await fills.findOneByOrFail({ fillId: 'jpy-fill-1' })).toMatchObject({
        fee: '151', feeCurrency: 'JPY', accountCurrency: 'USD', conversionRate: '0.006622516556', accountRealizedPnl: '0.00', accountFee: '1.00',
      });
      expect(await fills.findOneByOrFail({ fillId: 'jpy-fill-2' })).toMatchObject({ conversionRate: '0.006578947368', accountRealizedPnl: '65.79' });
    });
  });

  describe('order status only moves forward (invariant 5)', () => {
    const submit = (id: string) => sampleOf('OrderSubmitted', { id, ts: T0 }, { orderId: id, clientOrderId: `TL-${id}` });
    const fill = (orderId: string, fillId: string, qty: string, leaves: string, ts: number) =>
      sampleOf('OrderFilled', { id: `env-${fillId}-${ts}`, ts }, { orderId, clientOrderId: `TL-${orderId}`, fillId, quantity: qty, leavesQuantity: leaves });

    it('late_events_when_order_is_filled_then_status_stays_filled', async () => {
      await project(submit('o-late'));
      await project(fill('o-late', 'f-late', '10000', '0', T0 + MIN));
      const late = [
        sampleOf('OrderAccepted', { id: 'late-acc', ts: T0 }, { orderId: 'o-late', brokerOrderId: 'b-1' }),
        sampleOf('OrderCancelled', { id: 'late-can', ts: T0 + 2 * MIN }, { orderId: 'o-late' }),
        sampleOf('OrderExpired', { id: 'late-exp', ts: T0 + 3 * MIN }, { orderId: 'o-late' }),
        sampleOf('OrderRejected', { id: 'late-rej', ts: T0 + 4 * MIN }, { orderId: 'o-late' }),
      ];
      const outcomes: ProjectionOutcome[] = [];
      for (const m of late) outcomes.push(await project(m));
      // Accepted still records the broker's order id; no status changes.
      expect(outcomes).toEqual(['applied', 'unchanged', 'unchanged', 'unchanged']);
      expect(await order('o-late')).toMatchObject({ status: 'filled', brokerOrderId: 'b-1', statusReason: null, updatedTs: T0 + MIN });
    });

    it('cancel_when_order_already_rejected_then_terminal_state_is_not_replaced', async () => {
      await project(submit('o-rej'));
      expect(await project(sampleOf('OrderRejected', { id: 'rej-1', ts: T0 + MIN }, { orderId: 'o-rej', reason: 'insufficient margin' }))).toBe('applied');
      expect(await project(sampleOf('OrderCancelled', { id: 'can-1', ts: T0 + 2 * MIN }, { orderId: 'o-rej', reason: 'kill switch' }))).toBe('unchanged');
      expect(await order('o-rej')).toMatchObject({ status: 'rejected', statusReason: 'insufficient margin' });
    });

    it('fill_when_it_arrives_after_a_cancel_then_it_counts_but_the_order_stays_cancelled', async () => {
      await project(submit('o-race'));
      await project(sampleOf('OrderCancelled', { id: 'can-race', ts: T0 + MIN }, { orderId: 'o-race', reason: 'user' }));
      expect(await project(fill('o-race', 'f-race', '2500', '7500', T0 + MIN))).toBe('applied');
      expect(await order('o-race')).toMatchObject({ status: 'cancelled', filledQuantity: '2500' });
    });

    it('partial_fills_when_applied_then_quantity_is_the_sum_and_a_repeated_fill_counts_once', async () => {
      await project(submit('o-part'));
      await project(fill('o-part', 'f-a', '4000', '6000', T0 + MIN));
      expect(await order('o-part')).toMatchObject({ status: 'partially_filled', filledQuantity: '4000' });
      // The same fill reported again under a new envelope (a broker resend): counted once.
      expect(await project(fill('o-part', 'f-a', '4000', '6000', T0 + 2 * MIN))).toBe('unchanged');
      await project(fill('o-part', 'f-b', '6000', '0', T0 + 3 * MIN));
      expect(await order('o-part')).toMatchObject({ status: 'filled', filledQuantity: '10000', updatedTs: T0 + 3 * MIN });
      // A late accept after fills moved the order on: broker id recorded, status kept.
      expect(await project(sampleOf('OrderAccepted', { id: 'acc-part', ts: T0 }, { orderId: 'o-part', brokerOrderId: 'b-part' }))).toBe('applied');
      expect(await order('o-part')).toMatchObject({ status: 'filled', brokerOrderId: 'b-part' });
    });

    it('fill_when_projected_outside_a_transaction_then_fill_and_order_are_written_together', async () => {
      await projectExecution(db.ds.manager, submit('o-notx'));
      expect(await projectExecution(db.ds.manager, fill('o-notx', 'f-notx', '10000', '0', T0 + MIN))).toBe('applied');
      expect(await order('o-notx')).toMatchObject({ status: 'filled', filledQuantity: '10000' });
    });

    it('submit_when_client_order_id_belongs_to_another_order_then_fails_loudly', async () => {
      await project(submit('o-first'));
      const clash = sampleOf('OrderSubmitted', { id: 'o-second', ts: T0 }, { orderId: 'o-second', clientOrderId: 'TL-o-first' });
      await expect(project(clash)).rejects.toThrow(/orders_client_order_id_key/);
    });
  });

  describe("risk's denials", () => {
    it('order_denied_when_projected_then_one_row_with_reason_and_chain_and_a_repeat_changes_nothing', async () => {
      const manual = sampleOf('OrderDenied', { id: 'deny-manual', ts: T0 + 200 * MIN, correlationId: 'cmd-77' }, {
        requestId: 'cmd-77',
        symbol: 'EURUSD',
        reason: 'PRICE_COLLAR',
        detail: 'limit 1.2 is 9.21% from the reference 1.3216 (collar 2%)',
        origin: 'manual',
      });
      expect(await deliver(manual)).toBe('applied');
      expect(await project(manual)).toBe('unchanged');
      expect(await db.ds.getRepository(DenialEntity).findOneByOrFail({ denialId: 'deny-manual' })).toEqual({
        denialId: 'deny-manual',
        account: 'paper',
        requestId: 'cmd-77',
        symbol: 'EURUSD',
        reason: 'PRICE_COLLAR',
        detail: 'limit 1.2 is 9.21% from the reference 1.3216 (collar 2%)',
        origin: 'manual',
        ts: T0 + 200 * MIN,
        correlationId: 'cmd-77',
      });
      expect(await db.ds.getRepository(DenialEntity).countBy({ denialId: 'deny-manual' })).toBe(1);
    });
  });

  describe("orders the governor did not place, and risk's approvals", () => {
    it('order_displayed_and_its_risk_approval_when_projected_then_one_row_each_and_a_repeat_changes_nothing', async () => {
      const approved = sampleOf('RiskApproved', { id: 'rsk-shown', ts: T0 + 300 * MIN, correlationId: 'sig-shown' }, { requestId: 'dec-shown' });
      const shown = sampleOf('OrderDisplayed', { id: 'disp-shown', ts: T0 + 300 * MIN, correlationId: 'sig-shown' }, {
        riskApprovalId: 'rsk-shown',
        order: approved.data.order,
        reason: 'REDUCE_ONLY',
      });
      for (const m of [approved, shown]) {
        expect(await deliver(m)).toBe('applied');
        expect(await project(m)).toBe('unchanged');
      }
      expect(await db.ds.getRepository(DisplayedOrderEntity).findOneByOrFail({ displayId: 'disp-shown' })).toEqual({
        displayId: 'disp-shown',
        account: 'paper',
        riskApprovalId: 'rsk-shown',
        reason: 'REDUCE_ONLY',
        venue: 'oanda',
        symbol: 'EURUSD',
        side: 'buy',
        type: 'limit',
        quantity: '10000',
        limitPrice: '1.08452',
        stopPrice: null,
        tif: 'GTC',
        stopLoss: '1.08310',
        takeProfit: '1.08736',
        origin: 'strategy',
        strategy: 'structure_break',
        ts: T0 + 300 * MIN,
        correlationId: 'sig-shown',
      });
      expect(await db.ds.getRepository(RiskApprovalEntity).findOneByOrFail({ riskApprovalId: 'rsk-shown' })).toEqual({
        riskApprovalId: 'rsk-shown',
        account: 'paper',
        requestId: 'dec-shown',
        symbol: 'EURUSD',
        riskLevel: 'MEDIUM',
        riskAmount: '14.20',
        notional: '10845.20',
        referencePrice: '1.08452',
        quality: 78.5,
        tradingState: 'ACTIVE',
        ts: T0 + 300 * MIN,
        correlationId: 'sig-shown',
      });
      const page = await listDisplayedOrders(db.ds, 'paper', { correlationId: 'sig-shown' });
      expect(page.items.map((d) => [d.displayId, d.risk?.riskLevel])).toEqual([['disp-shown', 'MEDIUM']]);
    });
  });

  describe('late and stale messages', () => {
    it('account_when_a_later_snapshot_carries_an_earlier_time_then_its_sequence_wins', async () => {
      // Two markets in flight: the executor handled EURUSD's batch up to 10:20, then XAUUSD's
      // from 10:05 — its fill's snapshot is the newer one though its time is earlier.
      const acct = 'acct-seq';
      const snap = (id: string, ts: number, cash: string, sequence: number) => sampleOf('AccountUpdated', { id, account: acct, ts }, { cash, sequence });
      expect(await project(snap('s1', T0 + 20 * MIN, '100010.00', 1))).toBe('applied');
      expect(await project(snap('s2', T0 + 5 * MIN, '100012.50', 2))).toBe('applied');
      expect(await db.ds.getRepository(AccountEntity).findOneByOrFail({ account: acct })).toMatchObject({ cash: '100012.50', sequence: 2, updatedTs: T0 + 5 * MIN });
      // An older snapshot delivered late, and a repeat of the current one, change nothing.
      expect(await project(snap('s1', T0 + 20 * MIN, '100010.00', 1))).toBe('unchanged');
      expect(await project(snap('s2', T0 + 5 * MIN, '100012.50', 2))).toBe('unchanged');
      expect(await db.ds.getRepository(AccountEntity).findOneByOrFail({ account: acct })).toMatchObject({ cash: '100012.50', sequence: 2 });
    });

    it('account_when_snapshots_carry_no_sequence_then_event_time_orders_them', async () => {
      // Written by a producer from before the sequence: the latest time wins, the later delivery at equal times.
      const acct = 'acct-stale';
      const snap = (id: string, ts: number, cash: string) => {
        const m = sampleOf('AccountUpdated', { id, account: acct, ts }, { cash });
        const { sequence: _omitted, ...data } = m.data as { sequence?: number };
        return { ...m, data } as typeof m;
      };
      expect(await project(snap('a2', T0 + 2 * MIN, '100010.00'))).toBe('applied');
      expect(await project(snap('a1', T0 + MIN, '100005.00'))).toBe('unchanged');
      expect(await db.ds.getRepository(AccountEntity).findOneByOrFail({ account: acct })).toMatchObject({ cash: '100010.00', updatedTs: T0 + 2 * MIN, sequence: null });
      expect(await project(snap('a3', T0 + 2 * MIN, '100012.50'))).toBe('applied');
      expect(await db.ds.getRepository(AccountEntity).findOneByOrFail({ account: acct })).toMatchObject({ cash: '100012.50' });
    });

    it('trading_state_when_an_older_state_arrives_late_then_halt_stays_and_mode_is_independent', async () => {
      const acct = 'acct-state';
      const state = (id: string, ts: number, s: 'ACTIVE' | 'HALTED') =>
        sampleOf('TradingStateChanged', { id, account: acct, ts }, { state: s, reason: id });
      expect(await project(state('halt', T0 + 60 * MIN, 'HALTED'))).toBe('applied');
      expect(await project(state('old-resume', T0 + 30 * MIN, 'ACTIVE'))).toBe('unchanged');
      expect(await project(sampleOf('ExecutionModeChanged', { id: 'mode', account: acct, ts: T0 }, { mode: 'fully_manual', threshold: 90 }))).toBe('applied');
      expect(await db.ds.getRepository(TradingStateEntity).findOneByOrFail({ account: acct })).toMatchObject({
        state: 'HALTED',
        reason: 'halt',
        mode: 'fully_manual',
        threshold: 90,
        modeTs: T0,
        updatedTs: T0 + 60 * MIN,
      });
    });

    it('approval_when_decided_twice_then_first_decision_stands', async () => {
      const request = sampleOf('ApprovalRequested', { id: 'apr-twice', ts: T0 });
      await project(request);
      expect(await project(sampleOf('ApprovalExpired', { id: 'exp-twice', ts: T0 + 15 * MIN }, { approvalId: 'apr-twice' }))).toBe('applied');
      expect(await project(sampleOf('ApprovalGranted', { id: 'grant-late', ts: T0 + 16 * MIN }, { approvalId: 'apr-twice', by: 'bob' }))).toBe('unchanged');
      expect(await db.ds.getRepository(ApprovalEntity).findOneByOrFail({ approvalId: 'apr-twice' })).toMatchObject({
        status: 'expired',
        decidedBy: null,
        decidedTs: T0 + 15 * MIN,
        // What the expiry came on; the late grant's command is not it (the governor ignored it).
        decidedCauseId: sampleOf('ApprovalExpired').causationId,
      });
    });

    it('approval_when_rejected_then_reason_and_person_recorded', async () => {
      await project(sampleOf('ApprovalRequested', { id: 'apr-other', ts: T0, correlationId: 'sig-other' }));
      expect(await project(sampleOf('ApprovalRejected'))).toBe('applied');
      expect(await db.ds.getRepository(ApprovalEntity).findOneByOrFail({ approvalId: 'apr-other' })).toMatchObject({
        status: 'rejected',
        decidedBy: 'bob',
        reason: 'news in 5 minutes',
        correlationId: 'sig-other',
      });
    });

    it('positions_when_reversed_and_the_old_close_arrives_late_then_the_new_position_stays', async () => {
      const acct = 'acct-rev';
      const opened = (pid: string, dir: 'long' | 'short', ts: number) =>
        sampleOf('PositionOpened', { id: `open-${pid}`, account: acct, ts }, { positionId: pid, direction: dir, openedAt: ts });
      const closed = (id: string, pid: string, openedAt: number, ts: number) =>
        sampleOf('PositionClosed', { id, account: acct, ts }, { positionId: pid, openedAt, closedAt: ts, realizedPnl: '-5.00' });

      await project(opened('pos-a', 'long', T0));
      expect(
        await project(sampleOf('PositionChanged', { id: 'chg-a', account: acct, ts: T0 + MIN }, { positionId: 'pos-a', quantity: '5000' })),
      ).toBe('applied');
      await project(closed('close-a', 'pos-a', T0, T0 + 10 * MIN));
      expect(await project(opened('pos-b', 'short', T0 + 10 * MIN))).toBe('applied');

      // The close of pos-a again (resent under a new envelope), and a stale change of pos-a.
      expect(await project(closed('close-a-again', 'pos-a', T0, T0 + 10 * MIN))).toBe('unchanged');
      expect(
        await project(sampleOf('PositionChanged', { id: 'chg-a-late', account: acct, ts: T0 + 2 * MIN }, { positionId: 'pos-a' })),
      ).toBe('unchanged');
      expect(await project(opened('pos-a', 'long', T0))).toBe('unchanged');

      expect(await db.ds.getRepository(PositionEntity).findOneByOrFail({ account: acct, symbol: 'EURUSD' })).toMatchObject({
        positionId: 'pos-b',
        direction: 'short',
        status: 'open',
        quantity: '10000',
        realizedPnl: '0',
        closedAt: null,
        exitReason: null,
      });
    });

    it('positions_on_one_symbol_at_two_venues_then_two_rows_each_closed_on_its_own', async () => {
      const acct = 'acct-venues';
      const opened = (pid: string, venue: string, dir: 'long' | 'short') =>
        sampleOf('PositionOpened', { id: `open-${pid}`, account: acct, ts: T0 }, { positionId: pid, venue, direction: dir, openedAt: T0 });
      expect(await project(opened('pos-oanda', 'OANDA', 'long'))).toBe('applied');
      expect(await project(opened('pos-fxcm', 'FXCM', 'short'))).toBe('applied');
      const close = sampleOf('PositionClosed', { id: 'close-fxcm', account: acct, ts: T0 + MIN }, { positionId: 'pos-fxcm', venue: 'FXCM', direction: 'short', openedAt: T0, closedAt: T0 + MIN });
      expect(await project(close)).toBe('applied');
      const rows = await db.ds.getRepository(PositionEntity).find({ where: { account: acct }, order: { venue: 'ASC' } });
      expect(rows.map((r) => [r.venue, r.symbol, r.positionId, r.direction, r.status])).toEqual([
        ['FXCM', 'EURUSD', 'pos-fxcm', 'short', 'closed'],
        ['OANDA', 'EURUSD', 'pos-oanda', 'long', 'open'],
      ]);
      // Listed per market: the open one, then the closed one, paged across both.
      const first = await listPositions(db.ds, acct, { status: 'all', limit: 1 });
      expect(first.items.map((p) => [p.venue, p.status])).toEqual([['OANDA', 'open']]);
      const second = await listPositions(db.ds, acct, { status: 'all', limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((p) => [p.venue, p.status])).toEqual([['FXCM', 'closed']]);
      expect(second.nextCursor).toBeNull();
    });

    it('position_close_when_the_open_was_never_projected_then_the_closed_row_is_written', async () => {
      const acct = 'acct-close-only';
      expect(await project(sampleOf('PositionClosed', { id: 'close-only', account: acct }))).toBe('applied');
      expect(await db.ds.getRepository(PositionEntity).findOneByOrFail({ account: acct, symbol: 'EURUSD' })).toMatchObject({
        status: 'closed',
        quantity: '0',
        realizedPnl: '28.40',
        exitReason: 'take_profit',
      });
    });
  });

  it('projections_when_message_is_not_theirs_then_not_projected_and_nothing_written', async () => {
    const before = await countRows(db.ds, db.schema, 'orders');
    await db.ds.transaction(async (manager) => {
      expect(await projectExecution(manager, sampleOf('BarClosed'))).toBe('not_projected');
      expect(await projectExecution(manager, sampleOf('ApprovalGranted'))).toBe('not_projected');
      expect(await projectGovernor(manager, sampleOf('OrderFilled'))).toBe('not_projected');
      expect(await projectMessage(manager, sampleOf('OrderApproved'))).toBe('not_projected');
    });
    expect(await countRows(db.ds, db.schema, 'orders')).toBe(before);
  });
});
