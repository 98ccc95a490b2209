/**
 * One process of `npm run bench:pipeline`: a ServiceRunner (the services' inbox, decoding,
 * de-duplication, publishing and acking) hosting a trivial decider, chosen by BENCH_STAGE:
 *
 *   decision  SignalDetected → DecisionMade      risk      DecisionMade → RiskApproved
 *   governor  RiskApproved   → OrderApproved     executor  OrderApproved → OrderAccepted
 *   tick-scanner  QuoteTick (market-data batches) → 1m mid-price bars → the real scanner decider
 *
 * Outputs are the contract samples with the fields that tie them to their cause replaced; the
 * envelope ids derive from the cause (DeciderHost), data ids with deriveId. Not a test.
 * Env: NATS_URL, NATS_NAMESPACE, BENCH_STAGE. Prints "ready" once consuming; stops on SIGTERM,
 * SIGINT or when its stdin closes (the parent died).
 */
import { connect } from '@nats-io/transport-node';
import { draft, type Message } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { DeciderHost, NO_OUTPUTS, deriveId, type Decider, type Draft, type Envelope } from '@tradeloop/kernel';
import { pipelineConfig, pipelineDeciders } from '@tradeloop/runtime';
import { ServiceRunner } from '@tradeloop/service';
import { NATS_CLIENT_DEFAULTS, topology } from '@tradeloop/transport-nats';

type Stage = 'decision' | 'risk' | 'governor' | 'executor' | 'tick-scanner';
const STAGES: readonly Stage[] = ['decision', 'risk', 'governor', 'executor', 'tick-scanner'];

/** A stateless decider: one input type, one output draft per input. */
function passThrough<I extends Envelope>(name: string, consumes: string, make: (input: I) => Draft): Decider<null, I, Draft> {
  return {
    name,
    consumes: [consumes] as I['type'][],
    initialState: () => null,
    evolve: (s) => s,
    decide: (input) => [make(input)],
  };
}

function deciderFor(stage: Stage): Decider<any, any, any> {
  switch (stage) {
    case 'decision':
      return passThrough<Message<'SignalDetected'>>('pt-decision', 'SignalDetected', (s) =>
        draft('DecisionMade', {
          ...SAMPLE_MESSAGES.DecisionMade.data,
          signalId: s.id,
          strategy: s.data.strategy,
          venue: s.data.venue,
          symbol: s.data.symbol,
          direction: s.data.direction,
          entry: s.data.entry,
          stop: s.data.stop,
          target: s.data.target,
          quality: s.data.quality,
        }),
      );
    case 'risk':
      return passThrough<Message<'DecisionMade'>>('pt-risk', 'DecisionMade', (d) =>
        draft('RiskApproved', { ...SAMPLE_MESSAGES.RiskApproved.data, requestId: d.id, order: { ...SAMPLE_MESSAGES.RiskApproved.data.order, venue: d.data.venue, symbol: d.data.symbol } }),
      );
    case 'governor':
      return passThrough<Message<'RiskApproved'>>('pt-governor', 'RiskApproved', (r) => {
        const { approvalId: _a, ...rest } = SAMPLE_MESSAGES.OrderApproved.data;
        return draft('OrderApproved', { ...rest, riskApprovalId: r.id, order: r.data.order, mode: 'fully_automated', approvedBy: 'system' });
      });
    case 'executor':
      return passThrough<Message<'OrderApproved'>>('pt-executor', 'OrderApproved', (a) => {
        const orderId = deriveId(a.id, 'pt-order', 0);
        return draft('OrderAccepted', {
          ...SAMPLE_MESSAGES.OrderAccepted.data,
          orderId,
          clientOrderId: `TL${orderId.replace(/-/g, '')}`,
          symbol: a.data.order.symbol,
          brokerOrderId: deriveId(orderId, 'pt-broker', 0),
        });
      });
    case 'tick-scanner':
      return tickScanner();
  }
}

interface Building {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  venue: string;
  symbol: string;
}

/**
 * Quote ticks → 1m bars of the mid price (a bar closes on the first tick of the next minute)
 * → the real scanner decider (pipeline defaults). Its signals are this decider's outputs.
 */
function tickScanner(): Decider<Map<string, Building>, Message<'QuoteTick'>, Draft> {
  const scanner = new DeciderHost(pipelineDeciders(pipelineConfig({})).scanner());
  return {
    name: 'bench-tick-scanner',
    consumes: ['QuoteTick'],
    initialState: () => new Map(),
    evolve: (s) => s,
    decide(t, bars) {
      const mid = (t.data.bid + t.data.ask) / 2;
      const minute = t.ts - (t.ts % 60_000);
      const key = `${t.data.venue}|${t.data.symbol}`;
      const b = bars.get(key);
      if (b === undefined || b.openTime !== minute) {
        bars.set(key, { openTime: minute, open: mid, high: mid, low: mid, close: mid, venue: t.data.venue, symbol: t.data.symbol });
      } else {
        if (mid > b.high) b.high = mid;
        if (mid < b.low) b.low = mid;
        b.close = mid;
      }
      if (b === undefined || b.openTime === minute) return NO_OUTPUTS;
      const id = deriveId(t.id, 'bench-bar', 0);
      const bar: Message<'BarClosed'> = {
        id,
        type: 'BarClosed',
        version: 1,
        ts: b.openTime + 60_000,
        correlationId: id,
        causationId: t.id,
        account: t.account,
        source: 'bench-tick-scanner',
        data: { venue: b.venue, symbol: b.symbol, timeframe: '1m', openTime: b.openTime, open: b.open, high: b.high, low: b.low, close: b.close, volume: 0 },
      };
      const outs = scanner.handle(bar);
      return outs.map((o) => ({ type: o.type, version: o.version, data: o.data, correlationId: o.correlationId }) as Draft);
    },
  };
}

async function main(): Promise<void> {
  const stage = process.env['BENCH_STAGE'] as Stage;
  if (!STAGES.includes(stage)) throw new Error(`BENCH_STAGE must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  // Connected as the services connect (the same client options), so the chain measures the same transport.
  const nc = await connect({ ...NATS_CLIENT_DEFAULTS, servers: (process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222').split(','), name: `bench-${stage}` });
  const runner = new ServiceRunner({ service: `bench-${stage}`, decider: deciderFor(stage), nc, topo: topology({ ns: process.env['NATS_NAMESPACE'] ?? '' }) });
  await runner.start();
  process.stdout.write('ready\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void runner
      .stop()
      .then(() => nc.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  void runner.done.then(() => {
    const s = runner.status();
    if (s.state === 'failed') {
      process.stderr.write(`bench-${stage}: runner failed: ${s.error}\n`);
      process.exit(1);
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`passthrough-stage: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
