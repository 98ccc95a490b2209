import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's log lines (its own and the gateway's `Logger`) through pino, so a service's logs are JSON
 * on stdout throughout: Nest's console logger wrote ANSI-coloured text among them. `logAs`: the
 * level of Nest's plain `log` lines (route mapping at start and the like) — debug for services,
 * where they would be noise at the default level.
 */
export class PinoNestLogger implements LoggerService {
  constructor(
    private readonly pino: Logger,
    private readonly logAs: 'info' | 'debug' = 'info',
  ) {}

  log(message: unknown, context?: string): void {
    this.pino[this.logAs]({ context }, String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.pino.error({ detail: rest.map(String) }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
