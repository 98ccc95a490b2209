import type { ServiceMetrics } from '@tradeloop/service';
import type { CommandSink } from '@tradeloop/gateway';

/** The pipeline as the quickstart drives it, on NATS JetStream or on the in-process bus. */
export interface Engine {
  readonly kind: 'nats' | 'in-process';
  /** Where the gateway's commands go: into the pipeline like every other input. */
  readonly sink: CommandSink;
  /**
   * Replays the data at the configured pace; resolves once it has run out and every stage has
   * handled what followed from it (and the store has it). Rejects if a stage fails for good.
   */
  run(signal: AbortSignal): Promise<void>;
  /** For /health: `healthy: false` turns it into a 503. */
  health(): Promise<{ healthy: boolean } & Record<string, unknown>>;
  /** Stops after the message in hand; idempotent. */
  close(): Promise<void>;
}

/**
 * The shared metrics seen as one service: same registry and series (one /metrics for the
 * process), outputs labelled with `service`. ServiceMetrics keeps one registry per instance,
 * and several registries cannot be merged when their metric names are equal, so the services
 * of the quickstart share one instance through these views.
 */
export function metricsView(shared: ServiceMetrics, service: string): ServiceMetrics {
  return Object.create(shared, { service: { value: service, enumerable: true } }) as ServiceMetrics;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
