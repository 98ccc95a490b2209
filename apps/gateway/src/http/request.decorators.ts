import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { fieldProblem, RequestValidationError } from './problems';
import { ID_PROBLEM, isIdempotencyKey, MAX_ID_LENGTH } from './rules';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  query?: Record<string, unknown>;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

const idempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<RequestLike>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new RequestValidationError([fieldProblem(IDEMPOTENCY_HEADER, 'header', 'must be sent once')]);
  if (!isIdempotencyKey(value)) throw new RequestValidationError([fieldProblem(IDEMPOTENCY_HEADER, 'header', ID_PROBLEM)]);
  return value;
});

/**
 * The optional `Idempotency-Key` header. While the key is kept (IDEMPOTENCY_KEY_TTL_MS after its
 * first use) the same key (from the same API key, for the same command and target) yields the same
 * command id, so a retried request republishes the same message and JetStream's de-duplication
 * keeps one.
 */
export function IdempotencyKey(): ParameterDecorator {
  return idempotencyKey();
}

export function ApiIdempotencyKey(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_HEADER,
      required: false,
      description:
        `Up to ${MAX_ID_LENGTH} printable ASCII characters. A retry with the same key gets the same commandId, and the ` +
        'bus keeps one copy (within its de-duplication window); the same key with a different request is refused (422). ' +
        'A key is kept for the deployment\'s IDEMPOTENCY_KEY_TTL_MS (24 hours unless set otherwise) after its first use, ' +
        'by the wall clock: after that it is free again, and a request under it is a new command (a 422 says until when). ' +
        'Without the header every request is a new command.',
    }),
  );
}

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/** Routes that take no body refuse one with fields in it, naming each (unknown fields are an error everywhere). */
export const NoBody = createParamDecorator((_data: unknown, ctx: ExecutionContext): undefined => {
  const body = ctx.switchToHttp().getRequest<RequestLike>().body;
  if (isEmptyBody(body)) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestValidationError([fieldProblem('$', 'body', 'this route takes no body')]);
  }
  throw new RequestValidationError(Object.keys(body as object).map((k) => fieldProblem(k, 'body', 'unknown field')));
});

/** Routes that take no query parameters refuse any given, naming each (as every list route refuses unknown ones). */
export const NoQuery = createParamDecorator((_data: unknown, ctx: ExecutionContext): undefined => {
  const query = ctx.switchToHttp().getRequest<RequestLike>().query ?? {};
  const names = Object.keys(query);
  if (names.length > 0) throw new RequestValidationError(names.map((k) => fieldProblem(k, 'query', 'unknown field')));
  return undefined;
});
