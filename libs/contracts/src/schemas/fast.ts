import { getMetadataStorage } from 'class-validator';

/*
 * The fast acceptance path of decoding. class-transformer + class-validator cost 50 µs per
 * message in a tight loop and 0.5–1 ms in a service that handles one message now and then
 * (measured in bench:pipeline: a third of every JetStream hop). Every decorator in
 * decorators.ts therefore states its rule twice: to class-validator, and here as a plain
 * predicate. decodeMessage first asks the predicates; a message they accept is valid and is
 * returned at once. Anything they do not accept goes through class-validator as before, which
 * alone decides what is wrong and says so — so errors are reported exactly as they always were,
 * and the predicates only ever need to be stricter than class-validator, never looser:
 * fast.unit.spec.ts holds them against it on mutated samples of every message type.
 */

export type FastCheck = (value: unknown) => boolean;

interface FastProperty {
  readonly checks: FastCheck[];
  optional: boolean;
}

interface FastSchema {
  readonly properties: Map<string, FastProperty>;
  /** Compiled on first use: false when some validated property has no predicate (always slow). */
  compiled?: { readonly keys: readonly string[]; readonly props: readonly FastProperty[] } | false;
}

/** A schema class (its constructor is the key its properties are registered under). */
type SchemaClass = abstract new (...args: never[]) => unknown;

const SCHEMAS = new Map<SchemaClass, FastSchema>();

function schemaOf(ctor: SchemaClass): FastSchema {
  let s = SCHEMAS.get(ctor);
  if (s === undefined) SCHEMAS.set(ctor, (s = { properties: new Map() }));
  return s;
}

function propertyOf(target: object, key: string | symbol): FastProperty {
  if (typeof key !== 'string') throw new TypeError('schema properties must have string names');
  const props = schemaOf(target.constructor as SchemaClass).properties;
  let p = props.get(key);
  if (p === undefined) props.set(key, (p = { checks: [], optional: false }));
  return p;
}

/** Adds a predicate the property's value must pass (all of a property's predicates must). */
export function fastCheck(check: FastCheck): PropertyDecorator {
  return (target, key) => void propertyOf(target, key).checks.push(check);
}

/** The property may be absent (undefined); when present its predicates apply. */
export function fastOptional(): PropertyDecorator {
  return (target, key) => {
    propertyOf(target, key).optional = true;
  };
}

function compile(ctor: SchemaClass, s: FastSchema): NonNullable<FastSchema['compiled']> {
  // Every property class-validator checks must have a predicate here; a decorator added to a
  // schema without one would otherwise be skipped by the fast path.
  const validated = new Set(getMetadataStorage().getTargetValidationMetadatas(ctor, '', true, false).map((m) => m.propertyName));
  for (const name of validated) {
    const p = s.properties.get(name);
    if (p === undefined || p.checks.length === 0) return false;
  }
  const keys = [...s.properties.keys()];
  // A declared name that objects inherit (`toString`) could be read off the prototype.
  if (keys.some((k) => k in Object.prototype)) return false;
  return { keys, props: keys.map((k) => s.properties.get(k)!) };
}

/** A plain data object: not null, not an array, prototype Object.prototype or none. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether `value` is certainly valid for `schema`: a plain object with only declared fields,
 * every required one present, every present one passing its predicates. False means "ask
 * class-validator", not "invalid".
 */
export function fastAccepts(schema: SchemaClass, value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const s = SCHEMAS.get(schema);
  if (s === undefined) return false;
  let c = s.compiled;
  if (c === undefined) c = s.compiled = compile(schema, s);
  if (c === false) return false;
  const { keys, props } = c;
  let present = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i]];
    const p = props[i];
    if (v === undefined) {
      // An own property holding undefined is "absent" to class-validator too, but count it
      // as present below so the unknown-field test stays a plain count.
      if (!p.optional) return false;
      if (Object.prototype.hasOwnProperty.call(value, keys[i])) present++;
      continue;
    }
    present++;
    const checks = p.checks;
    for (let j = 0; j < checks.length; j++) if (!checks[j](v)) return false;
  }
  // No field beyond the declared ones (the whitelist).
  return Object.keys(value).length === present;
}
