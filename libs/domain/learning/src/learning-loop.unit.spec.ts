import type { DecisionMadeData, LearnedParametersPublishedData } from '@tradeloop/contracts';
import { DeciderHost, Envelope } from '@tradeloop/kernel';
import { createLearning } from './index';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only wiring of the two deciders to show the loop closing; production code never imports across domains
import { agentKey, createRlDecision } from '../../rl-decision/src';
import {
  closedOf,
  fillOf,
  orderApprovedOf,
  riskApprovedOf,
  signalOf,
  strategyChain,
  submittedOf,
  TradeSpec,
} from './learning.test-fixtures';

type Outcome = 'win' | 'loss';

/**
 * rl-decision and learning wired by hand, as the bus would: every signal goes to both; a take
 * is traded to its close by the fixtures (standing in for risk, governor and executor); the
 * experience and parameters learning publishes go back to rl-decision.
 */
function runLoop(signals: number, outcome: Outcome, seed = 42) {
  const rl = new DeciderHost(createRlDecision({ seed }));
  const learning = new DeciderHost(createLearning());
  const decisions: DecisionMadeData[] = [];
  const learned: Envelope[] = [];
  for (let i = 0; i < signals; i++) {
    const spec: TradeSpec = outcome === 'win' ? { corr: `sig-${i}`, exit: '1.10308' } : { corr: `sig-${i}` };
    const signal = signalOf(spec);
    const [decision] = rl.handle(signal);
    const d = decision.data as DecisionMadeData;
    decisions.push(d);
    learning.handle(signal);
    learning.handle(decision as never);
    if (d.action !== 'take') continue;
    const chain = [
      riskApprovedOf(spec),
      orderApprovedOf(spec),
      submittedOf(spec),
      fillOf(spec, 'entry'),
      submittedOf(spec, 'stop_loss'),
      fillOf(spec, 'stop_loss'),
      closedOf(spec, outcome === 'win' ? { gross: '30.60', net: '30.20' } : { gross: '-10.70', net: '-11.10' }),
    ];
    for (const m of chain) {
      for (const out of learning.handle(m)) {
        learned.push(out);
        rl.handle(out as never);
      }
    }
  }
  return { rl, learning, decisions, learned };
}

const takeRate = (ds: readonly DecisionMadeData[]) => ds.filter((d) => d.action === 'take').length / ds.length;
const KEY = agentKey('structure_break', 'EURUSD', 'long');

describe('learning → rl-decision: the loop closes', () => {
  it('losing_market_when_traded_then_agent_learns_to_skip_and_agrees_with_learning', () => {
    const { rl, learning, decisions, learned } = runLoop(150, 'loss');
    const takes = decisions.filter((d) => d.action === 'take').length;

    expect(decisions[0].action).toBe('take');
    expect(takeRate(decisions.slice(0, 10))).toBeGreaterThanOrEqual(0.3);
    expect(takeRate(decisions.slice(-75))).toBeLessThan(0.1);
    // One experience and one parameter version per trade, and no double counting in the agent.
    expect(learned).toHaveLength(2 * takes);
    expect(learning.state.paramsVersion).toBe(takes);
    expect(rl.state.paramsVersion).toBe(takes);
    const last = learned.at(-1)!.data as LearnedParametersPublishedData;
    expect(last.parameters[0]).toMatchObject({ trades: takes, wins: 0, alpha: 2, beta: 2 + takes });
    expect(rl.state.agents.get(KEY)).toEqual({ alpha: 2, beta: 2 + takes });
    // Each decision records the parameter version it used.
    expect(decisions.at(-1)!.paramsVersion).toBe(takes);
    expect(decisions.at(-1)!.posteriorBeta).toBe(2 + takes);
  });

  it('winning_market_when_traded_then_agent_keeps_taking_with_growing_size', () => {
    const { rl, decisions } = runLoop(60, 'win');
    const takes = decisions.filter((d) => d.action === 'take');
    const mean = (xs: readonly DecisionMadeData[]) => xs.reduce((s, d) => s + d.sizeMultiplier, 0) / xs.length;

    expect(takeRate(decisions.slice(-30))).toBe(1);
    expect(mean(takes.slice(-20))).toBeGreaterThan(mean(takes.slice(0, 5)) + 0.1);
    expect(rl.state.agents.get(KEY)).toEqual({ alpha: 2 + takes.length, beta: 2 });
  });

  it('loop_when_replayed_with_the_same_seed_then_identical_decisions', () => {
    const a = runLoop(40, 'loss', 9).decisions;
    expect(runLoop(40, 'loss', 9).decisions).toEqual(a);
  });

  /**
   * A learning state that starts over (its inbox rebuilt without its beginning, a new
   * deployment) counts versions from 1 again. rl-decision held v5 and, ordering by version
   * alone, ignored every new table until the count passed 5 — deciding on a table learning no
   * longer had, while the new one said otherwise.
   */
  it('learning_when_its_state_starts_over_then_rl_decision_adopts_the_new_tables_and_still_refuses_stale_ones', () => {
    const rl = new DeciderHost(createRlDecision());
    const published: Envelope[] = [];
    const trade = (learning: DeciderHost<any, any, any>, spec: TradeSpec, outcome: Outcome) => {
      const pnl = outcome === 'win' ? { gross: '30.60', net: '30.20' } : { gross: '-10.70', net: '-11.10' };
      for (const m of [...strategyChain(spec), closedOf(spec, pnl)]) {
        for (const out of learning.handle(m)) {
          published.push(out);
          rl.handle(out as never);
        }
      }
    };
    const MINUTE = 60_000;
    const old = new DeciderHost(createLearning());
    for (let i = 0; i < 5; i++) trade(old, { corr: `old-${i}`, openedAt: (i + 1) * MINUTE }, 'loss');
    expect(rl.state.paramsVersion).toBe(5);
    const oldTables = published.filter((m) => m.type === 'LearnedParametersPublished');

    const fresh = new DeciderHost(createLearning());
    trade(fresh, { corr: 'new-0', openedAt: 10 * MINUTE, exit: '1.10308' }, 'win');
    const table = published.at(-1)!.data as LearnedParametersPublishedData;
    expect(table).toMatchObject({ paramsVersion: 1, asOf: 10 * MINUTE + 60_000 });

    const next = () => rl.handle(signalOf({ corr: `next-${published.length}` }))[0].data as DecisionMadeData;
    expect(next()).toMatchObject({ paramsVersion: 1, posteriorAlpha: 3, posteriorBeta: 2 });
    // The old state's tables are stale now: redelivered, they change nothing.
    for (const t of oldTables) rl.handle(t as never);
    expect(next()).toMatchObject({ paramsVersion: 1, posteriorAlpha: 3, posteriorBeta: 2 });
    trade(fresh, { corr: 'new-1', openedAt: 12 * MINUTE }, 'loss');
    expect(next()).toMatchObject({ paramsVersion: 2, posteriorAlpha: 3, posteriorBeta: 3 });
  });
});
