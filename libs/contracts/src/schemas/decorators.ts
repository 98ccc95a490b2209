import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { isTimeframe } from '@tradeloop/kernel';
import { fastAccepts, fastCheck, fastOptional, isPlainRecord } from './fast';

/*
 * Property decorators for the message schemas. Each one states one rule with one message,
 * and the validator runs with `stopAtFirstError`, so every bad field yields exactly one
 * readable error ("must be a positive number") instead of a pile of overlapping ones.
 *
 * Each also states its rule as a plain predicate (fastCheck, see fast.ts) that decoding tries
 * first: it may be stricter than the class-validator rules beside it, never looser.
 */

type MessageFn = (args: ValidationArguments) => string;

/** A missing field is reported as missing, whatever the rule it would have broken. */
const requiredOr =
  (message: string): MessageFn =>
  (args) =>
    args.value === undefined ? 'is required' : message;

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const d of decorators) d(target, key);
  };
}

const FINITE = { allowNaN: false, allowInfinity: false } as const;

function isFinite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isSafeIntegerAtLeast(min: number): (v: unknown) => boolean {
  return (v) => Number.isSafeInteger(v) && (v as number) >= min;
}

/**
 * Optional means absent, not null: JSON has no undefined, and a `null` slipping through as
 * an optional price would break every `!== undefined` check downstream. (class-validator's
 * IsOptional also lets null through, hence this.)
 */
export function OptionalField(): PropertyDecorator {
  return compose(
    ValidateIf((_object: unknown, value: unknown) => value !== undefined),
    fastOptional(),
  );
}

export function IsNonEmptyString(maxLength?: number): PropertyDecorator {
  const message = requiredOr(
    maxLength === undefined ? 'must be a non-empty string' : `must be a non-empty string of at most ${maxLength} characters`,
  );
  const rules = [IsString({ message }), MinLength(1, { message })];
  if (maxLength !== undefined) rules.push(MaxLength(maxLength, { message }));
  // validator.js counts a character with its variation selector, or a surrogate pair, as one:
  // never fewer than one for a non-empty string, never more than `length`.
  const max = maxLength ?? Number.POSITIVE_INFINITY;
  rules.push(fastCheck((v) => typeof v === 'string' && v.length > 0 && v.length <= max));
  return compose(...rules);
}

/** Free text (reasons, details): may be empty. */
export function IsText(): PropertyDecorator {
  return compose(
    IsString({ message: requiredOr('must be a string') }),
    fastCheck((v) => typeof v === 'string'),
  );
}

export function IsStringArray(): PropertyDecorator {
  const message = requiredOr('must be an array of strings');
  return compose(
    IsArray({ message }),
    IsString({ each: true, message }),
    fastCheck((v) => Array.isArray(v) && v.every((x) => typeof x === 'string')),
  );
}

export function IsFlag(): PropertyDecorator {
  return compose(
    IsBoolean({ message: requiredOr('must be true or false') }),
    fastCheck((v) => typeof v === 'boolean'),
  );
}

export function IsOneOf(values: readonly string[]): PropertyDecorator {
  return compose(
    IsIn(values as string[], { message: requiredOr(`must be one of ${values.join(', ')}`) }),
    fastCheck((v) => typeof v === 'string' && values.includes(v)),
  );
}

export function IsFiniteNumber(): PropertyDecorator {
  return compose(IsNumber(FINITE, { message: requiredOr('must be a finite number') }), fastCheck(isFinite));
}

/** A price: finite and strictly positive. */
export function IsPrice(): PropertyDecorator {
  const message = requiredOr('must be a positive number');
  return compose(
    IsNumber(FINITE, { message }),
    IsPositive({ message }),
    fastCheck((v) => isFinite(v) && v > 0),
  );
}

export function IsPositiveNumber(): PropertyDecorator {
  return IsPrice();
}

export function IsNonNegativeNumber(): PropertyDecorator {
  const message = requiredOr('must be a number ≥ 0');
  return compose(
    IsNumber(FINITE, { message }),
    Min(0, { message }),
    fastCheck((v) => isFinite(v) && v >= 0),
  );
}

export function IsNumberBetween(min: number, max: number): PropertyDecorator {
  const message = requiredOr(`must be a number between ${min} and ${max}`);
  return compose(
    IsNumber(FINITE, { message }),
    Min(min, { message }),
    Max(max, { message }),
    fastCheck((v) => isFinite(v) && v >= min && v <= max),
  );
}

/** Signal quality, thresholds: 0–100. */
export function IsQuality(): PropertyDecorator {
  return IsNumberBetween(0, 100);
}

/** Confidences, win rates, multipliers: 0–1. */
export function IsFraction(): PropertyDecorator {
  return IsNumberBetween(0, 1);
}

/** Safe integers only: beyond 2^53 an integer is no longer exact and ids/counts would drift. */
export function IsInteger(): PropertyDecorator {
  const message = requiredOr('must be an integer');
  return compose(
    IsInt({ message }),
    Min(Number.MIN_SAFE_INTEGER, { message }),
    Max(Number.MAX_SAFE_INTEGER, { message }),
    fastCheck((v) => Number.isSafeInteger(v)),
  );
}

export function IsNonNegativeInteger(): PropertyDecorator {
  const message = requiredOr('must be an integer ≥ 0');
  return compose(IsInt({ message }), Min(0, { message }), Max(Number.MAX_SAFE_INTEGER, { message }), fastCheck(isSafeIntegerAtLeast(0)));
}

export function IsPositiveInteger(): PropertyDecorator {
  const message = requiredOr('must be an integer ≥ 1');
  return compose(IsInt({ message }), Min(1, { message }), Max(Number.MAX_SAFE_INTEGER, { message }), fastCheck(isSafeIntegerAtLeast(1)));
}

/** Epoch milliseconds (UTC). */
export function IsEpochMs(): PropertyDecorator {
  const message = requiredOr('must be epoch milliseconds (an integer ≥ 0)');
  return compose(IsInt({ message }), Min(0, { message }), Max(Number.MAX_SAFE_INTEGER, { message }), fastCheck(isSafeIntegerAtLeast(0)));
}

export function IsTimeframe(): PropertyDecorator {
  const valid = (value: unknown): boolean => typeof value === 'string' && isTimeframe(value);
  return compose(
    ValidateBy({
      name: 'isTimeframe',
      validator: { validate: valid, defaultMessage: requiredOr('must be a known timeframe (e.g. 1m, 1h, 1d)') },
    }),
    fastCheck(valid),
  );
}

/**
 * The wire form of an exact decimal: optional sign, digits, optional fraction. No exponent
 * ("1e5"), no NaN/Infinity, no bare "." forms (".5", "1."), no whitespace — every value
 * `decStr`/`moneyStr` produce matches, and nothing Decimal would read differently does.
 */
export const DECIMAL_STRING_PATTERN = /^[+-]?\d+(\.\d+)?$/;

export type DecimalSign = 'any' | 'positive' | 'non-negative';

export function isDecimalString(value: unknown, sign: DecimalSign = 'any'): value is string {
  if (typeof value !== 'string' || !DECIMAL_STRING_PATTERN.test(value)) return false;
  if (sign === 'any') return true;
  const zero = !/[1-9]/.test(value);
  if (sign === 'positive') return !zero && value[0] !== '-';
  return zero || value[0] !== '-';
}

const DECIMAL_MESSAGES: Readonly<Record<DecimalSign, string>> = {
  any: 'must be a decimal string (e.g. "-12.50")',
  positive: 'must be a positive decimal string (e.g. "12.50")',
  'non-negative': 'must be a decimal string ≥ 0 (e.g. "12.50")',
};

export function IsDecimalString(options: { sign?: DecimalSign } = {}): PropertyDecorator {
  const sign = options.sign ?? 'any';
  const valid = (value: unknown): boolean => isDecimalString(value, sign);
  return compose(
    ValidateBy({
      name: 'isDecimalString',
      constraints: [sign],
      validator: { validate: valid, defaultMessage: requiredOr(DECIMAL_MESSAGES[sign]) },
    }),
    fastCheck(valid),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names the offending entries so a bad feature is findable without the payload at hand. */
function recordRule(name: string, entryOk: (v: unknown) => boolean, what: string): PropertyDecorator {
  return compose(recordValidator(name, entryOk, what), fastCheck((v) => isFastRecord(v, entryOk)));
}

/**
 * A plain object whose keys decoding's structure check allows (not `__proto__` or
 * `constructor`) and whose entries pass `entryOk`.
 */
function isFastRecord(value: unknown, entryOk: (v: unknown) => boolean): boolean {
  if (!isPlainRecord(value)) return false;
  for (const k of Object.keys(value)) if (k === '__proto__' || k === 'constructor' || !entryOk(value[k])) return false;
  return true;
}

function recordValidator(name: string, entryOk: (v: unknown) => boolean, what: string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => isRecord(value) && Object.keys(value).every((k) => entryOk(value[k])),
      defaultMessage: (args) => {
        const record: unknown = args?.value;
        if (record === undefined) return 'is required';
        if (!isRecord(record)) return `must be an object of ${what}`;
        const bad = Object.keys(record).filter((k) => !entryOk(record[k]));
        const shown = bad.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40)));
        return `must be an object of ${what} (bad: ${shown.join(', ')}${bad.length > 5 ? ', …' : ''})`;
      },
    },
  });
}


/** Indicator values and the like: name → finite number. */
export function IsFiniteNumberRecord(): PropertyDecorator {
  return recordRule('isFiniteNumberRecord', isFinite, 'finite numbers');
}

/** Run settings: name → string, finite number or boolean. */
export function IsScalarRecord(): PropertyDecorator {
  return recordRule(
    'isScalarRecord',
    (v) => typeof v === 'string' || typeof v === 'boolean' || isFinite(v),
    'strings, finite numbers or booleans',
  );
}

export function IsHex(length: number): PropertyDecorator {
  const pattern = new RegExp(`^[0-9a-fA-F]{${length}}$`);
  const valid = (value: unknown): boolean => typeof value === 'string' && pattern.test(value);
  return compose(
    ValidateBy({
      name: 'isHex',
      constraints: [length],
      validator: { validate: valid, defaultMessage: requiredOr(`must be ${length} hexadecimal characters`) },
    }),
    fastCheck(valid),
  );
}

/** A plain (non-array, non-null) object; the envelope's `data` before its own schema runs. */
export function IsObjectValue(): PropertyDecorator {
  return compose(
    ValidateBy({
      name: 'isObjectValue',
      validator: { validate: isRecord, defaultMessage: requiredOr('must be an object') },
    }),
    fastCheck(isRecord),
  );
}

type Ctor = new () => object;

/** A nested object validated by its own schema. */
export function Nested(schema: () => Ctor): PropertyDecorator {
  const message = requiredOr('must be an object');
  return compose(IsObjectValue(), ValidateNested({ message }), Type(schema), fastCheck((v) => fastAccepts(schema(), v)));
}

/** An array of objects, each validated by `schema`; errors name the index (`bids.0.price`). */
export function NestedArray(schema: () => Ctor): PropertyDecorator {
  return compose(
    IsArray({ message: requiredOr('must be an array') }),
    ValidateNested({ each: true, message: 'must be an object' }),
    Type(schema),
    fastCheck((v) => Array.isArray(v) && v.every((x) => fastAccepts(schema(), x))),
  );
}
