import { applyDecorators, Controller, HttpCode, HttpStatus, UseFilters, UsePipes } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CommandAcceptedView } from '../commands/command.dto';
import { GatewayExceptionFilter } from './exception.filter';
import { ErrorView } from './problems';
import { GatewayValidationPipe } from './validation.pipe';

/**
 * A gateway controller: its routes validate every input and answer errors in one shape even
 * when the host application installs no global pipe or filter.
 */
export function GatewayController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    ApiTags(tag),
    UsePipes(new GatewayValidationPipe()),
    UseFilters(new GatewayExceptionFilter()),
    ApiBadRequestResponse({ description: 'Invalid request: `fields` names every bad field.', type: ErrorView }),
  );
}

/** A command route: 202 with the command id once the bus has it, 503 if it did not take it. */
export function CommandRoute(): MethodDecorator {
  return applyDecorators(
    HttpCode(HttpStatus.ACCEPTED),
    ApiAcceptedResponse({ description: 'Published to the command bus; GET /v1/commands/{commandId} says what became of it.', type: CommandAcceptedView }),
    ApiServiceUnavailableResponse({
      description: 'The command bus did not acknowledge the command; retry with the same Idempotency-Key.',
      type: ErrorView,
    }),
    ApiUnprocessableEntityResponse({
      description: 'The Idempotency-Key was already used (by this API key, for this command and target) with a different request; nothing was published.',
      type: ErrorView,
    }),
  );
}

export function ApiNotFound(what: string): MethodDecorator {
  return ApiNotFoundResponse({ description: `No such ${what} in this account.`, type: ErrorView });
}

export function ApiConflict(description: string): MethodDecorator {
  return ApiConflictResponse({ description, type: ErrorView });
}
