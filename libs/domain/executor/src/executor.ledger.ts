import { Decimal, nameId, roundMoney, ZERO } from '@tradeloop/kernel';
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
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
}

export interface ClosedPosition {
  /** The position's final figures, this fill's exit included. */
  readonly position: PositionLedger;
  readonly exitReason: ExitReason;
  readonly closedAt: number;
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

function unrealisedF(p: { sign: number; qtyF: number; avgF: number; contractSizeF: number }, mark: number): number {
  // No bar seen yet (state rebuilt from a log without bars): carry the position at cost.
  return Number.isNaN(mark) ? 0 : p.sign * p.qtyF * (mark - p.avgF) * p.contractSizeF;
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
  p.upnlF = unrealisedF(p, p.markF);
  return p.upnlF - before;
}

function withQuantity(
  base: Omit<PositionLedger, 'qtyF' | 'avgF' | 'markF' | 'upnlF'>,
  ctx: LedgerContext,
): PositionLedger {
  const p: PositionLedger = {
    ...base,
    qtyF: base.quantity.toNumber(),
    avgF: base.averagePrice.toNumber(),
    markF: 0,
    upnlF: 0,
  };
  p.markF = markOf(p.sign, ctx.marks);
  p.upnlF = unrealisedF(p, p.markF);
  return p;
}

function open(f: FillFacts, quantity: Decimal, fee: Decimal, ctx: LedgerContext): PositionLedger {
  const sign = f.side === 'buy' ? 1 : -1;
  const p = withQuantity(
    {
      positionId: positionIdFor(f.fillId),
      venue: f.venue,
      symbol: f.symbol,
      direction: directionOf(f.side),
      quantity,
      averagePrice: f.price,
      maxQuantity: quantity,
      openedAt: f.ts,
      entryOrderId: f.orderId,
      origin: f.origin,
      ...(f.strategy !== undefined ? { strategy: f.strategy } : {}),
      grossPnl: ZERO,
      fees: fee,
      exitQuantity: ZERO,
      exitNotional: ZERO,
      sign,
      contractSizeF: ctx.contractSizeF,
      maxAdverseExcursion: 0,
      maxFavorableExcursion: 0,
    },
    ctx,
  );
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
    const next = withQuantity(
      {
        ...pos,
        quantity,
        averagePrice,
        maxQuantity: Decimal.max(pos.maxQuantity, quantity),
        fees: pos.fees.plus(f.fee),
      },
      ctx,
    );
    return { position: next, closed: undefined, opened: false, realized: ZERO, openedQuantity: f.quantity };
  }

  const closing = Decimal.min(f.quantity, pos.quantity);
  const remainder = f.quantity.minus(closing);
  const realized = roundMoney(f.price.minus(pos.averagePrice).mul(closing).mul(ctx.contractSize).mul(pos.sign), ctx.currency);
  const closeFee = remainder.isZero() ? f.fee : roundMoney(f.fee.mul(closing).div(f.quantity), ctx.currency);
  // The exit price itself counts as an excursion: a stop filled with slippage beyond the bar's
  // extreme still cost that much.
  const exitMove = (f.price.toNumber() - pos.avgF) * pos.sign;
  const reduced = {
    ...pos,
    grossPnl: pos.grossPnl.plus(realized),
    fees: pos.fees.plus(closeFee),
    exitQuantity: pos.exitQuantity.plus(closing),
    exitNotional: pos.exitNotional.plus(f.price.mul(closing)),
    maxAdverseExcursion: Math.max(pos.maxAdverseExcursion, -exitMove),
    maxFavorableExcursion: Math.max(pos.maxFavorableExcursion, exitMove),
  };
  if (closing.lt(pos.quantity)) {
    const next = withQuantity({ ...reduced, quantity: pos.quantity.minus(closing) }, ctx);
    return { position: next, closed: undefined, opened: false, realized, openedQuantity: ZERO };
  }
  const reversed = remainder.gt(0);
  const closed: ClosedPosition = {
    position: { ...reduced, quantity: ZERO, qtyF: 0, upnlF: 0 },
    exitReason: exitReasonFor(f.role, reversed),
    closedAt: f.ts,
  };
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
