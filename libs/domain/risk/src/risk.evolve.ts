import { dec, type Envelope, marketKey, MS_PER_DAY, utcDayStart, ZERO } from '@tradeloop/kernel';
import type {
  AccountUpdatedData,
  BarClosedData,
  OrderFilledData,
  OrderSubmittedData,
  PositionClosedData,
  RiskApprovedData,
} from '@tradeloop/contracts';
import type { RiskConfig } from './risk.config';
import { ONE, PRECISION } from './risk.facts';
import { ApprovalReservation, lookupInstrument, rateToAccount, reducesPosition, type RiskState, valuation } from './risk.state';

/** Trailing window of the message-rate limit. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Folds one message (an input, or risk's own output) into the state, in place. Restart
 * safety rests on this being the only place state changes: folding the log of inputs and
 * outputs rebuilds exactly the state live handling reached.
 */
export function evolveRisk(state: RiskState, m: Envelope, cfg: RiskConfig): RiskState {
  // Days only move forward: a late message from yesterday must not reopen its counters.
  if (m.ts >= state.dayEnd) rollDay(state, m.ts, cfg);
  switch (m.type) {
    case 'BarClosed':
      storePrice(state, m.data as BarClosedData, m.ts);
      return state;
    case 'RiskApproved':
      reserve(state, m.id, m.data as RiskApprovedData, m.ts, cfg);
      return state;
    case 'OrderSubmitted':
      linkOrder(state, m.data as OrderSubmittedData);
      return state;
    case 'OrderFilled':
      applyFill(state, m.data as OrderFilledData);
      return state;
    case 'OrderCancelled':
    case 'OrderRejected':
    case 'OrderExpired':
      releaseOrder(state, (m.data as { orderId: string }).orderId);
      return state;
    case 'OrderDisplayed':
    case 'ApprovalRejected':
    case 'ApprovalExpired':
      state.reservations.delete((m.data as { riskApprovalId: string }).riskApprovalId);
      return state;
    case 'PositionClosed':
      recordClose(state, m.data as PositionClosedData, m.ts);
      return state;
    case 'AccountUpdated': {
      const d = m.data as AccountUpdatedData;
      state.cash = dec(d.cash);
      state.accountCurrency = d.currency;
      return state;
    }
    case 'TradingStateChanged':
      state.tradingState = (m.data as { state: RiskState['tradingState'] }).state;
      return state;
    default:
      return state;
  }
}

function rollDay(state: RiskState, ts: number, cfg: RiskConfig): void {
  const first = state.dayEnd === Number.NEGATIVE_INFINITY;
  state.dayStart = utcDayStart(ts);
  state.dayEnd = state.dayStart + MS_PER_DAY;
  state.approvalsToday = 0;
  state.realisedToday = ZERO;
  // Once a day, so the Decimal marking here costs nothing on the per-bar path.
  state.startOfDayEquity = valuation(state, cfg).equity;
  if (!first && cfg.lossStreakResetsDaily) state.lossStreak = 0;
}

function storePrice(state: RiskState, d: BarClosedData, ts: number): void {
  // Quote bars carry the bid in open..close: mark at the mid so longs and shorts are valued alike.
  const price = d.askClose === undefined ? d.close : (d.close + d.askClose) / 2;
  if (!(price > 0)) return;
  const slot = state.prices.get(d.symbol);
  const interval = ts - d.openTime;
  if (slot === undefined) {
    state.prices.set(d.symbol, { price, ts, interval, venue: d.venue, venues: [d.venue] });
    return;
  }
  // A second venue's bars: noted once (one string comparison per bar otherwise).
  if (d.venue !== slot.venue && !slot.venues.includes(d.venue)) slot.venues.push(d.venue);
  if (ts >= slot.ts) {
    slot.price = price;
    slot.ts = ts;
    slot.interval = interval;
    slot.venue = d.venue;
  }
}

function reserve(state: RiskState, id: string, d: RiskApprovedData, ts: number, cfg: RiskConfig): void {
  const qty = dec(d.order.quantity);
  const inst = lookupInstrument(d.order.symbol, cfg);
  // decide priced this order moments ago from the same state, so the rate is present; the
  // quote-currency notional is only a fallback for a log written under other settings.
  const rate = inst === undefined ? undefined : rateToAccount(state, inst.quoteCurrency);
  const notional = dec(d.notional);
  // A string of at most 40 characters has at most 40 significant digits, so × 1 is exact.
  const inAccount =
    rate === undefined || (rate === ONE && d.notional.length <= PRECISION) ? notional : notional.mul(rate);
  // decide judged the order on this same state, before its own reservation: an order that only
  // reduces a position is neither refused nor counted by the trade count and message rate.
  const reduces = reducesPosition(state, d.order.venue, d.order.symbol, d.order.side, qty);
  state.reservations.set(id, new ApprovalReservation(d.order.venue, d.order.symbol, d.order.side, d.order.origin, qty, qty, inAccount, undefined));
  if (reduces) return;
  state.approvalsToday += 1;
  const recent = state.recentApprovals;
  recent.push(ts);
  while (recent.length > 0 && recent[0] <= ts - RATE_WINDOW_MS) recent.shift();
}

function linkOrder(state: RiskState, d: OrderSubmittedData): void {
  // Only the approval's first primary order holds its reservation: bracket children (and any
  // later close order tagged with the same approval) must not release it when they end.
  if (d.parentOrderId !== undefined) return;
  const r = state.reservations.get(d.riskApprovalId);
  if (r === undefined || r.orderId !== undefined) return;
  r.orderId = d.orderId;
  state.orderApprovals.set(d.orderId, d.riskApprovalId);
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

function applyFill(state: RiskState, d: OrderFilledData): void {
  const q = dec(d.quantity);
  if (q.lte(ZERO)) return;
  // The price is only needed when the fill opens or adds; a plain decimal string cannot fail
  // to parse, anything else is parsed now so a malformed one fails here as it always did.
  let price = PLAIN_DECIMAL.test(d.price) ? undefined : dec(d.price);
  const signed = d.side === 'buy' ? q : q.neg();
  // Per market, as the paper broker books it: EURUSD at OANDA and at FXCM are two positions.
  const key = marketKey(d.venue, d.symbol);
  const book = state.positions.get(key);
  if (book === undefined) {
    state.positions.set(key, { symbol: d.symbol, qty: signed, avgPrice: price ?? dec(d.price) });
  } else {
    const old = book.qty;
    const next = old.plus(signed);
    if (next.isZero()) {
      state.positions.delete(key);
    } else {
      if (old.isPos() === signed.isPos()) {
        price ??= dec(d.price);
        book.avgPrice = old.abs().mul(book.avgPrice).plus(q.mul(price)).div(old.abs().plus(q));
      } else if (next.isPos() !== old.isPos()) {
        // Flipped through zero: the remainder was opened at this fill's price.
        book.avgPrice = price ?? dec(d.price);
      }
      book.qty = next;
    }
  }

  const approvalId = state.orderApprovals.get(d.orderId);
  if (approvalId === undefined) return;
  const r = state.reservations.get(approvalId);
  const done = d.leavesQuantity === '0' || dec(d.leavesQuantity).lte(ZERO);
  if (r !== undefined) {
    r.remaining = r.remaining.minus(q);
    if (done || r.remaining.lte(ZERO)) state.reservations.delete(approvalId);
  }
  if (done) state.orderApprovals.delete(d.orderId);
}

function releaseOrder(state: RiskState, orderId: string): void {
  const approvalId = state.orderApprovals.get(orderId);
  if (approvalId === undefined) return;
  state.reservations.delete(approvalId);
  state.orderApprovals.delete(orderId);
}

function recordClose(state: RiskState, d: PositionClosedData, ts: number): void {
  const pnl = dec(d.realizedPnl);
  // P&L arrives in the instrument's quote currency; count it in the account's. With no
  // linking pair traded yet the raw amount is the only figure there is. A string of at most
  // 40 characters has at most 40 significant digits, so × 1 would not change it.
  const rate = rateToAccount(state, d.currency);
  const inAccount = rate === undefined || (rate === ONE && d.realizedPnl.length <= PRECISION) ? pnl : pnl.mul(rate);
  state.realisedToday = state.realisedToday.plus(inAccount);
  // A break-even close (exactly zero, or "-0.00") neither extends nor ends a streak.
  if (inAccount.lt(ZERO)) {
    state.lossStreak += 1;
    state.lastLossAt.set(d.symbol, ts);
  } else if (inAccount.gt(ZERO)) {
    state.lossStreak = 0;
  }
}
