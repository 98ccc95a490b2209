import type { EntityManager } from 'typeorm';
import { dec } from '@tradeloop/kernel';
import { COMMAND_REJECTION_KINDS, type Message, type MessageType, type OrderStatus } from '@tradeloop/contracts';
import { tablesOf } from './sql-names';

/**
 * Read-model projections: SQL writes keyed by ids from the message, with times from
 * the envelope. Each is safe to repeat and safe against late messages on its own (a write
 * that would move a row backwards matches nothing), and is meant to run inside handleOnce, so
 * a multi-statement projection (a fill and its order) commits with the processed record.
 *
 * 'applied': the read model changed. 'unchanged': a duplicate, a repeat of what the row
 * already says, or a late message the read model has already moved past. 'not_projected': the
 * message type is not this projection's.
 */
export type ProjectionOutcome = 'applied' | 'unchanged' | 'not_projected';

/**
 * Invariant 5: order states only move forward, terminal states stay terminal. Every status
 * write compares ranks in SQL, so a late or redelivered event cannot move a row back whatever
 * order the messages arrive in. Terminal states share a rank: none replaces another.
 */
export const ORDER_STATUS_RANK: Readonly<Record<OrderStatus, number>> = {
  submitted: 0,
  accepted: 1,
  partially_filled: 2,
  filled: 3,
  cancelled: 3,
  rejected: 3,
  expired: 3,
};
const TERMINAL_RANK = 3;

const STATUS_RANK_SQL = `(CASE o."status" ${Object.entries(ORDER_STATUS_RANK)
  .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
  .join(' ')} END)`;

/**
 * Runs `fn` in the caller's transaction (handleOnce's), or in a new one when called outside a
 * transaction, so a multi-statement projection (a fill and its order) is never half written.
 */
function inTransaction<T>(manager: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return manager.queryRunner?.isTransactionActive ? fn(manager) : manager.transaction(fn);
}

/**
 * Rows inserted or updated. (EntityManager.query returns rows for INSERT but [rows, count] for
 * UPDATE; the query runner's structured result has the count for both.)
 */
async function write(tx: EntityManager, sql: string, params: readonly unknown[]): Promise<number> {
  const result = await tx.queryRunner!.query(sql, params as unknown[], true);
  return result.affected ?? 0;
}

function outcome(rows: number): ProjectionOutcome {
  return rows > 0 ? 'applied' : 'unchanged';
}

// ----------------------------------------------------------------------------------------------
// Execution: orders, fills, positions, account
// ----------------------------------------------------------------------------------------------

const EXECUTION_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'OrderSubmitted',
  'OrderAccepted',
  'OrderRejected',
  'OrderCancelled',
  'OrderExpired',
  'OrderFilled',
  'PositionOpened',
  'PositionChanged',
  'PositionClosed',
  'AccountUpdated',
]);

/** OrderSubmitted … AccountUpdated → orders, fills, positions, accounts. */
export async function projectExecution(manager: EntityManager, m: Message): Promise<ProjectionOutcome> {
  if (!EXECUTION_TYPES.has(m.type)) return 'not_projected';
  return inTransaction(manager, (tx) => execution(tx, m));
}

async function execution(manager: EntityManager, m: Message): Promise<ProjectionOutcome> {
  const t = tablesOf(manager.dataSource);
  switch (m.type) {
    case 'OrderSubmitted': {
      const d = m.data;
      // Conflict target is the order id only: the same client order id on a different order
      // violates orders_client_order_id_key and fails loudly (invariant 1), never silently.
      return outcome(
        await write(
          manager,
          `INSERT INTO ${t.orders} ("order_id", "client_order_id", "approved_order_id", "risk_approval_id", "account",
             "venue", "symbol", "side", "type", "quantity", "limit_price", "stop_price", "tif", "role", "parent_order_id",
             "oco_group", "origin", "strategy", "status", "status_reason", "broker_order_id", "filled_quantity",
             "created_ts", "updated_ts", "correlation_id")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             'submitted', NULL, NULL, 0, $19, $19, $20)
           ON CONFLICT ("order_id") DO NOTHING`,
          [
            d.orderId,
            d.clientOrderId,
            d.approvedOrderId,
            d.riskApprovalId,
            m.account,
            d.venue,
            d.symbol,
            d.side,
            d.type,
            d.quantity,
            d.limitPrice ?? null,
            d.stopPrice ?? null,
            d.timeInForce,
            d.role,
            d.parentOrderId ?? null,
            d.ocoGroup ?? null,
            d.origin,
            d.strategy ?? null,
            m.ts,
            m.correlationId,
          ],
        ),
      );
    }
    case 'OrderAccepted':
      // The broker order id is recorded even when a fill got the status past 'accepted' first.
      return outcome(
        await write(
          manager,
          `UPDATE ${t.orders} AS o
             SET "status" = CASE WHEN ${STATUS_RANK_SQL} < $2 THEN 'accepted' ELSE o."status" END,
                 "broker_order_id" = $3,
                 "updated_ts" = GREATEST(o."updated_ts", $4)
           WHERE o."order_id" = $1 AND (${STATUS_RANK_SQL} < $2 OR o."broker_order_id" IS NULL)`,
          [m.data.orderId, ORDER_STATUS_RANK.accepted, m.data.brokerOrderId, m.ts],
        ),
      );
    case 'OrderRejected':
      return finishOrder(manager, m.data.orderId, 'rejected', m.data.reason, m);
    case 'OrderCancelled':
      return finishOrder(manager, m.data.orderId, 'cancelled', m.data.reason, m);
    case 'OrderExpired':
      return finishOrder(manager, m.data.orderId, 'expired', null, m);
    case 'OrderFilled': {
      const d = m.data;
      const inserted = await write(
        manager,
        `INSERT INTO ${t.fills} ("fill_id", "order_id", "client_order_id", "account", "venue", "symbol", "side",
           "quantity", "price", "fee", "fee_currency", "liquidity", "role", "reference_price", "slippage", "spread",
           "ts", "correlation_id", "account_currency", "conversion_rate", "account_realized_pnl", "account_fee")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         ON CONFLICT ("fill_id") DO NOTHING`,
        [
          d.fillId,
          d.orderId,
          d.clientOrderId,
          m.account,
          d.venue,
          d.symbol,
          d.side,
          d.quantity,
          d.price,
          d.fee,
          d.feeCurrency,
          d.liquidity,
          d.role,
          d.referencePrice,
          d.slippage,
          d.spread ?? null,
          m.ts,
          m.correlationId,
          d.accountCurrency ?? null,
          d.conversionRate ?? null,
          d.accountRealizedPnl ?? null,
          d.accountFee ?? null,
        ],
      );
      if (inserted === 0) return 'unchanged';
      // Invariant 2: the filled quantity is the sum of the order's fill rows, keyed by fill id,
      // so a fill can neither count twice nor go missing whatever order fills arrive in. A fill
      // after a terminal state (a late report of a fill that raced a cancel) is still a fact:
      // it counts, but the status stays terminal.
      const status: OrderStatus = dec(d.leavesQuantity).isZero() ? 'filled' : 'partially_filled';
      await write(
        manager,
        `UPDATE ${t.orders} AS o
           SET "filled_quantity" = (SELECT COALESCE(SUM(f."quantity"), 0) FROM ${t.fills} AS f WHERE f."order_id" = o."order_id"),
               "status" = CASE WHEN ${STATUS_RANK_SQL} < $2 THEN $3 ELSE o."status" END,
               "updated_ts" = GREATEST(o."updated_ts", $4)
         WHERE o."order_id" = $1`,
        [d.orderId, ORDER_STATUS_RANK[status], status, m.ts],
      );
      return 'applied';
    }
    case 'PositionOpened': {
      const d = m.data;
      // Replaces the symbol's row only with a different, later position (a reversal, or a
      // close this read model never saw); a late PositionOpened of an older one matches nothing.
      return outcome(
        await write(
          manager,
          `INSERT INTO ${t.positions} AS p ("account", "symbol", "position_id", "venue", "direction", "quantity",
             "average_price", "realized_pnl", "status", "entry_order_id", "exit_reason", "opened_at", "closed_at", "updated_ts", "currency")
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 'open', $8, NULL, $9, NULL, $10, $11)
           ON CONFLICT ("account", "venue", "symbol") DO UPDATE SET
             "position_id" = EXCLUDED."position_id", "direction" = EXCLUDED."direction",
             "quantity" = EXCLUDED."quantity", "average_price" = EXCLUDED."average_price", "realized_pnl" = 0,
             "currency" = EXCLUDED."currency",
             "status" = 'open', "entry_order_id" = EXCLUDED."entry_order_id", "exit_reason" = NULL,
             "opened_at" = EXCLUDED."opened_at", "closed_at" = NULL, "updated_ts" = EXCLUDED."updated_ts"
           WHERE p."position_id" <> EXCLUDED."position_id"
             AND (EXCLUDED."opened_at" > p."opened_at" OR (EXCLUDED."opened_at" = p."opened_at" AND p."status" = 'closed'))`,
          [m.account, d.symbol, d.positionId, d.venue, d.direction, d.quantity, d.averagePrice, d.entryOrderId, d.openedAt, m.ts, d.currency ?? null],
        ),
      );
    }
    case 'PositionChanged': {
      const d = m.data;
      return outcome(
        await write(
          manager,
          `UPDATE ${t.positions} AS p
             SET "direction" = $4, "quantity" = $5, "average_price" = $6, "realized_pnl" = $7, "updated_ts" = $8
           WHERE p."account" = $1 AND p."symbol" = $2 AND p."position_id" = $3 AND p."status" = 'open' AND p."updated_ts" <= $8
             AND (p."direction", p."quantity", p."average_price", p."realized_pnl", p."updated_ts")
                 IS DISTINCT FROM ($4::text, $5::numeric, $6::numeric, $7::numeric, $8::bigint)`,
          [m.account, d.symbol, d.positionId, d.direction, d.quantity, d.averagePrice, d.realizedPnl, m.ts],
        ),
      );
    }
    case 'PositionClosed': {
      const d = m.data;
      // The history: one row per position, for good. A row the ClosedPositions migration
      // recovered from older tables (source other than 'event') takes this message's figures.
      const recorded = await write(
        manager,
        `INSERT INTO ${t.closedPositions} AS c ("position_id", "account", "venue", "symbol", "direction", "max_quantity",
           "entry_price", "exit_price", "gross_pnl", "fees", "realized_pnl", "currency", "exit_reason", "opened_at", "closed_at",
           "holding_ms", "max_adverse_excursion", "max_favorable_excursion", "entry_order_id", "origin", "strategy",
           "correlation_id", "updated_ts", "source")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 'event')
         ON CONFLICT ("position_id") DO UPDATE SET
           "account" = EXCLUDED."account", "venue" = EXCLUDED."venue", "symbol" = EXCLUDED."symbol",
           "direction" = EXCLUDED."direction", "max_quantity" = EXCLUDED."max_quantity", "entry_price" = EXCLUDED."entry_price",
           "exit_price" = EXCLUDED."exit_price", "gross_pnl" = EXCLUDED."gross_pnl", "fees" = EXCLUDED."fees",
           "realized_pnl" = EXCLUDED."realized_pnl", "currency" = EXCLUDED."currency", "exit_reason" = EXCLUDED."exit_reason",
           "opened_at" = EXCLUDED."opened_at", "closed_at" = EXCLUDED."closed_at", "holding_ms" = EXCLUDED."holding_ms",
           "max_adverse_excursion" = EXCLUDED."max_adverse_excursion", "max_favorable_excursion" = EXCLUDED."max_favorable_excursion",
           "entry_order_id" = EXCLUDED."entry_order_id", "origin" = EXCLUDED."origin", "strategy" = EXCLUDED."strategy",
           "correlation_id" = EXCLUDED."correlation_id", "updated_ts" = EXCLUDED."updated_ts", "source" = 'event'
         WHERE c."source" <> 'event'`,
        [
          d.positionId,
          m.account,
          d.venue,
          d.symbol,
          d.direction,
          d.quantity,
          d.entryPrice,
          d.exitPrice,
          d.grossPnl,
          d.fees,
          d.realizedPnl,
          d.currency,
          d.exitReason,
          d.openedAt,
          d.closedAt,
          d.holdingMs,
          d.maxAdverseExcursion,
          d.maxFavorableExcursion,
          d.entryOrderId,
          d.origin,
          d.strategy ?? null,
          m.correlationId,
          m.ts,
        ],
      );
      // The current position of the market: an upsert, so the close lands even if the open was
      // never projected; it closes the open row of the same position, or replaces an older
      // position, never a newer one.
      const current = await write(
        manager,
        `INSERT INTO ${t.positions} AS p ("account", "symbol", "position_id", "venue", "direction", "quantity",
           "average_price", "realized_pnl", "status", "entry_order_id", "exit_reason", "opened_at", "closed_at", "updated_ts", "currency")
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7, 'closed', $8, $9, $10, $11, $12, $13)
         ON CONFLICT ("account", "venue", "symbol") DO UPDATE SET
           "position_id" = EXCLUDED."position_id", "direction" = EXCLUDED."direction",
           "quantity" = 0, "average_price" = EXCLUDED."average_price", "realized_pnl" = EXCLUDED."realized_pnl",
           "currency" = EXCLUDED."currency",
           "status" = 'closed', "entry_order_id" = EXCLUDED."entry_order_id", "exit_reason" = EXCLUDED."exit_reason",
           "opened_at" = EXCLUDED."opened_at", "closed_at" = EXCLUDED."closed_at",
           "updated_ts" = GREATEST(p."updated_ts", EXCLUDED."updated_ts")
         WHERE (p."position_id" = EXCLUDED."position_id" AND p."status" = 'open')
            OR (p."position_id" <> EXCLUDED."position_id" AND EXCLUDED."opened_at" > p."opened_at")`,
        [
          m.account,
          d.symbol,
          d.positionId,
          d.venue,
          d.direction,
          d.entryPrice,
          d.realizedPnl,
          d.entryOrderId,
          d.exitReason,
          d.openedAt,
          d.closedAt,
          m.ts,
          d.currency,
        ],
      );
      return outcome(recorded + current);
    }
    case 'AccountUpdated': {
      const d = m.data;
      // Each AccountUpdated is a full snapshot: the one with the higher sequence wins. Event
      // time cannot order them: with several markets in flight the executor handles one
      // market's batch before another's earlier bars, so a later snapshot may carry an earlier
      // time. Snapshots without a sequence (older producers) fall back to event time, the later
      // delivery winning at equal times. A repeat of the current snapshot writes nothing.
      return outcome(
        await write(
          manager,
          `INSERT INTO ${t.accounts} AS a ("account", "currency", "cash", "realized_pnl", "fees", "updated_ts", "sequence")
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT ("account") DO UPDATE SET
             "currency" = EXCLUDED."currency", "cash" = EXCLUDED."cash", "realized_pnl" = EXCLUDED."realized_pnl",
             "fees" = EXCLUDED."fees", "updated_ts" = EXCLUDED."updated_ts", "sequence" = EXCLUDED."sequence"
           WHERE (CASE WHEN a."sequence" IS NOT NULL AND EXCLUDED."sequence" IS NOT NULL THEN a."sequence" < EXCLUDED."sequence"
                       ELSE a."updated_ts" <= EXCLUDED."updated_ts" END)
             AND (a."currency", a."cash", a."realized_pnl", a."fees", a."updated_ts", a."sequence")
                 IS DISTINCT FROM (EXCLUDED."currency", EXCLUDED."cash", EXCLUDED."realized_pnl", EXCLUDED."fees", EXCLUDED."updated_ts", EXCLUDED."sequence")`,
          [m.account, d.currency, d.cash, d.realizedPnl, d.fees, m.ts, d.sequence ?? null],
        ),
      );
    }
    default:
      return 'not_projected';
  }
}

async function finishOrder(
  manager: EntityManager,
  orderId: string,
  status: 'rejected' | 'cancelled' | 'expired',
  reason: string | null,
  m: Message,
): Promise<ProjectionOutcome> {
  return outcome(
    await write(
      manager,
      `UPDATE ${tablesOf(manager.dataSource).orders} AS o
         SET "status" = $2, "status_reason" = $3, "updated_ts" = GREATEST(o."updated_ts", $4), "status_cause_id" = $5
       WHERE o."order_id" = $1 AND ${STATUS_RANK_SQL} < ${TERMINAL_RANK}`,
      [orderId, status, reason, m.ts, m.causationId],
    ),
  );
}

// ----------------------------------------------------------------------------------------------
// Governor: approvals, trading state, execution mode
// ----------------------------------------------------------------------------------------------

const GOVERNOR_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalRejected',
  'ApprovalExpired',
  'TradingStateChanged',
  'ExecutionModeChanged',
  'OrderDisplayed',
  'CommandRejected',
]);

/** ApprovalRequested/Granted/Rejected/Expired, TradingStateChanged, ExecutionModeChanged, OrderDisplayed, CommandRejected. */
export async function projectGovernor(manager: EntityManager, m: Message): Promise<ProjectionOutcome> {
  if (!GOVERNOR_TYPES.has(m.type)) return 'not_projected';
  return inTransaction(manager, (tx) => governor(tx, m));
}

async function governor(manager: EntityManager, m: Message): Promise<ProjectionOutcome> {
  const t = tablesOf(manager.dataSource);
  switch (m.type) {
    case 'ApprovalRequested': {
      const d = m.data;
      return outcome(
        await write(
          manager,
          `INSERT INTO ${t.approvals} ("approval_id", "risk_approval_id", "account", "symbol", "status", "quality",
             "threshold", "mode", "expires_at", "requested_ts", "decided_ts", "decided_by", "reason", "order", "correlation_id", "reference_price")
           VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7, $8, $9, NULL, NULL, NULL, $10::jsonb, $11, $12)
           ON CONFLICT ("approval_id") DO NOTHING`,
          [
            m.id,
            d.riskApprovalId,
            m.account,
            d.order.symbol,
            d.quality,
            d.threshold,
            d.mode,
            d.expiresAt,
            m.ts,
            JSON.stringify(d.order),
            m.correlationId,
            d.referencePrice ?? null,
          ],
        ),
      );
    }
    // An approval is decided once: the first decision wins, a later one matches nothing.
    // The cause (the ApproveOrder or RejectOrder) says which command decided it, and so which
    // other command on it the governor ignored.
    case 'ApprovalGranted':
      return decideApproval(manager, m.data.approvalId, 'granted', m.data.by, null, m);
    case 'ApprovalRejected':
      return decideApproval(manager, m.data.approvalId, 'rejected', m.data.by, m.data.reason, m);
    case 'ApprovalExpired':
      return decideApproval(manager, m.data.approvalId, 'expired', null, null, m);
    case 'TradingStateChanged': {
      const d = m.data;
      const current = outcome(
        await write(
          manager,
          `INSERT INTO ${t.tradingState} AS s ("account", "state", "reason", "state_by", "state_ts", "updated_ts", "state_cause_id")
           VALUES ($1, $2, $3, $4, $5, $5, $6)
           ON CONFLICT ("account") DO UPDATE SET
             "state" = EXCLUDED."state", "reason" = EXCLUDED."reason", "state_by" = EXCLUDED."state_by",
             "state_ts" = EXCLUDED."state_ts", "updated_ts" = GREATEST(s."updated_ts", EXCLUDED."updated_ts"),
             "state_cause_id" = EXCLUDED."state_cause_id"
           WHERE (s."state_ts" IS NULL OR s."state_ts" <= EXCLUDED."state_ts")
             AND (s."state", s."reason", s."state_by", s."state_ts", s."state_cause_id")
                 IS DISTINCT FROM (EXCLUDED."state", EXCLUDED."reason", EXCLUDED."state_by", EXCLUDED."state_ts", EXCLUDED."state_cause_id")`,
          [m.account, d.state, d.reason, d.by, m.ts, m.causationId],
        ),
      );
      const answered = await commandResult(manager, m, m.causationId, d.state === 'HALTED' ? 'HaltTrading' : 'ResumeTrading', 'applied', null, `trading ${d.state}`);
      return either(current, answered);
    }
    case 'OrderDisplayed': {
      // One row per OrderDisplayed, keyed by its envelope id: a repeat inserts nothing.
      const o = m.data.order;
      return outcome(
        await write(
          manager,
          `INSERT INTO ${t.displayedOrders} ("display_id", "account", "risk_approval_id", "reason", "venue", "symbol", "side",
             "type", "quantity", "limit_price", "stop_price", "tif", "stop_loss", "take_profit", "origin", "strategy", "ts", "correlation_id")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
           ON CONFLICT ("display_id") DO NOTHING`,
          [
            m.id,
            m.account,
            m.data.riskApprovalId,
            m.data.reason,
            o.venue,
            o.symbol,
            o.side,
            o.type,
            o.quantity,
            o.limitPrice ?? null,
            o.stopPrice ?? null,
            o.timeInForce,
            o.stopLoss ?? null,
            o.takeProfit ?? null,
            o.origin,
            o.strategy ?? null,
            m.ts,
            m.correlationId,
          ],
        ),
      );
    }
    case 'ExecutionModeChanged': {
      const d = m.data;
      const current = outcome(
        await write(
          manager,
          `INSERT INTO ${t.tradingState} AS s ("account", "mode", "threshold", "mode_by", "mode_ts", "updated_ts", "mode_cause_id")
           VALUES ($1, $2, $3, $4, $5, $5, $6)
           ON CONFLICT ("account") DO UPDATE SET
             "mode" = EXCLUDED."mode", "threshold" = EXCLUDED."threshold", "mode_by" = EXCLUDED."mode_by",
             "mode_ts" = EXCLUDED."mode_ts", "updated_ts" = GREATEST(s."updated_ts", EXCLUDED."updated_ts"),
             "mode_cause_id" = EXCLUDED."mode_cause_id"
           WHERE (s."mode_ts" IS NULL OR s."mode_ts" <= EXCLUDED."mode_ts")
             AND (s."mode", s."threshold", s."mode_by", s."mode_ts", s."mode_cause_id")
                 IS DISTINCT FROM (EXCLUDED."mode", EXCLUDED."threshold", EXCLUDED."mode_by", EXCLUDED."mode_ts", EXCLUDED."mode_cause_id")`,
          [m.account, d.mode, d.threshold, d.by, m.ts, m.causationId],
        ),
      );
      return either(current, await commandResult(manager, m, m.causationId, 'SetExecutionMode', 'applied', null, `execution mode ${d.mode}`));
    }
    case 'CommandRejected': {
      const d = m.data;
      return commandResult(manager, m, d.commandId, d.commandType, COMMAND_REJECTION_KINDS[d.reason], d.reason, d.detail);
    }
    default:
      return 'not_projected';
  }
}

function either(a: ProjectionOutcome, b: ProjectionOutcome): ProjectionOutcome {
  return a === 'applied' || b === 'applied' ? 'applied' : 'unchanged';
}

/**
 * The governor's answer to command `commandId`, kept after later commands replace the state it
 * made. One answer per command: a redelivery (or a second event of the same answer) writes nothing.
 */
async function commandResult(
  manager: EntityManager,
  m: Message,
  commandId: string,
  commandType: string,
  result: 'applied' | 'ignored' | 'refused',
  reason: string | null,
  detail: string,
): Promise<ProjectionOutcome> {
  return outcome(
    await write(
      manager,
      `INSERT INTO ${tablesOf(manager.dataSource).commandResults} ("command_id", "account", "command_type", "outcome", "reason", "detail", "event_id", "ts")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ("command_id") DO NOTHING`,
      [commandId, m.account, commandType, result, reason, detail, m.id, m.ts],
    ),
  );
}

async function decideApproval(
  manager: EntityManager,
  approvalId: string,
  status: 'granted' | 'rejected' | 'expired',
  by: string | null,
  reason: string | null,
  m: Message,
): Promise<ProjectionOutcome> {
  return outcome(
    await write(
      manager,
      `UPDATE ${tablesOf(manager.dataSource).approvals}
         SET "status" = $2, "decided_by" = $3, "reason" = $4, "decided_ts" = $5, "decided_cause_id" = $6
       WHERE "approval_id" = $1 AND "status" = 'requested'`,
      [approvalId, status, by, reason, m.ts, m.causationId],
    ),
  );
}

// ----------------------------------------------------------------------------------------------
// Learning: the append-only trade-experience store
// ----------------------------------------------------------------------------------------------

/** A second, different experience for a position the store already holds. */
export class ExperienceConflictError extends Error {
  constructor(
    readonly experienceId: string,
    readonly positionId: string,
    readonly existingExperienceId: string,
  ) {
    super(
      `experience ${experienceId} for position ${positionId} conflicts with recorded experience ` +
        `${existingExperienceId}: the store holds one experience per closed position and never replaces one`,
    );
    this.name = 'ExperienceConflictError';
  }
}

/**
 * Appends one ExperienceRecorded to the store. The same experience again (same envelope id) is
 * 'unchanged'; a different experience for an already recorded position throws
 * ExperienceConflictError (a bug upstream that must reach a person, not be dropped).
 */
export async function appendExperience(manager: EntityManager, m: Message<'ExperienceRecorded'>): Promise<ProjectionOutcome> {
  return inTransaction(manager, (tx) => experience(tx, m));
}

async function experience(manager: EntityManager, m: Message<'ExperienceRecorded'>): Promise<ProjectionOutcome> {
  const table = tablesOf(manager.dataSource).tradeExperiences;
  const d = m.data;
  const inserted = await write(
    manager,
    `INSERT INTO ${table} ("experience_id", "position_id", "account", "strategy", "venue", "symbol", "direction",
       "origin", "exit_reason", "signal_id", "pnl", "fees", "r_multiple", "win", "holding_ms", "opened_at", "closed_at",
       "payload", "recorded_ts", "correlation_id", "currency")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb, $19, $20, $21)
     ON CONFLICT DO NOTHING`,
    [
      m.id,
      d.positionId,
      m.account,
      d.strategy,
      d.venue,
      d.symbol,
      d.direction,
      d.origin,
      d.exitReason,
      d.signalId ?? null,
      d.pnl,
      d.fees,
      d.rMultiple ?? null,
      d.win,
      d.holdingMs,
      d.openedAt,
      d.closedAt,
      JSON.stringify(d),
      m.ts,
      m.correlationId,
      d.currency ?? null,
    ],
  );
  if (inserted > 0) return 'applied';
  const existing: { experience_id: string }[] = await manager.query(
    `SELECT "experience_id" FROM ${table} WHERE "experience_id" = $1 OR "position_id" = $2`,
    [m.id, d.positionId],
  );
  if (existing.some((row) => row.experience_id === m.id)) return 'unchanged';
  throw new ExperienceConflictError(m.id, d.positionId, existing[0]?.experience_id ?? '?');
}

// ----------------------------------------------------------------------------------------------
// Risk: denials and approvals
// ----------------------------------------------------------------------------------------------

/** One row per OrderDenied, keyed by its envelope id: a repeat inserts nothing. */
export async function projectDenial(manager: EntityManager, m: Message<'OrderDenied'>): Promise<ProjectionOutcome> {
  const d = m.data;
  return outcome(
    await write(
      manager,
      `INSERT INTO ${tablesOf(manager.dataSource).denials} ("denial_id", "account", "request_id", "symbol", "reason", "detail", "origin", "ts", "correlation_id")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ("denial_id") DO NOTHING`,
      [m.id, m.account, d.requestId, d.symbol, d.reason, d.detail, d.origin, m.ts, m.correlationId],
    ),
  );
}

/**
 * One row per RiskApproved, keyed by its envelope id: how risk sized and rated the order (what
 * the governor's displayed orders show of it). A repeat inserts nothing.
 */
export async function projectRiskApproval(manager: EntityManager, m: Message<'RiskApproved'>): Promise<ProjectionOutcome> {
  const d = m.data;
  return outcome(
    await write(
      manager,
      `INSERT INTO ${tablesOf(manager.dataSource).riskApprovals} ("risk_approval_id", "account", "request_id", "symbol", "risk_level",
         "risk_amount", "notional", "reference_price", "quality", "trading_state", "ts", "correlation_id")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT ("risk_approval_id") DO NOTHING`,
      [m.id, m.account, d.requestId, d.order.symbol, d.riskLevel, d.riskAmount, d.notional, d.referencePrice, d.quality, d.tradingState ?? null, m.ts, m.correlationId],
    ),
  );
}

/** Every message type some projection writes: a consumer can skip the transaction for the rest. */
export const PROJECTED_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  ...EXECUTION_TYPES,
  ...GOVERNOR_TYPES,
  'ExperienceRecorded',
  'OrderDenied',
  'RiskApproved',
]);

/** Every projection this library has, for a consumer that writes all read models. */
export async function projectMessage(manager: EntityManager, m: Message): Promise<ProjectionOutcome> {
  if (m.type === 'ExperienceRecorded') return appendExperience(manager, m);
  if (m.type === 'OrderDenied') return projectDenial(manager, m);
  if (m.type === 'RiskApproved') return projectRiskApproval(manager, m);
  const execution = await projectExecution(manager, m);
  return execution === 'not_projected' ? projectGovernor(manager, m) : execution;
}
