import { currencyDecimals, Decimal, nameId, ZERO } from '@tradeloop/kernel';
import type { Direction, ExitReason, OrderOrigin, OrderRole, Side, StrategyId } from '@tradeloop/contracts';

/**
 * Netting position accounting, one position per symbol. Exact (Decimal) for everything that
 * moves cash; float mirrors for the per-bar mark-to-market and excursions.
 *
 * `applyFill` is the one place a fill changes a position. The decider calls it on a scratch
 * copy to build its events, and `evolve` calls it on OrderFilled to change state, so live
 * state and state rebuilt from the log cannot disagree.
 */
export interface PositionLedger {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  /** Absolute quantity held. */
  readonly quantity: Decimal;
  readonly averagePrice: Decimal;
  /** Largest absolute quantity held (reported on close). */
  readonly maxQuantity: Decimal;
  readonly openedAt: number;
  /**
   * Where the holding time starts: the open of the bar the opening fill was matched on (the
   * fill's barOpenTime), or openedAt for a fill that names no bar. Kept apart from openedAt,
   * the event time of the fill (its bar's close), which the position's events report.
   */
  readonly heldFrom: number;
  readonly entryOrderId: string;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
  /** Realised P&L of this position so far, before fees. */
  readonly grossPnl: Decimal;
  /** Entry and exit fees attributed to this position. */
  readonly fees: Decimal;
  readonly exitQuantity: Decimal;
  readonly exitNotional: Decimal;
  // Float mirrors, updated in place by evolve on every bar while the position is open.
  /** +1 long, −1 short. */
  readonly sign: 1 | -1;
  readonly qtyF: number;
  readonly avgF: number;
  readonly contractSizeF: number;
  markF: number;
  upnlF: number;
  maxAdverseExcursion: number;
  maxFavorableExcursion: number;
}

/** The extremes and closes of the current bar on both sides (ask = bid = trade price on trade bars). */
export interface BarMarks {
  readonly bidHigh: number;
  readonly bidLow: number;
  readonly bidClose: number;
  readonly askHigh: number;
  readonly askLow: number;
  readonly askClose: number;
}

export interface FillFacts {
  readonly fillId: string;
  readonly orderId: string;
  readonly role: OrderRole;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly ts: number;
  /** The open time of the bar the fill was matched on, when known (OrderFilled.barOpenTime). */
  readonly barOpenTime?: number;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
  /** `price.toNumber()` and `quantity.toNumber()` when the caller already has them (saves conversions). */
  readonly priceF?: number;
  readonly quantityF?: number;
}

export interface ClosedPosition {
  /** The position's final figures, this fill's exit included. */
  readonly position: PositionLedger;
  readonly exitReason: ExitReason;
  readonly closedAt: number;
  /**
   * closedAt − heldFrom: from the open of the entry's bar to the close of the exit's bar, the
   * bars the excursions are measured over. The exit fill's event time is its bar's close.
   */
  readonly holdingMs: number;
}

export interface FillOutcome {
  /** The position after the fill; undefined when flat. */
  readonly position: PositionLedger | undefined;
  readonly closed: ClosedPosition | undefined;
  /** A new position was opened by this fill (also the far side of a reversal). */
  readonly opened: boolean;
  /** Realised P&L of this fill, rounded to the minor unit, before fees. */
  readonly realized: Decimal;
  /** Quantity this fill opened or added: what a bracket must protect. */
  readonly openedQuantity: Decimal;
}

export interface LedgerContext {
  readonly currency: string;
  readonly contractSize: Decimal;
  readonly contractSizeF: number;
  readonly marks: BarMarks;
  /** Contract size is exactly 1 (multiplying by it is skipped); unset means unknown. */
  readonly unitContract?: boolean;
}

const PRECISION = Decimal.precision;

/** Non-zero and within the precision: decimal.js would return it unchanged as the result of an operation. */
function fits(x: Decimal): boolean {
  return !x.isZero() && x.sd() <= PRECISION;
}

/**
 * `x.plus(y)`, skipping the addition when one side is zero. decimal.js returns the other side
 * rounded to the precision then, which for a non-zero value within it is that value: the
 * result is the same Decimal value either way. Running totals often start at zero.
 */
export function plusExact(x: Decimal, y: Decimal): Decimal {
  if (y.isZero() && fits(x)) return x;
  if (x.isZero() && fits(y)) return y;
  return x.plus(y);
}

/** `x.minus(y)`, skipping the subtraction for x − 0 (as plusExact) and for x − x, which decimal.js makes +0. */
export function minusExact(x: Decimal, y: Decimal): Decimal {
  if (x === y && x.isFinite()) return ZERO;
  if (y.isZero() && fits(x)) return x;
  return x.minus(y);
}

/** The smaller of two values (the first when equal): `Decimal.min`'s value, without its copies. */
export function minOf(x: Decimal, y: Decimal): Decimal {
  return y.lt(x) ? y : x;
}

/** A position id is a pure function of the fill that opened it. */
export function positionIdFor(fillId: string): string {
  return nameId(`position|${fillId}`);
}

export function directionOf(side: Side): Direction {
  return side === 'buy' ? 'long' : 'short';
}

function exitReasonFor(role: OrderRole, reversed: boolean): ExitReason {
  if (reversed) return 'reversal';
  switch (role) {
    case 'stop_loss':
      return 'stop_loss';
    case 'take_profit':
      return 'take_profit';
    case 'close':
    case 'entry':
      return 'manual';
  }
}

/** Mark price: what the position could be closed at, longs at the bid, shorts at the ask. */
function markOf(sign: 1 | -1, m: BarMarks): number {
  return sign === 1 ? m.bidClose : m.askClose;
}

function unrealisedF(sign: number, qtyF: number, avgF: number, contractSizeF: number, mark: number): number {
  // No bar seen yet (state rebuilt from a log without bars): carry the position at cost.
  return Number.isNaN(mark) ? 0 : sign * qtyF * (mark - avgF) * contractSizeF;
}

/**
 * Widens the excursions with one bar's extremes on the side the position would exit on.
 * NaN extremes (no bar seen) compare false and change nothing.
 */
export function widenExcursions(p: PositionLedger, m: BarMarks): void {
  let adverse: number;
  let favourable: number;
  if (p.sign === 1) {
    adverse = p.avgF - m.bidLow;
    favourable = m.bidHigh - p.avgF;
  } else {
    adverse = m.askHigh - p.avgF;
    favourable = p.avgF - m.askLow;
  }
  if (adverse > p.maxAdverseExcursion) p.maxAdverseExcursion = adverse;
  if (favourable > p.maxFavorableExcursion) p.maxFavorableExcursion = favourable;
}

/** Per-bar mark-to-market of the float mirror; returns the change in unrealised P&L. */
export function markPosition(p: PositionLedger, m: BarMarks): number {
  const before = p.upnlF;
  p.markF = markOf(p.sign, m);
  p.upnlF = unrealisedF(p.sign, p.qtyF, p.avgF, p.contractSizeF, p.markF);
  return p.upnlF - before;
}

/**
 * A position with new figures and the identity and excursions of `pos`. Every ledger object is
 * built by this function or `open`, with the same properties in the same order: a spread
 * (`{ ...pos, quantity }`) costs microseconds per property on V8 and gives each copy its own shape.
 */
function derive(
  pos: PositionLedger,
  quantity: Decimal,
  averagePrice: Decimal,
  maxQuantity: Decimal,
  grossPnl: Decimal,
  fees: Decimal,
  exitQuantity: Decimal,
  exitNotional: Decimal,
  qtyF: number,
  avgF: number,
  markF: number,
  upnlF: number,
  maxAdverseExcursion: number,
  maxFavorableExcursion: number,
): PositionLedger {
  return {
    positionId: pos.positionId,
    venue: pos.venue,
    symbol: pos.symbol,
    direction: pos.direction,
    quantity,
    averagePrice,
    maxQuantity,
    openedAt: pos.openedAt,
    heldFrom: pos.heldFrom,
    entryOrderId: pos.entryOrderId,
    origin: pos.origin,
    strategy: pos.strategy,
    grossPnl,
    fees,
    exitQuantity,
    exitNotional,
    sign: pos.sign,
    qtyF,
    avgF,
    contractSizeF: pos.contractSizeF,
    markF,
    upnlF,
    maxAdverseExcursion,
    maxFavorableExcursion,
  };
}

/** `pos` with a new quantity (and average), marked at the current bar. */
function remarked(
  pos: PositionLedger,
  quantity: Decimal,
  averagePrice: Decimal,
  avgF: number,
  maxQuantity: Decimal,
  grossPnl: Decimal,
  fees: Decimal,
  exitQuantity: Decimal,
  exitNotional: Decimal,
  maxAdverseExcursion: number,
  maxFavorableExcursion: number,
  ctx: LedgerContext,
): PositionLedger {
  const qtyF = quantity.toNumber();
  const markF = markOf(pos.sign, ctx.marks);
  const upnlF = unrealisedF(pos.sign, qtyF, avgF, pos.contractSizeF, markF);
  return derive(
    pos,
    quantity,
    averagePrice,
    maxQuantity,
    grossPnl,
    fees,
    exitQuantity,
    exitNotional,
    qtyF,
    avgF,
    markF,
    upnlF,
    maxAdverseExcursion,
    maxFavorableExcursion,
  );
}

function open(f: FillFacts, quantity: Decimal, fee: Decimal, ctx: LedgerContext): PositionLedger {
  const sign = f.side === 'buy' ? 1 : -1;
  const qtyF = quantity === f.quantity && f.quantityF !== undefined ? f.quantityF : quantity.toNumber();
  const avgF = f.priceF ?? f.price.toNumber();
  const contractSizeF = ctx.contractSizeF;
  const markF = markOf(sign, ctx.marks);
  const p: PositionLedger = {
    positionId: positionIdFor(f.fillId),
    venue: f.venue,
    symbol: f.symbol,
    direction: directionOf(f.side),
    quantity,
    averagePrice: f.price,
    maxQuantity: quantity,
    openedAt: f.ts,
    heldFrom: f.barOpenTime ?? f.ts,
    entryOrderId: f.orderId,
    origin: f.origin,
    strategy: f.strategy,
    grossPnl: ZERO,
    fees: fee,
    exitQuantity: ZERO,
    exitNotional: ZERO,
    sign,
    qtyF,
    avgF,
    contractSizeF,
    markF,
    upnlF: unrealisedF(sign, qtyF, avgF, contractSizeF, markF),
    maxAdverseExcursion: 0,
    maxFavorableExcursion: 0,
  };
  // The opening bar counts in full: we cannot tell which of its extremes came after the fill.
  widenExcursions(p, ctx.marks);
  return p;
}

/**
 * Applies one fill to the symbol's position (undefined = flat). Pure: returns new objects and
 * never changes `pos`. Realised P&L per reducing fill = (exit − average) × quantity ×
 * contract size × sign, rounded to the minor unit; a reversal splits the fee pro rata between
 * the closed and the opened part.
 */
export function applyFill(pos: PositionLedger | undefined, f: FillFacts, ctx: LedgerContext): FillOutcome {
  if (pos === undefined) {
    return { position: open(f, f.quantity, f.fee, ctx), closed: undefined, opened: true, realized: ZERO, openedQuantity: f.quantity };
  }
  const adds = (f.side === 'buy') === (pos.sign === 1);
  if (adds) {
    const quantity = pos.quantity.plus(f.quantity);
    const averagePrice = pos.averagePrice.mul(pos.quantity).plus(f.price.mul(f.quantity)).div(quantity);
    const next = remarked(
      pos,
      quantity,
      averagePrice,
      averagePrice.toNumber(),
      Decimal.max(pos.maxQuantity, quantity),
      pos.grossPnl,
      pos.fees.plus(f.fee),
      pos.exitQuantity,
      pos.exitNotional,
      pos.maxAdverseExcursion,
      pos.maxFavorableExcursion,
      ctx,
    );
    return { position: next, closed: undefined, opened: false, realized: ZERO, openedQuantity: f.quantity };
  }

  const cd = currencyDecimals(ctx.currency);
  // A bracket child closing its entry's position carries the very quantity object it opened with.
  const closesAll = f.quantity === pos.quantity || f.quantity.gte(pos.quantity);
  const closing = closesAll ? pos.quantity : f.quantity;
  const remainder = closesAll ? minusExact(f.quantity, closing) : ZERO;
  // Multiplying by a contract size of 1 or by +1 is exact and changes nothing: skipped.
  let gross = f.price.minus(pos.averagePrice).mul(closing);
  if (ctx.unitContract !== true) gross = gross.mul(ctx.contractSize);
  if (pos.sign === -1) gross = gross.neg();
  const realized = gross.toDecimalPlaces(cd, Decimal.ROUND_HALF_EVEN);
  const closeFee = remainder.isZero() ? f.fee : f.fee.mul(closing).div(f.quantity).toDecimalPlaces(cd, Decimal.ROUND_HALF_EVEN);
  // The exit price itself counts as an excursion: a stop filled with slippage beyond the bar's
  // extreme still cost that much.
  const exitMove = ((f.priceF ?? f.price.toNumber()) - pos.avgF) * pos.sign;
  const grossPnl = plusExact(pos.grossPnl, realized);
  const fees = pos.fees.plus(closeFee);
  const exitQuantity = plusExact(pos.exitQuantity, closing);
  const exitNotional = plusExact(pos.exitNotional, f.price.mul(closing));
  const mae = Math.max(pos.maxAdverseExcursion, -exitMove);
  const mfe = Math.max(pos.maxFavorableExcursion, exitMove);
  if (!closesAll) {
    const next = remarked(
      pos,
      pos.quantity.minus(closing),
      pos.averagePrice,
      pos.avgF,
      pos.maxQuantity,
      grossPnl,
      fees,
      exitQuantity,
      exitNotional,
      mae,
      mfe,
      ctx,
    );
    return { position: next, closed: undefined, opened: false, realized, openedQuantity: ZERO };
  }
  // remainder ≥ 0 here, so > 0 is ≠ 0.
  const reversed = !remainder.isZero();
  const final = derive(
    pos,
    ZERO,
    pos.averagePrice,
    pos.maxQuantity,
    grossPnl,
    fees,
    exitQuantity,
    exitNotional,
    0,
    pos.avgF,
    pos.markF,
    0,
    mae,
    mfe,
  );
  const closed: ClosedPosition = { position: final, exitReason: exitReasonFor(f.role, reversed), closedAt: f.ts, holdingMs: f.ts - pos.heldFrom };
  if (!reversed) return { position: undefined, closed, opened: false, realized, openedQuantity: ZERO };
  return {
    position: open(f, remainder, f.fee.minus(closeFee), ctx),
    closed,
    opened: true,
    realized,
    openedQuantity: remainder,
  };
}

/** Average exit price of a closed position (exact; may carry many digits after scaling out). */
export function exitPriceOf(p: PositionLedger): Decimal {
  return p.exitQuantity.isZero() ? p.averagePrice : p.exitNotional.div(p.exitQuantity);
}
