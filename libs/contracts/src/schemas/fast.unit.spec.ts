import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { MESSAGE_TYPES, type MessageType } from '../catalog';
import { decodeData, decodeDataWithClassValidator, decodeMessage, decodeMessageWithClassValidator } from '../decode';
import { EnvelopeSchema } from './envelope.schema';
import { fastAccepts } from './fast';
import { SCHEMAS } from './registry';
import { SAMPLE_MESSAGES } from './samples';

/*
 * The fast acceptance path must never accept what class-validator refuses: decodeMessage and
 * decodeData, with it, must return exactly what they return without it, for every input.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Every path to a value inside `x` (object keys and array indexes), the root excluded. */
function paths(x: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(x)) x.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], out)));
  else if (typeof x === 'object' && x !== null)
    for (const [k, v] of Object.entries(x)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out);
    }
  return out;
}

/** Objects (not arrays) inside `x`, the root included: where an extra field can go. */
function objectPaths(x: unknown): (string | number)[][] {
  return [[], ...paths(x).filter((p) => {
    const v = get(x, p);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  })];
}

function get(x: unknown, p: readonly (string | number)[]): unknown {
  let v: unknown = x;
  for (const k of p) v = (v as Record<string | number, unknown>)[k];
  return v;
}

function setAt(x: unknown, p: readonly (string | number)[], value: unknown): void {
  const parent = get(x, p.slice(0, -1)) as Record<string | number, unknown>;
  const key = p[p.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = value;
}

/** Values that are often valid for some field and often just beyond a rule's edge. */
const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    ' ',
    '\uFE0F',
    'a\uFE0F',
    '\uD83D\uDE00',
    '\uD800',
    'x'.repeat(200),
    'x'.repeat(201),
    '1',
    '0',
    '-0',
    '0.00',
    '-0.00',
    '+1.5',
    '1.',
    '.5',
    '1e5',
    '12.50',
    '-12.50',
    'NaN',
    'buy',
    'sell',
    'long',
    'short',
    'market',
    'limit',
    'stop',
    '1m',
    '1h',
    '7m',
    'take',
    'skip',
    'BarClosed',
    'SignalDetected',
    'Nonsense',
    'fully_automated',
    'quality_based',
    'deadbeef'.repeat(8),
  ),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 99.99, 100, 100.0001, 101, 1e-12, -1e-12, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1.7e12, Number.MIN_SAFE_INTEGER),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.array(fc.double(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.double(), fc.string(), fc.boolean()), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const extraKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'id', 'extra'));

type Mutation = { kind: 'set'; at: number; value: unknown } | { kind: 'add'; at: number; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: edgeValue }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: extraKey, value: edgeValue }),
);

/** Applies mutations to a copy of `base`, each at a path chosen (mod the count) from what is there then. */
function mutate(base: unknown, ms: readonly Mutation[]): unknown {
  const x = clone(base);
  for (const m of ms) {
    if (m.kind === 'set') {
      const ps = paths(x);
      if (ps.length > 0) setAt(x, ps[m.at % ps.length], m.value);
    } else {
      const ps = objectPaths(x);
      const target = get(x, ps[m.at % ps.length]) as Record<string, unknown>;
      // defineProperty: `__proto__` becomes an own field, as JSON.parse makes it.
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return x;
}

describe('fast acceptance path of decoding', () => {
  it.each(MESSAGE_TYPES.map((t) => [t]))('sample_when_%s_then_accepted_by_the_fast_path', (type: MessageType) => {
    const m = clone(SAMPLE_MESSAGES[type]) as unknown as Record<string, unknown>;
    expect(fastAccepts(EnvelopeSchema, m)).toBe(true);
    expect(fastAccepts(SCHEMAS[type], m['data'])).toBe(true);
  });

  it('schemas_when_declared_then_use_only_decorators_that_state_a_fast_predicate', () => {
    // A class-validator decorator used directly in a schema would have no predicate: the
    // schema would silently lose its fast path (fastAccepts compiles it to "always slow").
    const dir = __dirname;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.schema.ts'))) {
      const text = readFileSync(resolve(dir, f), 'utf8');
      const imports = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'class-validator'/g)].flatMap((m) => m[1].split(',').map((s) => s.trim()));
      expect([f, imports.filter((i) => i !== '' && i !== 'ValidateBy')]).toEqual([f, []]);
    }
  });

  it.each(MESSAGE_TYPES.map((t) => [t]))('property_when_%s_mutated_then_decode_message_equals_class_validator_alone', (type: MessageType) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (ms, asText) => {
        const input = mutate(SAMPLE_MESSAGES[type], ms);
        const wire = asText ? JSON.stringify(input) : input;
        expect(decodeMessage(wire)).toEqual(decodeMessageWithClassValidator(wire));
      }),
      { numRuns: 150 },
    );
  });

  it.each(MESSAGE_TYPES.map((t) => [t]))('property_when_%s_payload_mutated_then_decode_data_equals_class_validator_alone', (type: MessageType) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), (ms) => {
        const input = mutate(SAMPLE_MESSAGES[type].data, ms);
        expect(decodeData(type, input)).toEqual(decodeDataWithClassValidator(type, input));
      }),
      { numRuns: 60 },
    );
  });

  it('decode_when_mutations_keep_a_message_valid_then_the_fast_path_accepts_many_of_them', () => {
    // Guards the property above against only ever comparing rejections.
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES), fc.array(mutation, { minLength: 1, maxLength: 1 }), (type, ms) => {
        const input = mutate(SAMPLE_MESSAGES[type], ms) as Record<string, Json>;
        if (fastAccepts(EnvelopeSchema, input) && fastAccepts(SCHEMAS[type], input['data'])) accepted++;
      }),
      { numRuns: 2_000, seed: 42 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
