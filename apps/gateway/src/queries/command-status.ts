import { ApiProperty } from '@nestjs/swagger';
import { TERMINAL_ORDER_STATUSES } from '@tradeloop/contracts';
import {
  getApproval,
  getOrder,
  getTradingState,
  listApprovals,
  listDenials,
  listDisplayedOrders,
  listOrders,
  type CommandEntity,
  type Reader,
} from '@tradeloop/persistence';

/*
 * What became of a command the gateway sent. The services answer commands with events, and a
 * command they ignore (an approval already decided, an order already finished, a resume to the
 * state in force) with nothing at all: the outcome is read off the read models, which record the
 * message that caused each decision, each order's end and each state change.
 */

export const COMMAND_OUTCOMES = ['not_sent', 'pending', 'applied', 'ignored', 'refused', 'unknown'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

export class CommandStatusView {
  @ApiProperty({ type: String, description: 'What POST answered (202).' }) readonly commandId!: string;
  @ApiProperty({ type: String, example: 'ApproveOrder' }) readonly type!: string;
  @ApiProperty({ type: String, description: 'The API key that sent it (its name).' }) readonly requestedBy!: string;
  @ApiProperty({ type: Number, description: 'The command\'s event time, epoch ms.' }) readonly ts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'What it acts on: the approval id (approve/reject), the order id (cancel); null otherwise.' })
  readonly target!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The chain it belongs to: a manual order's is its own command id; an approval's or cancel's the chain of the order it acts on (GET /v1/orders, /v1/approvals, /v1/denials ?correlationId=).",
  })
  readonly correlationId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The approval request involved (a manual order that waits for a person, or the one approved or rejected).' })
  readonly approvalId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The order involved: the entry order a manual order became, or the order cancelled.' })
  readonly orderId!: string | null;
  @ApiProperty({
    enum: COMMAND_OUTCOMES,
    description:
      'not_sent: the bus never acknowledged it (the request was answered 503); pending: not handled yet (or, for a manual order, on its way: waiting for a person or the executor); ' +
      'applied: it did what it asked; ignored: it had no effect — the approval was already decided (by another command, or expired), the order already finished; ' +
      'refused: a service refused it (risk denied the order, the governor refused the approval while halted, the executor rejected the order, the approval was rejected or expired); ' +
      'unknown: a halt, resume or mode change the read model cannot tell about (it keeps only the latest change: this command did not make it).',
  })
  readonly outcome!: CommandOutcome;
  @ApiProperty({ type: String, example: 'ignored: approval already granted by alice', description: 'What happened, in words.' }) readonly detail!: string;
}

type Found = Pick<CommandStatusView, 'outcome' | 'detail'> & Partial<Pick<CommandStatusView, 'correlationId' | 'approvalId' | 'orderId'>>;

export async function commandStatus(db: Reader, account: string, c: CommandEntity): Promise<CommandStatusView> {
  const found: Found =
    c.sentAt === null
      ? { outcome: 'not_sent', detail: 'the bus did not acknowledge it (the request was answered 503): send it again with the same Idempotency-Key' }
      : await outcomeOf(db, account, c);
  return {
    commandId: c.commandId,
    type: c.type,
    requestedBy: c.requestedBy,
    ts: c.ts,
    target: c.target,
    correlationId: found.correlationId ?? (c.type === 'SubmitManualOrder' ? c.commandId : null),
    approvalId: found.approvalId ?? null,
    orderId: found.orderId ?? null,
    outcome: found.outcome,
    detail: found.detail,
  };
}

async function outcomeOf(db: Reader, account: string, c: CommandEntity): Promise<Found> {
  switch (c.type) {
    case 'ApproveOrder':
    case 'RejectOrder':
      return approvalCommand(db, account, c);
    case 'SubmitManualOrder':
      return manualOrder(db, account, c.commandId);
    case 'CancelOrder':
      return cancel(db, account, c);
    case 'HaltTrading':
    case 'ResumeTrading':
    case 'SetExecutionMode':
      return tradingCommand(db, account, c);
    default:
      return { outcome: 'unknown', detail: `no outcome is known for a ${c.type}` };
  }
}

const byWhom = (by: string | null) => (by === null ? '' : ` by ${by}`);

async function approvalCommand(db: Reader, account: string, c: CommandEntity): Promise<Found> {
  const a = c.target === null ? null : await getApproval(db, c.target);
  if (a === null || a.account !== account) return { outcome: 'pending', detail: 'the approval is not in the read models' };
  const ids = { correlationId: a.correlationId, approvalId: a.approvalId };
  if (a.status === 'requested') return { ...ids, outcome: 'pending', detail: 'the governor has not handled it yet' };
  if (a.decidedCauseId === c.commandId) {
    if (a.status === 'expired') return { ...ids, outcome: 'ignored', detail: 'ignored: the approval had expired when the governor received it' };
    if (a.status === 'rejected' && c.type === 'ApproveOrder') return { ...ids, outcome: 'refused', detail: `refused by the governor: ${a.reason ?? ''}` };
    return { ...ids, outcome: 'applied', detail: `approval ${a.status}` };
  }
  // Decided by something else: the governor ignores every later command on a decided approval.
  const why = a.status === 'expired' ? 'ignored: approval already expired' : `ignored: approval already ${a.status}${byWhom(a.decidedBy)}${a.reason ? `: ${a.reason}` : ''}`;
  return { ...ids, outcome: 'ignored', detail: why };
}

async function manualOrder(db: Reader, account: string, chain: string): Promise<Found> {
  const [orders, denials, displayed, approvals] = await Promise.all([
    listOrders(db, account, { correlationId: chain, limit: 10 }),
    listDenials(db, account, { correlationId: chain, limit: 1 }),
    listDisplayedOrders(db, account, { correlationId: chain, limit: 1 }),
    listApprovals(db, account, { correlationId: chain, limit: 1 }),
  ]);
  const approval = approvals.items[0];
  const ids = { correlationId: chain, approvalId: approval?.approvalId ?? null };
  const entry = orders.items.find((o) => o.role === 'entry') ?? orders.items[orders.items.length - 1];
  if (entry !== undefined) {
    if (entry.status === 'rejected') return { ...ids, orderId: entry.orderId, outcome: 'refused', detail: `rejected by the executor: ${entry.statusReason ?? ''}` };
    return { ...ids, orderId: entry.orderId, outcome: 'applied', detail: `placed as order ${entry.orderId} (${entry.status})` };
  }
  const denial = denials.items[0];
  if (denial !== undefined) return { ...ids, outcome: 'refused', detail: `denied by risk: ${denial.reason} — ${denial.detail}` };
  const shown = displayed.items[0];
  if (shown !== undefined) return { ...ids, outcome: 'refused', detail: `not placed by the governor: ${shown.reason}` };
  if (approval !== undefined) {
    switch (approval.status) {
      case 'requested':
        return { ...ids, outcome: 'pending', detail: `waiting for a person: approval ${approval.approvalId}` };
      case 'rejected':
        return { ...ids, outcome: 'refused', detail: `approval rejected${byWhom(approval.decidedBy)}: ${approval.reason ?? ''}` };
      case 'expired':
        return { ...ids, outcome: 'refused', detail: 'approval expired: nobody answered in time' };
      case 'granted':
        return { ...ids, outcome: 'pending', detail: `approval granted${byWhom(approval.decidedBy)}; not placed yet (the executor has not reported the order)` };
    }
  }
  return { ...ids, outcome: 'pending', detail: 'risk has not answered yet' };
}

async function cancel(db: Reader, account: string, c: CommandEntity): Promise<Found> {
  const o = c.target === null ? null : await getOrder(db, c.target);
  if (o === null || o.account !== account) return { outcome: 'pending', detail: 'the order is not in the read models' };
  const ids = { correlationId: o.correlationId, orderId: o.orderId };
  if (!TERMINAL_ORDER_STATUSES.includes(o.status)) return { ...ids, outcome: 'pending', detail: `the executor has not handled it yet (the order is ${o.status})` };
  if (o.statusCauseId === c.commandId) return { ...ids, outcome: 'applied', detail: `order ${o.status}` };
  return { ...ids, outcome: 'ignored', detail: `ignored: order already ${o.status}${o.statusReason ? ` (${o.statusReason})` : ''}` };
}

async function tradingCommand(db: Reader, account: string, c: CommandEntity): Promise<Found> {
  const s = await getTradingState(db, account);
  if (c.type === 'SetExecutionMode') {
    if (s?.modeCauseId === c.commandId) return { outcome: 'applied', detail: `execution mode ${s.mode}` };
  } else if (s?.stateCauseId === c.commandId) {
    return { outcome: 'applied', detail: `trading ${s.state}` };
  }
  return {
    outcome: 'unknown',
    detail: 'the read model keeps only the latest change, and this command did not make it: the governor has not handled it yet, a later command replaced its change, or it changed nothing (a resume to the state in force)',
  };
}
