import type { ExperienceRecordedData, LearnedParametersPublishedData } from '@tradeloop/contracts';
import { runAll } from '@tradeloop/testing';
import { createLearning } from './index';
import { closedOf, strategyChain, TradeSpec } from './learning.test-fixtures';

const LOSS = { gross: '-10.70', net: '-11.10' };
const WIN = { gross: '30.60', net: '30.20' };
const A: TradeSpec = { corr: 'sig-A' };
const B: TradeSpec = { corr: 'sig-B', strategy: 'trend_momentum' };
const A2: TradeSpec = { corr: 'sig-A2', exit: '1.10308' };

/** The ExperienceRecorded contract's field order: the event log's bytes depend on it. */
const EXPERIENCE_KEYS = [
  'positionId',
  'signalId',
  'origin',
  'strategy',
  'venue',
  'symbol',
  'direction',
  'session',
  'signalQuality',
  'signal',
  'features',
  'decision',
  'risk',
  'approval',
  'orderType',
  'timeInForce',
  'fills',
  'slippageCost',
  'spreadAtEntry',
  'exitReason',
  'entryPrice',
  'exitPrice',
  'quantity',
  'pnl',
  'fees',
  'currency',
  'rMultiple',
  'win',
  'holdingMs',
  'maxAdverseExcursion',
  'maxFavorableExcursion',
  'openedAt',
  'closedAt',
];

function published(inputs: Parameters<typeof runAll>[1]) {
  const { outputs } = runAll(createLearning(), inputs);
  return {
    experiences: outputs.filter((o) => o.type === 'ExperienceRecorded').map((o) => o.data as ExperienceRecordedData),
    tables: outputs.filter((o) => o.type === 'LearnedParametersPublished').map((o) => o.data as LearnedParametersPublishedData),
  };
}

describe('learning: published shapes', () => {
  it('experience_when_whole_chain_known_then_fields_in_the_contract_order', () => {
    const { experiences } = published([...strategyChain(A), closedOf(A, LOSS)]);
    expect(Object.keys(experiences[0])).toEqual(EXPERIENCE_KEYS);
  });

  it('experience_when_chain_unknown_then_known_fields_keep_the_contract_order', () => {
    const { experiences } = published([closedOf(A, LOSS)]);
    const keys = Object.keys(experiences[0]);
    expect(keys).toEqual(EXPERIENCE_KEYS.filter((k) => keys.includes(k)));
    expect(keys).not.toContain('signalId');
  });

  it('parameters_when_one_key_trades_then_other_rows_carried_over_unchanged', () => {
    const { tables } = published([...strategyChain(A), closedOf(A, LOSS), ...strategyChain(B), closedOf(B, WIN), ...strategyChain(A2), closedOf(A2, WIN)]);
    expect(tables.map((t) => t.paramsVersion)).toEqual([1, 2, 3]);
    const row = (v: number, strategy: string) => tables[v].parameters.find((p) => p.strategy === strategy)!;
    // Version 2 only traded trend_momentum: structure_break's row is the one published in version 1.
    expect(row(1, 'structure_break')).toBe(row(0, 'structure_break'));
    expect(row(1, 'structure_break')).toEqual(row(0, 'structure_break'));
    // Version 3 traded structure_break again: its row is recomputed, trend_momentum's carried over.
    expect(row(2, 'structure_break')).not.toBe(row(1, 'structure_break'));
    expect(row(2, 'structure_break')).toMatchObject({ trades: 2, wins: 1, alpha: 3, beta: 3 });
    expect(row(2, 'trend_momentum')).toBe(row(1, 'trend_momentum'));
    expect(row(0, 'structure_break')).toMatchObject({ trades: 1, wins: 0 });
    // Each version is its own array, sorted by (strategy, symbol, direction).
    expect(tables[2].parameters).not.toBe(tables[1].parameters);
    expect(tables[2].parameters.map((p) => p.strategy)).toEqual(['structure_break', 'trend_momentum']);
  });
});
