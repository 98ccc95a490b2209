import { type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { DenialReason, Direction, ExitReason, OrderOrigin, OrderStatus } from '@tradeloop/contracts';
import {
  AccountEntity,
  ApprovalEntity,
  ClosedPositionEntity,
  DenialEntity,
  DisplayedOrderEntity,
  FillEntity,
  OrderEntity,
  PositionEntity,
  RiskApprovalEntity,
  TradeExperienceEntity,
  TradingStateEntity,
  type ApprovalStatus,
  type DisplayReason,
  type PositionStatus,
} from './entities';

/*
 * Read-side queries for the gateway. Lists are keyset-paginated (newest first, except open
 * positions by symbol): a cursor names the last row of the previous page, so pages neither skip
 * nor repeat rows while new ones are being written, and every page is one index range scan.
 */

export interface PageRequest {
  /** 1 … 500, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** A cursor that was not made by this module: the gateway answers 400. */
export class InvalidCursorError extends RangeError {
  constructor(cursor: string) {
    super(`invalid page cursor: ${JSON.stringify(cursor.slice(0, 80))}`);
    this.name = 'InvalidCursorError';
  }
}

/** A DataSource or a transaction's EntityManager. */
export type Reader = Pick<EntityManager, 'getRepository'>;

type KeyValue = string | number;

function encodeCursor(values: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, arity: number): KeyValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  if (
    !Array.isArray(values) ||
    values.length !== arity ||
    !values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
  ) {
    throw new InvalidCursorError(cursor);
  }
  return values as KeyValue[];
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/**
 * Orders by `keys` (all one direction, the last one unique), continues after `after` (the key
 * values of the last row already seen) and reads up to `limit + 1` rows: one more than a page
 * tells whether another page follows.
 */
async function keysetRows<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  keys: readonly (keyof T & string)[],
  direction: 'ASC' | 'DESC',
  after: readonly KeyValue[] | undefined,
  limit: number,
): Promise<T[]> {
  const alias = qb.alias;
  const columns = keys.map((k) => `${alias}.${k}`);
  if (after !== undefined) {
    const params = Object.fromEntries(after.map((v, i) => [`cursor${i}`, v]));
    // A row comparison matches the composite index order exactly.
    const op = direction === 'DESC' ? '<' : '>';
    qb.andWhere(`(${columns.join(', ')}) ${op} (${after.map((_, i) => `:cursor${i}`).join(', ')})`, params);
  }
  columns.forEach((c, i) => (i === 0 ? qb.orderBy(c, direction) : qb.addOrderBy(c, direction)));
  return qb.limit(limit + 1).getMany();
}

/** Orders by `keys` (all one direction, the last one unique) and cuts one page. */
async function keysetPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  keys: readonly (keyof T & string)[],
  direction: 'ASC' | 'DESC',
  page: PageRequest,
): Promise<Page<T>> {
  const limit = clampLimit(page.limit);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, keys.length);
  const rows = await keysetRows(qb, keys, direction, after, limit);
  const items = rows.length > limit ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(keys.map((k) => last[k] as KeyValue)) : null,
  };
}

export interface OrderFilter extends PageRequest {
  readonly symbol?: string;
  readonly status?: readonly OrderStatus[];
  readonly correlationId?: string;
}

export async function listOrders(db: Reader, account: string, filter: OrderFilter = {}): Promise<Page<OrderEntity>> {
  const qb = db.getRepository(OrderEntity).createQueryBuilder('o').where('o.account = :account', { account });
  if (filter.symbol !== undefined) qb.andWhere('o.symbol = :symbol', { symbol: filter.symbol });
  if (filter.status !== undefined) {
    if (filter.status.length === 0) return { items: [], nextCursor: null };
    qb.andWhere('o.status IN (:...status)', { status: filter.status });
  }
  if (filter.correlationId !== undefined) qb.andWhere('o.correlationId = :cid', { cid: filter.correlationId });
  return keysetPage(qb, ['createdTs', 'orderId'], 'DESC', filter);
}

export async function getOrder(db: Reader, orderId: string): Promise<OrderEntity | null> {
  return db.getRepository(OrderEntity).findOneBy({ orderId });
}

export async function getOrderByClientOrderId(db: Reader, clientOrderId: string): Promise<OrderEntity | null> {
  return db.getRepository(OrderEntity).findOneBy({ clientOrderId });
}

export interface FillFilter extends PageRequest {
  readonly orderId?: string;
  readonly symbol?: string;
}

export async function listFills(db: Reader, account: string, filter: FillFilter = {}): Promise<Page<FillEntity>> {
  const qb = db.getRepository(FillEntity).createQueryBuilder('f').where('f.account = :account', { account });
  if (filter.orderId !== undefined) qb.andWhere('f.orderId = :orderId', { orderId: filter.orderId });
  if (filter.symbol !== undefined) qb.andWhere('f.symbol = :symbol', { symbol: filter.symbol });
  return keysetPage(qb, ['ts', 'fillId'], 'DESC', filter);
}

export interface PositionFilter extends PageRequest {
  /** Default 'open'. */
  readonly status?: PositionStatus | 'all';
  readonly symbol?: string;
}

/**
 * A position as the listings give it: an open one from `positions` (the current position of its
 * market; origin, strategy and chain from its entry order), a closed one from the history in
 * `closed_positions`. The figures only a close has (exit price, gross P&L, fees, largest
 * quantity, holding time, excursions) are null while open, and on closes recovered from older
 * tables that did not record them.
 */
export interface PositionRecord {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly status: PositionStatus;
  /** Held now: 0 once closed. */
  readonly quantity: string;
  /** Largest quantity held (closed positions). */
  readonly maxQuantity: string | null;
  /** Average entry price. */
  readonly averagePrice: string;
  readonly exitPrice: string | null;
  /** Running realised P&L while open; net of fees once closed. */
  readonly realizedPnl: string;
  readonly grossPnl: string | null;
  readonly fees: string | null;
  readonly currency: string | null;
  readonly entryOrderId: string | null;
  readonly exitReason: ExitReason | null;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly holdingMs: number | null;
  readonly maxAdverseExcursion: number | null;
  readonly maxFavorableExcursion: number | null;
  readonly origin: OrderOrigin | null;
  readonly strategy: string | null;
  readonly correlationId: string | null;
  readonly updatedTs: number;
}

function openRecord(p: PositionEntity): PositionRecord {
  return {
    positionId: p.positionId,
    venue: p.venue,
    symbol: p.symbol,
    direction: p.direction,
    status: 'open',
    quantity: p.quantity,
    maxQuantity: null,
    averagePrice: p.averagePrice,
    exitPrice: null,
    realizedPnl: p.realizedPnl,
    grossPnl: null,
    fees: null,
    currency: p.currency,
    entryOrderId: p.entryOrderId,
    exitReason: null,
    openedAt: p.openedAt,
    closedAt: null,
    holdingMs: null,
    maxAdverseExcursion: null,
    maxFavorableExcursion: null,
    origin: p.entryOrder?.origin ?? null,
    strategy: p.entryOrder?.strategy ?? null,
    correlationId: p.entryOrder?.correlationId ?? null,
    updatedTs: p.updatedTs,
  };
}

function closedRecord(c: ClosedPositionEntity): PositionRecord {
  return {
    positionId: c.positionId,
    venue: c.venue,
    symbol: c.symbol,
    direction: c.direction,
    status: 'closed',
    quantity: '0',
    maxQuantity: c.maxQuantity,
    averagePrice: c.entryPrice,
    exitPrice: c.exitPrice,
    realizedPnl: c.realizedPnl,
    grossPnl: c.grossPnl,
    fees: c.fees,
    currency: c.currency,
    entryOrderId: c.entryOrderId,
    exitReason: c.exitReason,
    openedAt: c.openedAt,
    closedAt: c.closedAt,
    holdingMs: c.holdingMs,
    maxAdverseExcursion: c.maxAdverseExcursion,
    maxFavorableExcursion: c.maxFavorableExcursion,
    origin: c.origin,
    strategy: c.strategy,
    correlationId: c.correlationId,
    updatedTs: c.updatedTs,
  };
}

const OPEN_KEYS = ['symbol', 'venue'] as const;
const CLOSED_KEYS = ['closedAt', 'positionId'] as const;
/** The two parts of status=all, in page order: the open positions, then the closed ones. */
const OPEN_PART = 'open';
const CLOSED_PART = 'closed';

/**
 * Positions: the open ones by symbol (and venue), the closed ones newest close first (every
 * position ever closed, not only the last one per market), or all of them: the open ones, then
 * the closed ones, one pagination across both.
 */
export async function listPositions(db: Reader, account: string, filter: PositionFilter = {}): Promise<Page<PositionRecord>> {
  const open = () => {
    const qb = db
      .getRepository(PositionEntity)
      .createQueryBuilder('p')
      .leftJoinAndMapOne('p.entryOrder', OrderEntity, 'o', 'o.orderId = p.entryOrderId')
      .where('p.account = :account', { account })
      .andWhere("p.status = 'open'");
    if (filter.symbol !== undefined) qb.andWhere('p.symbol = :symbol', { symbol: filter.symbol });
    return qb;
  };
  const closed = () => {
    const qb = db.getRepository(ClosedPositionEntity).createQueryBuilder('c').where('c.account = :account', { account });
    if (filter.symbol !== undefined) qb.andWhere('c.symbol = :symbol', { symbol: filter.symbol });
    return qb;
  };
  const status = filter.status ?? 'open';
  if (status === 'open') return mapItems(await keysetPage(open(), [...OPEN_KEYS], 'ASC', filter), openRecord);
  if (status === 'closed') return mapItems(await keysetPage(closed(), [...CLOSED_KEYS], 'DESC', filter), closedRecord);

  // status=all: a cursor names its part and the last row of that part.
  const limit = clampLimit(filter.limit);
  const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, 3);
  const inOpen = cursor !== undefined && cursor[0] === OPEN_PART && typeof cursor[1] === 'string' && typeof cursor[2] === 'string';
  const inClosed = cursor !== undefined && cursor[0] === CLOSED_PART && typeof cursor[1] === 'number' && typeof cursor[2] === 'string';
  if (cursor !== undefined && !inOpen && !inClosed) throw new InvalidCursorError(filter.cursor!);
  const items: PositionRecord[] = [];
  if (!inClosed) {
    const rows = await keysetRows(open(), [...OPEN_KEYS], 'ASC', cursor?.slice(1), limit);
    items.push(...rows.slice(0, limit).map(openRecord));
    if (rows.length > limit) return { items, nextCursor: encodeCursor([OPEN_PART, ...keyOf(rows[limit - 1], OPEN_KEYS)]) };
  }
  const room = limit - items.length;
  const rows = await keysetRows(closed(), [...CLOSED_KEYS], 'DESC', inClosed ? cursor!.slice(1) : undefined, room);
  items.push(...rows.slice(0, room).map(closedRecord));
  if (rows.length <= room) return { items, nextCursor: null };
  // The page ended with the last open position: the next one starts the closed ones.
  if (room === 0) return { items, nextCursor: encodeCursor([OPEN_PART, items[items.length - 1].symbol, items[items.length - 1].venue]) };
  return { items, nextCursor: encodeCursor([CLOSED_PART, ...keyOf(rows[room - 1], CLOSED_KEYS)]) };
}

function keyOf<T extends ObjectLiteral>(row: T, keys: readonly (keyof T & string)[]): KeyValue[] {
  return keys.map((k) => row[k] as KeyValue);
}

function mapItems<E, V>(page: Page<E>, map: (e: E) => V): Page<V> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

export async function getAccount(db: Reader, account: string): Promise<AccountEntity | null> {
  return db.getRepository(AccountEntity).findOneBy({ account });
}

export async function getTradingState(db: Reader, account: string): Promise<TradingStateEntity | null> {
  return db.getRepository(TradingStateEntity).findOneBy({ account });
}

export interface ApprovalFilter extends PageRequest {
  readonly status?: ApprovalStatus;
  readonly symbol?: string;
  /** The chain: a manual order's command id, a strategy order's signal id. */
  readonly correlationId?: string;
}

/** Approval requests, newest first. */
export async function listApprovals(db: Reader, account: string, filter: ApprovalFilter = {}): Promise<Page<ApprovalEntity>> {
  const qb = db.getRepository(ApprovalEntity).createQueryBuilder('a').where('a.account = :account', { account });
  if (filter.status !== undefined) qb.andWhere('a.status = :status', { status: filter.status });
  if (filter.symbol !== undefined) qb.andWhere('a.symbol = :symbol', { symbol: filter.symbol });
  if (filter.correlationId !== undefined) qb.andWhere('a.correlationId = :cid', { cid: filter.correlationId });
  return keysetPage(qb, ['requestedTs', 'approvalId'], 'DESC', filter);
}

export interface DenialFilter extends PageRequest {
  readonly symbol?: string;
  readonly reason?: DenialReason;
  /** The chain: a manual order's command id, a strategy order's signal id. */
  readonly correlationId?: string;
}

/** Risk's refusals, newest first. */
export async function listDenials(db: Reader, account: string, filter: DenialFilter = {}): Promise<Page<DenialEntity>> {
  const qb = db.getRepository(DenialEntity).createQueryBuilder('d').where('d.account = :account', { account });
  if (filter.symbol !== undefined) qb.andWhere('d.symbol = :symbol', { symbol: filter.symbol });
  if (filter.reason !== undefined) qb.andWhere('d.reason = :reason', { reason: filter.reason });
  if (filter.correlationId !== undefined) qb.andWhere('d.correlationId = :cid', { cid: filter.correlationId });
  return keysetPage(qb, ['ts', 'denialId'], 'DESC', filter);
}

export interface DisplayedOrderFilter extends PageRequest {
  readonly symbol?: string;
  readonly reason?: DisplayReason;
  /** The chain: a manual order's command id, a strategy order's signal id. */
  readonly correlationId?: string;
}

/**
 * Orders the governor did not place, newest first, each with risk's record of it (`risk`: its
 * risk level and sizing; null until risk's projection has it — the two services write apart).
 */
export async function listDisplayedOrders(db: Reader, account: string, filter: DisplayedOrderFilter = {}): Promise<Page<DisplayedOrderEntity>> {
  const qb = db
    .getRepository(DisplayedOrderEntity)
    .createQueryBuilder('d')
    .leftJoinAndMapOne('d.risk', RiskApprovalEntity, 'r', 'r.riskApprovalId = d.riskApprovalId AND r.account = d.account')
    .where('d.account = :account', { account });
  if (filter.symbol !== undefined) qb.andWhere('d.symbol = :symbol', { symbol: filter.symbol });
  if (filter.reason !== undefined) qb.andWhere('d.reason = :reason', { reason: filter.reason });
  if (filter.correlationId !== undefined) qb.andWhere('d.correlationId = :cid', { cid: filter.correlationId });
  const page = await keysetPage(qb, ['ts', 'displayId'], 'DESC', filter);
  for (const row of page.items) row.risk ??= null;
  return page;
}

export interface ExperienceFilter extends PageRequest {
  readonly strategy?: string;
  readonly symbol?: string;
  readonly direction?: Direction;
  /** Only experiences closed at or after this event time (epoch ms). */
  readonly closedFrom?: number;
}

export async function listExperiences(
  db: Reader,
  account: string,
  filter: ExperienceFilter = {},
): Promise<Page<TradeExperienceEntity>> {
  const qb = db.getRepository(TradeExperienceEntity).createQueryBuilder('e').where('e.account = :account', { account });
  if (filter.strategy !== undefined) qb.andWhere('e.strategy = :strategy', { strategy: filter.strategy });
  if (filter.symbol !== undefined) qb.andWhere('e.symbol = :symbol', { symbol: filter.symbol });
  if (filter.direction !== undefined) qb.andWhere('e.direction = :direction', { direction: filter.direction });
  if (filter.closedFrom !== undefined) qb.andWhere('e.closedAt >= :closedFrom', { closedFrom: filter.closedFrom });
  return keysetPage(qb, ['closedAt', 'experienceId'], 'DESC', filter);
}
