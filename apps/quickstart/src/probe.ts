import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { NATS_CLIENT_DEFAULTS } from '@tradeloop/transport-nats';
import { Client } from 'pg';

export type Probe<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function reasonOf(e: unknown): string {
  const text = e instanceof Error ? (e.message || e.name) : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/**
 * Connects to NATS with a short handshake timeout and checks that JetStream answers. On
 * success the connection is kept (reconnecting forever from then on, like the services');
 * on failure the reason, never the URL (it may hold a password).
 */
export async function probeNats(url: string, timeoutMs: number, name: string): Promise<Probe<NatsConnection>> {
  let nc: NatsConnection;
  try {
    nc = await connect({ ...NATS_CLIENT_DEFAULTS, servers: url.split(',').map((s) => s.trim()), name, timeout: timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  }
  try {
    await jetstreamManager(nc, { timeout: timeoutMs });
    return { ok: true, value: nc };
  } catch (e) {
    await nc.close().catch(() => undefined);
    return { ok: false, reason: `the server answers but JetStream does not: ${reasonOf(e)}` };
  }
}

/** Opens one connection with a short timeout and runs SELECT 1. */
export async function probePostgres(url: string, timeoutMs: number): Promise<Probe<void>> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'tradeloop-quickstart-probe' });
  // A server that drops the connection later must not crash the process through an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, value: undefined };
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
