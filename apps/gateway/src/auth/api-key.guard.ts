import { Inject, Injectable, UnauthorizedException, ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { scopeAllows, verifyApiKey, type ApiKeyScope } from '@tradeloop/persistence';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from '../gateway.options';
import { CALLER, REQUIRED_SCOPE, type AuthenticatedRequest } from './auth.constants';

interface HeaderedRequest extends AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
}

interface HeaderedResponse {
  setHeader(name: string, value: string): void;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The presented key, from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: HeaderedRequest['headers']): { key?: string; problem?: string } {
  const auth = headers['authorization'];
  const apiKey = headers['x-api-key'];
  if (Array.isArray(auth) || Array.isArray(apiKey)) return { problem: 'send exactly one API key' };
  let fromAuth: string | undefined;
  if (auth !== undefined) {
    const m = BEARER.exec(auth);
    // The header's value is never quoted back: it may be a real key sent the wrong way.
    if (m === null) return { problem: 'the Authorization header must be "Bearer <key>"' };
    fromAuth = m[1];
  }
  const fromHeader = apiKey?.trim();
  if (fromAuth !== undefined && fromHeader !== undefined && fromAuth !== fromHeader) {
    return { problem: 'Authorization and X-API-Key carry different keys: send one' };
  }
  const key = fromAuth ?? fromHeader;
  return key === undefined || key === '' ? {} : { key };
}

/**
 * Authenticates the API key and checks the route's scope. Answers 401 (no key, or one that is
 * malformed, unknown, wrong or revoked: the same answer for all, so a caller learns nothing
 * about which keys exist) and 403 (the key lacks the scope). The key itself never appears in
 * a response or a log line.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined) throw new Error('gateway: ApiKeyGuard on a route without RequiresScope');
    const http = context.switchToHttp();
    const req = http.getRequest<HeaderedRequest>();
    const unauthorized = (message: string): UnauthorizedException => {
      http.getResponse<HeaderedResponse>().setHeader('WWW-Authenticate', 'Bearer realm="tradeloop"');
      return new UnauthorizedException(message);
    };
    const { key, problem } = presentedKey(req.headers);
    if (problem !== undefined) throw unauthorized(problem);
    if (key === undefined) throw unauthorized('missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const caller = await verifyApiKey(this.options.dataSource, key);
    if (caller === null) throw unauthorized('invalid or revoked API key');
    if (!scopeAllows(caller.scopes, required)) {
      throw new ForbiddenException(`API key "${caller.name}" lacks scope "${required}" (it has: ${caller.scopes.join(', ')})`);
    }
    req[CALLER] = caller;
    return true;
  }
}
