import type { DataSource } from 'typeorm';
import type { Message, OrderStatus } from '@tradeloop/contracts';
import { currencyDecimals, type Decimal, type DeciderHost, type Envelope } from '@tradeloop/kernel';
import type { ExecutorState } from '@tradeloop/executor';
import {
  PROJECTED_TYPES,
  handleEachOnce,
  listBrokerOrders,
  projectMessage,
  recordAccountStart,
  recordAtBroker,
  resolveBrokerOrder,
  type AccountStart,
} from '@tradeloop/persistence';
import type { EffectItem, InboxRef, ServiceEffects, ServiceLogger } from './runner';
import { processedRef } from './effects';

/** What the executor found when it compared its rebuilt state with the broker's book at start. */
export interface Reconciliation {
  /** Orders working in both. */
  readonly matched: number;
  /** At the broker (open) but unknown to the executor: never re-sent, never silently dropped — reported. */
  readonly unknownToExecutor: readonly string[];
  /** Working in the executor but not at the broker: a lost send. Reported, never re-sent blindly. */
  readonly missingAtBroker: readonly string[];
  /** Open at the broker, finished in the executor (its update was lost): the broker row catches up. */
  readonly resolved: readonly { readonly clientOrderId: string; readonly status: OrderStatus }[];
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['filled', 'cancelled', 'rejected', 'expired']);
const BROKER_TYPES: ReadonlySet<string> = new Set(['OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'OrderCancelled', 'OrderRejected', 'OrderExpired']);

/** Money as AccountUpdated writes it: exact, with at least the currency's minor-unit decimals. */
function money(d: Decimal, places: number): string {
  return d.decimalPlaces() >= places ? d.toFixed() : d.toFixed(places);
}

/**
 * The account as the executor's state holds it now, or undefined while it has no currency (none
 * configured and no order accepted yet: there is no money to name).
 */
export function accountStartOf(state: ExecutorState, account: string, startedTs: number): AccountStart | undefined {
  if (state.currency === undefined) return undefined;
  const places = currencyDecimals(state.currency);
  return {
    account,
    currency: state.currency,
    cash: money(state.cash, places),
    realizedPnl: money(state.realizedPnl, places),
    fees: money(state.fees, places),
    sequence: state.accountUpdates,
    startedTs,
  };
}

/**
 * The executor's effects: its read models and the paper broker's durable book, written in one
 * transaction with the processed-message records of the outputs written (see processedRef); at
 * start, reconciliation of the rebuilt state with the broker's book by client order id, and the
 * account it starts with (account_starts): it publishes AccountUpdated only with a fill, so
 * without that record the read models showed no balance at all until the first one.
 */
export class ExecutorEffects implements ServiceEffects {
  last?: Reconciliation;

  constructor(
    private readonly ds: DataSource,
    private readonly account: string,
    private readonly log?: ServiceLogger,
    private readonly now: () => number = Date.now,
  ) {}

  async apply(ref: InboxRef, inputs: readonly Envelope[], outputs: readonly Envelope[]): Promise<void> {
    await this.applyMany([{ ref, inputs, outputs }]);
  }

  /** One transaction for the group; per output its processed record, read model and broker row. */
  async applyMany(items: readonly EffectItem[]): Promise<void> {
    const work = items.flatMap((i) =>
      i.outputs
        .filter((o) => PROJECTED_TYPES.has(o.type as Message['type']) || BROKER_TYPES.has(o.type))
        .map((output) => ({ ...processedRef(i.ref, output), seq: i.ref.seq, output: output as Message })),
    );
    await handleEachOnce(this.ds, 'executor', work, async (tx, w) => {
      if (PROJECTED_TYPES.has(w.output.type)) await projectMessage(tx, w.output);
      if (BROKER_TYPES.has(w.output.type)) {
        const sync = await recordAtBroker(tx, [w.output]);
        if (sync.alreadyAtBroker > 0) this.log?.warn({ alreadyAtBroker: sync.alreadyAtBroker, seq: w.seq, id: w.output.id }, 'broker already held these client order ids: not sent again');
      }
    });
  }

  async afterRebuild(host: DeciderHost<any, any, any>): Promise<readonly Envelope[]> {
    const state = host.state as ExecutorState;
    const atBroker = await listBrokerOrders(this.ds, this.account, { open: true });
    const unknownToExecutor: string[] = [];
    const resolved: { clientOrderId: string; status: OrderStatus }[] = [];
    let matched = 0;
    for (const row of atBroker) {
      const orderId = state.clientOrderIds.get(row.clientOrderId);
      const order = orderId === undefined ? undefined : state.orders.get(orderId);
      if (!order) unknownToExecutor.push(row.clientOrderId);
      else if (TERMINAL.has(order.status)) resolved.push({ clientOrderId: row.clientOrderId, status: order.status });
      else matched++;
    }
    const open = new Set(atBroker.map((r) => r.clientOrderId));
    const missingAtBroker: string[] = [];
    for (const order of state.orders.values()) {
      if (order.account !== this.account || TERMINAL.has(order.status) || open.has(order.clientOrderId)) continue;
      missingAtBroker.push(order.clientOrderId);
    }
    if (resolved.length > 0) {
      await this.ds.transaction(async (tx) => {
        for (const r of resolved) {
          const order = state.orders.get(state.clientOrderIds.get(r.clientOrderId)!)!;
          await resolveBrokerOrder(tx, r.clientOrderId, r.status, order.filledQuantity.toString(), order.submittedAt);
        }
      });
    }
    // The rebuilt state's account, not the configuration's: after fills it is what they left.
    const start = accountStartOf(state, this.account, this.now());
    if (start) {
      await recordAccountStart(this.ds, start);
      this.log?.info({ currency: start.currency, cash: start.cash, sequence: start.sequence }, 'executor started with this account');
    }
    this.last = { matched, unknownToExecutor, missingAtBroker, resolved };
    const level = unknownToExecutor.length > 0 || missingAtBroker.length > 0 ? 'error' : 'info';
    this.log?.[level]({ matched, unknownToExecutor, missingAtBroker, resolved: resolved.length }, 'reconciled with the broker by client order id');
    return [];
  }
}
