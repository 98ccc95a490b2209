import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiKeyScope, VerifiedApiKey } from '@tradeloop/persistence';
import { ErrorView } from '../http/problems';
import { ApiKeyGuard } from './api-key.guard';
import { API_KEY_SCHEME, BEARER_SCHEME, CALLER, REQUIRED_SCOPE, type AuthenticatedRequest } from './auth.constants';

/**
 * A route needs an API key with at least `scope` (admin ⊃ trade ⊃ read). Documented in
 * OpenAPI as the two header schemes and `x-required-scope`.
 */
export function RequiresScope(scope: ApiKeyScope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiExtension('x-required-scope', scope),
    ApiUnauthorizedResponse({ description: 'Missing, malformed, unknown or revoked API key.', type: ErrorView }),
    ApiForbiddenResponse({ description: `The key lacks scope "${scope}".`, type: ErrorView }),
  );
}

/** The verified API key of the request (set by ApiKeyGuard). */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): VerifiedApiKey => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>()[CALLER];
  // Only reachable on a route without RequiresScope: a wiring bug, not a client error.
  if (caller === undefined) throw new Error('gateway: @Caller() used on a route without RequiresScope');
  return caller;
});
