import { resolve } from 'node:path';
import { readMarketDataFile } from '@tradeloop/market-data';
import type { Envelope } from '@tradeloop/kernel';
import { CATALOG, type MessageType } from '@tradeloop/contracts';
import { compareEventLogs, parseEventLog, parseReadableEventLog, pipelineConfig, recordedCommands, runBacktest, RunLogError, runSpecOf, type PipelineConfig } from './index';

const DATA = resolve(__dirname, '../../../../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
const FROM = Date.UTC(2014, 4, 5);
const TO = Date.UTC(2014, 4, 9);

const eurusd = readMarketDataFile(EURUSD, { from: FROM, to: TO });
const files = [{ name: eurusd.info.file, sha256: eurusd.info.sha256, rows: eurusd.info.rows }];
const readOptions = { barTimestamp: 'open', aggregate: '1m', from: FROM, to: TO };
const cfg: PipelineConfig = pipelineConfig({ mode: 'fully_automated', feeBps: 1, slippageBps: 0.5, risk: { dailyTradeLimit: 20 } });

describe('run log: what a backtest log says about how to run it again', () => {
  const run = runBacktest({ bars: eurusd.bars, files, readOptions }, cfg);
  const text = run.eventLog.text();

  it('log_when_parsed_then_every_line_is_a_valid_message_in_order', () => {
    const events = parseEventLog(text, 'events.ndjson');
    expect(events).toHaveLength(run.eventLog.size);
    expect(events[0].type).toBe('RunStarted');
    expect(events[events.length - 1].type).toBe('RunEnded');
  });

  it('run_started_when_read_then_gives_back_the_config_files_and_read_options', () => {
    const spec = runSpecOf(parseEventLog(text, 'events.ndjson')[0], 'events.ndjson');
    expect(spec.config).toEqual(cfg);
    // Key order too: the run id hashes the config's JSON.
    expect(JSON.stringify(spec.config)).toBe(JSON.stringify(cfg));
    expect(spec.files).toEqual(files);
    expect(spec.readOptions).toEqual(readOptions);
    expect(spec.runId).toBe(run.runId);
  });

  it('spec_when_run_again_on_the_same_inputs_then_the_log_is_identical', () => {
    const spec = runSpecOf(parseEventLog(text, 'events.ndjson')[0], 'events.ndjson');
    const again = runBacktest({ bars: eurusd.bars, files: spec.files, readOptions: spec.readOptions }, spec.config);
    const c = compareEventLogs(text, again.eventLog.text());
    expect(c).toEqual({ identical: true, recordedLines: run.eventLog.size, replayedLines: run.eventLog.size, differingLines: 0 });
  });

  it('read_options_when_different_then_another_run_id', () => {
    const other = runBacktest({ bars: eurusd.bars, files, readOptions: { ...readOptions, to: TO + 1 } }, cfg);
    expect(other.runId).not.toBe(run.runId);
    const none = runBacktest({ bars: eurusd.bars, files }, cfg);
    expect(none.runId).not.toBe(run.runId);
    const first = JSON.parse(none.eventLog.text().split('\n')[0]);
    expect(Object.keys(first.data.config).some((k) => k.startsWith('input.'))).toBe(false);
  });

  it('another_policy_when_run_then_comparison_names_the_first_changed_line_and_fields', () => {
    const other = runBacktest({ bars: eurusd.bars, files, readOptions }, { ...cfg, riskPerTrade: 0.02 });
    const c = compareEventLogs(text, other.eventLog.text());
    expect(c.identical).toBe(false);
    // RunStarted itself records the policy: it is the first line to differ.
    expect(c.first?.line).toBe(1);
    expect(c.first?.fields.map((f) => f.path)).toEqual(expect.arrayContaining(['id', 'data.runId', 'data.config.riskPerTrade']));
    expect(c.first?.fields.find((f) => f.path === 'data.config.riskPerTrade')).toEqual({
      path: 'data.config.riskPerTrade',
      recorded: 0.01,
      replayed: 0.02,
    });
    expect(c.differingLines).toBeGreaterThan(1);
  });
});

describe('recorded commands: a run with a person in the loop replays identically', () => {
  const command = (type: MessageType, id: string, ts: number, data: unknown): Envelope => ({
    id,
    type,
    version: CATALOG[type].version,
    ts,
    correlationId: id,
    causationId: id,
    account: 'paper',
    source: 'gateway',
    data,
  });
  // As the in-process quickstart stamps them: the time of the last bar fed before they came in.
  const haltAt = eurusd.bars[1500].ts;
  const resumeAt = eurusd.bars[2500].ts;
  const halt = command('HaltTrading', 'cmd-halt', haltAt, { by: 'alice', reason: 'news', cancelWorkingOrders: true });
  const resume = command('ResumeTrading', 'cmd-resume', resumeAt, { by: 'alice', reason: 'calm again', state: 'ACTIVE' });
  const late = command('SetExecutionMode', 'cmd-mode', eurusd.bars[eurusd.bars.length - 1].ts, { mode: 'fully_manual', by: 'alice' });
  const run = runBacktest({ bars: eurusd.bars, files, readOptions, commands: [halt, resume], commandsAfterEnd: [late] }, cfg);
  const text = run.eventLog.text();
  const events = parseEventLog(text, 'events.ndjson');

  it('commands_when_given_then_they_enter_after_their_bar_and_change_what_follows', () => {
    const types = events.map((e) => e.type);
    const h = types.indexOf('HaltTrading');
    const r = types.indexOf('ResumeTrading');
    expect(h).toBeGreaterThan(0);
    expect(r).toBeGreaterThan(h);
    expect(types[h + 1]).toBe('TradingStateChanged');
    // Nothing decided before the halt's time comes after it, nothing after the resume's time before it.
    expect(events.slice(0, h).every((e) => e.ts <= haltAt)).toBe(true);
    expect(events.slice(h + 1).every((e) => e.ts >= haltAt)).toBe(true);
    expect(events.slice(r + 1).every((e) => e.ts >= resumeAt)).toBe(true);
    // While halted every new order is refused.
    const halted = events.slice(h, r).filter((e) => e.type === 'OrderDenied');
    expect(halted.length).toBeGreaterThan(0);
    expect(halted.every((e) => (e.data as { reason: string }).reason === 'TRADING_HALTED')).toBe(true);
    expect(events.slice(h, r).some((e) => e.type === 'RiskApproved')).toBe(false);
    // The late command follows RunEnded.
    expect(types.slice(types.indexOf('RunEnded') + 1)).toEqual(['SetExecutionMode', 'ExecutionModeChanged']);
    // And the run is not the run without them.
    expect(compareEventLogs(text, runBacktest({ bars: eurusd.bars, files, readOptions }, cfg).eventLog.text()).identical).toBe(false);
  });

  it('log_when_replayed_with_its_recorded_commands_then_identical', () => {
    const recorded = recordedCommands(events, 'market-data');
    expect(recorded.during.map((e) => e.id)).toEqual(['cmd-halt', 'cmd-resume']);
    expect(recorded.afterEnd.map((e) => e.id)).toEqual(['cmd-mode']);
    const spec = runSpecOf(events[0], 'events.ndjson');
    const again = runBacktest({ bars: eurusd.bars, files: spec.files, readOptions: spec.readOptions, commands: recorded.during, commandsAfterEnd: recorded.afterEnd }, spec.config);
    expect(compareEventLogs(text, again.eventLog.text()).identical).toBe(true);
    // Without them the replay names the first line that depended on one.
    const without = compareEventLogs(text, runBacktest({ bars: eurusd.bars, files: spec.files, readOptions: spec.readOptions }, spec.config).eventLog.text());
    expect(without.identical).toBe(false);
    expect(without.first?.recorded).toContain('"type":"HaltTrading"');
  });

  it('approval_when_a_person_grants_it_then_the_order_trades_and_the_log_replays_identically', () => {
    // Every take asks a person (quality_based, threshold 100); the first request is granted
    // at once (before the next bar), as someone watching the quickstart's API would.
    const manual = pipelineConfig({ ...cfg, mode: 'quality_based', threshold: 100 });
    const asked = parseEventLog(runBacktest({ bars: eurusd.bars, files, readOptions }, manual).eventLog.text(), 'events.ndjson');
    const request = asked.find((e) => e.type === 'ApprovalRequested')!;
    expect(request).toBeDefined();
    expect(asked.some((e) => e.type === 'ApprovalGranted')).toBe(false);
    const approve = command('ApproveOrder', 'cmd-approve', request.ts, { approvalId: request.id, by: 'alice' });
    const granted = runBacktest({ bars: eurusd.bars, files, readOptions, commands: [approve] }, manual).eventLog.text();
    const events = parseEventLog(granted, 'events.ndjson');
    const chain = events.filter((e) => e.correlationId === request.correlationId).map((e) => e.type);
    expect(chain).toEqual(expect.arrayContaining(['ApprovalRequested', 'ApprovalGranted', 'OrderApproved', 'OrderFilled']));
    expect(chain).not.toContain('ApprovalExpired');
    const recorded = recordedCommands(events, 'market-data');
    expect(recorded.during.map((e) => e.id)).toEqual(['cmd-approve']);
    const spec = runSpecOf(events[0], 'events.ndjson');
    const again = runBacktest({ bars: eurusd.bars, files: spec.files, readOptions: spec.readOptions, commands: recorded.during }, spec.config);
    expect(compareEventLogs(granted, again.eventLog.text()).identical).toBe(true);
  });

  it('orders_file_lines_when_in_the_log_then_not_counted_as_commands', () => {
    const fromFile = command('SubmitManualOrder', 'cmd:orders:orders.csv:2', haltAt, {});
    const own = { ...fromFile, source: 'market-data' };
    expect(recordedCommands([events[0], own, halt], 'market-data').during).toEqual([halt]);
  });
});

describe('compareEventLogs', () => {
  const a = '{"id":"1","n":1,"xs":[1,2]}\n{"id":"2","n":2}\n';

  it('one_field_when_changed_then_its_path_and_both_values', () => {
    const c = compareEventLogs(a, '{"id":"1","n":1,"xs":[1,3]}\n{"id":"2","n":2}\n');
    expect(c).toEqual({
      identical: false,
      recordedLines: 2,
      replayedLines: 2,
      differingLines: 1,
      first: { line: 1, recorded: '{"id":"1","n":1,"xs":[1,2]}', replayed: '{"id":"1","n":1,"xs":[1,3]}', fields: [{ path: 'xs.1', recorded: 2, replayed: 3 }] },
    });
  });

  it('line_when_missing_at_the_end_then_counted_and_shown_as_absent', () => {
    const c = compareEventLogs(a, '{"id":"1","n":1,"xs":[1,2]}\n');
    expect(c.identical).toBe(false);
    expect(c.differingLines).toBe(1);
    expect(c.first).toEqual({ line: 2, recorded: '{"id":"2","n":2}', replayed: undefined, fields: [{ path: '$', recorded: { id: '2', n: 2 }, replayed: undefined }] });
  });

  it('key_order_when_different_then_not_identical', () => {
    // Byte for byte is the claim: the same fields in another order are another log.
    const c = compareEventLogs('{"a":1,"b":2}\n', '{"b":2,"a":1}\n');
    expect(c.identical).toBe(false);
    expect(c.first?.fields).toEqual([]);
  });
});

describe('parseEventLog and runSpecOf: a log that cannot be used is an error naming file and line', () => {
  const good = runBacktest({ bars: eurusd.bars.slice(0, 300), files, readOptions }, cfg).eventLog.text();
  const lines = good.trimEnd().split('\n');

  it.each([
    ['', /events\.ndjson: the event log is empty/],
    [`${lines[0]}\n\n${lines[1]}\n`, /events\.ndjson:2: empty line/],
    [`${lines[0]}\n{"id":\n`, /events\.ndjson:2: .*JSON/i],
    [`${lines[0]}\n${lines[1].replace(/"ts":\d+/, '"ts":"soon"')}\n`, /events\.ndjson:2: ts: /],
  ])('bad_log_%#_then_run_log_error', (text, message) => {
    expect(() => parseEventLog(text, 'events.ndjson')).toThrow(RunLogError);
    expect(() => parseEventLog(text, 'events.ndjson')).toThrow(message);
  });

  it.each([
    ['one blank line', '\n'],
    ['several blank lines', '\n\n\n'],
    ['a line of spaces', '   \n'],
    ['a CRLF blank line', '\r\n'],
  ])('trailing_%s_after_the_last_event_then_the_same_events', (_name, tail) => {
    // An editor that saves the log adds a final blank line: not an event, not an error.
    expect(parseEventLog(good + tail, 'events.ndjson')).toEqual(parseEventLog(good, 'events.ndjson'));
  });

  it('trailing_blank_line_when_the_replay_is_compared_then_identical', () => {
    const c = compareEventLogs(`${good}\n`, good);
    expect(c).toEqual({ identical: true, recordedLines: lines.length, replayedLines: lines.length, differingLines: 0 });
  });

  it('log_cut_off_mid_line_when_read_for_explaining_then_the_events_before_it_and_the_cut_line', () => {
    // What a process killed while writing leaves: no final newline, half a line.
    const cut = `${lines.slice(0, 5).join('\n')}\n${lines[5].slice(0, 40)}`;
    expect(() => parseEventLog(cut, 'events.ndjson')).toThrow(/events\.ndjson:6: /);
    expect(parseReadableEventLog(cut, 'events.ndjson')).toEqual({ events: parseEventLog(`${lines.slice(0, 5).join('\n')}\n`, 'events.ndjson'), cutLine: 6 });
    // A whole log, or one whose bad line ends with a newline (not a cut), reads as parseEventLog does.
    expect(parseReadableEventLog(good, 'events.ndjson')).toEqual({ events: parseEventLog(good, 'events.ndjson') });
    expect(parseReadableEventLog(good.trimEnd(), 'events.ndjson').cutLine).toBeUndefined();
    expect(() => parseReadableEventLog(`${lines[0]}\n{"id":\n`, 'events.ndjson')).toThrow(/events\.ndjson:2: /);
    expect(() => parseReadableEventLog(`${lines[0]}\n{"id":\n${lines[1]}`, 'events.ndjson')).toThrow(/events\.ndjson:2: /);
  });

  it('only_blank_lines_then_still_an_empty_log', () => {
    expect(() => parseEventLog('\n\n', 'events.ndjson')).toThrow(/events\.ndjson: the event log is empty/);
  });

  function withStarted(edit: (e: { type: string; data: { mode: string; config: Record<string, unknown> } }) => void) {
    const e = JSON.parse(lines[0]);
    edit(e);
    return parseEventLog(JSON.stringify(e) + '\n', 'events.ndjson')[0];
  }

  it.each([
    [(e: any) => (e.data.mode = 'paper'), /events\.ndjson:1: RunStarted is of a paper run; only backtest runs replay from a log/],
    [(e: any) => (e.data.config.feeBps = 'one'), /config\.feeBps must be a number, got "one"/],
    [(e: any) => (e.data.config.mode = 'yolo'), /config\.mode must be one of fully_automated/],
    [(e: any) => (e.data.config.risk = '{not json'), /config\.risk must be a JSON object/],
    [(e: any) => (e.data.config.turbo = true), /a setting this version does not know: turbo/],
    [(e: any) => delete e.data.config.strategies, /config\.strategies must be true or false, got undefined/],
  ])('bad_run_started_%#_then_error_names_the_setting', (edit, message) => {
    expect(() => runSpecOf(withStarted(edit), 'events.ndjson')).toThrow(message);
  });

  it('first_line_when_not_run_started_then_error', () => {
    const events = parseEventLog(lines.slice(1).join('\n') + '\n', 'events.ndjson');
    expect(() => runSpecOf(events[0], 'events.ndjson')).toThrow(/a run log starts with RunStarted, this one with /);
  });
});
