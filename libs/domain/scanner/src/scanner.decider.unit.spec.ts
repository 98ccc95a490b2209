import { deriveId, NO_OUTPUTS, type Envelope } from '@tradeloop/kernel';
import type { Message, SignalDetectedData } from '@tradeloop/contracts';
import { given, msg, runAll } from '@tradeloop/testing';
import { createScanner, type ScannerConfigInput } from './index';
import { BarScript, barEnvelope, parseIsoUtc } from './test-support';

const PIP = 0.0001;
const WICK = 0.5 * PIP;
const T13 = parseIsoUtc('2014-05-06T13:00:00Z');
const pips = (xs: readonly number[]) => xs.map((x) => x * PIP);

type Bars = Message<'BarClosed'>[];
interface Scenario {
  readonly past: Bars;
  readonly script: BarScript;
}

/** Lower highs and lower lows (down structure), ending three bars into a new down leg. */
function downStructure(): Scenario {
  const script = new BarScript(T13).start(1.3);
  script.repeat(pips([-3, -3, -3, -3, -3, 2, 2, 2, 2]), 8, WICK);
  script.steps(pips([-3, -3, -3, -3, -3]), WICK);
  return { past: script.all(), script };
}

/** Higher highs and higher lows (up structure), recovering from the last pullback. */
function upStructure(): Scenario {
  const script = new BarScript(T13).start(1.3);
  script.repeat(pips([5, 5, 5, 5, 5, 5, -4, -4, -4, -4, -4]), 7, WICK);
  script.steps(pips([5, 5, 5]), WICK);
  return { past: script.all(), script };
}

/**
 * Up structure, a rally of 28 pips away from the last swing low, and a decline back to 4.5
 * pips above it (8.5 pips with five decline bars).
 */
function retestOfSupport(declineBars = 6): Scenario {
  const script = new BarScript(T13).start(1.3);
  script.repeat(pips([5, 5, 5, 5, 5, 5, -4, -4, -4, -4, -4]), 6, WICK);
  script.steps(pips([4, 4, 4, 4, 4, 4, 4]), WICK);
  script.steps(pips(new Array<number>(declineBars).fill(-4)), WICK);
  return { past: script.all(), script };
}

/** A steady uptrend with a five-bar pullback that takes RSI below 50. */
function uptrendPullback(): Scenario {
  const script = new BarScript(T13).start(1.3);
  script.repeat(pips([3, 3, -2]), 22, WICK);
  script.steps(pips([-3, -3, -3, -3, -3]), WICK);
  return { past: script.all(), script };
}

/** Mirror image around `axis` (highs become lows): turns every long setup into its short twin. */
function mirror(bar: Message<'BarClosed'>, axis = 2.6): Message<'BarClosed'> {
  const d = bar.data;
  const m = (x: number) => BarScript.px(axis - x);
  return barEnvelope(`m-${bar.id}`, bar.ts, { ...d, open: m(d.open), high: m(d.low), low: m(d.high), close: m(d.close) });
}

function only(strategy: string, outputs: readonly Envelope[]): SignalDetectedData[] {
  return outputs.filter((o) => (o.data as SignalDetectedData).strategy === strategy).map((o) => o.data as SignalDetectedData);
}

function expectSane(sig: SignalDetectedData): void {
  const long = sig.direction === 'long';
  expect(Number.isFinite(sig.entry) && Number.isFinite(sig.stop) && Number.isFinite(sig.target)).toBe(true);
  if (long) expect(sig.stop < sig.entry && sig.entry < sig.target).toBe(true);
  else expect(sig.stop > sig.entry && sig.entry > sig.target).toBe(true);
  expect(sig.quality).toBeGreaterThanOrEqual(0);
  expect(sig.quality).toBeLessThanOrEqual(100);
  for (const v of Object.values(sig.qualityBreakdown)) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(100);
  }
  expect(sig.confidence).toBeGreaterThanOrEqual(0);
  expect(sig.confidence).toBeLessThanOrEqual(1);
  for (const [k, v] of Object.entries(sig.features)) {
    if (!Number.isFinite(v)) throw new Error(`feature ${k} is not finite: ${v}`);
  }
  for (const k of ['ema_fast', 'ema_slow', 'rsi', 'atr', 'atr_pct', 'wick_ratio']) expect(sig.features).toHaveProperty(k);
}

/** Stream state after folding `past` (no decisions). */
function then0(past: readonly Envelope[]) {
  const d = createScanner();
  let state = d.initialState();
  for (const b of past) state = d.evolve(state, b);
  return state.current!;
}

function decide(past: readonly Envelope[], trigger: Envelope, config: ScannerConfigInput = {}) {
  return given(createScanner(config), past).when(trigger);
}

describe('scanner decider shape', () => {
  it('name_and_consumes_then_scanner_on_bar_closed', () => {
    const s = createScanner();
    expect(s.name).toBe('scanner');
    expect(s.consumes).toEqual(['BarClosed']);
  });

  it('quiet_bar_when_decided_then_shared_empty_outputs', () => {
    const { past, script } = uptrendPullback();
    const d = createScanner();
    let state = d.initialState();
    for (const b of past) state = d.evolve(state, b);
    const quiet = script.nextBy(1.5, -1.5, 1, PIP);
    state = d.evolve(state, quiet);
    expect(d.decide(quiet, state)).toBe(NO_OUTPUTS);
  });
});

describe('structure_break', () => {
  it('close_above_last_swing_high_when_structure_down_then_bullish_choch', () => {
    const { past, script } = downStructure();
    const then = decide(past, script.nextBy(22, -0.5, 21, PIP));
    const [sig] = only('structure_break', then.published);
    expect(sig).toBeDefined();
    expect(sig.direction).toBe('long');
    expect(sig.reason).toMatch(/^bullish CHOCH: close 1\.\d{5} above swing high 1\.\d{5}$/);
    expect(sig.features.structure).toBe(1);
    expectSane(sig);
    expect(sig.stop).toBeLessThan(Math.min(...past.slice(-5).map((b) => b.data.low)));
    // EURUSD stops sit on its 0.00001 tick
    expect(Math.abs(sig.stop * 1e5 - Math.round(sig.stop * 1e5))).toBeLessThan(1e-6);
  });

  it('high_pierces_swing_high_but_close_stays_below_when_structure_down_then_no_structure_break', () => {
    const { past, script } = downStructure();
    const then = decide(past, script.nextBy(22, -0.5, 14, PIP));
    expect(only('structure_break', then.published)).toEqual([]);
    expect(then.state.current?.structure).toBe(-1);
  });

  it('close_above_swing_high_when_structure_up_then_bos_with_lower_confidence_than_choch', () => {
    const up = upStructure();
    const bos = only('structure_break', decide(up.past, up.script.nextBy(8.5, -0.5, 8, PIP)).published);
    expect(bos).toHaveLength(1);
    expect(bos[0].direction).toBe('long');
    expect(bos[0].reason).toMatch(/^bullish BOS: close \S+ above swing high \S+$/);
    expectSane(bos[0]);
    const down = downStructure();
    const [choch] = only('structure_break', decide(down.past, down.script.nextBy(22, -0.5, 21, PIP)).published);
    expect(bos[0].confidence).toBeLessThan(choch.confidence);
  });

  it('mirrored_choch_when_close_breaks_swing_low_in_up_structure_then_bearish_choch', () => {
    const { past, script } = downStructure();
    const then = decide(past.map((b) => mirror(b)), mirror(script.nextBy(22, -0.5, 21, PIP)));
    const [sig] = only('structure_break', then.published);
    expect(sig.direction).toBe('short');
    expect(sig.reason).toMatch(/^bearish CHOCH: close \S+ below swing low \S+$/);
    expectSane(sig);
  });

  it('strategy_disabled_when_break_happens_then_no_structure_break', () => {
    const { past, script } = downStructure();
    const then = decide(past, script.nextBy(22, -0.5, 21, PIP), { strategies: { structure_break: false } });
    expect(only('structure_break', then.published)).toEqual([]);
  });
});

describe('rejection_wick', () => {
  it('long_lower_wick_into_swing_low_closing_back_above_then_long_rejection', () => {
    const { past, script } = retestOfSupport();
    const then = decide(past, script.nextBy(1.5, -7, 1, PIP));
    const [sig] = only('rejection_wick', then.published);
    expect(sig).toBeDefined();
    expect(sig.direction).toBe('long');
    expect(sig.reason).toMatch(/^long rejection wick at swing low 1\.\d{5}: low 1\.\d{5}, close 1\.\d{5}, wick \d+\.\dx body$/);
    expect(sig.features.wick_ratio).toBeGreaterThanOrEqual(2);
    expectSane(sig);
    expect(sig.stop).toBeLessThan(script.lastClose - 7 * PIP);
  });

  it('wick_smaller_than_twice_the_body_when_at_support_then_no_rejection', () => {
    const { past, script } = retestOfSupport();
    const then = decide(past, script.nextBy(4.5, -7, 4, PIP));
    expect(only('rejection_wick', then.published)).toEqual([]);
  });

  it('pin_bar_3_pips_above_support_when_tolerance_is_1_pip_then_no_rejection_and_with_10_pips_then_long', () => {
    const { past, script } = retestOfSupport(5);
    const pin = script.nextBy(1.5, -5, 1, PIP);
    const support = then0(past).swingLow;
    expect(pin.data.low - support).toBeCloseTo(3.5 * PIP, 8);
    // 1 pip of instrument tolerance leaves max(1 pip, 0.25 ATR) ≈ 1.4 pips: out of reach.
    const tight = decide(past, pin, { instruments: { EURUSD: { priceTolerance: PIP } } });
    expect(only('rejection_wick', tight.published)).toEqual([]);
    // The forex default (10 pips) reaches it.
    expect(only('rejection_wick', decide(past, pin).published)).toHaveLength(1);
  });

  it('pin_bar_whose_low_stays_above_the_previous_bars_lows_then_no_rejection', () => {
    const { past, script } = retestOfSupport(5);
    const last = script.lastClose;
    const px = BarScript.px;
    const prevLow = past[past.length - 1].data.low;
    const noProbe = script.peek([px(last + 3.5 * PIP), px(last + 4.5 * PIP), last, px(last + 4 * PIP)]);
    expect(noProbe.data.low).toBeGreaterThan(prevLow);
    expect(only('rejection_wick', decide(past, noProbe).published)).toEqual([]);
    const probe = script.peek([px(last + 3.5 * PIP), px(last + 4.5 * PIP), px(prevLow - 0.5 * PIP), px(last + 4 * PIP)]);
    expect(only('rejection_wick', decide(past, probe).published)).toHaveLength(1);
  });

  it('pin_bar_closing_exactly_at_the_swing_low_then_no_rejection', () => {
    const { past, script } = retestOfSupport(5);
    const support = then0(past).swingLow;
    const px = BarScript.px;
    const atLevel = script.peek([px(support + 0.5 * PIP), px(support + PIP), px(support - 5 * PIP), support]);
    expect(only('rejection_wick', decide(past, atLevel).published)).toEqual([]);
    const above = script.peek([px(support + 1 * PIP), px(support + 1.5 * PIP), px(support - 5 * PIP), px(support + 0.5 * PIP)]);
    expect(only('rejection_wick', decide(past, above).published)).toHaveLength(1);
  });

  it('mirrored_pin_bar_at_resistance_then_short_rejection', () => {
    const { past, script } = retestOfSupport();
    const then = decide(past.map((b) => mirror(b)), mirror(script.nextBy(1.5, -7, 1, PIP)));
    const [sig] = only('rejection_wick', then.published);
    expect(sig.direction).toBe('short');
    expect(sig.reason).toMatch(/^short rejection wick at swing high /);
    expectSane(sig);
  });
});

describe('trend_momentum', () => {
  it('rsi_crossing_up_through_55_in_uptrend_above_fast_ema_then_long_momentum', () => {
    const { past, script } = uptrendPullback();
    const then = decide(past, script.nextBy(7.5, -0.5, 7, PIP));
    const [sig] = only('trend_momentum', then.published);
    expect(sig).toBeDefined();
    expect(sig.direction).toBe('long');
    expect(sig.features.rsi).toBeGreaterThanOrEqual(55);
    expect(sig.features.rsi).toBeLessThan(70);
    expect(sig.features.ema_fast).toBeGreaterThan(sig.features.ema_slow);
    expect(sig.reason).toMatch(/^long momentum: EMA20 \S+ above EMA50 \S+, close \S+, RSI \d+\.\d crossed up through 55$/);
    expectSane(sig);
    // stop = close - 1.5 ATR (rounded away from entry to the tick), target = 2R (to the nearest tick)
    expect(sig.entry - sig.stop).toBeGreaterThanOrEqual(1.5 * sig.features.atr);
    expect(sig.entry - sig.stop).toBeLessThan(1.5 * sig.features.atr + 0.00001);
    expect(Math.abs(sig.target - sig.entry - 2 * (sig.entry - sig.stop))).toBeLessThanOrEqual(0.000005 + 1e-12);
  });

  it('rsi_not_reaching_55_then_no_momentum', () => {
    const { past, script } = uptrendPullback();
    expect(only('trend_momentum', decide(past, script.nextBy(4.5, -0.5, 4, PIP)).published)).toEqual([]);
  });

  it('rsi_jumping_past_70_in_one_bar_then_no_momentum', () => {
    const { past, script } = uptrendPullback();
    const then = decide(past, script.nextBy(40.5, -0.5, 40, PIP));
    expect(then.state.current?.rsiV).toBeGreaterThanOrEqual(70);
    expect(only('trend_momentum', then.published)).toEqual([]);
  });

  it('rsi_cross_up_while_fast_ema_below_slow_then_no_long_momentum', () => {
    const script = new BarScript(T13).start(1.3);
    script.repeat(pips([-3, -3, 2]), 22, WICK);
    script.steps(pips([-3, -3, 4, 4, 4, 4, 4]), WICK);
    const then = decide(script.all(), script.nextBy(4.5, -0.5, 4, PIP));
    const s = then.state.current!;
    expect(s.rsiCross).toBe(1);
    expect(s.emaFastV).toBeLessThan(s.emaSlowV);
    expect(only('trend_momentum', then.published)).toEqual([]);
  });

  it('mirrored_pullback_when_rsi_crosses_down_through_45_then_short_momentum', () => {
    const { past, script } = uptrendPullback();
    const then = decide(past.map((b) => mirror(b)), mirror(script.nextBy(7.5, -0.5, 7, PIP)));
    const [sig] = only('trend_momentum', then.published);
    expect(sig.direction).toBe('short');
    expect(sig.features.rsi).toBeLessThanOrEqual(45);
    expectSane(sig);
  });
});

describe('momentum re-arm', () => {
  it('second_cross_through_55_without_rsi_dipping_below_50_then_no_second_momentum', () => {
    const { past, script } = uptrendPullback();
    const config = { cooldownBars: 0 };
    const host = given(createScanner(config), past).host;
    const fire = script.nextBy(7.5, -0.5, 7, PIP);
    expect(only('trend_momentum', host.handle(fire))).toHaveLength(1);
    script.ohlc([fire.data.open, fire.data.high, fire.data.low, fire.data.close]);
    // A 2.5-pip dip keeps RSI above 50 (between 50 and 55), then a push back up through 55.
    const dip = script.nextBy(0.5, -3, -2.5, PIP);
    host.handle(dip);
    const s = host.state.current!;
    expect(s.rsiV).toBeLessThan(55);
    expect(s.rsiV).toBeGreaterThan(50);
    script.ohlc([dip.data.open, dip.data.high, dip.data.low, dip.data.close]);
    const again = script.nextBy(5.5, -0.5, 5, PIP);
    expect(only('trend_momentum', host.handle(again))).toEqual([]);
    expect(host.state.current!.rsiV).toBeGreaterThanOrEqual(55);
  });
});

describe('selectivity settings', () => {
  const choch = () => {
    const { past, script } = downStructure();
    return { past, trigger: script.nextBy(22, -0.5, 21, PIP), strategy: 'structure_break' };
  };
  const wick = () => {
    const { past, script } = retestOfSupport();
    return { past, trigger: script.nextBy(1.5, -7, 1, PIP), strategy: 'rejection_wick' };
  };
  const momentum = () => {
    const { past, script } = uptrendPullback();
    return { past, trigger: script.nextBy(7.5, -0.5, 7, PIP), strategy: 'trend_momentum' };
  };
  it.each([
    ['minSwingAtr', choch, { minSwingAtr: 10 }],
    ['breakMinAtr', choch, { breakMinAtr: 5 }],
    ['maxRiskAtr', choch, { maxRiskAtr: 2 }],
    ['levelDepartureAtr', wick, { levelDepartureAtr: 20 }],
    ['wickMinAtr', wick, { wickMinAtr: 3 }],
    ['wickBodyRatio', wick, { wickBodyRatio: 10 }],
    ['momentumMinGapAtr', momentum, { momentumMinGapAtr: 5 }],
    ['minAtrPct', momentum, { minAtrPct: 0.01 }],
    ['rsiOverbought', momentum, { rsiOverbought: 56 }],
  ] as const)('%s_when_tightened_then_the_setup_that_fires_by_default_does_not', (_name, scenario, config) => {
    const { past, trigger, strategy } = scenario();
    expect(only(strategy, decide(past, trigger).published)).toHaveLength(1);
    expect(only(strategy, decide(past, trigger, config).published)).toEqual([]);
  });

  it('structure_targets_when_previous_lower_high_is_nearer_than_2r_then_target_at_it', () => {
    // Down structure, then a 50-pip drop from a lower high T, a 12-pip bounce to H, a 20-pip
    // dip and a close through H: the CHOCH's 2R target lies beyond T, so T is the target.
    const { script } = downStructure();
    script.steps(pips([2, 2, 2, 2]), WICK);
    const top = script.lastClose + WICK;
    script.steps(pips(new Array<number>(10).fill(-5)), WICK);
    script.steps(pips([3, 3, 3, 3]), WICK);
    script.steps(pips([-4, -4, -4, -4, -4]), WICK);
    const past = script.all();
    const trigger = script.nextBy(24, -0.5, 23, PIP);
    const [near] = only('structure_break', decide(past, trigger).published);
    const [far] = only('structure_break', decide(past, trigger, { structureTargets: false }).published);
    expect(near.reason).toMatch(/^bullish CHOCH/);
    const risk = far.entry - far.stop;
    expect(Math.abs(far.target - (far.entry + 2 * risk))).toBeLessThanOrEqual(0.000005 + 1e-12);
    expect(near.target).toBeCloseTo(top, 5);
    expect(near.target - near.entry).toBeGreaterThanOrEqual(risk);
    expect(near.target).toBeLessThan(far.target);
  });

  it('reward_risk_when_changed_then_target_moves_with_it', () => {
    const { past, trigger } = momentum();
    const [sig] = only('trend_momentum', decide(past, trigger, { rewardRisk: 3 }).published);
    expect((sig.target - sig.entry) / (sig.entry - sig.stop)).toBeCloseTo(3, 1);
  });
});

describe('signal envelope', () => {
  it('signal_when_published_then_starts_its_own_chain_with_derived_id', () => {
    const { past, script } = downStructure();
    const trigger = script.nextBy(22, -0.5, 21, PIP);
    const then = decide(past, trigger);
    const env = then.published[0];
    expect(env.type).toBe('SignalDetected');
    expect(env.id).toBe(deriveId(trigger.id, 'scanner', 0));
    expect(env.correlationId).toBe(env.id);
    expect(env.causationId).toBe(trigger.id);
    expect(env.ts).toBe(trigger.ts);
    expect(env.source).toBe('scanner');
  });

  it('signal_at_13_utc_on_forex_then_london_new_york_session_scored_100', () => {
    const { past, script } = downStructure();
    const [sig] = only('structure_break', decide(past, script.nextBy(22, -0.5, 21, PIP)).published);
    expect(sig.session).toBe('london_new_york');
    expect(sig.qualityBreakdown.session).toBe(100);
  });
});

describe('warm-up', () => {
  it('setup_before_indicators_are_stable_then_nothing', () => {
    // The CHOCH scenario cut to 45 bars: structure exists, the slow EMA (50) is not stable yet.
    const script = new BarScript(T13).start(1.3);
    script.repeat(pips([-3, -3, -3, -3, -3, 2, 2, 2, 2]), 4, WICK);
    script.steps(pips([-3, -3, -3, -3, -3]), WICK);
    const past = script.all();
    expect(past.length).toBeLessThan(49);
    const then = decide(past, script.nextBy(22, -0.5, 21, PIP));
    expect(then.state.current?.breakDir).toBe(1);
    expect(then.state.current?.warm).toBe(false);
    then.thenNothing();
  });

  it('stream_shorter_than_slowest_indicator_when_run_live_then_no_signals', () => {
    const { past, script } = downStructure();
    const bars = [...past, script.nextBy(22, -0.5, 21, PIP)];
    const { outputs } = runAll(createScanner({ emaSlowPeriod: 200 }), bars);
    expect(bars.length).toBeLessThan(200);
    expect(outputs).toEqual([]);
  });
});

describe('cooldown', () => {
  function ownSignal(past: Bars, strategy: string): Envelope {
    const last = past[past.length - 1];
    return msg('SignalDetected', { ...sampleSignal, strategy }, { ts: last.ts, source: 'scanner' });
  }
  const sampleSignal: SignalDetectedData = {
    strategy: 'structure_break',
    venue: 'oanda',
    symbol: 'EURUSD',
    timeframe: '1m',
    direction: 'long',
    entry: 1.3,
    stop: 1.299,
    target: 1.302,
    quality: 50,
    qualityBreakdown: { trend: 50, volatility: 50, session: 50 },
    confidence: 0.5,
    session: 'london_new_york',
    features: {},
    reason: 'earlier signal',
  };

  it('own_signal_of_same_strategy_one_bar_ago_then_suppressed', () => {
    const { past, script } = downStructure();
    const then = decide([...past, ownSignal(past, 'structure_break')], script.nextBy(22, -0.5, 21, PIP));
    expect(only('structure_break', then.published)).toEqual([]);
  });

  it('own_signal_of_other_strategy_then_not_suppressed', () => {
    const { past, script } = downStructure();
    const then = decide([...past, ownSignal(past, 'rejection_wick')], script.nextBy(22, -0.5, 21, PIP));
    expect(only('structure_break', then.published)).toHaveLength(1);
  });

  it('signal_from_another_source_then_not_counted', () => {
    const { past, script } = downStructure();
    const foreign = { ...ownSignal(past, 'structure_break'), source: 'plan-scanner' };
    const then = decide([...past, foreign], script.nextBy(22, -0.5, 21, PIP));
    expect(only('structure_break', then.published)).toHaveLength(1);
  });

  it('own_signal_ten_bars_before_then_allowed_and_nine_bars_before_then_suppressed', () => {
    const { script } = downStructure();
    const all = script.all();
    const at = (barsAgo: number) => {
      const cut = all.length - barsAgo;
      return [...all.slice(0, cut), ownSignal(all.slice(0, cut), 'structure_break'), ...all.slice(cut)];
    };
    const trigger = script.nextBy(22, -0.5, 21, PIP);
    expect(only('structure_break', decide(at(9), trigger, { cooldownBars: 10 }).published)).toHaveLength(1);
    expect(only('structure_break', decide(at(8), trigger, { cooldownBars: 10 }).published)).toEqual([]);
    expect(only('structure_break', decide(at(8), trigger, { cooldownBars: 9 }).published)).toHaveLength(1);
  });
});

describe('streams and bad bars', () => {
  it('bars_of_other_symbols_interleaved_then_each_stream_signals_as_alone', () => {
    const { past, script } = downStructure();
    const trigger = script.nextBy(22, -0.5, 21, PIP);
    const other = (b: Message<'BarClosed'>, symbol: string, timeframe: '1m' | '5m') =>
      barEnvelope(`${symbol}-${timeframe}-${b.id}`, b.ts, { ...b.data, symbol, timeframe, close: b.data.open });
    const mixed: Envelope[] = [];
    for (const b of past) mixed.push(b, other(b, 'GBPUSD', '1m'), other(b, 'EURUSD', '5m'));
    const alone = decide(past, trigger);
    const then = decide(mixed, trigger);
    expect(then.published).toEqual(alone.published);
    expect(then.state.streams.get('EURUSD')).toHaveLength(2);
    expect(then.state.streams.get('GBPUSD')).toHaveLength(1);
  });

  it('non_finite_or_stale_bar_when_folded_then_ignored_and_state_unchanged', () => {
    const { past, script } = downStructure();
    const trigger = script.nextBy(22, -0.5, 21, PIP);
    const last = past[past.length - 1];
    const nan = barEnvelope('nan', last.ts + 1, { ...last.data, close: Number.NaN });
    const stale = barEnvelope('dup', last.ts, last.data);
    const then = decide([...past, nan, stale], trigger);
    expect(then.state.current?.ignoredBars).toBe(2);
    expect(then.published).toEqual(decide(past, trigger).published);
  });

  it('unknown_symbol_when_scanned_then_signals_without_rounding', () => {
    const { past, script } = downStructure();
    const rename = (b: Message<'BarClosed'>) => barEnvelope(b.id, b.ts, { ...b.data, symbol: 'ACME' });
    const [sig] = only('structure_break', decide(past.map(rename), rename(script.nextBy(22, -0.5, 21, PIP))).published);
    expect(sig.symbol).toBe('ACME');
    expectSane(sig);
    expect(Math.abs(sig.stop * 1e5 - Math.round(sig.stop * 1e5))).toBeGreaterThan(1e-6);
  });
});
