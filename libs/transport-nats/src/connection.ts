/**
 * Client options every Tradeloop connection to NATS uses (services, CLI, quickstart, benches).
 *
 * `noAsyncTraces`: by default nats.js captures two stack traces for every request — a JetStream
 * publish is a request for its PubAck — only to decorate the error should it ever time out.
 * Services publish every output that way, so it was paid on every message: measured with the
 * project's publisher (a window of 256, 20,000 envelopes), the client's CPU per publish fell from
 * 61–84 µs to 36–44 µs without it, and throughput rose from ~12,000 to ~24,000 msgs/s. A publish
 * that fails still says which subject and message id (PublishError), which is what an operator
 * acts on; only the extra "started here" frames are gone.
 */
export const NATS_CLIENT_DEFAULTS = { noAsyncTraces: true } as const;
