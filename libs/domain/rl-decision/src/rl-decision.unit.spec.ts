import fc from 'fast-check';
import { seedPrng } from '@tradeloop/kernel';
import { WIN_RATE_PRIOR, type DecisionMadeData, type ExperienceRecordedData, type LearnedParameter, type SignalDetectedData } from '@tradeloop/contracts';
import { given, msg, runAll } from '@tradeloop/testing';
import {
  agentKey,
  breakevenWinRate,
  createRlDecision,
  defaultRlDecisionConfig,
  sizeMultiplierFor,
  RlDecisionConfigInput,
} from './index';

/** Long EURUSD, risk 10 pips, reward 30 pips (RR 3 → breakeven 0.25), a strong setup. */
function signal(over: Partial<SignalDetectedData> = {}, id?: string) {
  return msg(
    'SignalDetected',
    {
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      timeframe: '1m',
      direction: 'long',
      entry: 1.1,
      stop: 1.099,
      target: 1.103,
      quality: 90,
      qualityBreakdown: { trend: 90, volatility: 85, session: 95 },
      confidence: 0.85,
      session: 'london',
      features: { rsi: 55, atr: 0.0008 },
      reason: 'CHOCH up through 1.09950 swing high',
      ...over,
    },
    id === undefined ? {} : { id },
  );
}

function experience(win: boolean, meta: { id?: string; causationId?: string } = {}, over: Partial<ExperienceRecordedData> = {}) {
  return msg(
    'ExperienceRecorded',
    {
      positionId: `pos-${meta.id ?? 'x'}`,
      origin: 'strategy',
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      features: {},
      orderType: 'market',
      fills: [],
      slippageCost: '0',
      exitReason: win ? 'take_profit' : 'stop_loss',
      entryPrice: '1.1',
      exitPrice: win ? '1.103' : '1.099',
      quantity: '1000',
      pnl: win ? '3' : '-1',
      fees: '0',
      rMultiple: win ? 3 : -1,
      win,
      holdingMs: 60_000,
      maxAdverseExcursion: 0,
      maxFavorableExcursion: 0,
      openedAt: 0,
      closedAt: 60_000,
      ...over,
    },
    meta,
  );
}

function row(over: Partial<LearnedParameter> = {}): LearnedParameter {
  return {
    strategy: 'structure_break',
    symbol: 'EURUSD',
    direction: 'long',
    trades: 1,
    wins: 1,
    winRate: 1,
    expectancy: 3,
    averageHoldingMs: 60_000,
    averageAdverseExcursion: 0,
    alpha: 3,
    beta: 2,
    ...over,
  };
}

function params(paramsVersion: number, parameters: LearnedParameter[], meta: { id?: string; causationId?: string } = {}) {
  return msg('LearnedParametersPublished', { paramsVersion, parameters }, meta);
}

const losses = (n: number, prefix = 'loss') => Array.from({ length: n }, (_, i) => experience(false, { id: `${prefix}-${i}` }));
const wins = (n: number, prefix = 'win') => Array.from({ length: n }, (_, i) => experience(true, { id: `${prefix}-${i}` }));

function decideOnce(config: RlDecisionConfigInput, past: ReturnType<typeof experience>[], s = signal()): DecisionMadeData {
  return given(createRlDecision(config), past).when(s).thenTypes('DecisionMade').first('DecisionMade');
}

const KEY = agentKey('structure_break', 'EURUSD', 'long');

describe('rl-decision: taking and skipping', () => {
  it('signal_when_high_quality_and_neutral_prior_then_takes_with_the_signal_trade_parameters', () => {
    const s = signal({}, 'sig-1');
    const then = given(createRlDecision(), []).when(s).thenTypes('DecisionMade');
    const d = then.first('DecisionMade');

    expect(d.action).toBe('take');
    expect(d).toMatchObject({
      signalId: 'sig-1',
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      entry: 1.1,
      stop: 1.099,
      target: 1.103,
      quality: 90,
      posteriorAlpha: 2,
      posteriorBeta: 2,
      paramsVersion: 0,
    });
    expect(d.confidence).toBeGreaterThanOrEqual(0.6);
    expect(d.sampledWinRate).toBeGreaterThan(breakevenWinRate(3));
    expect(d.sizeMultiplier).toBeGreaterThanOrEqual(0.5);
    expect(d.sizeMultiplier).toBeLessThanOrEqual(1);
    expect(d.reasons).toContain('reward/risk 3.00');
    expect(d.reasons).toContain('pair performance unknown → 0.50');
    expect(d.reasons.some((r) => /^confidence 0\.\d\d ≥ 0\.60$/.test(r))).toBe(true);
    expect(d.reasons.some((r) => /^sampled win rate 0\.\d\d > breakeven 0\.25$/.test(r))).toBe(true);
    // The decision continues the signal's chain.
    expect(then.published[0].correlationId).toBe(s.correlationId);
  });

  it('neutral_prior_when_decided_under_many_seeds_then_mostly_takes_but_still_explores', () => {
    let takes = 0;
    for (let seed = 1; seed <= 300; seed++) if (decideOnce({ seed }, []).action === 'take') takes++;
    // Beta(2,2) puts ~84% of its mass above the 0.25 breakeven; the confidence gate trims a bit more.
    expect(takes / 300).toBeGreaterThan(0.6);
    expect(takes / 300).toBeLessThan(0.95);
  });

  it('signal_when_combined_confidence_below_60_percent_then_skips_whatever_the_draw', () => {
    const weak = signal({ confidence: 0.3, quality: 30 });
    for (let seed = 1; seed <= 50; seed++) {
      const d = decideOnce({ seed }, [], weak);
      expect(d.action).toBe('skip');
      expect(d.sizeMultiplier).toBe(0);
      expect(d.confidence).toBeLessThan(0.6);
      expect(d.reasons.some((r) => /^confidence 0\.\d\d < 0\.60$/.test(r))).toBe(true);
    }
  });

  it('signal_when_confident_but_sampled_win_rate_below_breakeven_then_skips', () => {
    // Confidence ignores the learned rate here, so only the breakeven gate can refuse.
    const cfg = { weights: { learnedWinRate: 0 } };
    const d = decideOnce(cfg, losses(20), signal({ confidence: 1, quality: 100 }));
    expect(d.confidence).toBeGreaterThanOrEqual(0.6);
    expect(d.action).toBe('skip');
    expect(d.sizeMultiplier).toBe(0);
    expect(d.reasons.some((r) => /^sampled win rate 0\.\d\d ≤ breakeven 0\.25$/.test(r))).toBe(true);
  });

  it('breakeven_margin_when_configured_then_raises_the_bar_for_the_sampled_win_rate', () => {
    const d = decideOnce({ breakevenMargin: 0.2 }, [], signal());
    expect(d.reasons.some((r) => / breakeven 0\.45$/.test(r))).toBe(true);
    expect(d.action).toBe(d.sampledWinRate > 0.45 && d.confidence >= 0.6 ? 'take' : 'skip');
  });

  it('signal_when_direction_is_hold_then_skips_without_consuming_randomness', () => {
    const hold = signal({ direction: 'hold' as unknown as 'long' });
    const then = given(createRlDecision(), []).when(hold);
    const d = then.first('DecisionMade');
    expect(d.action).toBe('skip');
    expect(d.sizeMultiplier).toBe(0);
    expect(d.reasons).toEqual(['direction hold is not tradeable']);
    expect(then.state.rng).toEqual(seedPrng(defaultRlDecisionConfig.seed));
  });

  it('signal_when_stop_on_the_wrong_side_then_skips_with_geometry_reason', () => {
    const d = decideOnce({}, [], signal({ stop: 1.101 }));
    expect(d.action).toBe('skip');
    expect(d.reasons.some((r) => r.startsWith('invalid geometry: long needs stop'))).toBe(true);
    const s = decideOnce({}, [], signal({ direction: 'short', stop: 1.099, target: 1.097 }));
    expect(s.action).toBe('skip');
    expect(s.reasons.some((r) => r.startsWith('invalid geometry: short needs target'))).toBe(true);
  });

  it('short_signal_when_geometry_valid_then_uses_its_own_agent_and_rr', () => {
    const d = decideOnce({}, losses(20), signal({ direction: 'short', entry: 1.1, stop: 1.101, target: 1.097 }));
    // The 20 losses belong to the long agent; the short agent still has the prior.
    expect(d.posteriorAlpha).toBe(2);
    expect(d.posteriorBeta).toBe(2);
    expect(d.reasons).toContain('reward/risk 3.00');
  });
});

describe('rl-decision: the loop closes', () => {
  it('agent_when_20_losing_experiences_recorded_then_identical_signal_is_skipped', () => {
    const before = decideOnce({}, []);
    const after = decideOnce({}, losses(20));
    expect(before.action).toBe('take');
    expect(after.action).toBe('skip');
    expect(after.posteriorAlpha).toBe(2);
    expect(after.posteriorBeta).toBe(22);
    expect(after.reasons.some((r) => /^sampled win rate 0\.\d\d ≤ breakeven 0\.25$/.test(r))).toBe(true);
    // Exploration never stops entirely: Beta(2,22) still puts ~1% of its mass above 0.25.
    let takes = 0;
    for (let seed = 1; seed <= 200; seed++) if (decideOnce({ seed }, losses(20)).action === 'take') takes++;
    expect(takes / 200).toBeLessThan(0.08);
  });

  it('agent_when_20_winning_experiences_recorded_then_takes_with_larger_size_multiplier', () => {
    let neutralSize = 0;
    let neutralTakes = 0;
    let winnerSize = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const n = decideOnce({ seed }, []);
      if (n.action === 'take') {
        neutralTakes++;
        neutralSize += n.sizeMultiplier;
      }
      const w = decideOnce({ seed }, wins(20));
      expect(w.action).toBe('take');
      expect(w.posteriorAlpha).toBe(22);
      winnerSize += w.sizeMultiplier;
    }
    expect(winnerSize / 100).toBeGreaterThan(neutralSize / neutralTakes + 0.1);
    expect(decideOnce({}, wins(20)).sizeMultiplier).toBeGreaterThan(decideOnce({}, []).sizeMultiplier);
  });

  it('experience_when_manual_origin_then_does_not_move_any_strategy_agent', () => {
    const manual = experience(false, { id: 'm1' }, { origin: 'manual', strategy: 'manual' });
    const then = given(createRlDecision(), [manual]).when(signal());
    expect(then.first('DecisionMade').posteriorBeta).toBe(2);
    expect(then.state.agents.size).toBe(0);
  });
});

describe('rl-decision: size multiplier', () => {
  it('size_when_confidence_at_threshold_or_certain_then_half_or_full', () => {
    expect(sizeMultiplierFor(0.6, 0.6)).toBe(0.5);
    expect(sizeMultiplierFor(0.8, 0.6)).toBeCloseTo(0.75, 12);
    expect(sizeMultiplierFor(1, 0.6)).toBe(1);
    expect(sizeMultiplierFor(0.9, 1)).toBe(1);
  });

  it('any_signal_and_history_when_decided_then_take_size_within_half_and_one_and_skip_size_zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (seed, confidence, quality, rr, outcomes) => {
          const past = outcomes.map((w, i) => experience(w, { id: `p-${i}` }));
          const d = decideOnce({ seed }, past, signal({ confidence, quality, target: 1.1 + 0.001 * rr }));
          if (d.action === 'take') {
            expect(d.sizeMultiplier).toBeGreaterThanOrEqual(0.5);
            expect(d.sizeMultiplier).toBeLessThanOrEqual(1);
            expect(d.confidence).toBeGreaterThanOrEqual(0.6);
            expect(d.sampledWinRate).toBeGreaterThan(breakevenWinRate(rr) - 1e-9);
          } else {
            expect(d.sizeMultiplier).toBe(0);
          }
          expect(d.confidence).toBeGreaterThanOrEqual(0);
          expect(d.confidence).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rl-decision: determinism', () => {
  const inputs = () => {
    const out = [];
    for (let i = 0; i < 30; i++) {
      out.push(signal({ quality: 60 + i, confidence: 0.5 + i / 100 }, `s-${i}`));
      if (i % 3 === 0) out.push(experience(i % 2 === 0, { id: `e-${i}`, causationId: `c-${i}` }));
    }
    return out;
  };

  it('same_seed_when_same_inputs_then_identical_decisions', () => {
    const a = runAll(createRlDecision({ seed: 7 }), inputs()).outputs;
    const b = runAll(createRlDecision({ seed: 7 }), inputs()).outputs;
    expect(a).toHaveLength(30);
    expect(b).toEqual(a);
  });

  it('different_seed_when_same_inputs_then_draws_differ', () => {
    const draws = (seed: number) =>
      runAll(createRlDecision({ seed }), inputs()).outputs.map((o) => (o.data as DecisionMadeData).sampledWinRate);
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('state_when_rebuilt_by_folding_the_log_then_next_decision_matches_the_live_run', () => {
    const log = inputs();
    const next = signal({}, 'next');
    const live = runAll(createRlDecision(), [...log, next]).outputs.at(-1);
    const rebuilt = given(createRlDecision(), log).when(next).published[0];
    expect(rebuilt).toEqual(live);
  });
});

describe('rl-decision: experiences and learned parameters are never double counted', () => {
  it('experience_then_parameters_including_it_then_posterior_equals_the_learned_one', () => {
    const e = experience(true, { id: 'exp-1', causationId: 'close-1' });
    const p = params(1, [row({ alpha: 3, beta: 2 })], { causationId: 'close-1' });
    const d = given(createRlDecision(), [e, p]).when(signal());
    expect(d.state.agents.get(KEY)).toEqual({ alpha: 3, beta: 2 });
    expect(d.first('DecisionMade')).toMatchObject({ posteriorAlpha: 3, posteriorBeta: 2, paramsVersion: 1 });
  });

  it('parameters_then_the_experience_they_include_then_experience_is_ignored', () => {
    const p = params(1, [row({ alpha: 3, beta: 2 })], { causationId: 'close-1' });
    const e = experience(true, { id: 'exp-1', causationId: 'close-1' });
    const d = given(createRlDecision(), [p, e]).when(signal());
    expect(d.state.agents.get(KEY)).toEqual({ alpha: 3, beta: 2 });
  });

  it('experience_when_delivered_twice_then_counted_once', () => {
    const e = experience(false, { id: 'exp-1', causationId: 'close-1' });
    const d = given(createRlDecision(), [e, e]).when(signal());
    expect(d.first('DecisionMade')).toMatchObject({ posteriorAlpha: 2, posteriorBeta: 3 });
  });

  it('experience_newer_than_the_parameters_then_applied_on_top_until_the_next_version_overwrites', () => {
    const p1 = params(1, [row({ alpha: 3, beta: 2 })], { causationId: 'close-1' });
    const e2 = experience(false, { id: 'exp-2', causationId: 'close-2' });
    const host = given(createRlDecision(), [p1, e2]).host;
    expect(host.state.agents.get(KEY)).toEqual({ alpha: 3, beta: 3 });
    host.fold(params(2, [row({ trades: 2, wins: 1, alpha: 3, beta: 3 })], { causationId: 'close-2' }));
    expect(host.state.agents.get(KEY)).toEqual({ alpha: 3, beta: 3 });
    expect(host.state.paramsVersion).toBe(2);
  });

  it('parameters_when_older_or_same_version_arrives_then_ignored', () => {
    const p2 = params(2, [row({ alpha: 5, beta: 2 })], { causationId: 'close-2' });
    const p1 = params(1, [row({ alpha: 3, beta: 2 })], { causationId: 'close-1' });
    const d = given(createRlDecision(), [p2, p1, p2]).when(signal());
    expect(d.state.agents.get(KEY)).toEqual({ alpha: 5, beta: 2 });
    expect(d.first('DecisionMade').paramsVersion).toBe(2);
  });

  it('parameters_when_ordered_by_as_of_then_version_then_only_newer_tables_are_adopted', () => {
    const t = (v: number, asOf: number, alpha: number) => msg('LearnedParametersPublished', { paramsVersion: v, asOf, parameters: [row({ alpha })] }, { causationId: `close-${v}-${asOf}` });
    // v6 closed on another market's earlier bar: a higher version as of the same close.
    const d = given(createRlDecision(), [t(5, 2_000, 5), t(6, 2_000, 6), t(5, 2_000, 9), t(4, 1_000, 9)]).when(signal());
    expect(d.first('DecisionMade')).toMatchObject({ paramsVersion: 6, posteriorAlpha: 6 });
    // A learning state that started over: version 1, as of a newer close.
    const r = given(createRlDecision(), [t(6, 2_000, 6), t(1, 3_000, 3), t(6, 2_000, 6)]).when(signal());
    expect(r.first('DecisionMade')).toMatchObject({ paramsVersion: 1, posteriorAlpha: 3 });
  });

  it('parameters_when_a_row_is_malformed_then_that_agent_keeps_the_prior', () => {
    const p = params(1, [row({ alpha: Number.NaN }), row({ symbol: 'GBPUSD', alpha: 4, beta: 3 })], { causationId: 'c' });
    const d = given(createRlDecision(), [p]).when(signal());
    expect(d.first('DecisionMade')).toMatchObject({ posteriorAlpha: 2, posteriorBeta: 2 });
    expect(d.state.agents.get(agentKey('structure_break', 'GBPUSD', 'long'))).toEqual({ alpha: 4, beta: 3 });
  });

  it('dedupe_memory_when_more_experiences_than_the_window_then_stays_bounded', () => {
    const d = given(createRlDecision({ dedupeWindow: 5 }), losses(12)).when(signal());
    expect(d.state.seenExperiences.size).toBe(5);
    expect(d.first('DecisionMade').posteriorBeta).toBe(14);
  });
});

describe('rl-decision: pair performance', () => {
  // Rows for another strategy on the same symbol leave this agent's posterior (and so its
  // draw under the same seed) unchanged: only the pair term differs.
  const other = (expectancy: number) =>
    params(1, [row({ strategy: 'rejection_wick', trades: 10, wins: 5, expectancy, alpha: 7, beta: 7 })], { causationId: 'c' });

  it('pair_when_symbol_has_positive_expectancy_then_confidence_rises_and_negative_lowers_it', () => {
    const neutral = decideOnce({}, []);
    const good = given(createRlDecision(), [other(1)]).when(signal()).first('DecisionMade');
    const bad = given(createRlDecision(), [other(-1)]).when(signal()).first('DecisionMade');
    expect(good.sampledWinRate).toBe(neutral.sampledWinRate);
    expect(good.confidence).toBeGreaterThan(neutral.confidence);
    expect(bad.confidence).toBeLessThan(neutral.confidence);
    expect(good.reasons).toContain('pair expectancy 1.00 over 10 trades → 0.88');
  });

  it('pair_when_the_table_has_a_manual_row_then_its_money_expectancy_is_not_averaged_with_r', () => {
    // Manual trades carry no stop, so learning publishes their expectancy in quote currency
    // (+40 USD a trade here); averaged with strategies' R multiples it made EURUSD look like a
    // +3.6 R market and lifted every strategy's confidence on it.
    const strategies = row({ strategy: 'rejection_wick', trades: 10, wins: 2, expectancy: -0.5, alpha: 4, beta: 10 });
    const manual = row({ strategy: 'manual', trades: 2, wins: 2, winRate: 1, expectancy: 40, alpha: 4, beta: 2 });
    const without = given(createRlDecision(), [params(1, [strategies], { causationId: 'c' })]).when(signal()).first('DecisionMade');
    const withManual = given(createRlDecision(), [params(1, [manual, strategies], { causationId: 'c' })]).when(signal()).first('DecisionMade');
    expect(without.reasons).toContain('pair expectancy -0.50 over 10 trades → 0.27');
    expect(withManual.reasons).toEqual(without.reasons);
    expect(withManual.confidence).toBe(without.confidence);
  });

  it('pair_when_the_only_rows_of_the_symbol_are_manual_then_neutral', () => {
    const manual = row({ strategy: 'manual', trades: 3, wins: 1, expectancy: -12.5, alpha: 3, beta: 4 });
    const d = given(createRlDecision(), [params(1, [manual], { causationId: 'c' })]).when(signal()).first('DecisionMade');
    expect(d.reasons).toContain('pair performance unknown → 0.50');
  });

  it('pair_when_parameters_are_for_another_symbol_then_neutral', () => {
    const p = params(1, [row({ symbol: 'GBPUSD', trades: 10, expectancy: 2 })], { causationId: 'c' });
    const d = given(createRlDecision(), [p]).when(signal()).first('DecisionMade');
    expect(d.reasons).toContain('pair performance unknown → 0.50');
  });
});

describe('rl-decision: config', () => {
  it('defaults_when_no_config_then_documented_values', () => {
    expect(defaultRlDecisionConfig).toMatchObject({ seed: 42, minConfidence: 0.6 });
    expect(createRlDecision().name).toBe('rl-decision');
    expect(createRlDecision({ weights: { pairPerformance: 0 } }).config.weights.learnedWinRate).toBe(0.35);
  });

  it.each([
    [{ seed: 1.5 }, /seed/],
    [{ minConfidence: 1.5 }, /minConfidence/],
    [{ breakevenMargin: -0.1 }, /breakevenMargin/],
    [{ weights: { signalQuality: -1 } }, /weights\.signalQuality/],
    [{ weights: { signalConfidence: 0, signalQuality: 0, learnedWinRate: 0, pairPerformance: 0 } }, /weights/],
    [{ pairExpectancyScale: 0 }, /pairExpectancyScale/],
    [{ dedupeWindow: 0 }, /dedupeWindow/],
  ])('config_when_%o_then_range_error_naming_the_field', (cfg, field) => {
    expect(() => createRlDecision(cfg as RlDecisionConfigInput)).toThrow(RangeError);
    expect(() => createRlDecision(cfg as RlDecisionConfigInput)).toThrow(field);
  });

  it.each(['priorAlpha', 'priorBeta'])('prior_when_%s_is_configured_then_refused_because_learning_could_not_share_it', (field) => {
    // Learning's rows carry alpha = its prior + wins and are adopted as they are: an agent
    // prior of its own made unseen agents and learned ones start from different beliefs.
    const cfg = { [field]: 3 } as RlDecisionConfigInput;
    expect(() => createRlDecision(cfg)).toThrow(RangeError);
    expect(() => createRlDecision(cfg)).toThrow(`rl-decision config: ${field} is not a setting: the win-rate prior is Beta(2, 2) for learning and rl-decision alike`);
  });

  it('prior_when_no_parameters_then_the_agent_starts_at_the_prior_learning_publishes_with', () => {
    const d = given(createRlDecision(), []).when(signal()).first('DecisionMade');
    expect([d.posteriorAlpha, d.posteriorBeta]).toEqual([WIN_RATE_PRIOR.alpha, WIN_RATE_PRIOR.beta]);
  });
});
