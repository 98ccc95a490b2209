import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dec } from '@tradeloop/kernel';
import type { ExperienceRecordedData, Message, OrderFilledData, PositionClosedData, RiskApprovedData } from '@tradeloop/contracts';
import { runCli } from './test-support';

const REPO = resolve(__dirname, '../../..');
const DATA = resolve(REPO, '../shared/data');
const XAUUSD = resolve(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');

const run = runCli;

const GOLD_100_YAML = `# Gold as a broker trades it: 100-ounce contracts, in hundredths of one.
XAUUSD:
  contractSize: 100
  lotSize: 0.01
  minQuantity: 0.01
`;

function events(file: string): Message[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Message);
}
const dataOf = <T>(all: Message[], type: string): T[] => all.filter((e) => e.type === type).map((e) => e.data as T);
const hash = (out: string): string => /event-log sha256: ([0-9a-f]{64})/.exec(out)![1];

describe('tradeloop backtest --instruments: gold in 100-ounce contracts (XAUUSD OANDA 1m, real data)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-instruments-'));
  const gold = join(dir, 'gold.yaml');
  writeFileSync(gold, GOLD_100_YAML);
  const base = ['--data', XAUUSD, '--mode', 'fully_automated', '--fee-bps', '0.5', '--slippage-bps', '0.5', '--no-progress'];
  let backtest: Awaited<ReturnType<typeof run>>;
  let log: Message[];

  beforeAll(async () => {
    backtest = await run(['backtest', ...base, '--instruments', gold, '--out', join(dir, 'run')]);
    log = events(join(dir, 'run', 'events.ndjson'));
  }, 60_000);

  it('given_a_yaml_file_when_backtested_then_risk_sizes_executor_books_and_learning_counts_100_ounce_contracts', () => {
    expect(backtest.code).toBe(0);
    expect(backtest.err).toContain('instruments (gold.yaml): XAUUSD lotSize 0.01, minQuantity 0.01, contractSize 100\n');
    const approved = dataOf<RiskApprovedData>(log, 'RiskApproved');
    expect(approved.length).toBeGreaterThan(5);
    for (const a of approved) {
      // Hundredths of a contract, each worth 100 ounces: a notional of ~25 000 USD is 0.19, not 19.
      expect(dec(a.order.quantity).decimalPlaces()).toBeLessThanOrEqual(2);
      expect(dec(a.order.quantity).gte('0.01')).toBe(true);
      expect(a.notional).toBe(dec(a.order.quantity).mul(a.referencePrice!).mul(100).toFixed(2));
    }
    const fills = dataOf<OrderFilledData>(log, 'OrderFilled');
    expect(fills.every((f) => dec(f.quantity).decimalPlaces() <= 2)).toBe(true);
    const closed = dataOf<PositionClosedData>(log, 'PositionClosed');
    expect(closed.length).toBeGreaterThan(5);
    for (const c of closed) {
      const sign = c.direction === 'long' ? 1 : -1;
      expect(c.grossPnl).toBe(dec(c.exitPrice).minus(c.entryPrice).mul(c.quantity).mul(100).mul(sign).toFixed(2));
    }
    const experiences = dataOf<ExperienceRecordedData>(log, 'ExperienceRecorded');
    const withR = experiences.filter((e) => e.rMultiple !== undefined);
    expect(withR.length).toBeGreaterThan(5);
    for (const e of withR) {
      // The money the stop put at risk, counted in 100-ounce contracts as the P&L is.
      const atRisk = dec(e.entryPrice).minus(e.risk!.stopLoss!).abs().mul(e.quantity).mul(100);
      expect(e.rMultiple).toBe(dec(e.pnl).div(atRisk).toNumber());
      if (e.exitReason === 'stop_loss') expect(Math.abs(e.rMultiple!)).toBeLessThan(2);
    }
    // Cash adds up in the same units.
    const report = JSON.parse(readFileSync(join(dir, 'run', 'report.json'), 'utf8')) as { summary: { finalCash: string; startingCash: string } };
    const realised = closed.reduce((s, c) => s.plus(c.realizedPnl), dec(0));
    expect(dec(report.summary.finalCash).minus(report.summary.startingCash).toFixed(2)).toBe(realised.toFixed(2));
  });

  it('given_the_run_when_its_log_is_read_then_run_started_records_the_instruments_and_a_replay_without_the_file_is_identical', async () => {
    const started = log[0].data as { config: Record<string, unknown> };
    expect(JSON.parse(started.config['instruments'] as string)).toEqual({ XAUUSD: { lotSize: '0.01', minQuantity: '0.01', contractSize: '100' } });
    const r = await run(['replay', '--log', join(dir, 'run', 'events.ndjson'), '--data', XAUUSD, '--no-progress']);
    expect(r.err).toContain('instruments (recorded in RunStarted): XAUUSD lotSize 0.01, minQuantity 0.01, contractSize 100\n');
    expect(r.out).toContain(`replay identical: ${log.length} events, byte for byte`);
    expect(r.code).toBe(0);
    expect(hash(r.out)).toBe(hash(backtest.out));
  }, 60_000);

  it('given_the_same_instruments_as_json_with_other_spellings_then_the_same_run_byte_for_byte', async () => {
    const json = join(dir, 'gold.json');
    writeFileSync(json, JSON.stringify({ xauusd: { minQuantity: '0.010', contractSize: 100.0, lotSize: '0.01' } }, null, 2));
    const r = await run(['backtest', ...base, '--instruments', json]);
    expect(r.code).toBe(0);
    expect(hash(r.out)).toBe(hash(backtest.out));
  }, 60_000);

  it('given_a_replay_with_another_instruments_file_then_a_what_if_on_those_instruments', async () => {
    const built = join(dir, 'empty.json');
    writeFileSync(built, '{}');
    const r = await run(['replay', '--log', join(dir, 'run', 'events.ndjson'), '--data', XAUUSD, '--instruments', built, '--out', join(dir, 'what-if'), '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('what-if: instruments of empty.json on the same inputs');
    // The built-in gold: ounces, so risk sizes whole ounces and nothing is recorded.
    const whatIf = events(join(dir, 'what-if', 'events.ndjson'));
    expect((whatIf[0].data as { config: Record<string, unknown> }).config['instruments']).toBeUndefined();
    expect(dataOf<RiskApprovedData>(whatIf, 'RiskApproved').every((a) => dec(a.order.quantity).isInteger())).toBe(true);
  }, 60_000);
});

describe('tradeloop backtest --instruments: a bad file stops the run, naming the file, line, symbol and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-instruments-bad-'));
  it.each([
    ['unknown field', 'XAUUSD:\n  contractsize: 100\n', 'bad.yaml:2: XAUUSD.contractsize is not an instrument field (known: assetClass, baseCurrency, quoteCurrency, tickSize, lotSize, minQuantity, contractSize, priceTolerance)'],
    ['negative size', 'XAUUSD:\n  lotSize: 0.01\n  contractSize: -100\n', 'bad.yaml:3: XAUUSD.contractSize must be a positive decimal'],
    ['zero size', 'XAUUSD:\n  contractSize: 0\n', 'bad.yaml:2: XAUUSD.contractSize must be positive, got "0"'],
    ['not a number', 'XAUUSD:\n  tickSize: one cent\n', 'bad.yaml:2: XAUUSD.tickSize must be a positive decimal'],
    ['tick off any decimal grid', 'XAUUSD:\n  tickSize: 0.03\n', 'bad.yaml:2: XAUUSD.tickSize must be a step that divides a power of ten'],
    ['minimum off the lot grid', 'XAUUSD:\n  lotSize: 0.01\n  minQuantity: 0.015\n', 'bad.yaml:3: XAUUSD.minQuantity is off the lot grid: minQuantity 0.015 must be a whole number of lots of 0.01'],
    ['symbol twice', 'XAUUSD:\n  lotSize: 1\nXAUUSD:\n  lotSize: 1\n', 'bad.yaml:3: not valid JSON or YAML: XAUUSD is given twice'],
    ['not a symbol', 'XAU USD:\n  contractSize: 100\n', 'bad.yaml:1: "XAU USD" must be a symbol like EURUSD'],
    ['a symbol not built in', 'GOLD:\n  contractSize: 100\n', 'bad.yaml:1: GOLD is not a built-in instrument (metals XAUUSD and XAGUSD, six-letter fiat pairs, crypto pairs of BTC, ETH, SOL, XRP, ADA, DOGE, BNB, LTC): to trade it, describe it in full'],
    ['asset class', 'XAUUSD:\n  assetClass: commodity\n', 'bad.yaml:2: XAUUSD.assetClass must be one of forex, metal, crypto, equity, index, got "commodity"'],
    ['not JSON', '{"XAUUSD": {"contractSize": 100,}', 'bad.yaml: not valid JSON or YAML (at character 34): Flow map must end with a }'],
  ])('%s_then_exit_2_with_the_problem', async (_what, text, message) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, text);
    const r = await run(['backtest', '--data', EURUSD, '--to', '2014-05-02', '--instruments', file, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message.replace('bad.yaml', file));
    // Refused before any data is read.
    expect(r.err).not.toContain('loaded ');
  });

  it('missing_file_then_exit_2_naming_it', async () => {
    const r = await run(['backtest', '--data', EURUSD, '--instruments', join(dir, 'none.yaml'), '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, 'none.yaml')}: cannot read the instruments file`);
  });

  it('a_symbol_the_data_does_not_hold_then_a_warning_naming_it', async () => {
    const file = join(dir, 'silver.yaml');
    writeFileSync(file, 'XAGUSD:\n  contractSize: 5000\n');
    const r = await run(['backtest', '--data', EURUSD, '--to', '2014-05-02', '--instruments', file, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: silver.yaml sets XAGUSD, which the data does not hold (it trades EURUSD)');
  });

  it('replay_service_with_instruments_then_exit_1', async () => {
    const r = await run(['replay', '--service', 'risk', '--instruments', join(dir, 'silver.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--service audits a deployment from JetStream: it takes no');
  });
});
