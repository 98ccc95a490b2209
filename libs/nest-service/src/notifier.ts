import { NO_OUTPUTS, type Decider, type Envelope } from '@tradeloop/kernel';
import { COMMAND_REJECTION_KINDS, type ApprovalRequestedData, type CommandRejectedData, type MessageType, type OrderDisplayedData, type OrderSpec } from '@tradeloop/contracts';
import { approvalReason } from '@tradeloop/runtime';
import type { InboxRef, ServiceEffects, ServiceLogger } from '@tradeloop/service';

/** What a person should hear about (DESIGN §1, notifier). */
export const NOTIFIED: readonly MessageType[] = [
  'OrderFilled',
  'OrderRejected',
  'PositionClosed',
  'OrderDenied',
  'ApprovalRequested',
  'ApprovalRejected',
  'ApprovalExpired',
  // display_only's whole point is that a person sees the orders the pipeline would place, and
  // nothing else shows them (no read model): without this, a display-only deployment showed
  // nothing, and a manual order sent to one got its 202 and vanished.
  'OrderDisplayed',
  'TradingStateChanged',
  'ExecutionModeChanged',
  // A command the governor did not apply: the person who sent it got 202 and must hear it had
  // no effect (an approval already decided, a resume when not halted), or was refused (not an
  // approver) — which whoever runs the desk wants to hear of too.
  'CommandRejected',
];

/** The notifier holds no state and decides nothing: its work is the effect. */
export const notifierDecider: Decider<null> = {
  name: 'notifier',
  consumes: NOTIFIED,
  initialState: () => null,
  evolve: (s) => s,
  decide: () => NO_OUTPUTS,
};

const NOT_PLACED_BECAUSE: Readonly<Record<OrderDisplayedData['reason'], string>> = {
  DISPLAY_ONLY: 'display_only mode: orders are shown, not sent',
  TRADING_HALTED: 'trading is HALTED',
  REDUCE_ONLY: 'trading is REDUCING: only orders checked as reduce-only are placed',
};

/** `buy 10000 EURUSD at oanda, limit 1.08452, stop-loss 1.08310, take-profit 1.08736 (structure_break)` */
function describeOrder(o: OrderSpec): string {
  const entry = o.type === 'limit' ? `limit ${o.limitPrice}` : o.type === 'stop' ? `stop ${o.stopPrice}` : o.type;
  const bracket = [o.stopLoss !== undefined && `stop-loss ${o.stopLoss}`, o.takeProfit !== undefined && `take-profit ${o.takeProfit}`].filter(Boolean);
  return [`${o.side} ${o.quantity} ${o.symbol} at ${o.venue}`, entry, ...bracket].join(', ') + ` (${o.strategy ?? o.origin})`;
}

/** One line a person can read. */
export function describeForHumans(m: Envelope): string {
  const d = m.data as Record<string, unknown>;
  switch (m.type) {
    case 'OrderFilled':
      return `filled ${d['side']} ${d['quantity']} ${d['symbol']} @ ${d['price']} (fee ${d['fee']})`;
    case 'OrderRejected':
      return `order ${d['orderId']} rejected: ${d['reason']}`;
    case 'PositionClosed':
      return `closed ${d['direction']} ${d['symbol']}: P&L ${d['realizedPnl']} ${d['currency']} (${d['exitReason']})`;
    case 'OrderDenied':
      return `risk denied ${d['symbol']}: ${d['reason']} — ${d['detail']}`;
    case 'ApprovalRequested': {
      // The reason the governor asked, in the words explain uses (fully_manual asks for every
      // order); what is to be approved; and the price risk approved it at: the executor refuses a
      // granted order whose market has moved away from it (stale approval), so the person
      // deciding compares it with the market now.
      const a = m.data as ApprovalRequestedData;
      const priced = a.referencePrice === undefined ? '' : `; risk approved it at ${a.referencePrice}`;
      return `approval needed for ${m.id} (${approvalReason(a)}): ${describeOrder(a.order)}${priced}; expires ${new Date(a.expiresAt).toISOString()}`;
    }
    case 'ApprovalRejected':
      return `approval ${d['approvalId']} rejected by ${d['by']}: ${d['reason']}`;
    case 'ApprovalExpired':
      return `approval ${d['approvalId']} expired`;
    case 'OrderDisplayed': {
      const shown = m.data as OrderDisplayedData;
      return `not placed (${NOT_PLACED_BECAUSE[shown.reason]}): ${describeOrder(shown.order)}`;
    }
    case 'TradingStateChanged':
      return `trading state ${d['previous']} → ${d['state']} by ${d['by']}: ${d['reason']}`;
    case 'ExecutionModeChanged':
      return `execution mode now ${d['mode']}`;
    case 'CommandRejected': {
      const c = m.data as CommandRejectedData;
      return `${c.commandType} by ${c.by} ${COMMAND_REJECTION_KINDS[c.reason]}: ${c.detail}`;
    }
    default:
      return m.type;
  }
}

export interface NotifierOptions {
  readonly log: ServiceLogger;
  /** POSTs each notification as JSON; the Idempotency-Key header is the envelope id. */
  readonly webhookUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

function deliveryFailure(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (err?.name === 'TimeoutError') return 'no answer within the timeout';
  const cause = err?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined) return `${String(err.message)} (${code})`;
  return String(err?.message ?? e);
}

/** Log and webhook delivery; a failed webhook is retried by the runner before the ack. */
export function notifierEffects(o: NotifierOptions): ServiceEffects {
  const doFetch = o.fetch ?? fetch;
  return {
    async observe(_ref: InboxRef, inputs: readonly Envelope[]): Promise<void> {
      for (const m of inputs) {
        const text = describeForHumans(m);
        o.log.info({ type: m.type, id: m.id, account: m.account }, text);
        if (!o.webhookUrl) continue;
        let res: Response;
        try {
          res = await doFetch(o.webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': m.id },
            body: JSON.stringify({ text, event: m }),
            signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
          });
        } catch (e) {
          // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause.
          // Neither names the URL, whose path holds the webhook's secret.
          throw new Error(`webhook delivery of ${m.type} ${m.id} failed: ${deliveryFailure(e)}`);
        }
        if (!res.ok) throw new Error(`webhook answered ${res.status} for ${m.type} ${m.id}`);
      }
    },
  };
}
