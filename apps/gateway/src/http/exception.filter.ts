import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { CommandNotPublishedError, IdempotencyKeyReusedError, RequestValidationError, type ErrorView } from './problems';

interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  json(body: unknown): unknown;
}

/** Connection-level failures of the database: the read side is unavailable, not broken. */
function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; driverError?: { code?: unknown }; name?: unknown; message?: unknown };
  const code = e.driverError?.code ?? e.code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P03')) return true;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'ENOTFOUND') return true;
  return typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message);
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * body-parser (strict) refuses a body that is valid JSON but not an object or array (`null`,
 * `"x"`, `5`) with a SyntaxError too, carrying the text it read as `body`: that is not
 * malformed JSON, and the answer says what is wrong instead.
 */
function isValidJsonNotAnObject(cause: SyntaxError): boolean {
  const text = (cause as SyntaxError & { body?: unknown }).body;
  if (typeof text !== 'string') return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value !== 'object' || value === null;
  } catch {
    return false;
  }
}

/** Express's body parser throws SyntaxError; V8's message quotes the body, which is not echoed. */
function malformedJsonMessage(cause: SyntaxError): string {
  const position = /position (\d+)/.exec(cause.message)?.[1];
  return position === undefined ? 'malformed JSON body' : `malformed JSON body (at position ${position})`;
}

export function errorViewOf(exception: unknown, logger: Logger): ErrorView {
  if (exception instanceof RequestValidationError) {
    return { statusCode: 400, error: statusText(400), message: 'invalid request', fields: exception.fields };
  }
  if (exception instanceof IdempotencyKeyReusedError) {
    return { statusCode: 422, error: statusText(422), message: exception.message, fields: exception.fields, commandId: exception.commandId };
  }
  if (exception instanceof CommandNotPublishedError) {
    return { statusCode: 503, error: statusText(503), message: exception.message, commandId: exception.commandId };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === HttpStatus.BAD_REQUEST && exception.cause instanceof SyntaxError) {
      if (isValidJsonNotAnObject(exception.cause)) {
        return { statusCode: 400, error: statusText(400), message: 'invalid request', fields: [{ field: '$', in: 'body', problem: 'must be a JSON object' }] };
      }
      return { statusCode: 400, error: statusText(400), message: malformedJsonMessage(exception.cause) };
    }
    const response = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m = (response as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    } else if (typeof response === 'string') {
      message = response;
    }
    if (status >= 500) logger.error(`${status}: ${message}`);
    return { statusCode: status, error: statusText(status), message };
  }
  if (isDatabaseUnavailable(exception)) {
    logger.error(`database unavailable: ${(exception as Error).message}`);
    return { statusCode: 503, error: statusText(503), message: 'the read-model database is unavailable; retry later' };
  }
  logger.error(
    `unhandled error: ${exception instanceof Error ? exception.message : String(exception)}`,
    exception instanceof Error ? exception.stack : undefined,
  );
  return { statusCode: 500, error: statusText(500), message: 'internal error' };
}

/**
 * One error shape for every gateway response: `{statusCode, error, message, fields?}`. Internal
 * details (stack traces, SQL, the failing sink's error) are logged, never sent; nothing here
 * ever holds a credential, since the auth guard never puts one in an error.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<HttpResponse>();
    const body = errorViewOf(exception, this.logger);
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }
}
