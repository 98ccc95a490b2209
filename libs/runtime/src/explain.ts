import { type Envelope, instrumentFor } from '@tradeloop/kernel';
import type {
  ApprovalRequestedData,
  DecisionMadeData,
  ExperienceRecordedData,
  LearnedParametersPublishedData,
  OrderDeniedData,
  OrderFilledData,
  OrderSpec,
  OrderSubmittedData,
  PositionClosedData,
  PositionOpenedData,
  RiskApprovedData,
  SignalDetectedData,
  SubmitManualOrderData,
} from '@tradeloop/contracts';
import { iso } from './iso-time';

/** Data fields that carry the id of something a trade is made of. */
const LINK_FIELDS = [
  'signalId',
  'requestId',
  'riskApprovalId',
  'approvalId',
  'approvedOrderId',
  'orderId',
  'clientOrderId',
  'brokerOrderId',
  'parentOrderId',
  'fillId',
  'positionId',
  'entryOrderId',
] as const;

/** The fields that tie a message to orders and positions made under another correlation id. */
const FOLLOW_FIELDS = ['orderId', 'positionId', 'entryOrderId'] as const;

export interface TracedEvent {
  /** 1-based line of the event in the log. */
  readonly line: number;
  readonly event: Envelope;
}

export interface TradeTrace {
  readonly query: string;
  /** The decision chains found (usually one: a signal's or a manual order's). */
  readonly correlationIds: readonly string[];
  readonly events: readonly TracedEvent[];
}

function dataOf(e: Envelope): Record<string, unknown> {
  const d = e.data;
  return d !== null && typeof d === 'object' ? (d as Record<string, unknown>) : {};
}

/**
 * Everything in a run's log that belongs to the trade an id names: the id of any event, a
 * correlation id, or a signal, order, client order, broker order, fill, approval or position
 * id. The trade is the decision chain (correlation id) of every event that carries the id,
 * plus anything joined to that chain's orders and positions under another correlation (an
 * exit placed by the kill switch, say). Returns undefined when nothing carries the id.
 */
export function traceTrade(events: readonly Envelope[], query: string): TradeTrace | undefined {
  const correlations = new Set<string>();
  for (const e of events) {
    if (e.id === query || e.correlationId === query) {
      correlations.add(e.correlationId);
      continue;
    }
    const d = dataOf(e);
    for (const f of LINK_FIELDS) {
      if (d[f] === query) {
        correlations.add(e.correlationId);
        break;
      }
    }
  }
  if (correlations.size === 0) return undefined;
  // Orders and positions of those chains, then whatever else refers to them.
  const linked = new Set<string>();
  for (const e of events) {
    if (!correlations.has(e.correlationId)) continue;
    const d = dataOf(e);
    for (const f of FOLLOW_FIELDS) if (typeof d[f] === 'string') linked.add(d[f] as string);
  }
  const out: TracedEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    let member = correlations.has(e.correlationId);
    if (!member) {
      const d = dataOf(e);
      for (const f of FOLLOW_FIELDS) {
        if (typeof d[f] === 'string' && linked.has(d[f] as string)) {
          member = true;
          break;
        }
      }
    }
    if (member) out.push({ line: i + 1, event: e });
  }
  return { query, correlationIds: [...correlations], events: out };
}

/** " @ price" of a limit or stop order, nothing for a market order. */
function atPrice(o: { type: string; limitPrice?: string; stopPrice?: string }): string {
  return o.type === 'limit' ? ` @ ${o.limitPrice}` : o.type === 'stop' ? ` @ ${o.stopPrice}` : '';
}

function orderText(o: OrderSpec): string {
  const px = atPrice(o);
  const bracket = [o.stopLoss !== undefined ? `stop-loss ${o.stopLoss}` : '', o.takeProfit !== undefined ? `take-profit ${o.takeProfit}` : '']
    .filter(Boolean)
    .join(', ');
  return `${o.side} ${o.quantity} ${o.symbol} ${o.type}${px}${bracket ? ` (${bracket})` : ''}`;
}

/** " JPY": the currency RiskApproved's amounts are in (the instrument's quote currency), or "" for an instrument the defaults do not know. */
function quoteCurrencyOf(symbol: string): string {
  try {
    return ` ${instrumentFor(symbol).quoteCurrency}`;
  } catch {
    return '';
  }
}

function duration(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** One line on what a message says, for people reading a trade. */
export function describeEvent(e: Envelope): string {
  const d = dataOf(e);
  switch (e.type) {
    case 'SignalDetected': {
      const s = d as unknown as SignalDetectedData;
      const q = s.qualityBreakdown;
      return (
        `${s.strategy} ${s.direction} ${s.symbol} ${s.timeframe}: entry ${s.entry}, stop ${s.stop}, target ${s.target}; ` +
        `quality ${s.quality} (trend ${q.trend}, volatility ${q.volatility}, session ${q.session}: ${s.session}), confidence ${s.confidence}. ${s.reason}`
      );
    }
    case 'DecisionMade': {
      const x = d as unknown as DecisionMadeData;
      return (
        `${x.action.toUpperCase()}: confidence ${x.confidence.toFixed(3)}, size ×${Number(x.sizeMultiplier.toFixed(3))}, ` +
        `sampled win rate ${x.sampledWinRate.toFixed(3)} from Beta(${x.posteriorAlpha}, ${x.posteriorBeta}), parameters v${x.paramsVersion}. ` +
        `Reasons: ${x.reasons.join('; ')}`
      );
    }
    case 'SubmitManualOrder': {
      const m = d as unknown as SubmitManualOrderData;
      return `manual order by ${m.requestedBy}: ${m.side} ${m.quantity} ${m.symbol} ${m.type}${m.price !== undefined ? ` ${m.price}` : ''}`;
    }
    case 'RiskApproved': {
      const r = d as unknown as RiskApprovedData;
      const q = quoteCurrencyOf(r.order.symbol);
      return `approved ${orderText(r.order)}; risk ${r.riskAmount}${q} (${r.riskLevel}), notional ${r.notional}${q} at ${r.referencePrice}`;
    }
    case 'OrderDenied': {
      const r = d as unknown as OrderDeniedData;
      return `DENIED ${r.reason}: ${r.detail}`;
    }
    case 'ApprovalRequested': {
      const a = d as unknown as ApprovalRequestedData;
      return `approval requested for ${orderText(a.order)}: quality ${a.quality} below threshold ${a.threshold} (${a.mode}); expires ${iso(a.expiresAt)}`;
    }
    case 'ApprovalGranted':
      return `approval granted by ${String(d['by'])}`;
    case 'ApprovalRejected':
      return `approval rejected by ${String(d['by'])}: ${String(d['reason'])}`;
    case 'ApprovalExpired':
      return 'approval expired: no answer in time';
    case 'OrderApproved':
      return `released to the executor (${String(d['mode'])}, approved by ${String(d['approvedBy'])})`;
    case 'OrderDisplayed':
      return `displayed only, not ordered (${String(d['reason'])})`;
    case 'OrderSubmitted': {
      const o = d as unknown as OrderSubmittedData;
      return `${o.role} order ${o.orderId}: ${o.side} ${o.quantity} ${o.symbol} ${o.type}${atPrice(o)}, ${o.timeInForce}, client order id ${o.clientOrderId}`;
    }
    case 'OrderAccepted':
      return `order ${String(d['orderId'])} accepted as ${String(d['brokerOrderId'])}`;
    case 'OrderRejected':
      return `order ${String(d['orderId'])} rejected: ${String(d['reason'])}`;
    case 'OrderCancelled':
      return `order ${String(d['orderId'])} cancelled: ${String(d['reason'])}`;
    case 'OrderExpired':
      return `order ${String(d['orderId'])} expired`;
    case 'OrderFilled': {
      const f = d as unknown as OrderFilledData;
      return (
        `${f.role} filled: ${f.side} ${f.quantity} @ ${f.price} (reference ${f.referencePrice}, slippage ${f.slippage}` +
        `${f.spread !== undefined ? `, spread ${f.spread}` : ''}), fee ${f.fee} ${f.feeCurrency}, ${f.liquidity}` +
        (f.accountCurrency !== undefined
          ? `; booked at ${f.conversionRate} ${f.accountCurrency}/${f.feeCurrency}: realised ${f.accountRealizedPnl} ${f.accountCurrency}, fee ${f.accountFee} ${f.accountCurrency}`
          : '')
      );
    }
    case 'PositionOpened': {
      const p = d as unknown as PositionOpenedData;
      return `position ${p.positionId} opened: ${p.direction} ${p.quantity} ${p.symbol} @ ${p.averagePrice}`;
    }
    case 'PositionClosed': {
      const p = d as unknown as PositionClosedData;
      return (
        `position closed by ${p.exitReason}: ${p.direction} ${p.quantity} ${p.entryPrice} → ${p.exitPrice}, ` +
        `realised ${p.realizedPnl} ${p.currency} (gross ${p.grossPnl}, fees ${p.fees}), held ${duration(p.holdingMs)}`
      );
    }
    case 'AccountUpdated':
      return `account: cash ${String(d['cash'])} ${String(d['currency'])}, realised ${String(d['realizedPnl'])}, fees ${String(d['fees'])}`;
    case 'ExperienceRecorded': {
      const x = d as unknown as ExperienceRecordedData;
      return (
        `experience: ${x.win ? 'win' : 'loss'} ${x.pnl}${x.rMultiple !== undefined ? ` (${x.rMultiple.toFixed(2)} R)` : ''}, ` +
        `adverse excursion ${x.maxAdverseExcursion}, favourable ${x.maxFavorableExcursion}, slippage cost ${x.slippageCost}`
      );
    }
    case 'LearnedParametersPublished': {
      const p = d as unknown as LearnedParametersPublishedData;
      return `parameters v${p.paramsVersion} published (${p.parameters.length} rows)`;
    }
    default: {
      const text = JSON.stringify(e.data);
      return text.length > 200 ? `${text.slice(0, 199)}…` : text;
    }
  }
}

/**
 * The learned-parameter row of the trade's (strategy, symbol, direction) after it closed,
 * from the LearnedParametersPublished in the trace: what rl-decision learned from it.
 */
export function learnedRow(trace: TradeTrace): string | undefined {
  const exp = trace.events.find((t) => t.event.type === 'ExperienceRecorded')?.event.data as ExperienceRecordedData | undefined;
  const pub = trace.events.find((t) => t.event.type === 'LearnedParametersPublished')?.event.data as LearnedParametersPublishedData | undefined;
  if (!exp || !pub) return undefined;
  const row = pub.parameters.find((r) => r.strategy === exp.strategy && r.symbol === exp.symbol && r.direction === exp.direction);
  if (!row) return undefined;
  return (
    `${row.strategy} ${row.symbol} ${row.direction} after this trade (parameters v${pub.paramsVersion}): ${row.trades} trades, ` +
    `win rate ${row.winRate.toFixed(3)}, expectancy ${row.expectancy.toFixed(3)}, posterior Beta(${row.alpha}, ${row.beta}), ` +
    `average holding ${duration(row.averageHoldingMs)}`
  );
}

/** The trace as text: one line per event (log line, time, source, type, what it says). */
export function formatTrace(trace: TradeTrace): string {
  const lines: string[] = [];
  const first = trace.events[0]?.event;
  const closed = trace.events.find((t) => t.event.type === 'PositionClosed')?.event.data as PositionClosedData | undefined;
  const denied = trace.events.find((t) => t.event.type === 'OrderDenied')?.event.data as OrderDeniedData | undefined;
  const decision = trace.events.find((t) => t.event.type === 'DecisionMade')?.event.data as DecisionMadeData | undefined;
  const outcome = closed
    ? `closed by ${closed.exitReason}, realised ${closed.realizedPnl} ${closed.currency}`
    : denied
      ? `denied by risk (${denied.reason})`
      : decision?.action === 'skip'
        ? 'skipped by rl-decision'
        : trace.events.some((t) => t.event.type === 'PositionOpened')
          ? 'position still open at the end of the log'
          : 'no position';
  lines.push(`trade ${trace.correlationIds.join(', ')}${first ? ` (from ${iso(first.ts)})` : ''}: ${outcome}`);
  for (const { line, event } of trace.events) {
    lines.push(`${String(line).padStart(7)}  ${iso(event.ts).slice(0, 19).replace('T', ' ')}  ${event.source.padEnd(11)} ${event.type.padEnd(26)} ${describeEvent(event)}`);
  }
  const learned = learnedRow(trace);
  if (learned) lines.push(`learned: ${learned}`);
  return lines.join('\n');
}
