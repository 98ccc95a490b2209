import { plainToInstance, type ClassConstructor, type ClassTransformOptions } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { err, ok, type Result } from '@tradeloop/kernel';
import { CATALOG, isMessageType, type Message, type MessageDataMap, type MessageType } from './catalog';
import { EnvelopeSchema } from './schemas/envelope.schema';
import { SCHEMAS } from './schemas/registry';
import { fastAccepts, isPlainRecord } from './schemas/fast';

/** One bad field: a dotted path from the decoded root (`data.bids.0.price`; `$` is the root). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export const ROOT_PATH = '$';

/**
 * Deeper than any message (the deepest field is `data.fills.0.price`). The limit stops a
 * hostile, deeply nested unknown field (or a cyclic object handed in by code) from
 * exhausting the stack in the transformer before the validator could reject it.
 */
const MAX_DEPTH = 16;

const TRANSFORM_OPTIONS: ClassTransformOptions = Object.freeze({
  enableImplicitConversion: false,
  exposeDefaultValues: false,
});

const VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
});

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an untrusted message (JSON text, UTF-8 JSON bytes or an already parsed object)
 * and validates the envelope and the payload of its type. Every bad field is reported.
 * On success the value returned is the parsed input itself, a plain object (never a schema
 * instance), so it serialises exactly as it arrived.
 */
export function decodeMessage(input: unknown): Result<Message, FieldError[]> {
  return decodeMessageWith(input, true);
}

/**
 * decodeMessage without the fast acceptance path: class-validator judges every message. The
 * reference the fast path is tested against (fast.unit.spec.ts); the two always agree.
 */
export function decodeMessageWithClassValidator(input: unknown): Result<Message, FieldError[]> {
  return decodeMessageWith(input, false);
}

function decodeMessageWith(input: unknown, fast: boolean): Result<Message, FieldError[]> {
  const root = parseObject(input);
  if (!root.ok) return root;
  // Certainly valid by the schemas' own predicates (schemas/fast.ts): done. Otherwise
  // class-validator decides, and names what is wrong.
  if (fast && fastEnvelope(root.value)) return ok(root.value as unknown as Message);
  return validateMessage(root.value);
}

function validateMessage(value: Record<string, unknown>): Result<Message, FieldError[]> {
  const errors: FieldError[] = [];
  if (!checkStructure(value, '', 0, errors)) return err(errors);
  // The envelope has no nested schema, so a shallow copy stands in for plainToInstance and
  // spares a second deep copy of the payload (checkStructure already refused `__proto__`).
  flatten(validateSync(Object.assign(new EnvelopeSchema(), value), VALIDATOR_OPTIONS), '', errors);
  const type = value['type'];
  if (typeof type === 'string' && isMessageType(type)) {
    checkVersion(type, value['version'], errors);
    const data = value['data'];
    if (isObject(data)) validateInto(SCHEMAS[type], data, 'data', errors);
  }
  return errors.length > 0 ? err(errors) : ok(value as unknown as Message);
}

/**
 * Validates a payload on its own (an HTTP body, say). Accepts the same inputs as
 * decodeMessage; paths are relative to the payload (`order.quantity`).
 */
export function decodeData<T extends MessageType>(type: T, data: unknown): Result<MessageDataMap[T], FieldError[]> {
  return decodeDataWith(type, data, true);
}

/** decodeData without the fast acceptance path (the reference it is tested against). */
export function decodeDataWithClassValidator<T extends MessageType>(type: T, data: unknown): Result<MessageDataMap[T], FieldError[]> {
  return decodeDataWith(type, data, false);
}

function decodeDataWith<T extends MessageType>(type: T, data: unknown, fast: boolean): Result<MessageDataMap[T], FieldError[]> {
  if (!isMessageType(type)) return err([{ path: ROOT_PATH, message: `unknown message type ${JSON.stringify(type)}` }]);
  const root = parseObject(data);
  if (!root.ok) return root;
  if (fast && fastAccepts(SCHEMAS[type], root.value)) return ok(root.value as unknown as MessageDataMap[T]);
  return validateData(type, root.value);
}

function validateData<T extends MessageType>(type: T, value: Record<string, unknown>): Result<MessageDataMap[T], FieldError[]> {
  const errors: FieldError[] = [];
  if (!checkStructure(value, '', 0, errors)) return err(errors);
  validateInto(SCHEMAS[type], value, '', errors);
  return errors.length > 0 ? err(errors) : ok(value as unknown as MessageDataMap[T]);
}

export function encodeMessage(m: Message): string {
  return JSON.stringify(m);
}

/** "data.price: must be a positive number; data.side: must be one of buy, sell". */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/** The fast acceptance of a whole message: envelope, the catalogue's version of its type, payload. */
function fastEnvelope(value: Record<string, unknown>): boolean {
  if (!fastAccepts(EnvelopeSchema, value)) return false;
  const type = value['type'] as MessageType;
  return value['version'] === CATALOG[type].version && fastAccepts(SCHEMAS[type], value['data']);
}

function parseObject(input: unknown): Result<Record<string, unknown>, FieldError[]> {
  let value: unknown = input;
  if (isBytes(input)) {
    let text: string;
    try {
      text = UTF8.decode(input);
    } catch {
      return err([{ path: ROOT_PATH, message: 'invalid UTF-8' }]);
    }
    value = text;
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      return err([{ path: ROOT_PATH, message: `invalid JSON: ${(e as Error).message}` }]);
    }
  }
  if (!isPlainRecord(value)) return err([{ path: ROOT_PATH, message: 'must be a JSON object' }]);
  return ok(value);
}

/** Buffer is a Uint8Array; the tag test also holds for byte arrays from another realm (Jest's vm). */
function isBytes(input: unknown): input is Uint8Array {
  return Object.prototype.toString.call(input) === '[object Uint8Array]';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


/**
 * Screens what class-transformer cannot be trusted with, before it runs: `__proto__` and
 * `constructor` keys (it silently drops the first, so the whitelist would never see it
 * and it would survive into the returned object, and it throws on the second) and
 * nesting deep enough to exhaust the stack. Returns false if any was found.
 */
function checkStructure(value: unknown, path: string, depth: number, errors: FieldError[]): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_DEPTH) {
    errors.push({ path: path || ROOT_PATH, message: `is nested deeper than ${MAX_DEPTH} levels` });
    return false;
  }
  let sound = true;
  for (const key of Object.keys(value)) {
    const at = join(path, key);
    if (key === '__proto__' || key === 'constructor') {
      errors.push({ path: at, message: 'unknown field' });
      sound = false;
    } else if (!checkStructure((value as Record<string, unknown>)[key], at, depth + 1, errors)) {
      return false;
    }
  }
  return sound;
}

function checkVersion(type: MessageType, version: unknown, errors: FieldError[]): void {
  const expected = CATALOG[type].version;
  // A malformed version is already reported by the envelope schema.
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return;
  if (version !== expected) {
    errors.push({ path: 'version', message: `unsupported version ${version} of ${type}: expected ${expected}` });
  }
}

function validateInto(schema: ClassConstructor<object>, plain: Record<string, unknown>, path: string, errors: FieldError[]): void {
  const instance = plainToInstance(schema, plain, TRANSFORM_OPTIONS);
  flatten(validateSync(instance, VALIDATOR_OPTIONS), path, errors);
}

function flatten(validationErrors: readonly ValidationError[], path: string, out: FieldError[]): void {
  for (const e of validationErrors) {
    const at = e.property === undefined ? path || ROOT_PATH : join(path, e.property);
    if (e.constraints) {
      for (const [constraint, message] of Object.entries(e.constraints)) {
        out.push({ path: at, message: constraint === 'whitelistValidation' ? 'unknown field' : message });
      }
    }
    if (e.children && e.children.length > 0) flatten(e.children, at, out);
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
