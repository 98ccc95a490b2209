import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { EventLogFile } from './event-log-file';

const signal = SAMPLE_MESSAGES.SignalDetected;
const decision = SAMPLE_MESSAGES.DecisionMade;

describe('EventLogFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-eventlog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appended_envelopes_when_flushed_then_one_json_line_each_in_order_and_the_file_is_private', () => {
    const log = new EventLogFile(join(dir, 'a', 'events.ndjson'));
    log.append(signal);
    log.append(decision);
    expect(readFileSync(log.path, 'utf8')).toBe('');
    log.flush();
    expect(readFileSync(log.path, 'utf8')).toBe(`${JSON.stringify(signal)}\n${JSON.stringify(decision)}\n`);
    expect(log.count).toBe(2);
    log.close();
    log.append(signal);
    log.flush();
    expect(readFileSync(log.path, 'utf8').split('\n')).toHaveLength(3);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
  });

  it('appended_when_the_event_loop_turns_then_written_without_an_explicit_flush', async () => {
    const log = new EventLogFile(join(dir, 'b.ndjson'));
    log.append(signal);
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(log.path, 'utf8')).toBe(`${JSON.stringify(signal)}\n`);
    log.close();
  });

  it('existing_file_when_opened_then_rewritten_from_empty', () => {
    const path = join(dir, 'c.ndjson');
    const first = new EventLogFile(path);
    first.append(signal);
    first.close();
    const second = new EventLogFile(path);
    second.append(decision);
    second.close();
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(decision)}\n`);
  });

  it('head_replaced_then_the_first_lines_are_the_new_ones_the_rest_kept_and_appends_go_on_after_them', () => {
    const log = new EventLogFile(join(dir, 'd.ndjson'));
    log.append(signal);
    log.append(decision);
    log.append(signal);
    const head = [{ ...decision, id: 'new-head' }];
    log.replaceHead(head);
    log.append(decision);
    log.close();
    expect(readFileSync(log.path, 'utf8')).toBe([head[0], decision, signal, decision].map((m) => `${JSON.stringify(m)}\n`).join(''));
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    expect(log.failure).toBeUndefined();
  });

  it('head_longer_than_the_log_when_replaced_then_the_log_stops_and_says_why', () => {
    const reported: Error[] = [];
    const log = new EventLogFile(join(dir, 'e.ndjson'), (e) => reported.push(e));
    log.append(signal);
    log.replaceHead([decision, decision]);
    expect(log.failure?.message).toBe('the log holds 1 line(s), fewer than the 2 to replace');
    expect(reported).toEqual([log.failure]);
    log.close();
    expect(readFileSync(log.path, 'utf8')).toBe(`${JSON.stringify(signal)}\n`);
  });

  it('write_when_the_disk_refuses_then_the_log_stops_and_says_why', () => {
    // /dev/full accepts the open and fails every write with ENOSPC.
    const reported: Error[] = [];
    const log = new EventLogFile('/dev/full', (e) => reported.push(e));
    log.append(signal);
    expect(() => log.flush()).not.toThrow();
    expect(log.failure?.message).toMatch(/ENOSPC/);
    expect(reported).toEqual([log.failure]);
    expect(log.count).toBe(0);
    log.append(decision);
    log.flush();
    expect(log.count).toBe(0);
    expect(reported).toHaveLength(1);
    log.close();
  });
});
