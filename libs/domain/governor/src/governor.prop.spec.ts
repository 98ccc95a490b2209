import fc from 'fast-check';
import { DeciderHost, type Envelope } from '@tradeloop/kernel';
import type { ApprovalRequestedData, ExecutionMode, OrderSpec, TradingState } from '@tradeloop/contracts';
import { EXECUTION_MODES } from '@tradeloop/contracts';
import { msg } from '@tradeloop/testing';
import { createGovernor, type GovernorInput, type GovernorState } from './index';

/*
 * Random interleavings of approvals from risk, people approving and rejecting (some not on
 * the allow-list, some twice, some late), halts, resumes, mode changes and the passage of
 * time. The governor's outputs are checked against the state its own outputs announced, and
 * every command gets an answer.
 */

const T0 = Date.UTC(2024, 0, 2, 10, 0);
const ORDER: OrderSpec = { venue: 'paper', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.2', timeInForce: 'GTC', origin: 'strategy' };
const PEOPLE = ['alice', 'bob', 'mallory'];
const ALLOWED = ['alice', 'bob'];

type Action =
  | { kind: 'risk'; quality: number; seenReducing: boolean }
  | { kind: 'approve' | 'reject'; pick: number; who: number }
  | { kind: 'halt'; cancel: boolean }
  | { kind: 'resume'; state: 'ACTIVE' | 'REDUCING' }
  | { kind: 'mode'; mode: ExecutionMode; threshold: number | null }
  | { kind: 'wait'; ms: number; timers: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('risk' as const), quality: fc.integer({ min: 0, max: 100 }), seenReducing: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const), pick: fc.nat(), who: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('halt' as const), cancel: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), state: fc.constantFrom('ACTIVE' as const, 'REDUCING' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mode' as const), mode: fc.constantFrom(...EXECUTION_MODES), threshold: fc.option(fc.integer({ min: 0, max: 100 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 200_000 }), timers: fc.boolean() }) },
);

describe('governor under random interleavings', () => {
  it('orders_when_random_commands_then_never_approved_while_halted_or_display_only_and_at_most_once', () => {
    let granted = 0;
    let refusedWhileHalted = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom(...EXECUTION_MODES), fc.array(action, { minLength: 5, maxLength: 60 }), (restrict, mode, actions) => {
        const host = new DeciderHost(createGovernor({ autoExecute: true, mode, approvers: restrict ? ALLOWED : [] }));
        const log: Envelope[] = [];
        const requested = new Map<string, ApprovalRequestedData>();
        const riskSeen = new Map<string, TradingState | undefined>();
        const requestedUnder = new Map<string, TradingState>();
        const ordered = new Set<string>();
        const closedApprovals = new Set<string>();
        let state = 'ACTIVE' as TradingState;
        let current: ExecutionMode = mode;
        let now = T0;
        let seq = 0;

        const send = (m: GovernorInput) => {
          log.push(m);
          const out = host.handle(m);
          // Every command is answered: applied, or a CommandRejected saying why not.
          if (m.type !== 'RiskApproved' && m.type !== 'TimerFired') {
            const answers = out.filter((o) => o.type !== 'ApprovalExpired');
            expect(answers.length).toBeGreaterThan(0);
            if (answers.some((o) => o.type === 'CommandRejected')) expect(answers.map((o) => o.type)).toEqual(['CommandRejected']);
          }
          for (const o of out) {
            log.push(o);
            const d = o.data as any;
            switch (o.type) {
              case 'OrderApproved':
                expect(state).not.toBe('HALTED');
                expect(current).not.toBe('display_only');
                expect(ordered.has(d.riskApprovalId)).toBe(false);
                ordered.add(d.riskApprovalId);
                if (state === 'REDUCING') {
                  if (d.approvalId === undefined) expect(riskSeen.get(d.riskApprovalId)).toBe('REDUCING');
                  else expect(requestedUnder.get(d.approvalId)).toBe('REDUCING');
                }
                if (d.approvalId !== undefined) {
                  expect(closedApprovals.has(d.approvalId)).toBe(true);
                  expect(o.ts).toBeLessThan(requested.get(d.approvalId)!.expiresAt);
                }
                break;
              case 'ApprovalRequested':
                requested.set(o.id, d);
                requestedUnder.set(o.id, state);
                break;
              case 'ApprovalGranted':
              case 'ApprovalRejected':
              case 'ApprovalExpired':
                expect(requested.has(d.approvalId)).toBe(true);
                expect(closedApprovals.has(d.approvalId)).toBe(false);
                closedApprovals.add(d.approvalId);
                if (o.type !== 'ApprovalExpired' && restrict) expect([...ALLOWED, 'governor']).toContain(d.by);
                if (o.type === 'ApprovalGranted') granted += 1;
                if (o.type === 'ApprovalRejected' && d.reason.startsWith('TRADING_HALTED')) refusedWhileHalted += 1;
                break;
              case 'TradingStateChanged':
                state = d.state;
                break;
              case 'ExecutionModeChanged':
                current = d.mode;
                break;
            }
          }
        };

        for (const a of actions) {
          switch (a.kind) {
            case 'risk': {
              const id = `ra-${++seq}`;
              const seen = a.seenReducing ? 'REDUCING' : state === 'REDUCING' ? 'ACTIVE' : state;
              riskSeen.set(id, seen);
              send(msg('RiskApproved', { requestId: id, order: ORDER, riskLevel: 'LOW', riskAmount: '1.00', notional: '10.00', referencePrice: '50', quality: a.quality, tradingState: seen }, { ts: now, id }));
              break;
            }
            case 'approve':
            case 'reject': {
              const ids = [...requested.keys()];
              if (ids.length === 0) break;
              const approvalId = ids[a.pick % ids.length];
              const by = PEOPLE[a.who];
              send(a.kind === 'approve' ? msg('ApproveOrder', { approvalId, by }, { ts: now }) : msg('RejectOrder', { approvalId, by, reason: 'no' }, { ts: now }));
              break;
            }
            case 'halt':
              send(msg('HaltTrading', { by: 'ops', reason: 'test', cancelWorkingOrders: a.cancel }, { ts: now }));
              break;
            case 'resume':
              send(msg('ResumeTrading', { by: 'ops', reason: 'test', state: a.state }, { ts: now }));
              break;
            case 'mode':
              send(msg('SetExecutionMode', { mode: a.mode, by: 'ops', ...(a.threshold === null ? {} : { threshold: a.threshold }) }, { ts: now }));
              break;
            case 'wait': {
              now += a.ms;
              // As a host would: a TimerFired at each wake time that has passed. Sometimes the
              // timer is late and the next command arrives first.
              if (a.timers) for (let at = host.wakeAt(); at !== undefined && at <= now; at = host.wakeAt()) send(msg('TimerFired', { at }, { ts: at }));
              break;
            }
          }
        }
        // After a final timer every pending approval is genuinely pending: requested, not
        // closed, not yet due.
        send(msg('TimerFired', { at: now }, { ts: now }));
        for (const [id, p] of host.state.pending) {
          expect(requested.has(id)).toBe(true);
          expect(closedApprovals.has(id)).toBe(false);
          expect(p.expiresAt).toBeGreaterThan(now);
        }

        const folded = new DeciderHost(createGovernor({ autoExecute: true, mode, approvers: restrict ? ALLOWED : [] }));
        for (const m of log) folded.fold(m);
        expect(folded.state).toEqual(host.state as GovernorState);
      }),
      { seed: 99, numRuns: 300 },
    );
    expect(granted).toBeGreaterThan(20);
    expect(refusedWhileHalted).toBeGreaterThan(0);
  });
});
