import type { DataSource, EntityManager } from 'typeorm';
import type { Message, OrderStatus } from '@tradeloop/contracts';
import { ORDER_STATUS_RANK } from './projections';
import { qualify, schemaOf } from './sql-names';

/**
 * The paper broker's durable order book (table broker_orders). The executor "sends" an order by
 * inserting it under its client order id, in the same transaction as the read models and the
 * processed-message record; the primary key makes a second send of the same client order id a
 * no-op, so a retried or replayed OrderSubmitted can never become a second broker order.
 */
export interface BrokerSync {
  /** New broker orders. */
  readonly sent: number;
  /** Sends refused because the broker already holds that client order id. */
  readonly alreadyAtBroker: number;
  /** Status or fill updates applied. */
  readonly updated: number;
}

export interface BrokerOrderRow {
  readonly clientOrderId: string;
  readonly orderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly status: OrderStatus;
}

const RANK_SQL = `(CASE "status" ${Object.entries(ORDER_STATUS_RANK)
  .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
  .join(' ')} END)`;
const TERMINAL = ['filled', 'cancelled', 'rejected', 'expired'];

function table(manager: EntityManager): string {
  return qualify(schemaOf(manager.dataSource), 'broker_orders');
}

async function affected(tx: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const r = await tx.queryRunner!.query(sql, params, true);
  return r.affected ?? 0;
}

/** Moves a broker order forward to `status` (never back); `extra` sets more columns from $4 on. */
async function moveStatus(tx: EntityManager, clientOrderId: string, status: OrderStatus, ts: number, extra = '', params: unknown[] = []): Promise<number> {
  return affected(
    tx,
    `UPDATE ${table(tx)} SET "status" = $2, "updated_ts" = $3${extra} WHERE "client_order_id" = $1 AND (${RANK_SQL} < ${ORDER_STATUS_RANK[status]} OR ("status" = 'partially_filled' AND $2 = 'partially_filled'))`,
    [clientOrderId, status, ts, ...params],
  );
}

/**
 * Brings a broker order that missed its last update up to the executor's record (start-up
 * reconciliation). Forward only, like every status write; a filled order gets its quantity.
 */
export async function resolveBrokerOrder(tx: EntityManager, clientOrderId: string, status: OrderStatus, filledQuantity: string, ts: number): Promise<boolean> {
  const extra = status === 'filled' ? `, "filled_quantity" = GREATEST("filled_quantity", $4::numeric)` : '';
  return (await moveStatus(tx, clientOrderId, status, ts, extra, status === 'filled' ? [filledQuantity] : [])) > 0;
}

/** Applies the executor's outputs to the broker's book. Idempotent; never moves a status back. */
export async function recordAtBroker(tx: EntityManager, outputs: readonly Message[]): Promise<BrokerSync> {
  const t = table(tx);
  let sent = 0;
  let alreadyAtBroker = 0;
  let updated = 0;
  const setStatus = async (clientOrderId: string, status: OrderStatus, ts: number, extra = '', params: unknown[] = []): Promise<void> => {
    updated += await moveStatus(tx, clientOrderId, status, ts, extra, params);
  };
  for (const m of outputs) {
    switch (m.type) {
      case 'OrderSubmitted': {
        const d = m.data;
        const n = await affected(
          tx,
          `INSERT INTO ${t} ("client_order_id", "order_id", "account", "venue", "symbol", "side", "type", "quantity", "filled_quantity", "status", "created_ts", "updated_ts")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 'submitted', $9, $9) ON CONFLICT ("client_order_id") DO NOTHING`,
          [d.clientOrderId, d.orderId, m.account, d.venue, d.symbol, d.side, d.type, d.quantity, m.ts],
        );
        if (n > 0) sent++;
        else alreadyAtBroker++;
        break;
      }
      case 'OrderAccepted':
        await setStatus(m.data.clientOrderId, 'accepted', m.ts, `, "broker_order_id" = $4`, [m.data.brokerOrderId]);
        break;
      case 'OrderFilled': {
        const d = m.data;
        const status: OrderStatus = Number(d.leavesQuantity) === 0 ? 'filled' : 'partially_filled';
        await setStatus(d.clientOrderId, status, m.ts, `, "filled_quantity" = GREATEST("filled_quantity", $4::numeric)`, [d.cumulativeQuantity]);
        break;
      }
      case 'OrderCancelled':
      case 'OrderRejected':
      case 'OrderExpired': {
        const status: OrderStatus = m.type === 'OrderCancelled' ? 'cancelled' : m.type === 'OrderRejected' ? 'rejected' : 'expired';
        await setStatus(m.data.clientOrderId, status, m.ts);
        break;
      }
      default:
    }
  }
  return { sent, alreadyAtBroker, updated };
}

/** The broker's orders of an account (only the working ones with `open`), by client order id. */
export async function listBrokerOrders(ds: DataSource, account: string, options: { open?: boolean } = {}): Promise<BrokerOrderRow[]> {
  const t = qualify(schemaOf(ds), 'broker_orders');
  const rows: Record<string, string>[] = await ds.query(
    `SELECT "client_order_id", "order_id", "account", "symbol", "side", "type", "quantity"::text AS "quantity", "filled_quantity"::text AS "filled_quantity", "status"
     FROM ${t} WHERE "account" = $1 ${options.open ? `AND "status" NOT IN (${TERMINAL.map((s) => `'${s}'`).join(', ')})` : ''} ORDER BY "client_order_id"`,
    [account],
  );
  return rows.map((r) => ({
    clientOrderId: r['client_order_id'],
    orderId: r['order_id'],
    account: r['account'],
    symbol: r['symbol'],
    side: r['side'],
    type: r['type'],
    quantity: r['quantity'],
    filledQuantity: r['filled_quantity'],
    status: r['status'] as OrderStatus,
  }));
}
