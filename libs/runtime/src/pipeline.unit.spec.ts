import { assertKnownFields } from '@tradeloop/kernel';
import { createPipeline, pipelineConfig, type PipelineConfig } from './index';

describe('pipeline config: a field no decider has is refused, not ignored', () => {
  it.each([
    ['scanner', { scanner: { emaFast: 5 } }, /scanner config: unknown field "emaFast" \(known: .*emaFastPeriod/],
    ['scanner strategies', { scanner: { strategies: { choch: true } } }, /scanner strategies config: unknown field "choch" \(known: structure_break, rejection_wick, trend_momentum\)/],
    ['rl-decision', { rlDecision: { minConf: 0.7 } }, /rl-decision config: unknown field "minConf"/],
    ['rl-decision weights', { rlDecision: { weights: { quality: 1 } } }, /rl-decision weights config: unknown field "quality"/],
    ['risk', { risk: { maxDailyTrades: 20 } }, /risk config: unknown field "maxDailyTrades" \(known: .*dailyTradeLimit/],
    ['governor', { governor: { ttlMs: 5 } }, /governor config: unknown field "ttlMs"/],
    ['executor', { executor: { feeBps: 1 } }, /executor config: unknown field "feeBps"/],
    ['learning', { learning: { prior: 1 } }, /learning config: unknown field "prior"/],
  ])('%s_with_a_misspelt_field_then_range_error_naming_it', (_name, over, message) => {
    expect(() => createPipeline(pipelineConfig(over as Partial<PipelineConfig>))).toThrow(message);
  });

  it('known_fields_then_the_pipeline_is_built', () => {
    expect(() =>
      createPipeline(pipelineConfig({ scanner: { emaFastPeriod: 10, strategies: { structure_break: false } }, risk: { dailyTradeLimit: 20 }, rlDecision: { weights: { signalQuality: 1 } } })),
    ).not.toThrow();
  });
});

describe('assertKnownFields', () => {
  const defaults = { a: 1, b: undefined };
  it('absent_input_or_known_fields_then_quiet', () => {
    expect(() => assertKnownFields('x', undefined, defaults)).not.toThrow();
    expect(() => assertKnownFields('x', { a: 2, b: 3 }, defaults)).not.toThrow();
  });
  it('inherited_name_then_still_unknown', () => {
    // Only the defaults' own fields count: `toString` is on every object's prototype.
    expect(() => assertKnownFields('x', { toString: 1 }, defaults)).toThrow('x config: unknown field "toString" (known: a, b)');
  });
});
