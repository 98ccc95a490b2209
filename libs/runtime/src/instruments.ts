import { readFileSync } from 'node:fs';
import { isAlias, isMap, isNode, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { dec, Decimal, instrumentFor, type AssetClass, type Instrument, type InstrumentOverrides } from '@tradeloop/kernel';
import { MARKET_SYMBOL } from '@tradeloop/market-data';

/** Instrument metadata by (upper-case) symbol, over the built-in instruments of `instrumentFor`. */
export type InstrumentTable = Readonly<Record<string, InstrumentOverrides>>;

/**
 * An instruments file, an INSTRUMENTS variable or a recorded `instruments` setting that cannot be
 * used: the message names where (file and line when there is one), the symbol and the field.
 */
export class InstrumentsError extends Error {
  override readonly name = 'InstrumentsError';
}

const ASSET_CLASSES: readonly AssetClass[] = ['forex', 'metal', 'crypto', 'equity', 'index'];
/** The fields of an instrument a table may set, in the order a table is recorded. */
const FIELDS = ['assetClass', 'baseCurrency', 'quoteCurrency', 'tickSize', 'lotSize', 'minQuantity', 'contractSize', 'priceTolerance'] as const;
/** Decimal places a step, size or tolerance may have: 18 is a wei; anything finer is a typo. */
const MAX_PLACES = 18;
/** A plain decimal, in exponent form too (JSON writes 0.0000001 as 1e-7). */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
const CURRENCY = /^[A-Z]{3,5}$/;
const ASSET = /^[A-Z0-9]{2,12}$/;

/** Where a problem is: `file:line: ` or `INSTRUMENTS: ` before `SYMBOL.field`. */
type Locate = (symbol?: string, field?: string) => string;

function shown(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** A decimal a table may hold: a JSON/YAML number or a decimal string; undefined when it is not one. */
function decimalOf(v: unknown): Decimal | undefined {
  const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  if (!DECIMAL.test(text)) return undefined;
  try {
    const d = dec(text);
    return d.isFinite() ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A step divides some power of ten (1, 0.5, 0.25, 0.01, 0.03125 = 1/32, 5, 100 …): its numerator
 * in lowest terms has no prime factor but 2 and 5. Every price or quantity on a decimal grid fine
 * enough is then on the step's grid, and a multiple of it is a finite decimal. A tick of 0.3 or a
 * lot of 3 is not such a step: almost always a typo, and no venue quotes on it.
 */
function dividesAPowerOfTen(step: Decimal): boolean {
  const places = step.decimalPlaces();
  let n = BigInt(step.mul(new Decimal(10).pow(places)).toFixed(0));
  let d = 10n ** BigInt(places);
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const g = gcd(n, d);
  n /= g;
  d /= g;
  for (const p of [2n, 5n]) while (n % p === 0n) n /= p;
  return n === 1n;
}

/**
 * Validates an instrument table (parsed from a file, a variable or a recorded configuration) and
 * returns it in canonical form: symbols upper-case and sorted, fields in one order, decimals as
 * their shortest decimal strings ("0.0100" → "0.01"), priceTolerance a number. Two tables that
 * say the same are then the same setting, recorded and hashed (run id) alike.
 */
export function validateInstruments(value: unknown, locate: Locate): InstrumentTable {
  const fail = (symbol: string | undefined, field: string | undefined, problem: string): never => {
    throw new InstrumentsError(`${locate(symbol, field)}${symbol === undefined ? '' : `${symbol}${field === undefined ? '' : `.${field}`} `}${problem}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(undefined, undefined, `must be a mapping of symbols to instrument fields, e.g. {"XAUUSD": {"contractSize": "100"}}, got ${shown(value)}`);
  }
  const out: Record<string, InstrumentOverrides> = {};
  const keys = new Map<string, string>();
  const byKey = (a: string, b: string): number => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : a < b ? -1 : a > b ? 1 : 0);
  for (const key of Object.keys(value as object).sort(byKey)) {
    const symbol = key.toUpperCase();
    if (!MARKET_SYMBOL.pattern.test(key)) throw new InstrumentsError(`${locate(symbol)}"${key}" must be ${MARKET_SYMBOL.rule}`);
    const twin = keys.get(symbol);
    if (twin !== undefined) fail(symbol, undefined, `is given twice ("${twin}" and "${key}"): symbols are not case-sensitive`);
    keys.set(symbol, key);
    const raw = (value as Record<string, unknown>)[key];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      fail(symbol, undefined, `must be a mapping of instrument fields (${FIELDS.join(', ')}), got ${shown(raw)}`);
    }
    const given = raw as Record<string, unknown>;
    for (const field of Object.keys(given)) {
      if (!(FIELDS as readonly string[]).includes(field)) fail(symbol, field, `is not an instrument field (known: ${FIELDS.join(', ')})`);
    }
    const o: Record<string, string | number> = {};
    for (const field of FIELDS) {
      const v = given[field];
      if (v === undefined) continue;
      const bad = (rule: string): never => fail(symbol, field, `must be ${rule}, got ${shown(v)}`);
      switch (field) {
        case 'assetClass':
          if (typeof v !== 'string' || !(ASSET_CLASSES as readonly string[]).includes(v)) bad(`one of ${ASSET_CLASSES.join(', ')}`);
          o[field] = v as string;
          break;
        case 'quoteCurrency':
          if (typeof v !== 'string' || !CURRENCY.test(v)) bad('a currency code in capitals such as "USD" or "USDT"');
          o[field] = v as string;
          break;
        case 'baseCurrency':
          if (typeof v !== 'string' || !ASSET.test(v)) bad('an asset code in capitals and digits such as "XAU" or "BTC"');
          o[field] = v as string;
          break;
        case 'priceTolerance': {
          const d = decimalOf(v);
          if (d === undefined || d.decimalPlaces() > MAX_PLACES) bad('a number ≥ 0 (the distance at which two prices are one level, e.g. 5 for gold)');
          o[field] = d!.toNumber();
          break;
        }
        default: {
          const d = decimalOf(v);
          if (d === undefined || d.decimalPlaces() > MAX_PLACES) bad(`a positive decimal with at most ${MAX_PLACES} decimal places, such as "0.01" or 100`);
          if (!d!.gt(0)) bad('positive');
          if ((field === 'tickSize' || field === 'lotSize') && !dividesAPowerOfTen(d!)) {
            bad(`a step that divides a power of ten (such as 0.01, 0.25, 0.5, 5 or 100): no price or quantity grid is a multiple of ${d!.toFixed()}`);
          }
          o[field] = d!.toFixed();
        }
      }
    }
    let inst: Instrument | undefined;
    try {
      inst = instrumentFor(symbol, o as InstrumentOverrides);
    } catch {
      inst = undefined;
    }
    if (inst === undefined) {
      // A symbol nothing built in knows is traded only when described in full: risk, the
      // executor and the scanner then take it as given (instrumentFor). In part, it would make a
      // run in which risk denies every order UNKNOWN_INSTRUMENT.
      return fail(
        symbol,
        undefined,
        'is not a built-in instrument (metals XAUUSD and XAGUSD, six-letter fiat pairs, crypto pairs of BTC, ETH, SOL, XRP, ADA, DOGE, BNB, LTC): ' +
          'to trade it, describe it in full — assetClass, baseCurrency, quoteCurrency, tickSize, lotSize, minQuantity, contractSize and priceTolerance — ' +
          'or risk denies every order on it (UNKNOWN_INSTRUMENT)',
      );
    }
    // Below one lot's multiple, the executor could fill the minimum on no grid point.
    const lot = dec(inst.lotSize);
    const min = dec(inst.minQuantity);
    if (!min.mod(lot).isZero()) {
      const which = o['minQuantity'] !== undefined ? 'minQuantity' : 'lotSize';
      fail(symbol, which, `is off the lot grid: minQuantity ${inst.minQuantity} must be a whole number of lots of ${inst.lotSize}`);
    }
    out[symbol] = o as InstrumentOverrides;
  }
  return out;
}

function lineOf(lc: LineCounter, node: Node | undefined): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : lc.linePos(start).line;
}

/**
 * Plain values of a document's two levels (symbol → field → value), keeping each number as its
 * source text (a tick of 0.00001 stays exactly that, whatever its float), and the line of each
 * symbol and field for messages.
 */
function plainOf(doc: Document, lc: LineCounter): { value: unknown; lines: Map<string, number> } {
  const lines = new Map<string, number>();
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const plain = (n: unknown): unknown => {
    const s = deref(n);
    if (isScalar(s)) return typeof s.value === 'number' && Number.isFinite(s.value) && typeof s.source === 'string' ? s.source : s.value;
    // A sequence or mapping where a value belongs: shown as it is in the message.
    return isNode(s) ? s.toJSON() : (s ?? null);
  };
  const top = deref(doc.contents);
  if (!isMap(top)) return { value: plain(top), lines };
  const out: Record<string, unknown> = {};
  for (const pair of top.items) {
    const key = String(plain(pair.key));
    lines.set(key.toUpperCase(), lineOf(lc, pair.key as Node) ?? 0);
    const v = deref(pair.value);
    if (!isMap(v)) {
      out[key] = plain(v);
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const f of v.items) {
      const field = String(plain(f.key));
      lines.set(`${key.toUpperCase()}.${field}`, lineOf(lc, f.key as Node) ?? 0);
      fields[field] = plain(f.value);
    }
    out[key] = fields;
  }
  return { value: out, lines };
}

/**
 * Parses an instrument table from JSON or YAML text (JSON is YAML): a mapping of symbols to the
 * fields that differ from the built-in instrument. `source` names it in messages: a file name or a
 * variable such as INSTRUMENTS, followed by the line when the text has several.
 */
export function parseInstruments(text: string, source: string): InstrumentTable {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const multiline = text.trim().includes('\n');
  const at = (line: number | undefined): string => (multiline && line !== undefined && line > 0 ? `${source}:${line}: ` : `${source}: `);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lc.linePos(e.pos[0]);
    const msg = e.code === 'DUPLICATE_KEY' ? `${/^\s*("[^"\n]*"|'[^'\n]*'|[^:\n]+)/.exec(text.slice(e.pos[0]))?.[1].trim() ?? 'a key'} is given twice` : e.message.split('\n')[0];
    throw new InstrumentsError(`${at(pos.line)}not valid JSON or YAML${multiline ? '' : ` (at character ${pos.col})`}: ${msg}`);
  }
  if (doc.contents === null) throw new InstrumentsError(`${source}: is empty: give instruments by symbol, e.g. {"XAUUSD": {"contractSize": "100"}}`);
  const { value, lines } = plainOf(doc, lc);
  return validateInstruments(value, (symbol, field) => at(symbol === undefined ? undefined : (lines.get(field === undefined ? symbol : `${symbol}.${field}`) ?? lines.get(symbol))));
}

/** Reads and parses an instruments file (JSON or YAML); every message names the file. */
export function readInstrumentsFile(path: string): InstrumentTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InstrumentsError(`${path}: cannot read the instruments file: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseInstruments(text, path);
}

/** `XAUUSD contractSize 100, lotSize 0.01; GOLD …`: a table as a line of a run's header. */
export function instrumentsText(table: InstrumentTable): string {
  return Object.entries(table)
    .map(([symbol, o]) => `${symbol} ${Object.entries(o).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`)
    .join('; ');
}
