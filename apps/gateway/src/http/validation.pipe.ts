import { Injectable, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { fieldProblem, problemsOf, RequestValidationError, type FieldLocation } from './problems';

/** Carries class-validator's errors from the factory to transform(), which knows the location. */
class ValidationFailed extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('validation failed');
  }
}

const LOCATIONS: Readonly<Partial<Record<ArgumentMetadata['type'], FieldLocation>>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Every body, query and path parameter goes through its DTO: unknown fields are refused, every
 * bad field is reported (one problem per field), and nothing is converted implicitly (a query
 * DTO says how it parses numbers). A parameter without a DTO class is a wiring bug (e.g. a
 * build without decorator metadata) and fails closed rather than passing input unchecked.
 */
@Injectable()
export class GatewayValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors: ValidationError[]) => new ValidationFailed(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const location = LOCATIONS[metadata.type];
    if (location === undefined) return value;
    if (metadata.metatype === undefined || metadata.metatype === Object) {
      throw new Error(`gateway: ${metadata.type} parameter ${metadata.data ?? ''} has no DTO class (decorator metadata missing?)`);
    }
    if (location === 'body' && value !== undefined && !isPlainObject(value)) {
      throw new RequestValidationError([fieldProblem('$', 'body', 'must be a JSON object')]);
    }
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (e instanceof ValidationFailed) throw new RequestValidationError(problemsOf(e.errors, location));
      throw e;
    }
  }
}
