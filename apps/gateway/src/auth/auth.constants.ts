import type { VerifiedApiKey } from '@tradeloop/persistence';

export const REQUIRED_SCOPE = 'tradeloop:required-scope';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/** The request property the guard stores the verified key in. */
export const CALLER = Symbol('tradeloop.caller');

export interface AuthenticatedRequest {
  [CALLER]?: VerifiedApiKey;
}
