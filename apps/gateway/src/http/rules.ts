import { ValidateBy, type ValidationArguments } from 'class-validator';
import { Transform } from 'class-transformer';
import { isDecimalString } from '@tradeloop/contracts';

/*
 * Validation rules of the HTTP edge that the message schemas do not have (lengths, id and
 * symbol shapes, query-string parsing). Like the contract decorators, each states one rule
 * with one message, and a missing field is reported as "is required".
 */

function requiredOr(message: string) {
  return (args?: ValidationArguments): string => (args?.value === undefined ? 'is required' : message);
}

function rule(name: string, test: (value: unknown) => boolean, message: string): PropertyDecorator {
  return ValidateBy({ name, validator: { validate: (value: unknown) => test(value), defaultMessage: requiredOr(message) } });
}

export const MAX_ID_LENGTH = 200;
const ID = new RegExp(`^[\\x21-\\x7e]{1,${MAX_ID_LENGTH}}$`);
export const ID_PROBLEM = `must be 1-${MAX_ID_LENGTH} printable ASCII characters without spaces`;

/** Order, approval and other ids: printable ASCII, no whitespace. */
export function IsId(): PropertyDecorator {
  return rule('isId', (v) => typeof v === 'string' && ID.test(v), ID_PROBLEM);
}

export function isIdempotencyKey(value: string): boolean {
  return ID.test(value);
}

const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$/;
export function IsSymbol(): PropertyDecorator {
  return rule(
    'isSymbol',
    (v) => typeof v === 'string' && SYMBOL.test(v),
    'must be a symbol like EURUSD (letters, digits and . _ / -, at most 32 characters)',
  );
}

const VENUE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export function IsVenue(): PropertyDecorator {
  return rule('isVenue', (v) => typeof v === 'string' && VENUE.test(v), 'must be a venue name like oanda (letters, digits and . _ -, at most 32 characters)');
}

export const MAX_DECIMAL_LENGTH = 40;
export const POSITIVE_DECIMAL_PROBLEM = `must be a positive decimal string (e.g. "12.50"), at most ${MAX_DECIMAL_LENGTH} characters`;

export function isPositiveDecimal(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DECIMAL_LENGTH && isDecimalString(value, 'positive');
}

/** Money, prices, quantities: exact decimal strings, never JSON numbers. */
export function IsPositiveDecimal(): PropertyDecorator {
  return rule('isPositiveDecimal', isPositiveDecimal, POSITIVE_DECIMAL_PROBLEM);
}

export const MAX_TEXT_LENGTH = 500;
export function IsReason(): PropertyDecorator {
  return rule(
    'isReason',
    (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_TEXT_LENGTH,
    `must be a non-empty string of at most ${MAX_TEXT_LENGTH} characters`,
  );
}

export function IsShortString(maxLength: number): PropertyDecorator {
  return rule(
    'isShortString',
    (v) => typeof v === 'string' && v.length > 0 && v.length <= maxLength,
    `must be a non-empty string of at most ${maxLength} characters`,
  );
}

/** One of `values`, possibly several: `status=filled,cancelled` or `status=filled&status=cancelled`. */
export function IsListOf(values: readonly string[]): PropertyDecorator {
  return rule(
    'isListOf',
    (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && values.includes(x)),
    `must be one or more of ${values.join(', ')} (comma-separated)`,
  );
}

/** Query strings are text: split comma lists and repeated keys into one array. */
export function CommaList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (value === undefined) return undefined;
    const parts = Array.isArray(value) ? value : [value];
    if (!parts.every((p) => typeof p === 'string')) return value;
    return (parts as string[]).flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  });
}

/**
 * Query integers: only plain digit strings become numbers; anything else ("1e3", "12abc", "")
 * stays a string for the rule to reject by name.
 */
export function QueryInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value));
}

export function IsIntegerBetween(min: number, max: number): PropertyDecorator {
  return rule(
    'isIntegerBetween',
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
    `must be an integer from ${min} to ${max}`,
  );
}

export function IsEpochMsValue(): PropertyDecorator {
  return rule(
    'isEpochMs',
    (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
    'must be epoch milliseconds (an integer ≥ 0)',
  );
}

export function IsOneOfValues(values: readonly string[]): PropertyDecorator {
  return rule('isOneOfValues', (v) => typeof v === 'string' && values.includes(v), `must be one of ${values.join(', ')}`);
}

export function IsBooleanValue(): PropertyDecorator {
  return rule('isBooleanValue', (v) => typeof v === 'boolean', 'must be true or false');
}

export function IsNumberBetween(min: number, max: number): PropertyDecorator {
  return rule(
    'isNumberBetween',
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max,
    `must be a number from ${min} to ${max}`,
  );
}
