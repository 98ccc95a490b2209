import type { NatsConnection } from '@nats-io/nats-core';

/*
 * NATS for the commands that read a deployment (export, replay --service). The client loads
 * when such a command runs, not with every `tradeloop` start.
 */

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The server: the option, else NATS_URL, else the local default. Read when the command runs,
 * never as an option default: help would print the URL, password included.
 */
export function natsUrlOf(option: string | undefined, env: Env): string {
  return option ?? (env['NATS_URL'] || 'nats://127.0.0.1:4222');
}

/** The deployment's namespace: the option, else NATS_NAMESPACE, else none. */
export function namespaceOf(option: string | undefined, env: Env): string {
  return option ?? env['NATS_NAMESPACE'] ?? '';
}

/** Connects, or fails naming the server with its password hidden; `where` is that safe name. */
export async function connectTo(url: string): Promise<{ nc: NatsConnection; where: string }> {
  const [{ connect }, { redactUrl }, { NATS_CLIENT_DEFAULTS }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@tradeloop/nest-service/src/config'),
    import('@tradeloop/transport-nats/src/connection'),
  ]);
  const where = redactUrl(url);
  const nc = await connect({ ...NATS_CLIENT_DEFAULTS, servers: url.split(','), timeout: 5_000 }).catch((e: unknown) => {
    throw new Error(`cannot connect to NATS at ${where}: ${e instanceof Error ? e.message : String(e)}`);
  });
  return { nc, where };
}
