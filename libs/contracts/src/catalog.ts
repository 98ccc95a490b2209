import type { Draft, Envelope } from '@tradeloop/kernel';
import type * as M from './messages';

/** Every message type and its payload: the one place messages are defined. */
export interface MessageDataMap {
  // market data (stream MD)
  BarClosed: M.BarClosedData;
  QuoteTick: M.QuoteTickData;
  TradeTick: M.TradeTickData;
  BookSnapshot: M.BookSnapshotData;
  DataRejected: M.DataRejectedData;
  // scanner (SIG)
  SignalDetected: M.SignalDetectedData;
  PlanCreated: M.PlanCreatedData;
  PlanTriggered: M.PlanTriggeredData;
  PlanExpired: M.PlanExpiredData;
  // decisions (DEC)
  DecisionMade: M.DecisionMadeData;
  RiskApproved: M.RiskApprovedData;
  OrderDenied: M.OrderDeniedData;
  OrderApproved: M.OrderApprovedData;
  ApprovalRequested: M.ApprovalRequestedData;
  ApprovalGranted: M.ApprovalGrantedData;
  ApprovalRejected: M.ApprovalRejectedData;
  ApprovalExpired: M.ApprovalExpiredData;
  OrderDisplayed: M.OrderDisplayedData;
  TradingStateChanged: M.TradingStateChangedData;
  ExecutionModeChanged: M.ExecutionModeChangedData;
  CommandRejected: M.CommandRejectedData;
  // execution (EXE)
  OrderSubmitted: M.OrderSubmittedData;
  OrderAccepted: M.OrderAcceptedData;
  OrderRejected: M.OrderRejectedData;
  OrderCancelled: M.OrderCancelledData;
  OrderExpired: M.OrderExpiredData;
  OrderFilled: M.OrderFilledData;
  PositionOpened: M.PositionOpenedData;
  PositionChanged: M.PositionChangedData;
  PositionClosed: M.PositionClosedData;
  AccountUpdated: M.AccountUpdatedData;
  // learning (LRN)
  ExperienceRecorded: M.ExperienceRecordedData;
  LearnedParametersPublished: M.LearnedParametersPublishedData;
  // commands (CMD)
  SubmitManualOrder: M.SubmitManualOrderData;
  ApproveOrder: M.ApproveOrderData;
  RejectOrder: M.RejectOrderData;
  HaltTrading: M.HaltTradingData;
  ResumeTrading: M.ResumeTradingData;
  SetExecutionMode: M.SetExecutionModeData;
  CancelOrder: M.CancelOrderData;
  // system
  TimerFired: M.TimerFiredData;
  RunStarted: M.RunStartedData;
  RunEnded: M.RunEndedData;
  ServiceStarted: M.ServiceStartedData;
}

export type MessageType = keyof MessageDataMap;
export type Message<T extends MessageType = MessageType> = { [K in T]: Envelope<K, MessageDataMap[K]> }[T];
export type DraftOf<T extends MessageType = MessageType> = { [K in T]: Draft<K, MessageDataMap[K]> }[T];

export type StreamName = 'MD' | 'SIG' | 'DEC' | 'EXE' | 'LRN' | 'CMD' | 'SYS';

export interface MessageDefinition<T extends MessageType> {
  readonly type: T;
  readonly version: number;
  readonly stream: StreamName;
  /** NATS subject, general to specific, so wildcards select naturally. */
  readonly subject: (m: Message<T>) => string;
}

/** Subject tokens may not contain '.', '*', '>' or whitespace. */
export function token(s: string): string {
  return s.replace(/[.*>\s]/g, '_');
}

type Catalog = { readonly [K in MessageType]: MessageDefinition<K> };

const exe =
  (verb: string) =>
  (m: { account: string; data: { symbol?: string } }): string =>
    `exe.${verb}.${token(m.account)}.${token(m.data.symbol ?? 'all')}`;

export const CATALOG: Catalog = {
  BarClosed: { type: 'BarClosed', version: 1, stream: 'MD', subject: (m) => `md.bar.${m.data.timeframe}.${token(m.data.venue)}.${token(m.data.symbol)}` },
  QuoteTick: { type: 'QuoteTick', version: 1, stream: 'MD', subject: (m) => `md.quote.${token(m.data.venue)}.${token(m.data.symbol)}` },
  TradeTick: { type: 'TradeTick', version: 1, stream: 'MD', subject: (m) => `md.trade.${token(m.data.venue)}.${token(m.data.symbol)}` },
  BookSnapshot: { type: 'BookSnapshot', version: 1, stream: 'MD', subject: (m) => `md.book.${token(m.data.venue)}.${token(m.data.symbol)}` },
  DataRejected: { type: 'DataRejected', version: 1, stream: 'MD', subject: (m) => `md.rejected.${token(m.source)}` },
  SignalDetected: { type: 'SignalDetected', version: 1, stream: 'SIG', subject: (m) => `sig.detected.${token(m.data.strategy)}.${token(m.data.symbol)}` },
  PlanCreated: { type: 'PlanCreated', version: 1, stream: 'SIG', subject: (m) => `sig.plan.created.${token(m.data.symbol)}` },
  PlanTriggered: { type: 'PlanTriggered', version: 1, stream: 'SIG', subject: (m) => `sig.plan.triggered.${token(m.data.symbol)}` },
  PlanExpired: { type: 'PlanExpired', version: 1, stream: 'SIG', subject: (m) => `sig.plan.expired.${token(m.data.symbol)}` },
  DecisionMade: { type: 'DecisionMade', version: 1, stream: 'DEC', subject: (m) => `dec.decision.${token(m.account)}` },
  RiskApproved: { type: 'RiskApproved', version: 1, stream: 'DEC', subject: (m) => `dec.risk.approved.${token(m.account)}` },
  OrderDenied: { type: 'OrderDenied', version: 1, stream: 'DEC', subject: (m) => `dec.risk.denied.${token(m.account)}` },
  OrderApproved: { type: 'OrderApproved', version: 1, stream: 'DEC', subject: (m) => `dec.governor.approved.${token(m.account)}` },
  ApprovalRequested: { type: 'ApprovalRequested', version: 1, stream: 'DEC', subject: (m) => `dec.approval.requested.${token(m.account)}` },
  ApprovalGranted: { type: 'ApprovalGranted', version: 1, stream: 'DEC', subject: (m) => `dec.approval.granted.${token(m.account)}` },
  ApprovalRejected: { type: 'ApprovalRejected', version: 1, stream: 'DEC', subject: (m) => `dec.approval.rejected.${token(m.account)}` },
  ApprovalExpired: { type: 'ApprovalExpired', version: 1, stream: 'DEC', subject: (m) => `dec.approval.expired.${token(m.account)}` },
  OrderDisplayed: { type: 'OrderDisplayed', version: 1, stream: 'DEC', subject: (m) => `dec.governor.displayed.${token(m.account)}` },
  TradingStateChanged: { type: 'TradingStateChanged', version: 1, stream: 'DEC', subject: (m) => `dec.governor.state.${token(m.account)}` },
  ExecutionModeChanged: { type: 'ExecutionModeChanged', version: 1, stream: 'DEC', subject: (m) => `dec.governor.mode.${token(m.account)}` },
  CommandRejected: { type: 'CommandRejected', version: 1, stream: 'DEC', subject: (m) => `dec.governor.command-rejected.${token(m.account)}` },
  OrderSubmitted: { type: 'OrderSubmitted', version: 1, stream: 'EXE', subject: exe('submitted') },
  OrderAccepted: { type: 'OrderAccepted', version: 1, stream: 'EXE', subject: exe('accepted') },
  OrderRejected: { type: 'OrderRejected', version: 1, stream: 'EXE', subject: exe('rejected') },
  OrderCancelled: { type: 'OrderCancelled', version: 1, stream: 'EXE', subject: exe('cancelled') },
  OrderExpired: { type: 'OrderExpired', version: 1, stream: 'EXE', subject: exe('expired') },
  OrderFilled: { type: 'OrderFilled', version: 1, stream: 'EXE', subject: exe('filled') },
  PositionOpened: { type: 'PositionOpened', version: 1, stream: 'EXE', subject: exe('position.opened') },
  PositionChanged: { type: 'PositionChanged', version: 1, stream: 'EXE', subject: exe('position.changed') },
  PositionClosed: { type: 'PositionClosed', version: 1, stream: 'EXE', subject: exe('position.closed') },
  AccountUpdated: { type: 'AccountUpdated', version: 1, stream: 'EXE', subject: (m) => `exe.account.${token(m.account)}` },
  ExperienceRecorded: { type: 'ExperienceRecorded', version: 1, stream: 'LRN', subject: (m) => `lrn.experience.${token(m.data.strategy)}.${token(m.data.symbol)}` },
  LearnedParametersPublished: { type: 'LearnedParametersPublished', version: 1, stream: 'LRN', subject: () => `lrn.parameters` },
  SubmitManualOrder: { type: 'SubmitManualOrder', version: 1, stream: 'CMD', subject: () => `cmd.risk.submit-order` },
  ApproveOrder: { type: 'ApproveOrder', version: 1, stream: 'CMD', subject: () => `cmd.governor.approve` },
  RejectOrder: { type: 'RejectOrder', version: 1, stream: 'CMD', subject: () => `cmd.governor.reject` },
  HaltTrading: { type: 'HaltTrading', version: 1, stream: 'CMD', subject: () => `cmd.governor.halt` },
  ResumeTrading: { type: 'ResumeTrading', version: 1, stream: 'CMD', subject: () => `cmd.governor.resume` },
  SetExecutionMode: { type: 'SetExecutionMode', version: 1, stream: 'CMD', subject: () => `cmd.governor.set-mode` },
  CancelOrder: { type: 'CancelOrder', version: 1, stream: 'CMD', subject: () => `cmd.executor.cancel` },
  TimerFired: { type: 'TimerFired', version: 1, stream: 'SYS', subject: (m) => `sys.timer.${token(m.source)}` },
  RunStarted: { type: 'RunStarted', version: 1, stream: 'SYS', subject: () => `sys.run.started` },
  RunEnded: { type: 'RunEnded', version: 1, stream: 'SYS', subject: () => `sys.run.ended` },
  ServiceStarted: { type: 'ServiceStarted', version: 1, stream: 'SYS', subject: (m) => `sys.service.started.${token(m.source)}` },
};

/**
 * The wildcard every subject of a type matches (DESIGN §3: general to specific), for stream
 * sources, consumer filters and routing without a message in hand.
 */
export const SUBJECT_PATTERNS: { readonly [K in MessageType]: string } = {
  BarClosed: 'md.bar.*.*.*',
  QuoteTick: 'md.quote.*.*',
  TradeTick: 'md.trade.*.*',
  BookSnapshot: 'md.book.*.*',
  DataRejected: 'md.rejected.*',
  SignalDetected: 'sig.detected.*.*',
  PlanCreated: 'sig.plan.created.*',
  PlanTriggered: 'sig.plan.triggered.*',
  PlanExpired: 'sig.plan.expired.*',
  DecisionMade: 'dec.decision.*',
  RiskApproved: 'dec.risk.approved.*',
  OrderDenied: 'dec.risk.denied.*',
  OrderApproved: 'dec.governor.approved.*',
  ApprovalRequested: 'dec.approval.requested.*',
  ApprovalGranted: 'dec.approval.granted.*',
  ApprovalRejected: 'dec.approval.rejected.*',
  ApprovalExpired: 'dec.approval.expired.*',
  OrderDisplayed: 'dec.governor.displayed.*',
  TradingStateChanged: 'dec.governor.state.*',
  ExecutionModeChanged: 'dec.governor.mode.*',
  CommandRejected: 'dec.governor.command-rejected.*',
  OrderSubmitted: 'exe.submitted.*.*',
  OrderAccepted: 'exe.accepted.*.*',
  OrderRejected: 'exe.rejected.*.*',
  OrderCancelled: 'exe.cancelled.*.*',
  OrderExpired: 'exe.expired.*.*',
  OrderFilled: 'exe.filled.*.*',
  PositionOpened: 'exe.position.opened.*.*',
  PositionChanged: 'exe.position.changed.*.*',
  PositionClosed: 'exe.position.closed.*.*',
  AccountUpdated: 'exe.account.*',
  ExperienceRecorded: 'lrn.experience.*.*',
  LearnedParametersPublished: 'lrn.parameters',
  SubmitManualOrder: 'cmd.risk.submit-order',
  ApproveOrder: 'cmd.governor.approve',
  RejectOrder: 'cmd.governor.reject',
  HaltTrading: 'cmd.governor.halt',
  ResumeTrading: 'cmd.governor.resume',
  SetExecutionMode: 'cmd.governor.set-mode',
  CancelOrder: 'cmd.executor.cancel',
  TimerFired: 'sys.timer.*',
  RunStarted: 'sys.run.started',
  RunEnded: 'sys.run.ended',
  ServiceStarted: 'sys.service.started.*',
};

/** NATS subject matching: `*` is one token, a final `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  return tokensMatch(pattern.split('.'), subject.split('.'));
}

/**
 * A matcher for a fixed set of subject patterns, split once: for code that tests every
 * message it sees (a service's inbox).
 */
export function subjectFilter(patterns: readonly string[]): (subject: string) => boolean {
  const compiled = patterns.map((p) => p.split('.'));
  return (subject) => {
    const s = subject.split('.');
    for (const p of compiled) if (tokensMatch(p, s)) return true;
    return false;
  };
}

function tokensMatch(p: readonly string[], s: readonly string[]): boolean {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export const MESSAGE_TYPES = Object.keys(CATALOG) as MessageType[];

export function isMessageType(t: string): t is MessageType {
  return Object.prototype.hasOwnProperty.call(CATALOG, t);
}

/** A typed draft with the catalogue's current version. */
export function draft<T extends MessageType>(
  type: T,
  data: MessageDataMap[T],
  opts: { correlationId?: string; account?: string } = {},
): DraftOf<T> {
  return { type, version: CATALOG[type].version, data, ...opts } as unknown as DraftOf<T>;
}

export function subjectOf(m: Message): string {
  return (CATALOG[m.type].subject as (x: Message) => string)(m);
}

/** Narrowing helper for deciders: `is(msg, 'OrderFilled')`. */
export function is<T extends MessageType>(m: Envelope, type: T): m is Message<T> {
  return m.type === type;
}
