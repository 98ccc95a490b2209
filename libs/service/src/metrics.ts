import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Envelope } from '@tradeloop/kernel';

/**
 * The metrics every Tradeloop service exports at /metrics (DESIGN §8), in one registry per
 * service so several services in one process (the quickstart) do not collide: every series has
 * a `service` label.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly messagesIn: Counter<'service' | 'type'>;
  readonly skippedIn: Counter<'service' | 'type'>;
  readonly messagesOut: Counter<'service' | 'type'>;
  readonly handleSeconds: Histogram<'service' | 'type'>;
  readonly stageSeconds: Histogram<'service' | 'type'>;
  readonly orders: Counter<'service' | 'status'>;
  readonly fills: Counter<'service' | 'symbol' | 'side'>;
  readonly denials: Counter<'service' | 'reason'>;
  readonly approvals: Counter<'service' | 'outcome'>;
  readonly deadLetters: Counter<'service' | 'reason'>;
  readonly consumerLag: Gauge<'service'>;
  readonly cash: Gauge<'service' | 'account' | 'currency'>;
  readonly realizedPnl: Gauge<'service' | 'account' | 'currency'>;
  /** Cash plus unrealised P&L at the last marks; set by the executor service from its state. */
  readonly equity: Gauge<'service' | 'account' | 'currency'>;
  readonly rebuiltMessages: Gauge<'service'>;
  /** Labelled children by message type: prom-client hashes a label object on every call otherwise. */
  private readonly inByType = new Map<string, ReturnType<Counter<'service' | 'type'>['labels']>>();
  private readonly skippedByType = new Map<string, ReturnType<Counter<'service' | 'type'>['labels']>>();
  private readonly outByType = new Map<string, ReturnType<Counter<'service' | 'type'>['labels']>>();
  private readonly handleByType = new Map<string, ReturnType<Histogram<'service' | 'type'>['labels']>>();
  private readonly stageByType = new Map<string, ReturnType<Histogram<'service' | 'type'>['labels']>>();

  constructor(
    readonly service: string,
    options: { defaultMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    this.messagesIn = new Counter({ name: 'tradeloop_messages_in_total', help: 'Messages handled, by type', labelNames: ['service', 'type'], registers });
    this.skippedIn = new Counter({
      name: 'tradeloop_inputs_skipped_total',
      help: 'Inputs skipped as already seen: a repeated envelope id, or market data not newer than its series (a replayed or re-batched feed)',
      labelNames: ['service', 'type'],
      registers,
    });
    this.messagesOut = new Counter({ name: 'tradeloop_messages_out_total', help: 'Messages published, by type', labelNames: ['service', 'type'], registers });
    this.handleSeconds = new Histogram({
      name: 'tradeloop_handle_seconds',
      help: 'Time to handle one inbox message: decode, decide, send its outputs (per stage; commits trail on their own lane)',
      labelNames: ['service', 'type'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.stageSeconds = new Histogram({
      name: 'tradeloop_stage_latency_seconds',
      help: 'Wall time from an input being stored in the inbox to the outputs it caused being acknowledged downstream (queueing, handling, publishing), per input type',
      labelNames: ['service', 'type'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
    this.orders = new Counter({ name: 'tradeloop_orders_total', help: 'Order lifecycle events, by status', labelNames: ['service', 'status'], registers });
    this.fills = new Counter({ name: 'tradeloop_fills_total', help: 'Fills', labelNames: ['service', 'symbol', 'side'], registers });
    this.denials = new Counter({ name: 'tradeloop_denials_total', help: 'Orders denied by risk, by reason code', labelNames: ['service', 'reason'], registers });
    this.approvals = new Counter({ name: 'tradeloop_approvals_total', help: 'Approval requests and their outcomes', labelNames: ['service', 'outcome'], registers });
    this.deadLetters = new Counter({ name: 'tradeloop_dead_letters_total', help: 'Messages sent to the DLQ, by reason', labelNames: ['service', 'reason'], registers });
    this.consumerLag = new Gauge({ name: 'tradeloop_consumer_lag_messages', help: 'Inbox messages not yet handled (pending + unacked)', labelNames: ['service'], registers });
    this.cash = new Gauge({ name: 'tradeloop_account_cash', help: 'Account cash after the last fill', labelNames: ['service', 'account', 'currency'], registers });
    this.realizedPnl = new Gauge({ name: 'tradeloop_account_realized_pnl', help: 'Cumulative realised P&L (fees counted separately)', labelNames: ['service', 'account', 'currency'], registers });
    this.equity = new Gauge({ name: 'tradeloop_account_equity', help: 'Cash plus unrealised P&L at the last marks', labelNames: ['service', 'account', 'currency'], registers });
    this.rebuiltMessages = new Gauge({ name: 'tradeloop_rebuilt_messages', help: 'Inbox messages replayed at start to rebuild state', labelNames: ['service'], registers });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, labels: { service } });
  }

  /** Counts `n` handled inputs of one type (the hot path: once per inbox message and type). */
  countIn(type: string, n = 1): void {
    let c = this.inByType.get(type);
    if (c === undefined) this.inByType.set(type, (c = this.messagesIn.labels({ service: this.service, type })));
    c.inc(n);
  }

  /** Counts `n` published messages of one type that are not a decider's outputs (the market-data feed). */
  countOut(type: string, n = 1): void {
    let c = this.outByType.get(type);
    if (c === undefined) this.outByType.set(type, (c = this.messagesOut.labels({ service: this.service, type })));
    c.inc(n);
  }

  /** Counts an input skipped as already seen (see ServiceRunner's de-duplication). */
  countSkipped(type: string): void {
    let c = this.skippedByType.get(type);
    if (c === undefined) this.skippedByType.set(type, (c = this.skippedIn.labels({ service: this.service, type })));
    c.inc();
  }

  /** Records how long one inbox message took to handle (decode, decide, publish sent). */
  observeHandle(type: string, seconds: number): void {
    let h = this.handleByType.get(type);
    if (h === undefined) this.handleByType.set(type, (h = this.handleSeconds.labels({ service: this.service, type })));
    h.observe(seconds);
  }

  /** Records one stage latency: an input stored in the inbox → its outputs stored downstream. */
  observeStage(type: string, seconds: number): void {
    let h = this.stageByType.get(type);
    if (h === undefined) this.stageByType.set(type, (h = this.stageSeconds.labels({ service: this.service, type })));
    h.observe(seconds);
  }

  /** Counts an output by what it means for operators. */
  observeOutput(m: Envelope): void {
    const service = this.service;
    this.countOut(m.type);
    const d = m.data as Record<string, unknown>;
    switch (m.type) {
      case 'OrderSubmitted':
        this.orders.inc({ service, status: 'submitted' });
        break;
      case 'OrderAccepted':
        this.orders.inc({ service, status: 'accepted' });
        break;
      case 'OrderRejected':
        this.orders.inc({ service, status: 'rejected' });
        break;
      case 'OrderCancelled':
        this.orders.inc({ service, status: 'cancelled' });
        break;
      case 'OrderExpired':
        this.orders.inc({ service, status: 'expired' });
        break;
      case 'OrderFilled':
        this.fills.inc({ service, symbol: String(d['symbol']), side: String(d['side']) });
        break;
      case 'OrderDenied':
        this.denials.inc({ service, reason: String(d['reason'] ?? 'unknown') });
        break;
      case 'ApprovalRequested':
        this.approvals.inc({ service, outcome: 'requested' });
        break;
      case 'ApprovalGranted':
        this.approvals.inc({ service, outcome: 'granted' });
        break;
      case 'ApprovalRejected':
        this.approvals.inc({ service, outcome: 'rejected' });
        break;
      case 'ApprovalExpired':
        this.approvals.inc({ service, outcome: 'expired' });
        break;
      case 'AccountUpdated': {
        const labels = { service, account: m.account, currency: String(d['currency']) };
        this.cash.set(labels, Number(d['cash']));
        this.realizedPnl.set(labels, Number(d['realizedPnl']));
        break;
      }
      default:
    }
  }
}
