import { deriveId, DeciderHost } from '@tradeloop/kernel';
import type { ExecutionMode, OrderSpec, TradingState } from '@tradeloop/contracts';
import { given, msg, runAll } from '@tradeloop/testing';
import { createGovernor, defaultGovernorConfig, GOVERNOR_ACTOR, type GovernorConfig } from './index';

const T0 = Date.UTC(2024, 0, 2, 10, 0);
const TTL = defaultGovernorConfig.approvalTtlMs;

const ORDER: OrderSpec = {
  venue: 'paper',
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'market',
  quantity: '0.2',
  timeInForce: 'GTC',
  stopLoss: '45000',
  takeProfit: '60000',
  origin: 'strategy',
  strategy: 'trend_momentum',
};

function approved(quality: number, ts = T0, id?: string, tradingState: TradingState | undefined = 'ACTIVE') {
  return msg(
    'RiskApproved',
    {
      requestId: 'req',
      order: ORDER,
      riskLevel: 'MEDIUM',
      riskAmount: '1000.00',
      notional: '10000.00',
      referencePrice: '50000',
      quality,
      ...(tradingState === undefined ? {} : { tradingState }),
    },
    { ts, ...(id === undefined ? {} : { id }) },
  );
}
const approve = (approvalId: string, ts: number, by = 'alice') => msg('ApproveOrder', { approvalId, by }, { ts });
const reject = (approvalId: string, ts: number, by = 'alice') => msg('RejectOrder', { approvalId, by, reason: 'not now' }, { ts });
const halt = (ts: number, cancelWorkingOrders = true) => msg('HaltTrading', { by: 'ops', reason: 'kill switch', cancelWorkingOrders }, { ts });
const resume = (state: 'ACTIVE' | 'REDUCING', ts: number) => msg('ResumeTrading', { by: 'ops', reason: 'ok', state }, { ts });
const setMode = (mode: ExecutionMode, ts: number, threshold?: number) =>
  msg('SetExecutionMode', { mode, by: 'ops', ...(threshold === undefined ? {} : { threshold }) }, { ts });
const timer = (at: number) => msg('TimerFired', { at }, { ts: at });
/** The approval id of the ApprovalRequested answering RiskApproved `id` (its first output). */
const approvalFor = (riskApprovedId: string, index = 0) => deriveId(riskApprovedId, 'governor', index);

const live = (mode: ExecutionMode, extra: Partial<GovernorConfig> = {}) => createGovernor({ autoExecute: true, mode, ...extra });
/** Runs `inputs` live (decide + fold), then offers `when` on the resulting state. */
function after(config: Partial<GovernorConfig>, inputs: Parameters<typeof runAll>[1]) {
  const g = createGovernor(config);
  const run = runAll(g, inputs);
  return { ...given(g, [], run.state), state: run.state, outputs: run.outputs, decider: g };
}
const manualCfg = { autoExecute: true, mode: 'fully_manual' as const };

describe('governor config', () => {
  it('defaults_when_no_overrides_then_quality_70_ttl_5min_and_display_only', () => {
    expect(defaultGovernorConfig).toMatchObject({ mode: 'quality_based', threshold: 70, autoExecute: false, approvalTtlMs: 300_000, approvers: [] });
    expect(createGovernor().initialState().mode).toBe('display_only');
  });
  it('start_when_auto_execute_off_then_display_only_whatever_mode_says', () => {
    expect(createGovernor({ mode: 'fully_automated' }).initialState().mode).toBe('display_only');
    expect(createGovernor({ mode: 'fully_automated', autoExecute: true }).initialState()).toMatchObject({ mode: 'fully_automated', tradingState: 'ACTIVE' });
  });
  it.each([
    ['mode', 'yolo'],
    ['threshold', 101],
    ['threshold', Number.NaN],
    ['autoExecute', 'true'],
    ['approvalTtlMs', 0],
    ['approvalTtlMs', 1.5],
    ['approvers', ['']],
    ['approvers', 'alice'],
  ])('create_when_%s_is_%p_then_range_error_naming_it', (field, value) => {
    expect(() => createGovernor({ [field]: value } as never)).toThrow(RangeError);
    expect(() => createGovernor({ [field]: value } as never)).toThrow(new RegExp(`governor config: ${field} `));
  });
});

describe('execution modes', () => {
  it('fully_automated_when_risk_approved_then_order_approved_by_auto', () => {
    const input = approved(10, T0, 'ra-1');
    const t = given(live('fully_automated')).when(input).thenTypes('OrderApproved');
    expect(t.first('OrderApproved')).toEqual({ riskApprovalId: 'ra-1', order: ORDER, mode: 'fully_automated', approvedBy: 'auto', referencePrice: '50000' });
    expect(t.published[0]).toMatchObject({ causationId: 'ra-1', source: 'governor' });
  });
  it('quality_based_when_quality_at_or_above_threshold_then_order_approved', () => {
    given(live('quality_based')).when(approved(70)).thenTypes('OrderApproved');
    expect(given(live('quality_based')).when(approved(95)).first('OrderApproved').mode).toBe('quality_based');
  });
  it('quality_based_when_quality_below_threshold_then_approval_requested_with_expiry', () => {
    const t = given(live('quality_based')).when(approved(69, T0, 'ra-1')).thenTypes('ApprovalRequested');
    expect(t.first('ApprovalRequested')).toEqual({ riskApprovalId: 'ra-1', order: ORDER, quality: 69, threshold: 70, mode: 'quality_based', expiresAt: T0 + TTL, referencePrice: '50000' });
    expect(t.published[0].id).toBe(approvalFor('ra-1'));
    expect(t.state.pending.get(approvalFor('ra-1'))).toMatchObject({ riskApprovalId: 'ra-1', expiresAt: T0 + TTL, requestedUnder: 'ACTIVE' });
  });
  it('quality_based_when_threshold_configured_then_used', () => {
    given(live('quality_based', { threshold: 90 })).when(approved(85)).thenTypes('ApprovalRequested');
  });
  it('fully_manual_when_risk_approved_then_approval_requested_even_at_quality_100', () => {
    given(live('fully_manual')).when(approved(100)).thenTypes('ApprovalRequested');
  });
  it('display_only_when_risk_approved_then_displayed_never_ordered', () => {
    const t = given(createGovernor()).when(approved(100, T0, 'ra-1')).thenTypes('OrderDisplayed');
    expect(t.first('OrderDisplayed')).toEqual({ riskApprovalId: 'ra-1', order: ORDER, reason: 'DISPLAY_ONLY' });
  });
  it('set_mode_when_valid_then_mode_changed_and_routing_follows', () => {
    const t = after(manualCfg, []).when(setMode('quality_based', T0, 50)).thenTypes('ExecutionModeChanged');
    expect(t.first('ExecutionModeChanged')).toEqual({ mode: 'quality_based', previous: 'fully_manual', threshold: 50, by: 'ops' });
    expect(t.state).toMatchObject({ mode: 'quality_based', threshold: 50 });
    after(manualCfg, [setMode('quality_based', T0, 50)]).when(approved(55)).thenTypes('OrderApproved');
  });
  it('set_mode_when_threshold_omitted_then_current_threshold_kept', () => {
    const t = after({ ...manualCfg, threshold: 80 }, []).when(setMode('quality_based', T0));
    expect(t.first('ExecutionModeChanged').threshold).toBe(80);
  });
  it('set_mode_when_auto_execute_off_then_explicit_command_switches_execution_on', () => {
    after({}, [setMode('fully_automated', T0)]).when(approved(10)).thenTypes('OrderApproved');
  });
  it.each([
    ['unknown mode', setMode('yolo' as ExecutionMode, T0)],
    ['threshold above 100', setMode('quality_based', T0, 101)],
    ['threshold below 0', setMode('quality_based', T0, -1)],
    ['threshold not a number', setMode('quality_based', T0, Number.NaN)],
  ])('set_mode_when_%s_then_command_rejected_as_invalid_and_mode_kept', (_why, input) => {
    const t = after(manualCfg, []).when(input).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toMatchObject({ commandId: input.id, commandType: 'SetExecutionMode', by: 'ops' });
    expect(t.first('CommandRejected').reason).toBe((input.data.mode as string) === 'yolo' ? 'INVALID_MODE' : 'INVALID_THRESHOLD');
    expect(t.first('CommandRejected').detail).toMatch((input.data.mode as string) === 'yolo' ? /^unknown execution mode "yolo"/ : /^threshold .* is not a number in \[0, 100\]$/);
    expect(t.state).toMatchObject({ mode: 'fully_manual', threshold: 70 });
  });
});

describe('approvals', () => {
  const pending = () => [approved(50, T0, 'ra-1')];
  const id = approvalFor('ra-1');

  it('approve_when_pending_then_granted_and_order_approved_by_person', () => {
    const t = after(manualCfg, pending()).when(approve(id, T0 + 1000)).thenTypes('ApprovalGranted', 'OrderApproved');
    expect(t.first('ApprovalGranted')).toEqual({ approvalId: id, riskApprovalId: 'ra-1', by: 'alice' });
    // The price risk priced it at travels with it, for the executor's re-check at placement.
    expect(t.first('OrderApproved')).toEqual({ riskApprovalId: 'ra-1', order: ORDER, mode: 'fully_manual', approvedBy: 'alice', approvalId: id, referencePrice: '50000' });
    expect(t.state.pending.size).toBe(0);
  });
  it('settling_when_person_answers_or_timer_fires_then_outputs_stay_on_the_signal_chain', () => {
    const past = [msg('RiskApproved', approved(50).data, { ts: T0, id: 'ra-1', correlationId: 'sig-1' })];
    const granted = after(manualCfg, past).when(msg('ApproveOrder', { approvalId: id, by: 'alice' }, { ts: T0 + 1, correlationId: 'cmd-1' }));
    expect(granted.published.map((e) => [e.type, e.correlationId])).toEqual([
      ['ApprovalGranted', 'sig-1'],
      ['OrderApproved', 'sig-1'],
    ]);
    expect(after(manualCfg, past).when(reject(id, T0 + 1)).published[0].correlationId).toBe('sig-1');
    expect(after(manualCfg, past).when(timer(T0 + TTL)).published[0].correlationId).toBe('sig-1');
    expect(after(manualCfg, [...past, halt(T0 + 1)]).when(approve(id, T0 + 2)).published[0].correlationId).toBe('sig-1');
  });
  it('approve_when_twice_then_exactly_one_order_approved', () => {
    const { outputs } = runAll(createGovernor(manualCfg), [...pending(), approve(id, T0 + 1), approve(id, T0 + 2), approve(id, T0 + 3, 'bob')]);
    expect(outputs.filter((o) => o.type === 'OrderApproved')).toHaveLength(1);
  });
  it('approve_when_unknown_id_then_command_rejected_unknown_approval', () => {
    const command = approve('nope', T0 + 1);
    const t = after(manualCfg, pending()).when(command).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toEqual({
      commandId: command.id,
      commandType: 'ApproveOrder',
      by: 'alice',
      reason: 'UNKNOWN_APPROVAL',
      detail: 'no approval nope is known',
      approvalId: 'nope',
    });
    expect(t.published[0]).toMatchObject({ causationId: command.id, correlationId: command.correlationId, source: 'governor' });
  });
  it('reject_when_pending_then_approval_rejected_and_later_approve_answered_already_rejected', () => {
    const t = after(manualCfg, pending()).when(reject(id, T0 + 1)).thenTypes('ApprovalRejected');
    expect(t.first('ApprovalRejected')).toEqual({ approvalId: id, riskApprovalId: 'ra-1', by: 'alice', reason: 'not now' });
    const late = after(manualCfg, [...pending(), reject(id, T0 + 1)]).when(approve(id, T0 + 2, 'bob')).thenTypes('CommandRejected');
    expect(late.first('CommandRejected')).toMatchObject({
      commandType: 'ApproveOrder',
      by: 'bob',
      reason: 'APPROVAL_ALREADY_REJECTED',
      detail: 'approval already rejected by alice',
      approvalId: id,
    });
  });
  it('reject_when_already_granted_then_command_rejected_already_granted_and_nothing_else', () => {
    const command = reject(id, T0 + 2, 'bob');
    const t = after(manualCfg, [...pending(), approve(id, T0 + 1)]).when(command).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toEqual({
      commandId: command.id,
      commandType: 'RejectOrder',
      by: 'bob',
      reason: 'APPROVAL_ALREADY_GRANTED',
      detail: 'approval already granted by alice',
      approvalId: id,
    });
    // The id derives from the command, as every output's: a redelivery is de-duplicated.
    expect(t.published[0].id).toBe(deriveId(command.id, 'governor', 0));
  });
  it('approve_when_approver_not_on_allow_list_then_refused_not_an_approver_and_still_pending', () => {
    const cfg = { ...manualCfg, approvers: ['alice'] };
    const t = after(cfg, pending()).when(approve(id, T0 + 1, 'mallory')).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toMatchObject({ commandType: 'ApproveOrder', by: 'mallory', reason: 'NOT_AN_APPROVER', detail: 'mallory is not an approver' });
    expect(t.state.pending.has(id)).toBe(true);
    expect(after(cfg, pending()).when(reject(id, T0 + 1, 'mallory')).first('CommandRejected').reason).toBe('NOT_AN_APPROVER');
    // Not told whether an approval exists either.
    expect(after(cfg, pending()).when(approve('nope', T0 + 1, 'mallory')).first('CommandRejected').reason).toBe('NOT_AN_APPROVER');
    after(cfg, pending()).when(approve(id, T0 + 1, 'alice')).thenTypes('ApprovalGranted', 'OrderApproved');
  });
  it('approve_when_rejected_by_governor_while_halted_then_later_approve_answered_already_rejected_by_governor', () => {
    const past = [...pending(), halt(T0 + 1), approve(id, T0 + 2), resume('ACTIVE', T0 + 3)];
    const t = after(manualCfg, past).when(approve(id, T0 + 4)).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toMatchObject({ reason: 'APPROVAL_ALREADY_REJECTED', detail: `approval already rejected by ${GOVERNOR_ACTOR}` });
  });
  it('restart_when_pending_rebuilt_by_folding_log_then_approval_still_works', () => {
    const { outputs } = runAll(createGovernor(manualCfg), pending());
    given(createGovernor(manualCfg), [...pending(), ...outputs]).when(approve(id, T0 + 1)).thenTypes('ApprovalGranted', 'OrderApproved');
  });
});

describe('approval expiry', () => {
  const two = () => [approved(50, T0, 'ra-1'), approved(50, T0 + 1000, 'ra-2')];

  it('wake_at_when_pending_then_earliest_expiry_else_undefined', () => {
    const g = createGovernor(manualCfg);
    const host = new DeciderHost(g);
    expect(host.wakeAt()).toBeUndefined();
    two().forEach((m) => host.handle(m));
    expect(host.wakeAt()).toBe(T0 + TTL);
    host.handle(timer(T0 + TTL));
    expect(host.wakeAt()).toBe(T0 + 1000 + TTL);
    host.handle(timer(T0 + 1000 + TTL));
    expect(host.wakeAt()).toBeUndefined();
  });
  it('timer_when_fired_at_expiry_then_only_due_approvals_expire', () => {
    const t = after(manualCfg, two()).when(timer(T0 + TTL)).thenTypes('ApprovalExpired');
    expect(t.first('ApprovalExpired')).toEqual({ approvalId: approvalFor('ra-1'), riskApprovalId: 'ra-1' });
    expect([...t.state.pending.keys()]).toEqual([approvalFor('ra-2')]);
  });
  it('timer_when_just_before_expiry_then_nothing', () => {
    after(manualCfg, two()).when(timer(T0 + TTL - 1)).thenNothing();
  });
  it('timer_when_several_due_then_expired_in_expiry_then_id_order', () => {
    const inputs = [approved(50, T0 + 5, 'ra-late'), approved(50, T0, 'ra-b'), approved(50, T0, 'ra-a')];
    const t = after(manualCfg, inputs).when(timer(T0 + 2 * TTL));
    const expectedSameTime = [approvalFor('ra-b'), approvalFor('ra-a')].sort();
    expect(t.published.map((e) => (e.data as { approvalId: string }).approvalId)).toEqual([...expectedSameTime, approvalFor('ra-late')]);
  });
  it('any_input_when_past_expiry_then_expires_first_and_never_grants', () => {
    const id = approvalFor('ra-1');
    const atExpiry = after(manualCfg, two()).when(approve(id, T0 + TTL)).thenTypes('ApprovalExpired', 'CommandRejected');
    expect(atExpiry.first('CommandRejected')).toMatchObject({ reason: 'APPROVAL_EXPIRED', detail: 'approval already expired', approvalId: id });
    const t = after(manualCfg, two()).when(approved(50, T0 + TTL + 5000, 'ra-3')).thenTypes('ApprovalExpired', 'ApprovalExpired', 'ApprovalRequested');
    expect(t.state.pending.size).toBe(1);
    const late = after(manualCfg, [...two(), timer(T0 + TTL)]).when(reject(id, T0 + TTL + 1)).thenTypes('CommandRejected');
    expect(late.first('CommandRejected')).toMatchObject({ commandType: 'RejectOrder', reason: 'APPROVAL_EXPIRED', detail: 'approval already expired' });
  });
});

describe('approvals of DAY orders', () => {
  const dayOrder = (ts: number, id: string) => msg('RiskApproved', { ...approved(50, ts).data, order: { ...ORDER, type: 'limit', limitPrice: '49000', timeInForce: 'DAY' } }, { ts, id });
  const lateEvening = Date.UTC(2024, 0, 2, 22, 0);
  const midnight = Date.UTC(2024, 0, 3);
  const hours = (n: number) => n * 3_600_000;

  it('day_order_when_the_ttl_runs_past_midnight_then_the_request_expires_at_the_end_of_its_utc_day', () => {
    const t = given(createGovernor({ ...manualCfg, approvalTtlMs: hours(10) })).when(dayOrder(lateEvening, 'ra-day')).thenTypes('ApprovalRequested');
    expect(t.first('ApprovalRequested').expiresAt).toBe(midnight);
  });
  it('day_order_when_the_ttl_ends_within_its_day_then_the_ttl_decides', () => {
    const t = given(createGovernor(manualCfg)).when(dayOrder(T0, 'ra-day')).thenTypes('ApprovalRequested');
    expect(t.first('ApprovalRequested').expiresAt).toBe(T0 + TTL);
  });
  it('gtc_order_when_the_ttl_runs_past_midnight_then_the_ttl_decides', () => {
    const t = given(createGovernor({ ...manualCfg, approvalTtlMs: hours(10) })).when(approved(50, lateEvening, 'ra-gtc')).thenTypes('ApprovalRequested');
    expect(t.first('ApprovalRequested').expiresAt).toBe(lateEvening + hours(10));
  });
  it('day_order_when_approved_just_before_midnight_then_placed_and_at_midnight_then_expired_and_refused', () => {
    const cfg = { ...manualCfg, approvalTtlMs: hours(10) };
    const id = approvalFor('ra-day');
    after(cfg, [dayOrder(lateEvening, 'ra-day')]).when(approve(id, midnight - 1)).thenTypes('ApprovalGranted', 'OrderApproved');
    const late = after(cfg, [dayOrder(lateEvening, 'ra-day')]).when(approve(id, midnight)).thenTypes('ApprovalExpired', 'CommandRejected');
    expect(late.first('CommandRejected')).toMatchObject({ reason: 'APPROVAL_EXPIRED', approvalId: id });
  });
});

describe('trading state', () => {
  it('halt_when_active_then_halted_with_kill_switch_flag_from_command', () => {
    const t = given(live('fully_automated')).when(halt(T0, true)).thenTypes('TradingStateChanged');
    expect(t.first('TradingStateChanged')).toEqual({ state: 'HALTED', previous: 'ACTIVE', reason: 'kill switch', by: 'ops', cancelWorkingOrders: true });
    expect(given(live('fully_automated')).when(halt(T0, false)).first('TradingStateChanged').cancelWorkingOrders).toBe(false);
  });
  it('halt_when_already_halted_then_repeated_so_working_orders_are_cancelled_again', () => {
    const t = after(manualCfg, [halt(T0)]).when(halt(T0 + 1)).thenTypes('TradingStateChanged');
    expect(t.first('TradingStateChanged')).toMatchObject({ state: 'HALTED', previous: 'HALTED', cancelWorkingOrders: true });
  });
  it('risk_approved_when_halted_then_displayed_not_ordered_in_every_mode', () => {
    for (const mode of ['fully_automated', 'quality_based', 'fully_manual'] as const) {
      const t = after({ autoExecute: true, mode }, [halt(T0)]).when(approved(100, T0, 'in-flight')).thenTypes('OrderDisplayed');
      expect(t.first('OrderDisplayed')).toMatchObject({ riskApprovalId: 'in-flight', reason: 'TRADING_HALTED' });
    }
  });
  it('approve_when_halted_then_refused_as_rejected_by_governor_and_never_ordered', () => {
    const id = approvalFor('ra-1');
    const t = after(manualCfg, [approved(50, T0, 'ra-1'), halt(T0 + 1)]).when(approve(id, T0 + 2)).thenTypes('ApprovalRejected');
    expect(t.first('ApprovalRejected')).toMatchObject({ approvalId: id, riskApprovalId: 'ra-1', by: GOVERNOR_ACTOR });
    expect(t.first('ApprovalRejected').reason).toMatch(/^TRADING_HALTED: approval by alice refused/);
    after(manualCfg, [approved(50, T0, 'ra-1'), halt(T0 + 1), approve(id, T0 + 2), resume('ACTIVE', T0 + 3)]).when(approve(id, T0 + 4)).thenTypes('CommandRejected');
  });
  it('reject_when_halted_then_rejected_normally', () => {
    const id = approvalFor('ra-1');
    const t = after(manualCfg, [approved(50, T0, 'ra-1'), halt(T0 + 1)]).when(reject(id, T0 + 2));
    expect(t.first('ApprovalRejected')).toMatchObject({ by: 'alice', reason: 'not now' });
  });
  it('resume_when_halted_then_active_without_cancel_and_orders_flow_again', () => {
    const t = after(manualCfg, [halt(T0)]).when(resume('ACTIVE', T0 + 1)).thenTypes('TradingStateChanged');
    expect(t.first('TradingStateChanged')).toEqual({ state: 'ACTIVE', previous: 'HALTED', reason: 'ok', by: 'ops', cancelWorkingOrders: false });
    after({ autoExecute: true, mode: 'fully_automated' }, [halt(T0), resume('ACTIVE', T0 + 1)]).when(approved(10)).thenTypes('OrderApproved');
  });
  it('resume_when_not_halted_then_command_rejected_already_in_state_and_state_kept', () => {
    const command = resume('ACTIVE', T0);
    const t = given(live('fully_automated')).when(command).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toEqual({
      commandId: command.id,
      commandType: 'ResumeTrading',
      by: 'ops',
      reason: 'ALREADY_IN_STATE',
      detail: 'not halted: trading is already ACTIVE',
    });
    expect(t.state.tradingState).toBe('ACTIVE');
    const reducing = after(manualCfg, [resume('REDUCING', T0)]).when(resume('REDUCING', T0 + 1)).thenTypes('CommandRejected');
    expect(reducing.first('CommandRejected')).toMatchObject({ reason: 'ALREADY_IN_STATE', detail: 'trading is already REDUCING' });
  });
  it('resume_when_to_halted_then_refused_invalid_state', () => {
    const t = after(manualCfg, [halt(T0)]).when(msg('ResumeTrading', { by: 'ops', reason: 'x', state: 'HALTED' as never }, { ts: T0 + 1 })).thenTypes('CommandRejected');
    expect(t.first('CommandRejected')).toMatchObject({ reason: 'INVALID_STATE', detail: 'cannot resume to HALTED: only ACTIVE or REDUCING' });
  });
  it('command_rejected_when_folded_then_state_unchanged', () => {
    const cfg = { ...manualCfg, approvers: ['alice'] };
    const { state, outputs } = runAll(createGovernor(cfg), [approved(50, T0, 'ra-1'), approve(approvalFor('ra-1'), T0 + 1, 'mallory'), resume('ACTIVE', T0 + 2)]);
    expect(outputs.map((o) => o.type)).toEqual(['ApprovalRequested', 'CommandRejected', 'CommandRejected']);
    const withoutRejections = runAll(createGovernor(cfg), [approved(50, T0, 'ra-1')]).state;
    expect(state).toEqual(withoutRejections);
  });
  it('risk_approved_when_reducing_then_passes_only_if_risk_checked_under_reducing', () => {
    const past = [resume('REDUCING', T0)];
    after({ autoExecute: true, mode: 'fully_automated' }, past).when(approved(10, T0, 'ok', 'REDUCING')).thenTypes('OrderApproved');
    for (const seen of ['ACTIVE', undefined] as const) {
      const t = after({ autoExecute: true, mode: 'fully_automated' }, past).when(approved(10, T0, 'stale', seen)).thenTypes('OrderDisplayed');
      expect(t.first('OrderDisplayed').reason).toBe('REDUCE_ONLY');
    }
  });
  it('approve_when_reducing_and_requested_before_then_refused_reduce_only', () => {
    const id = approvalFor('ra-1');
    const t = after(manualCfg, [approved(50, T0, 'ra-1'), resume('REDUCING', T0 + 1)]).when(approve(id, T0 + 2)).thenTypes('ApprovalRejected');
    expect(t.first('ApprovalRejected').reason).toMatch(/^REDUCE_ONLY/);
    const under = [resume('REDUCING', T0), approved(50, T0 + 1, 'ra-1', 'REDUCING')];
    after(manualCfg, under).when(approve(id, T0 + 2)).thenTypes('ApprovalGranted', 'OrderApproved');
  });
  it('approve_when_mode_switched_to_display_only_then_refused', () => {
    const id = approvalFor('ra-1');
    const t = after(manualCfg, [approved(50, T0, 'ra-1'), setMode('display_only', T0 + 1)]).when(approve(id, T0 + 2)).thenTypes('ApprovalRejected');
    expect(t.first('ApprovalRejected')).toMatchObject({ by: GOVERNOR_ACTOR, reason: expect.stringMatching(/^DISPLAY_ONLY/) });
  });
});
