import type { Envelope } from '@tradeloop/kernel';
import { CATALOG, decodeMessage, EXECUTION_MODES, formatFieldErrors, type DataFileInfo, type ExecutionMode, type MessageType, type RunStartedData } from '@tradeloop/contracts';
import { InstrumentsError, validateInstruments } from './instruments';
import { pipelineConfig, type PipelineConfig } from './pipeline';

/** RunStarted config keys that record how the inputs were read, not how the pipeline decided. */
export const INPUT_PREFIX = 'input.';

/** Everything a backtest's RunStarted says about how to run it again. */
export interface RunSpec {
  readonly runId: string;
  readonly files: readonly DataFileInfo[];
  readonly config: PipelineConfig;
  /** The read options recorded as `input.<name>` (empty for a run that recorded none). */
  readonly readOptions: Readonly<Record<string, string | number | boolean>>;
}

/** A run log that cannot be used: names the file, and the line when there is one. */
export class RunLogError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
    this.name = 'RunLogError';
  }
}

/**
 * Parses an event log (one envelope per line, as `events.ndjson`). Every line must be a valid
 * message of the contracts: a log is evidence, so a line that is not is an error naming its
 * line and fields, never skipped. Only blank lines after the last event are not lines of it
 * (splitLines): an editor's final newline does not make a log unusable.
 */
export function parseEventLog(text: string, file: string): Envelope[] {
  const lines = splitLines(text);
  if (lines.length === 0) throw new RunLogError(file, undefined, 'the event log is empty');
  const out: Envelope[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') throw new RunLogError(file, i + 1, 'empty line');
    const r = decodeMessage(line);
    if (!r.ok) throw new RunLogError(file, i + 1, formatFieldErrors(r.error));
    out[i] = r.value as Envelope;
  }
  return out;
}

/** A log whose writer stopped mid-line: the events before the cut, and the cut line's number. */
export interface ReadableLog {
  readonly events: Envelope[];
  /** 1-based line number of a last line cut off mid-write (no final newline, not a message), if any. */
  readonly cutLine?: number;
}

/**
 * parseEventLog for reading a log rather than auditing it (explain): a last line that is cut off
 * — the file does not end with a newline and the line is not a message, as a process killed
 * while writing leaves it — is dropped and reported in `cutLine`, so the trades before it can
 * still be read. Any other bad line is an error, as in parseEventLog; replay keeps refusing such
 * a log (a replay compares every line).
 */
export function parseReadableEventLog(text: string, file: string): ReadableLog {
  if (!text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n');
    const last = text.slice(cut + 1);
    if (cut >= 0 && last.trim() !== '' && !decodeMessage(last).ok) {
      return { events: parseEventLog(text.slice(0, cut + 1), file), cutLine: splitLines(text).length };
    }
  }
  return { events: parseEventLog(text, file) };
}

type Scalar = string | number | boolean;

/**
 * A PipelineConfig as RunStarted and ServiceStarted record it: scalars as they are, the
 * per-decider sections as JSON, then any read options as `input.<name>`.
 */
export function flatPipelineConfig(cfg: PipelineConfig, readOptions?: Readonly<Record<string, Scalar>>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (v !== undefined) out[k] = JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(readOptions ?? {})) out[`${INPUT_PREFIX}${k}`] = v;
  return out;
}

const SECTIONS = ['scanner', 'rlDecision', 'risk', 'governor', 'executor', 'learning', 'instruments'] as const;
/** The scalar settings: exactly those pipelineConfig gives a default (the sections have none). */
const SCALARS: ReadonlySet<string> = new Set(Object.keys(pipelineConfig()));

/**
 * The inverse of flatPipelineConfig: the PipelineConfig (key order included, so a run id
 * computed from it matches) and the read options. `problem` turns a complaint about one
 * setting into the caller's error.
 */
export function pipelineConfigFromFlat(
  flat: Readonly<Record<string, Scalar>>,
  problem: (detail: string) => Error,
): { config: PipelineConfig; readOptions: Record<string, Scalar> } {
  const bad = (key: string, want: string): Error => problem(`config.${key} must be ${want}, got ${JSON.stringify(flat[key])}`);
  const str = (key: string): string => {
    const v = flat[key];
    if (typeof v !== 'string' || v === '') throw bad(key, 'a non-empty string');
    return v;
  };
  const num = (key: string): number => {
    const v = flat[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(key, 'a number');
    return v;
  };
  const bool = (key: string): boolean => {
    const v = flat[key];
    if (typeof v !== 'boolean') throw bad(key, 'true or false');
    return v;
  };
  const mode = str('mode');
  if (!(EXECUTION_MODES as readonly string[]).includes(mode)) throw bad('mode', `one of ${EXECUTION_MODES.join(', ')}`);
  const sections: Partial<Record<(typeof SECTIONS)[number], unknown>> = {};
  const readOptions: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith(INPUT_PREFIX)) {
      readOptions[key.slice(INPUT_PREFIX.length)] = value;
    } else if ((SECTIONS as readonly string[]).includes(key)) {
      let parsed: unknown;
      try {
        parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad(key, 'a JSON object');
      if (key === 'instruments') {
        // Checked as an instruments file is: a hand-edited log names the symbol and field.
        try {
          validateInstruments(parsed, () => 'config.instruments: ');
        } catch (e) {
          if (e instanceof InstrumentsError) throw problem(e.message);
          throw e;
        }
      }
      sections[key as (typeof SECTIONS)[number]] = parsed;
    } else if (!SCALARS.has(key)) {
      throw problem(`config has a setting this version does not know: ${key}`);
    }
  }
  const config: PipelineConfig = {
    account: str('account'),
    seed: num('seed'),
    mode: mode as ExecutionMode,
    threshold: num('threshold'),
    autoExecute: bool('autoExecute'),
    riskPerTrade: num('riskPerTrade'),
    startingCash: str('startingCash'),
    currency: str('currency'),
    feeBps: num('feeBps'),
    slippageBps: num('slippageBps'),
    strategies: bool('strategies'),
    ...(sections as Partial<PipelineConfig>),
  };
  return { config, readOptions };
}

/** The run's files, pipeline configuration and read options, from a backtest log's RunStarted. */
export function runSpecOf(first: Envelope, file: string): RunSpec {
  if (first.type !== 'RunStarted') {
    throw new RunLogError(file, 1, `a run log starts with RunStarted, this one with ${first.type}`);
  }
  const d = first.data as RunStartedData;
  if (d.mode !== 'backtest') throw new RunLogError(file, 1, `RunStarted is of a ${d.mode} run; only backtest runs replay from a log`);
  const { config, readOptions } = pipelineConfigFromFlat(d.config, (detail) => new RunLogError(file, 1, `RunStarted ${detail}`));
  return { runId: d.runId, files: d.files, config, readOptions };
}

/** One field that differs between a recorded line and its replay (`$` for a whole value). */
export interface FieldDifference {
  readonly path: string;
  readonly recorded: unknown;
  readonly replayed: unknown;
}

export interface LogComparison {
  readonly identical: boolean;
  readonly recordedLines: number;
  readonly replayedLines: number;
  /** Lines (same number in both) whose text differs, plus lines present in only one. */
  readonly differingLines: number;
  /** The first line that differs, 1-based, with both texts (undefined when absent) and the fields that differ. */
  readonly first?: {
    readonly line: number;
    readonly recorded?: string;
    readonly replayed?: string;
    readonly fields: readonly FieldDifference[];
  };
}

/**
 * The lines of an ndjson text, without the blank lines at its end: an editor that saves the
 * log adds one, and that is no event, so neither parsing nor comparing a replay should trip
 * on it. A blank line before the last event is kept, for parseEventLog to refuse.
 */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

/** Compares a recorded event log with its replay line by line (both ndjson texts). */
export function compareEventLogs(recorded: string, replayed: string, maxFields = 20): LogComparison {
  const a = splitLines(recorded);
  const b = splitLines(replayed);
  const n = Math.max(a.length, b.length);
  let differing = 0;
  let first: LogComparison['first'];
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    differing++;
    if (first === undefined) {
      const fields: FieldDifference[] = [];
      diffValues(parseOrUndefined(a[i]), parseOrUndefined(b[i]), '$', fields, maxFields);
      first = { line: i + 1, recorded: a[i], replayed: b[i], fields };
    }
  }
  return { identical: differing === 0, recordedLines: a.length, replayedLines: b.length, differingLines: differing, ...(first ? { first } : {}) };
}

function parseOrUndefined(line: string | undefined): unknown {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Appends the paths where two JSON values differ (depth first, in key order), up to `max`. */
export function diffValues(a: unknown, b: unknown, path: string, out: FieldDifference[], max: number): void {
  if (out.length >= max) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(a[i], b[i], `${path}.${i}`, out, max);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) diffValues(a[k], b[k], path === '$' ? k : `${path}.${k}`, out, max);
    return;
  }
  if (a !== b) out.push({ path, recorded: a, replayed: b });
}

/** The commands of a recorded run to send again on replay (BacktestInput.commands / commandsAfterEnd). */
export interface RecordedCommands {
  readonly during: readonly Envelope[];
  readonly afterEnd: readonly Envelope[];
}

/**
 * The commands a run received from outside, in log order: every message of the command area
 * (approvals, rejections, halts, resumes, mode changes, cancels, manual orders) except those
 * of `replayedSource` — the orders file's, which a replay reads again from the file. Those
 * after the log's RunEnded arrived after the end of the data.
 */
export function recordedCommands(events: readonly Envelope[], replayedSource: string): RecordedCommands {
  const during: Envelope[] = [];
  const afterEnd: Envelope[] = [];
  let ended = false;
  for (const e of events) {
    if (e.type === 'RunEnded') ended = true;
    const entry = CATALOG[e.type as MessageType];
    if (entry === undefined || entry.stream !== 'CMD' || e.source === replayedSource) continue;
    (ended ? afterEnd : during).push(e);
  }
  return { during, afterEnd };
}
