import type { INestApplication } from '@nestjs/common';
import { GatewayExceptionFilter } from './exception.filter';

interface ExpressLike {
  disable?(setting: string): unknown;
}

/**
 * App-wide settings the gateway relies on; call after NestFactory.create. The gateway's own
 * routes validate and shape errors by themselves (their controllers bind the pipe and the
 * filter); the global filter gives the same error shape to what happens before routing —
 * malformed JSON, an oversized body, an unknown route.
 */
export function configureGateway(app: INestApplication): void {
  app.useGlobalFilters(new GatewayExceptionFilter());
  const instance = app.getHttpAdapter().getInstance() as ExpressLike;
  instance.disable?.('x-powered-by');
}
