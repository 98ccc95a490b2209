/**
 * Golden backtests: the whole pipeline over shared real data must keep producing exactly the
 * recorded summary, stage counts and event-log hash. A change in any decision shows up here.
 * After an intended behaviour change, re-record with:
 *
 *   UPDATE_GOLDEN=1 npx jest test/golden
 *
 * and say in the commit message why the numbers moved.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import { PipelineConfig, pipelineConfig, runBacktest } from '@tradeloop/runtime';

const DATA = resolve(__dirname, '../../../shared/data');

interface Case {
  name: string;
  file: string;
  barTimestamp: 'open' | 'close';
  config: Partial<PipelineConfig>;
}

const CASES: Case[] = [
  {
    name: 'eurusd-oanda-1m-fully-automated',
    file: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
    barTimestamp: 'open',
    config: { mode: 'fully_automated', feeBps: 1, slippageBps: 1 },
  },
  {
    name: 'xauusd-oanda-1m-quality-based',
    file: 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
    barTimestamp: 'open',
    config: { mode: 'quality_based', threshold: 60, feeBps: 0.5, slippageBps: 0.5 },
  },
];

function run(c: Case) {
  const r = readMarketDataFile(resolve(DATA, c.file), { barTimestamp: c.barTimestamp });
  const cfg = pipelineConfig(c.config);
  const res = runBacktest({ bars: r.bars, files: [{ name: r.info.file, sha256: r.info.sha256, rows: r.info.rows }] }, cfg);
  return {
    summary: res.summary,
    stages: res.stages,
    fills: res.fills.length,
    firstFills: res.fills.slice(0, 3),
    eventLogSha256: res.eventLog.sha256(),
  };
}

describe('golden backtests on shared data', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s_when_run_then_matches_recording', (_name, c) => {
    const actual = JSON.parse(JSON.stringify(run(c)));
    const file = resolve(__dirname, `${c.name}.golden.json`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.CI && !existsSync(file)) throw new Error(`golden file ${file} is missing`);
      writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
    }
    const expected = JSON.parse(readFileSync(file, 'utf8'));
    expect(actual).toEqual(expected);
  });
});
