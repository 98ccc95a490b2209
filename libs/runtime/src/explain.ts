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
  PositionChangedData,
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

/**
 * What an order placed as an entry (a manual order has no other role) did instead: closed or
 * only reduced a position, or — in the trace of the position it closed — reversed it (the same
 * order is the entry of the next position, and labelled so in that one's trace).
 */
export type ExitEffect = 'close' | 'reduce' | 'reversal';

export interface TradeTrace {
  readonly query: string;
  /** The decision chains found (usually one: a signal's or a manual order's). */
  readonly correlationIds: readonly string[];
  readonly events: readonly TracedEvent[];
  /** By order id: the orders of the trace with role entry that opened nothing but closed or reduced a position. */
  readonly exits: ReadonlyMap<string, ExitEffect>;
}

function dataOf(e: Envelope): Record<string, unknown> {
  const d = e.data;
  return d !== null && typeof d === 'object' ? (d as Record<string, unknown>) : {};
}

/** What one fill did to the position of its market. */
type FillEffect = 'open' | 'add' | 'reduce' | 'close' | 'reverse';

/** The positions a fill changed (two when it reversed one) and how. */
interface FillLink {
  readonly positions: string[];
  effect: FillEffect | undefined;
}

/** A position is one per account, venue and symbol at a time (the executor nets fills). */
function marketOf(e: Envelope): string {
  const d = dataOf(e);
  return `${e.account}\u0000${String(d['venue'])}\u0000${String(d['symbol'])}`;
}

/**
 * The positions each fill (by index in the log) changed. A fill carries no position id, and a
 * position's events name only its entry order, so an order that reduced or closed it (a
 * separate manual order, a close of the kill switch) is found from the log's order instead:
 * the executor emits a fill's PositionClosed, PositionOpened or PositionChanged right after the
 * OrderFilled, so every fill of a market between a position's open and its close is that
 * position's, the one just before a PositionClosed closed it, and the one just before a
 * PositionOpened opened the next (both: a reversal). Markets are told apart by account,
 * venue and symbol, so interleaved markets do not mix.
 */
function fillLinks(events: readonly Envelope[]): Map<number, FillLink> {
  const open = new Map<string, { positionId: string; direction: unknown }>();
  const lastFill = new Map<string, FillLink>();
  const links = new Map<number, FillLink>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== 'OrderFilled' && e.type !== 'PositionOpened' && e.type !== 'PositionClosed') continue;
    const market = marketOf(e);
    const d = dataOf(e);
    if (e.type === 'OrderFilled') {
      const p = open.get(market);
      const adds = p !== undefined && (d['side'] === 'buy') === (p.direction === 'long');
      const link: FillLink = p === undefined ? { positions: [], effect: undefined } : { positions: [p.positionId], effect: adds ? 'add' : 'reduce' };
      links.set(i, link);
      lastFill.set(market, link);
      continue;
    }
    const positionId = String(d['positionId']);
    const link = lastFill.get(market);
    if (e.type === 'PositionClosed') {
      // The fill that closed it: one applied to this position (or to none known, in a log
      // that begins while it was open), not yet one that closed or opened something.
      if (link !== undefined && (link.effect === undefined || link.effect === 'add' || link.effect === 'reduce')) {
        if (!link.positions.includes(positionId)) link.positions.push(positionId);
        link.effect = 'close';
      }
      open.delete(market);
      // The same fill may open the next position (a reversal): it stays the market's last.
    } else {
      if (link !== undefined && (link.effect === undefined || link.effect === 'close')) {
        link.positions.push(positionId);
        link.effect = link.effect === 'close' ? 'reverse' : 'open';
      }
      open.set(market, { positionId, direction: d['direction'] });
      lastFill.delete(market);
    }
  }
  return links;
}

/** Orders placed as entries whose fills opened and added nothing, only closed or reduced: what they did. */
function exitEffects(events: readonly Envelope[], links: ReadonlyMap<number, FillLink>): Map<string, ExitEffect> {
  const effects = new Map<string, Set<FillEffect | undefined>>();
  for (const [i, link] of links) {
    const d = dataOf(events[i]);
    if (d['role'] !== 'entry') continue;
    const orderId = String(d['orderId']);
    const seen = effects.get(orderId) ?? new Set();
    seen.add(link.effect);
    effects.set(orderId, seen);
  }
  const out = new Map<string, ExitEffect>();
  for (const [orderId, seen] of effects) {
    if ([...seen].every((x) => x === 'reduce' || x === 'close')) out.set(orderId, seen.has('close') ? 'close' : 'reduce');
  }
  return out;
}

/**
 * Everything in a run's log that belongs to the trade an id names: the id of any event, a
 * correlation id, or a signal, order, client order, broker order, fill, approval or position
 * id. The trade is the decision chain (correlation id) of every event that carries the id,
 * plus anything joined to that chain's orders and positions under another correlation (an
 * exit placed by the kill switch, say), plus the positions the chain's fills changed (the
 * position a separate order closed) and the orders whose fills changed those positions (that
 * separate exit order, its submission, acceptance and fills). Returns undefined when nothing
 * carries the id.
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
  const links = fillLinks(events);
  // Orders and positions of those chains, and the positions their fills changed...
  const linked = new Set<string>();
  // ...except the position a reversal of theirs closed: the trade is the one the reversal
  // opened, so of the other only its close is told, not its entry order, fills or experience.
  const reversed = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!correlations.has(e.correlationId)) continue;
    const d = dataOf(e);
    for (const f of FOLLOW_FIELDS) if (typeof d[f] === 'string') linked.add(d[f] as string);
    const link = links.get(i);
    if (link === undefined) continue;
    link.positions.forEach((p, k) => (link.effect === 'reverse' && k === 0 ? reversed : linked).add(p));
  }
  for (const p of linked) reversed.delete(p);
  // ...then the orders that filled into those positions: their own events (by order id only,
  // so that a reversal's next position, whose entry order this is, does not come along).
  const orders = new Set<string>();
  for (const [i, link] of links) {
    if (link.positions.some((p) => linked.has(p))) orders.add(String(dataOf(events[i])['orderId']));
  }
  const out: TracedEvent[] = [];
  const traced = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const d = dataOf(e);
    let member =
      correlations.has(e.correlationId) ||
      (typeof d['orderId'] === 'string' && orders.has(d['orderId'])) ||
      (e.type === 'PositionClosed' && reversed.has(d['positionId'] as string));
    if (!member) {
      for (const f of FOLLOW_FIELDS) {
        if (typeof d[f] === 'string' && linked.has(d[f] as string)) {
          member = true;
          break;
        }
      }
    }
    if (!member) continue;
    out.push({ line: i + 1, event: e });
    if (typeof d['orderId'] === 'string') traced.add(d['orderId']);
  }
  const exits = new Map([...exitEffects(events, links)].filter(([orderId]) => traced.has(orderId)));
  // An order of another chain that reversed this trade's position closed it, whatever else it did.
  for (const [i, link] of links) {
    const d = dataOf(events[i]);
    const orderId = String(d['orderId']);
    if (link.effect === 'reverse' && !correlations.has(events[i].correlationId) && traced.has(orderId) && linked.has(link.positions[0])) {
      exits.set(orderId, 'reversal');
    }
  }
  return { query, correlationIds: [...correlations], events: out, exits };
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

/**
 * Why the governor asked a person, from what it recorded: in fully_manual every order waits
 * for one whatever its quality, so "quality 100 below 80" would be false; only in
 * quality_based does a quality below the threshold ask. (The notifier says the same.)
 */
export function approvalReason(a: Pick<ApprovalRequestedData, 'mode' | 'quality' | 'threshold'>): string {
  if (a.mode === 'fully_manual') return 'fully_manual: every order needs approval';
  if (a.mode === 'quality_based') return `quality_based: quality ${a.quality} below threshold ${a.threshold}`;
  return `${a.mode}: quality ${a.quality}, threshold ${a.threshold}`;
}

/**
 * One line on what a message says, for people reading a trade. `exit` relabels an order
 * placed as an entry that only closed or reduced a position (TradeTrace.exits), which its
 * role alone would call an entry.
 */
export function describeEvent(e: Envelope, exit?: ExitEffect): string {
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
      return `manual order by ${m.requestedBy}: ${m.side} ${m.quantity} ${m.symbol} ${m.type}${m.price !== undefined ? ` ${m.price}` : ''}${m.timeInForce !== undefined ? `, ${m.timeInForce}` : ''}`;
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
      return `approval requested for ${orderText(a.order)}: ${approvalReason(a)}; expires ${iso(a.expiresAt)}`;
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
      return `${exit ?? o.role} order ${o.orderId}: ${o.side} ${o.quantity} ${o.symbol} ${o.type}${atPrice(o)}, ${o.timeInForce}, client order id ${o.clientOrderId}`;
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
        `${exit ?? f.role} filled: ${f.side} ${f.quantity} @ ${f.price} (reference ${f.referencePrice}, slippage ${f.slippage}` +
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
    case 'PositionChanged': {
      const p = d as unknown as PositionChangedData;
      return `position ${p.positionId} now ${p.direction} ${p.quantity} ${p.symbol} @ ${p.averagePrice}, realised so far ${p.realizedPnl} (before fees)`;
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

/** Whether an event is of the trace's own decision chains (not an order or position joined to them). */
function isOwn(trace: TradeTrace, t: TracedEvent): boolean {
  return trace.correlationIds.includes(t.event.correlationId);
}

/**
 * The first event of a type in the trace's own chains, else the first in the trace: traced from
 * an order that reversed a position, the trade is the one it opened, not the one it closed.
 */
function ownFirst(trace: TradeTrace, type: string): TracedEvent | undefined {
  const all = trace.events.filter((t) => t.event.type === type);
  return all.find((t) => isOwn(trace, t)) ?? all[0];
}

/**
 * The learned-parameter row of the trade's (strategy, symbol, direction) after it closed,
 * from the LearnedParametersPublished that followed its experience: what rl-decision learned from it.
 */
export function learnedRow(trace: TradeTrace): string | undefined {
  const recorded = ownFirst(trace, 'ExperienceRecorded');
  const published = recorded && trace.events.find((t) => t.event.type === 'LearnedParametersPublished' && t.line > recorded.line && t.event.correlationId === recorded.event.correlationId);
  const exp = recorded?.event.data as ExperienceRecordedData | undefined;
  const pub = published?.event.data as LearnedParametersPublishedData | undefined;
  if (!exp || !pub) return undefined;
  const row = pub.parameters.find((r) => r.strategy === exp.strategy && r.symbol === exp.symbol && r.direction === exp.direction);
  if (!row) return undefined;
  return (
    `${row.strategy} ${row.symbol} ${row.direction} after this trade (parameters v${pub.paramsVersion}): ${row.trades} trades, ` +
    `win rate ${row.winRate.toFixed(3)}, expectancy ${row.expectancy.toFixed(3)}, posterior Beta(${row.alpha}, ${row.beta}), ` +
    `average holding ${duration(row.averageHoldingMs)}`
  );
}

/**
 * How the trade ended, for the trace's first line. Its own position comes first; traced from
 * an order that closed or traded into another chain's position (a separate exit order), that
 * position is named by its trade, so the line does not say "no position" for an exit.
 */
function outcomeOf(trace: TradeTrace): string {
  const own = (t: TracedEvent) => isOwn(trace, t);
  const closedText = (e: Envelope) => {
    const c = e.data as PositionClosedData;
    return `closed by ${c.exitReason}, realised ${c.realizedPnl} ${c.currency}`;
  };
  const closed = trace.events.filter((t) => t.event.type === 'PositionClosed');
  const ownClosed = closed.find(own);
  if (ownClosed) return closedText(ownClosed.event);
  const denied = trace.events.find((t) => t.event.type === 'OrderDenied')?.event.data as OrderDeniedData | undefined;
  if (denied) return `denied by risk (${denied.reason})`;
  const decision = trace.events.find((t) => t.event.type === 'DecisionMade')?.event.data as DecisionMadeData | undefined;
  if (decision?.action === 'skip') return 'skipped by rl-decision';
  const opened = trace.events.filter((t) => t.event.type === 'PositionOpened');
  const stillOpen = 'position still open at the end of the log';
  const ownOpen = opened.some(own);
  if (closed.length > 0) {
    // Not "closed by this order": it may only have reduced the position another order closed.
    const theirs = `position of trade ${closed[0].event.correlationId} ${closedText(closed[0].event)}`;
    return ownOpen ? `${theirs}; its own ${stillOpen}` : theirs;
  }
  if (ownOpen) return stillOpen;
  if (opened.length > 0) return `position of trade ${opened[0].event.correlationId} still open at the end of the log`;
  const rejected = trace.events.find((t) => t.event.type === 'OrderRejected' && isOwn(trace, t));
  if (rejected) return `order rejected by the executor: ${String(dataOf(rejected.event)['reason'])}`;
  const working = workingAtEnd(trace.events.map((t) => t.event));
  if (working.length > 0) {
    const o = working[0];
    return `order ${o.orderId} (${o.side} ${o.quantity} ${o.symbol} ${o.type}${atPrice(o)}) still working at the end of the log, never filled: no position`;
  }
  const pending = pendingAtEnd(trace.events.map((t) => t.event));
  if (pending.length > 0) return `approval ${pending[0].id} still waiting for an answer at the end of the log: no order, no position`;
  return 'no position';
}

/** Orders submitted and accepted that nothing ended (filled in full, cancelled, rejected, expired), in log order. */
function workingAtEnd(events: readonly Envelope[]): OrderSubmittedData[] {
  const working = new Map<string, OrderSubmittedData>();
  for (const e of events) {
    const d = dataOf(e);
    const orderId = String(d['orderId']);
    if (e.type === 'OrderSubmitted') working.set(orderId, e.data as OrderSubmittedData);
    else if (e.type === 'OrderFilled' ? d['leavesQuantity'] === '0' || Number(d['leavesQuantity']) === 0 : ENDED.has(e.type)) working.delete(orderId);
  }
  return [...working.values()];
}

const ENDED: ReadonlySet<string> = new Set(['OrderCancelled', 'OrderRejected', 'OrderExpired']);

/** Approval requests that nothing answered or expired, in log order. */
function pendingAtEnd(events: readonly Envelope[]): Envelope[] {
  const pending = new Map<string, Envelope>();
  for (const e of events) {
    if (e.type === 'ApprovalRequested') pending.set(e.id, e);
    else if (e.type === 'ApprovalGranted' || e.type === 'ApprovalRejected' || e.type === 'ApprovalExpired') pending.delete(String(dataOf(e)['approvalId']));
  }
  return [...pending.values()];
}

/** The trace as text: one line per event (log line, time, source, type, what it says). */
export function formatTrace(trace: TradeTrace): string {
  const lines: string[] = [];
  // The chain's own start: a trace from an exit order begins with the entry it closed.
  const first = (trace.events.find((t) => isOwn(trace, t)) ?? trace.events[0])?.event;
  lines.push(`trade ${trace.correlationIds.join(', ')}${first ? ` (from ${iso(first.ts)})` : ''}: ${outcomeOf(trace)}`);
  for (const { line, event } of trace.events) {
    lines.push(`${String(line).padStart(7)}  ${iso(event.ts).slice(0, 19).replace('T', ' ')}  ${event.source.padEnd(11)} ${event.type.padEnd(26)} ${describeEvent(event, trace.exits.get(String(dataOf(event)['orderId'])))}`);
  }
  const learned = learnedRow(trace);
  if (learned) lines.push(`learned: ${learned}`);
  return lines.join('\n');
}

/**
 * The trades of a log to pick an id from: one line per closed trade, and the ids of those
 * still open at the end (a position opened and never closed), so that they can be explained too.
 */
export function formatTradeList(events: readonly Envelope[]): string {
  const closed = events.filter((e) => e.type === 'PositionClosed');
  const closedIds = new Set(closed.map((e) => (e.data as PositionClosedData).positionId));
  const open = events.filter((e) => e.type === 'PositionOpened' && !closedIds.has((e.data as PositionOpenedData).positionId)).map((e) => e.correlationId);
  // Entry orders never filled (an order placed on the last bar has no bar to fill on); the
  // stop-loss and take-profit orders of open positions are working too, but belong to them.
  const working = workingAtEnd(events).filter((o) => o.role === 'entry');
  const workingChains = events
    .filter((e) => e.type === 'OrderSubmitted' && working.some((o) => o.orderId === (e.data as OrderSubmittedData).orderId))
    .map((e) => e.correlationId);
  const lines = [
    `${closed.length} closed trade(s)${open.length > 0 ? `, ${open.length} still open at the end (${open.join(', ')})` : ''}` +
      `${working.length > 0 ? `, ${working.length} order(s) still working at the end, never filled (${workingChains.join(', ')})` : ''}; explain one with its id (first column)`,
  ];
  for (const e of closed) {
    const p = e.data as PositionClosedData;
    lines.push(`  ${e.correlationId}  ${p.symbol}@${p.venue} ${p.direction.padEnd(5)} ${p.entryPrice} → ${p.exitPrice}  ${p.exitReason.padEnd(12)} ${p.realizedPnl} ${p.currency}`);
  }
  return lines.join('\n');
}
