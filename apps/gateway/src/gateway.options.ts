import type { DataSource } from 'typeorm';
import type { Envelope } from '@tradeloop/kernel';
import { DEFAULT_IDEMPOTENCY_KEY_TTL_MS } from '@tradeloop/persistence';
import type { MarketPrices } from './market-prices';

/** DI token of the CommandSink the gateway publishes commands to. */
export const COMMAND_SINK = Symbol('COMMAND_SINK');
/** DI token of the resolved GatewayOptions. */
export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** Where commands go: the CMD stream in production, a collecting fake in tests. */
export interface CommandSink {
  /**
   * Resolves once the command is durably published (JetStream ack); rejects otherwise. The
   * envelope id is the JetStream message id, so publishing the same id twice stores it once.
   */
  send(command: Envelope): Promise<void>;
}

export interface GatewayOptions {
  /** Initialised, migrations already run. */
  readonly dataSource: DataSource;
  readonly sink: CommandSink;
  /** The one account this gateway reads and commands. */
  readonly account: string;
  /** Epoch ms for command timestamps, read once per command; default Date.now. */
  readonly clock?: () => number | Promise<number>;
  /**
   * A sink that has not answered after this long is treated as failed (503), so a stuck
   * connection cannot hold requests open forever. Default 10 000 ms.
   */
  readonly sinkTimeoutMs?: number;
  /**
   * How long an Idempotency-Key is kept after its first use, ms: within it a retry gets the same
   * command back and a different request is refused (422); after it the key may name a new
   * command. Default 24 h (IDEMPOTENCY_KEY_TTL_MS).
   */
  readonly idempotencyKeyTtlMs?: number;
  /**
   * The wall clock Idempotency-Keys expire by (epoch ms); default Date.now. Not `clock`: that is
   * the commands' time, the replay's under TIMER_CLOCK=event (see CommandPublisher.claim).
   */
  readonly wallClock?: () => number;
  /**
   * The last price of a market (marketDataPrices: the MD stream's last batch of it). Given, a
   * pending approval shows where its market is now against the price risk approved it at;
   * without it those fields are null.
   */
  readonly marketPrices?: MarketPrices;
}

export interface ResolvedGatewayOptions {
  readonly dataSource: DataSource;
  readonly sink: CommandSink;
  readonly account: string;
  readonly clock: () => number | Promise<number>;
  readonly sinkTimeoutMs: number;
  readonly idempotencyKeyTtlMs: number;
  readonly wallClock: () => number;
  readonly marketPrices: MarketPrices | undefined;
}

export const DEFAULT_SINK_TIMEOUT_MS = 10_000;

/** Checks the options once, at module creation, with an error naming the bad one. */
export function resolveGatewayOptions(o: GatewayOptions): ResolvedGatewayOptions {
  if (o === null || typeof o !== 'object') throw new TypeError('GatewayModule.forRoot: options are required');
  if (typeof o.account !== 'string' || o.account.trim() === '') {
    throw new TypeError('GatewayModule.forRoot: options.account must be a non-empty string');
  }
  if (!o.dataSource || typeof o.dataSource.getRepository !== 'function') {
    throw new TypeError('GatewayModule.forRoot: options.dataSource must be a TypeORM DataSource');
  }
  if (!o.sink || typeof o.sink.send !== 'function') {
    throw new TypeError('GatewayModule.forRoot: options.sink must have send(envelope): Promise<void>');
  }
  if (o.clock !== undefined && typeof o.clock !== 'function') {
    throw new TypeError('GatewayModule.forRoot: options.clock must be a function returning epoch ms');
  }
  const sinkTimeoutMs = o.sinkTimeoutMs ?? DEFAULT_SINK_TIMEOUT_MS;
  if (!Number.isFinite(sinkTimeoutMs) || sinkTimeoutMs <= 0) {
    throw new TypeError(`GatewayModule.forRoot: options.sinkTimeoutMs must be a positive number, got ${String(o.sinkTimeoutMs)}`);
  }
  const idempotencyKeyTtlMs = o.idempotencyKeyTtlMs ?? DEFAULT_IDEMPOTENCY_KEY_TTL_MS;
  if (!Number.isSafeInteger(idempotencyKeyTtlMs) || idempotencyKeyTtlMs <= 0) {
    throw new TypeError(`GatewayModule.forRoot: options.idempotencyKeyTtlMs must be a positive integer (ms), got ${String(o.idempotencyKeyTtlMs)}`);
  }
  if (o.wallClock !== undefined && typeof o.wallClock !== 'function') {
    throw new TypeError('GatewayModule.forRoot: options.wallClock must be a function returning epoch ms');
  }
  if (o.marketPrices !== undefined && typeof o.marketPrices !== 'function') {
    throw new TypeError('GatewayModule.forRoot: options.marketPrices must be a function (venue, symbol) returning a price or null');
  }
  return {
    dataSource: o.dataSource,
    sink: o.sink,
    account: o.account,
    clock: o.clock ?? (() => Date.now()),
    sinkTimeoutMs,
    idempotencyKeyTtlMs,
    wallClock: o.wallClock ?? (() => Date.now()),
    marketPrices: o.marketPrices,
  };
}
