import { diffValues, pipelineConfigFromFlat } from '@tradeloop/runtime';
import type { Io } from '../backtest.command';
import { CommandExit, EXIT_DIVERGED } from '../exit';
import { connectTo } from '../nats';

/*
 * `tradeloop replay --service <name>`: one service of a deployment audited against what it
 * published (DESIGN §7.6). The NATS client, the services' wiring and their database code load
 * when it runs, not with every `tradeloop` start.
 */

export interface ServiceReplayCliOptions {
  service: string;
  nats: string;
  namespace: string;
}

export async function runServiceReplay(opts: ServiceReplayCliOptions, io: Io): Promise<void> {
  const [{ topology }, { replayServiceInbox }, { DECIDER_SERVICES, deciderFor }] = await Promise.all([
    import('@tradeloop/transport-nats'),
    import('@tradeloop/service'),
    import('@tradeloop/nest-service/src/definitions'),
  ]);
  const service = opts.service;
  if (!(DECIDER_SERVICES as readonly string[]).includes(service)) {
    io.err(`error: --service must be one of ${DECIDER_SERVICES.join(', ')}; got "${service}"\n`);
    throw new CommandExit(1);
  }
  const topo = topology({ ns: opts.namespace });
  const { nc } = await connectTo(opts.nats);
  try {
    const report = await replayServiceInbox({
      nc,
      topo,
      service,
      deciderFor: (flat) =>
        deciderFor(service as (typeof DECIDER_SERVICES)[number], pipelineConfigFromFlat(flat, (detail) => new Error(`${service}'s ServiceStarted ${detail}`)).config),
    });
    const segs = report.segments.map((s) => `#${s.fromSeq}–#${s.toSeq}`).join(', ');
    io.out(
      `replay of ${service}: inbox ${report.inbox} handled to #${report.handledTo}; ${report.segments.length} configuration(s) recorded (${segs || 'none'})` +
        (report.unrecordedBefore > 0 ? `; #1–#${report.unrecordedBefore} decided before any was recorded: folded, not compared` : '') +
        '\n',
    );
    if (report.identical) {
      io.out(`replay identical: ${report.outputs} outputs of ${report.messages} inbox messages, byte for byte\n`);
      return;
    }
    const f = report.first!;
    const what = f.replayed === undefined ? 'recorded, not produced by the replay' : f.recorded === undefined ? 'produced by the replay, never published' : 'differs';
    io.out(`replay DIVERGED: ${report.differing} of ${report.outputs} outputs; first at inbox #${f.inboxSeq}: ${f.type} ${f.id} ${what}\n`);
    if (f.recorded !== undefined && f.replayed !== undefined) {
      const fields: { path: string; recorded: unknown; replayed: unknown }[] = [];
      diffValues(JSON.parse(f.recorded), JSON.parse(f.replayed), '$', fields, 20);
      for (const d of fields) io.out(`  ${d.path}: recorded ${JSON.stringify(d.recorded)}, replayed ${JSON.stringify(d.replayed)}\n`);
    }
    throw new CommandExit(EXIT_DIVERGED);
  } finally {
    await nc.close();
  }
}
