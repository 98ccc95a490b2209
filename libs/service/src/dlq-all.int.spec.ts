import { subjectMatches } from '@tradeloop/contracts';
import { pipelineConfig, pipelineDeciders } from '@tradeloop/runtime';
import { topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, readStream, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ServiceRunner } from './runner';

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
const runners: ServiceRunner[] = [];

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('dlq') });
});

afterAll(async () => {
  for (const r of runners) await r.stop();
  await deleteTopology(jsm, topo);
  for (const r of runners) await jsm.streams.delete(r.inbox.stream).catch(() => undefined);
  await nc.close();
});

test('every_service_when_a_malformed_message_arrives_on_each_subject_it_consumes_then_dead_letters_it_with_the_reason_and_keeps_running_and_skips_subjects_it_does_not_consume', async () => {
  const make = pipelineDeciders(pipelineConfig());
  const deciders = {
    scanner: make.scanner(),
    'rl-decision': make.rlDecision(),
    risk: make.risk(),
    governor: make.governor(),
    executor: make.executor(),
    learning: make.learning(),
  };
  for (const [service, decider] of Object.entries(deciders)) {
    const r = new ServiceRunner({ service, decider, nc, topo });
    runners.push(r);
    await r.start();
  }
  // One concrete subject per consumed subject pattern of every inbox.
  const subjects = [...new Set(runners.flatMap((r) => r.inbox.patterns.map((p) => p.replace(/\*/g, 'x').replace(/>$/, 'bad.x'))))];
  // And one per whole-area source filter that no consumed type of that inbox uses: such
  // messages are sourced into the inbox but are no input of its service (skipped, not decoded).
  const foreign = `${topo.ns}.dec.nobody.x`;
  const js = jetstream(nc);
  for (const subject of [...subjects, foreign]) await js.publish(subject, '{"id": 42, "type": "Nonsense"');
  const accepted = (r: ServiceRunner): string[] => subjects.filter((s) => r.inbox.accepts(s));
  const expected = new Map(runners.map((r) => [r.inbox.stream, accepted(r).length]));
  // Every consumed pattern's subject reaches its service's inbox through the source filters.
  for (const r of runners) for (const s of accepted(r)) expect(r.inbox.sources.some((src) => subjectMatches(src.filter_subject!, s))).toBe(true);
  expect(runners.some((r) => r.inbox.sources.some((src) => subjectMatches(src.filter_subject!, foreign)))).toBe(true);
  expect(runners.some((r) => r.inbox.accepts(foreign))).toBe(false);
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(runners.length);

  await waitFor('every malformed message dead-lettered', () => runners.every((r) => r.status().deadLettered === expected.get(r.inbox.stream)), 20_000);
  const letters = (await readStream(js, topo.streams.DLQ.name, total)).map((m) => m.json<{ reason: string; detail: string; stream: string; subject: string }>());
  for (const l of letters) {
    expect(l.reason).toBe('invalid_message');
    expect(l.detail).toMatch(/invalid JSON/);
  }
  for (const r of runners) {
    const mine = letters.filter((l) => l.stream === r.inbox.stream).map((l) => l.subject).sort();
    expect([r.inbox.service, mine]).toEqual([r.inbox.service, accepted(r).sort()]);
    expect(r.status().state).toBe('running');
    expect(await r.lag()).toBe(0);
  }
});
