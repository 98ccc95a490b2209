import { ApiProperty } from '@nestjs/swagger';
import { TERMINAL_ORDER_STATUSES } from '@tradeloop/contracts';
import {
  getApproval,
  getCommandResult,
  getOrder,
  listApprovals,
  listDenials,
  listDisplayedOrders,
  listOrders,
  type CommandEntity,
  type Reader,
} from '@tradeloop/persistence';

/*
 * What became of a command the gateway sent. The governor answers every command: with its effect
 * (an approval decided, a state or mode changed) or with a CommandRejected saying why it did not
 * apply it (approval already decided, not an approver, not halted …); command_results keeps each
 * answer to a halt, resume, mode change or a command it did not apply. A manual order and a cancel
 * are read off the read models, which record the message that caused each order's end.
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
      'unknown: no outcome is known for this type of command.',
  })
  readonly outcome!: CommandOutcome;
  @ApiProperty({
    type: String,
    example: 'ignored: approval already granted by alice',
    description: 'What happened, in words; for a command the governor did not apply, its own reason (`refused: mallory is not an approver`, `ignored: not halted: trading is already ACTIVE`).',
  })
  readonly detail!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'APPROVAL_ALREADY_GRANTED',
    description:
      "The governor's reason code when it did not apply the command: NOT_AN_APPROVER, UNKNOWN_APPROVAL, APPROVAL_ALREADY_GRANTED, APPROVAL_ALREADY_REJECTED, " +
      'APPROVAL_EXPIRED, ALREADY_IN_STATE, INVALID_STATE, INVALID_MODE, INVALID_THRESHOLD; null otherwise.',
  })
  readonly reason!: string | null;
}

type Found = Pick<CommandStatusView, 'outcome' | 'detail'> & Partial<Pick<CommandStatusView, 'correlationId' | 'approvalId' | 'orderId' | 'reason'>>;

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
    reason: found.reason ?? null,
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

/** A command the governor did not apply: its own words. */
async function notApplied(db: Reader, account: string, commandId: string): Promise<Found | null> {
  const r = await getCommandResult(db, commandId);
  if (r === null || r.account !== account || r.outcome === 'applied') return null;
  return { outcome: r.outcome, detail: `${r.outcome}: ${r.detail}`, reason: r.reason };
}

async function approvalCommand(db: Reader, account: string, c: CommandEntity): Promise<Found> {
  const [a, rejected] = await Promise.all([c.target === null ? null : getApproval(db, c.target), notApplied(db, account, c.commandId)]);
  const ids = a === null || a.account !== account ? {} : { correlationId: a.correlationId, approvalId: a.approvalId };
  if (rejected !== null) return { ...ids, ...rejected };
  if (a === null || a.account !== account) return { outcome: 'pending', detail: 'the approval is not in the read models' };
  if (a.decidedCauseId === c.commandId) {
    if (a.status === 'rejected' && c.type === 'ApproveOrder') return { ...ids, outcome: 'refused', detail: `refused by the governor: ${a.reason ?? ''}` };
    if (a.status === 'granted' || a.status === 'rejected') return { ...ids, outcome: 'applied', detail: `approval ${a.status}` };
  }
  // Neither its decision nor a CommandRejected in the read models: the governor answers every
  // command with one of them, so it has not handled this one yet.
  return { ...ids, outcome: 'pending', detail: 'the governor has not handled it yet' };
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
  const r = await getCommandResult(db, c.commandId);
  if (r !== null && r.account === account) {
    return r.outcome === 'applied' ? { outcome: 'applied', detail: r.detail } : { outcome: r.outcome, detail: `${r.outcome}: ${r.detail}`, reason: r.reason };
  }
  // The governor answers every halt, resume and mode change: no answer yet, not handled yet.
  return { outcome: 'pending', detail: 'the governor has not handled it yet' };
}
