import { resolve } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import { createPipeline, flatPipelineConfig, parseInstruments, pipelineConfig, pipelineConfigFromFlat, runBacktest, type PipelineConfig } from './index';

const DATA = resolve(__dirname, '../../../../shared/data');

describe('parseInstruments: JSON or YAML, validated, in one canonical form', () => {
  it('yaml_and_json_saying_the_same_then_the_same_table_sorted_with_shortest_decimals', () => {
    const yaml = parseInstruments('# brokers\nXAUUSD:\n  contractSize: 100\n  lotSize: 0.010\n  minQuantity: 1e-2\n  priceTolerance: 2.5\neurusd:\n  lotSize: 1000\n  minQuantity: "1000"\n', 'a.yaml');
    const json = parseInstruments('{"EURUSD": {"minQuantity": 1000, "lotSize": "1000"}, "XAUUSD": {"priceTolerance": "2.5", "minQuantity": "0.01", "lotSize": "0.01", "contractSize": "100"}}', 'b.json');
    expect(yaml).toEqual(json);
    expect(JSON.stringify(yaml)).toBe(JSON.stringify(json));
    expect(JSON.stringify(yaml)).toBe('{"EURUSD":{"lotSize":"1000","minQuantity":"1000"},"XAUUSD":{"lotSize":"0.01","minQuantity":"0.01","contractSize":"100","priceTolerance":2.5}}');
  });

  it('a_symbol_the_kernel_does_not_know_described_in_part_then_refused_as_risk_would_deny_all_its_orders', () => {
    // Accepted, every order on it would be denied UNKNOWN_INSTRUMENT by risk (measured on the real
    // XAUUSD file renamed GOLD: 151 of 151): a run that cannot trade is refused before it starts.
    expect(() =>
      parseInstruments('GOLD:\n  assetClass: metal\n  quoteCurrency: USD\n  tickSize: 0.01\n  lotSize: 0.01\n  minQuantity: 0.01\n  contractSize: 100\n', 'gold.yaml'),
    ).toThrow('gold.yaml:1: GOLD is not a built-in instrument (metals XAUUSD and XAGUSD, six-letter fiat pairs, crypto pairs of BTC');
  });

  it('a_symbol_the_kernel_does_not_know_described_in_full_then_traded_as_described', () => {
    const file = resolve(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
    const bars = readMarketDataFile(file, {}).bars.map((b) => ({ ...b, id: b.id.replace('XAUUSD', 'GOLD'), data: { ...b.data, symbol: 'GOLD' } }));
    const instruments = parseInstruments(
      'GOLD:\n  assetClass: metal\n  baseCurrency: XAU\n  quoteCurrency: USD\n  tickSize: 0.01\n  lotSize: 0.01\n  minQuantity: 0.01\n  contractSize: 100\n  priceTolerance: 5\n',
      'gold.yaml',
    );
    const run = runBacktest({ bars, files: [] }, pipelineConfig({ instruments }));
    expect(run.stages.risk.deniedByReason['UNKNOWN_INSTRUMENT'] ?? 0).toBe(0);
    expect(run.summary.trades).toBeGreaterThan(5);
    // In hundredths of a 100-ounce contract, as described.
    expect(run.fills.every((f) => /^\d+(\.\d{1,2})?$/.test(f.quantity))).toBe(true);
  });

  it.each([
    ['steps that divide a power of ten', 'XAUUSD:\n  tickSize: 0.25\n  lotSize: 0.03125\n  minQuantity: 0.0625\n', undefined],
    ['a tick that divides none', 'XAUUSD:\n  tickSize: 0.3\n', 'i.yaml:2: XAUUSD.tickSize must be a step that divides a power of ten'],
    ['a lot of 3', 'XAUUSD:\n  lotSize: 3\n  minQuantity: 3\n', 'i.yaml:2: XAUUSD.lotSize must be a step that divides a power of ten'],
    ['a minimum under the built-in lot', 'XAUUSD:\n  minQuantity: 0.5\n', 'i.yaml:2: XAUUSD.minQuantity is off the lot grid: minQuantity 0.5 must be a whole number of lots of 1'],
    ['a lot the built-in minimum is off', 'BTCUSDT:\n  lotSize: 0.001\n', 'i.yaml:2: XAUUSD'.replace('XAUUSD', 'BTCUSDT') + '.lotSize is off the lot grid: minQuantity 0.00001 must be a whole number of lots of 0.001'],
    ['a negative tolerance', 'XAUUSD:\n  priceTolerance: -1\n', 'i.yaml:2: XAUUSD.priceTolerance must be a number ≥ 0'],
    ['an infinite size', 'XAUUSD:\n  contractSize: .inf\n', 'i.yaml:2: XAUUSD.contractSize must be a positive decimal'],
    ['a lower-case currency', 'XAUUSD:\n  quoteCurrency: usd\n', 'i.yaml:2: XAUUSD.quoteCurrency must be a currency code in capitals'],
    ['a list of fields', 'XAUUSD:\n  - contractSize\n', 'i.yaml:1: XAUUSD must be a mapping of instrument fields'],
    ['one symbol in two cases', '{"xauusd": {"lotSize": 1}, "XAUUSD": {"lotSize": 1}}', 'i.yaml: XAUUSD is given twice ("XAUUSD" and "xauusd"): symbols are not case-sensitive'],
    ['two documents', 'XAUUSD:\n  lotSize: 1\n---\nEURUSD:\n  lotSize: 1\n', 'i.yaml:3: not valid JSON or YAML'],
    ['nothing', '  \n', 'i.yaml: is empty'],
  ])('%s', (_what, text, message) => {
    if (message === undefined) expect(() => parseInstruments(text, 'i.yaml')).not.toThrow();
    else expect(() => parseInstruments(text, 'i.yaml')).toThrow(message);
  });
});

describe('pipeline instruments: one setting for the scanner, risk, the executor and learning (XAUUSD OANDA 1m, real data)', () => {
  const xauusd = readMarketDataFile(resolve(DATA, 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {});
  const files = [{ name: xauusd.info.file, sha256: xauusd.info.sha256, rows: xauusd.info.rows }];
  const wicks = (cfg: PipelineConfig): number => runBacktest({ bars: xauusd.bars, files }, cfg).stages.signalsByStrategy['rejection_wick'] ?? 0;

  it('price_tolerance_set_in_the_instruments_or_the_executors_section_then_the_scanner_uses_it_as_its_own_section', () => {
    // Gold's built-in tolerance is 5; at 0.5 fewer wicks touch a level. Before, only
    // scanner.instruments reached the scanner: the same setting elsewhere was ignored in silence.
    const tolerance = { XAUUSD: { priceTolerance: 0.5 } };
    const own = wicks(pipelineConfig({ scanner: { instruments: tolerance } }));
    expect(own).toBeLessThan(wicks(pipelineConfig()));
    expect(wicks(pipelineConfig({ instruments: tolerance }))).toBe(own);
    expect(wicks(pipelineConfig({ executor: { instruments: tolerance } }))).toBe(own);
  });

  it('a_field_set_differently_in_the_instruments_and_a_section_then_range_error_naming_both', () => {
    expect(() => createPipeline(pipelineConfig({ instruments: { XAUUSD: { contractSize: '100' } }, executor: { instruments: { XAUUSD: { contractSize: '10' } } } }))).toThrow(
      'pipeline config: executor.instruments.XAUUSD.contractSize is 10 but instruments.XAUUSD.contractSize is 100',
    );
    expect(() => createPipeline(pipelineConfig({ instruments: { XAUUSD: { priceTolerance: 1 } }, scanner: { instruments: { XAUUSD: { priceTolerance: 2 } } } }))).toThrow(
      'pipeline config: scanner.XAUUSD.priceTolerance is 2 but instruments.XAUUSD.priceTolerance is 1',
    );
  });

  it('instruments_given_in_code_then_checked_as_a_file_is', () => {
    expect(() => createPipeline(pipelineConfig({ instruments: { XAUUSD: { lotSize: '0.3' } } }))).toThrow('pipeline config: instruments: XAUUSD.lotSize must be a step that divides a power of ten');
  });

  it('recorded_instruments_then_read_back_as_they_were_and_a_hand_edited_one_is_refused_naming_the_field', () => {
    const cfg = pipelineConfig({ mode: 'fully_automated', instruments: parseInstruments('XAUUSD:\n  contractSize: 100\n  lotSize: 0.01\n  minQuantity: 0.01\n', 'gold.yaml') });
    const flat = flatPipelineConfig(cfg);
    expect(JSON.stringify(pipelineConfigFromFlat(flat, (d) => new Error(d)).config)).toBe(JSON.stringify(cfg));
    const edited = { ...flat, instruments: '{"XAUUSD":{"contractSize":"-100"}}' };
    expect(() => pipelineConfigFromFlat(edited, (d) => new Error(`RunStarted ${d}`))).toThrow('RunStarted config.instruments: XAUUSD.contractSize must be a positive decimal');
    // A configuration without instruments records no such setting (its run id and log are unchanged).
    expect(Object.keys(flatPipelineConfig(pipelineConfig()))).not.toContain('instruments');
  });
});
