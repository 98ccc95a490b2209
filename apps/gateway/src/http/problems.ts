import { BadRequestException, HttpException, HttpStatus, type ValidationError } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Where a bad field was found. */
export type FieldLocation = 'body' | 'query' | 'path' | 'header';

export class FieldProblem {
  @ApiProperty({ type: String, example: 'quantity', description: 'Dotted path of the field (`$` is the whole body).' })
  readonly field!: string;

  @ApiProperty({ enum: ['body', 'query', 'path', 'header'], example: 'body' })
  readonly in!: FieldLocation;

  @ApiProperty({ type: String, example: 'must be a positive decimal string (e.g. "12.50")' })
  readonly problem!: string;
}

/** The body of every error response. */
export class ErrorView {
  @ApiProperty({ type: Number, example: 400 })
  readonly statusCode!: number;

  @ApiProperty({ type: String, example: 'Bad Request' })
  readonly error!: string;

  @ApiProperty({ type: String, example: 'invalid request' })
  readonly message!: string;

  @ApiPropertyOptional({ type: [FieldProblem], description: 'Every bad field of the request (400; 422: the reused Idempotency-Key).' })
  readonly fields?: FieldProblem[];

  @ApiPropertyOptional({
    type: String,
    description:
      'The id the command would have had (503: retry with the same Idempotency-Key to reuse it), or the command the key already names (422).',
  })
  readonly commandId?: string;
}

/** A 400 that names every bad field. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fields: FieldProblem[]) {
    super('invalid request');
  }
}

export function fieldProblem(field: string, location: FieldLocation, problem: string): FieldProblem {
  return { field, in: location, problem };
}

const UNKNOWN_FIELD_CONSTRAINT = 'whitelistValidation';

/** class-validator's nested errors → one FieldProblem per bad field, with dotted paths. */
export function problemsOf(errors: readonly ValidationError[], location: FieldLocation, parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const path = e.property === undefined || e.property === '' ? parent || '$' : parent ? `${parent}.${e.property}` : e.property;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      out.push(fieldProblem(path, location, constraint === UNKNOWN_FIELD_CONSTRAINT ? 'unknown field' : message));
    }
    if (e.children && e.children.length > 0) out.push(...problemsOf(e.children, location, path));
  }
  return out;
}

/**
 * An Idempotency-Key already used (by this API key, for this command and target) with a different
 * request: 422, as the IETF Idempotency-Key draft has it. Answering with the first command would
 * tell the client its new request was accepted when nothing was done with it.
 */
export class IdempotencyKeyReusedError extends HttpException {
  readonly fields: FieldProblem[];

  constructor(
    readonly commandId: string,
    type: string,
    /** When the key's retention ends (wall-clock epoch ms): from then on it may name a new command. */
    keptUntil: number,
  ) {
    super(
      `Idempotency-Key already used for a different ${type} request (command ${commandId}); nothing was published. ` +
        `Send a new request with a new key; retry the first request with this key. The key is kept until ${new Date(keptUntil).toISOString()}.`,
      HttpStatus.UNPROCESSABLE_ENTITY,
    );
    this.fields = [fieldProblem('Idempotency-Key', 'header', `already used for a different request (command ${commandId})`)];
  }
}

/** A command the bus did not take: the client may retry (with the same Idempotency-Key). */
export class CommandNotPublishedError extends HttpException {
  constructor(
    readonly commandId: string,
    type: string,
  ) {
    super(
      `command bus unavailable: ${type} ${commandId} was not acknowledged, so it may not have been published. ` +
        'Retry with the same Idempotency-Key: a retry keeps the command id and the bus stores one id once.',
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
