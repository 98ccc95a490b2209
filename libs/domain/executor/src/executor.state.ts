import { currencyDecimals, dec, Decimal, Envelope, MS_PER_DAY, utcDayStart, ZERO } from '@tradeloop/kernel';
import type {
  BarClosedData,
  OrderAcceptedData,
  OrderApprovedData,
  OrderFilledData,
  OrderStatus,
  OrderSubmittedData,
} from '@tradeloop/contracts';
import { parseDecimal, resolveInstrument, ResolvedExecutorConfig, SymbolSpec, symbolSpecOf } from './executor.config';
import type { Handoff } from './executor.handoff';
import { type MidSlot, toAccount } from './executor.currency';
import { applyFill, BarMarks, LedgerContext, markPosition, PositionLedger, widenExcursions } from './executor.ledger';

/** An order as the executor tracks it: the submitted order plus status and matching mirrors. */
export interface OrderRecord extends OrderSubmittedData {
  /** Bracket of an entry, attached as OCO children once it fills. */
  readonly stopLoss?: string;
  readonly takeProfit?: string;
  /** Event time of OrderSubmitted; the order may fill on bars that open at or after it. */
  readonly submittedAt: number;
  /** DAY orders expire on the first bar opening at or after this (end of the submission's UTC day). */
  readonly dayEnd: number;
  readonly correlationId: string;
  readonly account: string;
  readonly qty: Decimal;
  /** Limit or stop price (undefined for market orders) and its float mirror (NaN for market). */
  readonly price: Decimal | undefined;
  readonly priceF: number;
  status: OrderStatus;
  filledQuantity: Decimal;
}

/**
 * Matching state of one market: a symbol at one venue (EURUSD at OANDA and EURUSD at FXCM are
 * two books, two positions: an order fills on its own venue's bars only). The bar fields are
 * the last bar seen while the book was active.
 */
export interface SymbolBook extends BarMarks, SymbolSpec {
  readonly venue: string;
  readonly symbol: string;
  /** The book of the same symbol at another venue, if any: `books` holds the first, each the next. */
  otherVenue: SymbolBook | undefined;
  /** Accepted, not yet terminal orders, in submission order. Small: scanned per bar. */
  readonly working: OrderRecord[];
  position: PositionLedger | undefined;
  bidHigh: number;
  bidLow: number;
  bidClose: number;
  askHigh: number;
  askLow: number;
  askClose: number;
}

export interface ExecutorState {
  readonly startingCash: Decimal;
  /**
   * The account currency, fixed by config or by the first accepted order. Instruments quoted in
   * another currency are booked converted (executor.currency.ts).
   */
  currency: string | undefined;
  /** Exact account figures in the account currency; cash = startingCash + realizedPnl − fees at all times. */
  cash: Decimal;
  realizedPnl: Decimal;
  fees: Decimal;
  /** Float mirror of cash for the per-bar equity read. */
  cashF: number;
  /** Fills applied to the account: the sequence of its last AccountUpdated. */
  accountUpdates: number;
  /** Every order ever submitted, by order id (terminal ones stay: CancelOrder and audits look them up). */
  readonly orders: Map<string, OrderRecord>;
  /** client order id → order id. */
  readonly clientOrderIds: Map<string, string>;
  /** OrderApproved ids that already have their one entry order. */
  readonly approvedIds: Set<string>;
  /** Brackets of approved orders between OrderApproved and their OrderSubmitted (same handling). */
  readonly pendingBrackets: Map<string, { readonly stopLoss?: string; readonly takeProfit?: string }>;
  /**
   * Books by symbol: the first venue's, the others chained through `otherVenue` (bookOf). One
   * map lookup per bar, as when books were per symbol; a second venue costs a comparison.
   */
  readonly books: Map<string, SymbolBook>;
  /** Every book, in the order they were opened (the kill switch's and the reports' order). */
  readonly bookList: SymbolBook[];
  /** Books holding an open position, for the equity read. */
  readonly openBooks: SymbolBook[];
  /** Every symbol's last bar mid: the conversion rates of instruments quoted in another currency. */
  readonly mids: Map<string, MidSlot>;
  /** The slot of the last bar's symbol: runs of one symbol's bars skip the map. */
  lastMid: MidSlot | undefined;
}

export function initialExecutorState(cfg: ResolvedExecutorConfig): ExecutorState {
  return {
    startingCash: cfg.startingCashDec,
    currency: cfg.currency,
    cash: cfg.startingCashDec,
    realizedPnl: ZERO,
    fees: ZERO,
    cashF: cfg.startingCashDec.toNumber(),
    accountUpdates: 0,
    orders: new Map(),
    clientOrderIds: new Map(),
    approvedIds: new Set(),
    pendingBrackets: new Map(),
    books: new Map(),
    bookList: [],
    openBooks: [],
    mids: new Map(),
    lastMid: undefined,
  };
}

export function isWorking(o: OrderRecord): boolean {
  return o.status === 'accepted' || o.status === 'partially_filled';
}

export function isProtective(o: OrderRecord): boolean {
  return o.role === 'stop_loss' || o.role === 'take_profit';
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];

/**
 * `d` with at least `places` decimals, the same string as `d.toFixed(max(places, d.dp()))`:
 * built from the plain `toFixed()`, which is several times cheaper than `toFixed(n)`.
 */
export function fixedAtLeast(d: Decimal, places: number): string {
  const s = d.toFixed();
  const dp = d.decimalPlaces();
  if (dp >= places) return s;
  if (places - dp >= ZEROS.length) return d.toFixed(places);
  return (dp === 0 ? s + '.' : s) + ZEROS[places - dp];
}

/** Exact money string with at least the currency's minor-unit decimals ("100000.00"). */
export function money(d: Decimal, currency: string): string {
  return fixedAtLeast(d, currencyDecimals(currency));
}

/**
 * An order record with every property in one fixed order, so all records share one shape
 * (a spread of the submitted payload costs microseconds per added property on V8). Optional
 * fields are present as undefined when absent.
 */
export function newOrderRecord(
  d: OrderSubmittedData,
  ts: number,
  correlationId: string,
  account: string,
  stopLoss: string | undefined,
  takeProfit: string | undefined,
  qty: Decimal,
  price: Decimal | undefined,
  priceText: string | undefined,
  status: OrderStatus,
): OrderRecord {
  return {
    orderId: d.orderId,
    clientOrderId: d.clientOrderId,
    approvedOrderId: d.approvedOrderId,
    riskApprovalId: d.riskApprovalId,
    venue: d.venue,
    symbol: d.symbol,
    side: d.side,
    type: d.type,
    quantity: d.quantity,
    limitPrice: d.limitPrice,
    stopPrice: d.stopPrice,
    timeInForce: d.timeInForce,
    role: d.role,
    parentOrderId: d.parentOrderId,
    ocoGroup: d.ocoGroup,
    origin: d.origin,
    strategy: d.strategy,
    stopLoss,
    takeProfit,
    submittedAt: ts,
    dayEnd: utcDayStart(ts) + MS_PER_DAY,
    correlationId,
    account,
    qty,
    price,
    // Number() of the text parsed into `price` is the same double as price.toNumber(), for less.
    priceF: price === undefined ? Number.NaN : Number(priceText),
    status,
    filledQuantity: ZERO,
  };
}

/** The record evolve keeps for an OrderSubmitted; the decider builds the same for children it places mid-bar. */
export function orderRecordOf(
  d: OrderSubmittedData,
  meta: { ts: number; correlationId: string; account: string },
  bracket: { readonly stopLoss?: string; readonly takeProfit?: string } | undefined,
  status: OrderStatus,
): OrderRecord {
  const priceStr = d.type === 'limit' ? d.limitPrice : d.type === 'stop' ? d.stopPrice : undefined;
  const price = priceStr === undefined ? undefined : parseDecimal(priceStr);
  return newOrderRecord(
    d,
    meta.ts,
    meta.correlationId,
    meta.account,
    bracket?.stopLoss,
    bracket?.takeProfit,
    parseDecimal(d.quantity) ?? ZERO,
    price,
    priceStr,
    status,
  );
}

/** The book of `symbol` at `venue`, if an order on it was ever accepted. */
export function bookOf(state: ExecutorState, venue: string, symbol: string): SymbolBook | undefined {
  let b = state.books.get(symbol);
  while (b !== undefined && b.venue !== venue) b = b.otherVenue;
  return b;
}

export function bookFor(state: ExecutorState, cfg: ResolvedExecutorConfig, venue: string, symbol: string): SymbolBook {
  let b = bookOf(state, venue, symbol);
  if (b === undefined) {
    const spec = symbolSpecOf(resolveInstrument(symbol, cfg.instruments));
    b = {
      venue,
      symbol,
      otherVenue: undefined,
      instrument: spec.instrument,
      tick: spec.tick,
      tickPlaces: spec.tickPlaces,
      lot: spec.lot,
      lotPlaces: spec.lotPlaces,
      minQuantity: spec.minQuantity,
      contractSize: spec.contractSize,
      contractSizeF: spec.contractSizeF,
      unitContract: spec.unitContract,
      excursionDigits: spec.excursionDigits,
      working: [],
      position: undefined,
      // NaN until the first bar: a log folded without bars must not invent excursions or marks.
      bidHigh: Number.NaN,
      bidLow: Number.NaN,
      bidClose: Number.NaN,
      askHigh: Number.NaN,
      askLow: Number.NaN,
      askClose: Number.NaN,
    };
    let first = state.books.get(symbol);
    if (first === undefined) state.books.set(symbol, b);
    else {
      while (first.otherVenue !== undefined) first = first.otherVenue;
      first.otherVenue = b;
    }
    state.bookList.push(b);
  }
  return b;
}

/** The ledger of `book`'s position, whose money is `currency` (the account's, or the quote currency of an instrument booked converted). */
export function ledgerContext(book: SymbolBook, currency: string): LedgerContext {
  return {
    currency,
    contractSize: book.contractSize,
    contractSizeF: book.contractSizeF,
    marks: book,
    unitContract: book.unitContract,
  };
}

function removeWorking(state: ExecutorState, o: OrderRecord): void {
  const b = bookOf(state, o.venue, o.symbol);
  if (b === undefined) return;
  const i = b.working.indexOf(o);
  if (i >= 0) b.working.splice(i, 1);
}

function setPosition(state: ExecutorState, b: SymbolBook, p: PositionLedger | undefined): void {
  const wasOpen = b.position !== undefined;
  b.position = p;
  if (wasOpen === (p !== undefined)) return;
  if (p !== undefined) state.openBooks.push(b);
  else state.openBooks.splice(state.openBooks.indexOf(b), 1);
}

function onBar(state: ExecutorState, d: BarClosedData): ExecutorState {
  let m = state.lastMid;
  if (m === undefined || m.symbol !== d.symbol) {
    m = state.mids.get(d.symbol);
    if (m === undefined) state.mids.set(d.symbol, (m = { symbol: d.symbol, mid: Number.NaN }));
    state.lastMid = m;
  }
  m.mid = d.askClose === undefined ? d.close : (d.close + d.askClose) / 2;
  const b = bookOf(state, d.venue, d.symbol);
  // Hot path: a market with nothing working and nothing held costs the lookup.
  if (b === undefined || (b.working.length === 0 && b.position === undefined)) return state;
  b.bidHigh = d.high;
  b.bidLow = d.low;
  b.bidClose = d.close;
  b.askHigh = d.askHigh ?? d.high;
  b.askLow = d.askLow ?? d.low;
  b.askClose = d.askClose ?? d.close;
  const p = b.position;
  if (p !== undefined) {
    widenExcursions(p, b);
    markPosition(p, b);
  }
  return state;
}

function onFilled(state: ExecutorState, m: Envelope<'OrderFilled', OrderFilledData>, handoff: Handoff | undefined): ExecutorState {
  const d = m.data;
  const o = state.orders.get(d.orderId);
  const b = o === undefined ? undefined : bookOf(state, o.venue, o.symbol);
  if (o === undefined || b === undefined) return state;
  const h = handoff?.takeFill(d);
  if (
    h !== undefined &&
    h.state === state &&
    h.positionBefore === b.position &&
    h.filledBefore === o.filledQuantity &&
    h.cashBefore === state.cash &&
    h.realizedBefore === state.realizedPnl &&
    h.feesBefore === state.fees
  ) {
    // decide applied this very fill to exactly these figures: take its results.
    setPosition(state, b, h.position);
    settleOrder(state, o, h.filledQuantity);
    state.realizedPnl = h.realizedPnl;
    state.fees = h.fees;
    state.cash = h.cash;
    state.cashF = h.cashF;
    state.accountUpdates += 1;
    return state;
  }
  const quantity = dec(d.quantity);
  const fee = dec(d.fee);
  const out = applyFill(
    b.position,
    {
      fillId: d.fillId,
      orderId: o.orderId,
      role: o.role,
      venue: o.venue,
      symbol: o.symbol,
      side: o.side,
      quantity,
      price: dec(d.price),
      fee,
      ts: m.ts,
      barOpenTime: d.barOpenTime,
      origin: o.origin,
      strategy: o.strategy,
    },
    ledgerContext(b, d.feeCurrency),
  );
  setPosition(state, b, out.position);
  settleOrder(state, o, o.filledQuantity.plus(quantity));
  // A fill booked converted says at which rate; the amounts are recomputed from it exactly as decide did.
  let realized = out.realized;
  let accountFee = fee;
  if (d.conversionRate !== undefined && d.accountCurrency !== undefined) {
    const rate = dec(d.conversionRate);
    const places = currencyDecimals(d.accountCurrency);
    realized = toAccount(realized, rate, places);
    accountFee = toAccount(fee, rate, places);
  }
  state.realizedPnl = state.realizedPnl.plus(realized);
  state.fees = state.fees.plus(accountFee);
  state.cash = state.cash.plus(realized).minus(accountFee);
  state.cashF = state.cash.toNumber();
  state.accountUpdates += 1;
  return state;
}

function settleOrder(state: ExecutorState, o: OrderRecord, filledQuantity: Decimal): void {
  o.filledQuantity = filledQuantity;
  if (filledQuantity.gte(o.qty)) {
    o.status = 'filled';
    removeWorking(state, o);
  } else {
    o.status = 'partially_filled';
  }
}

function terminal(state: ExecutorState, orderId: string, status: OrderStatus): ExecutorState {
  const o = state.orders.get(orderId);
  // Terminal stays terminal: a late or repeated report never moves an order back.
  if (o === undefined || o.status === 'filled' || o.status === 'cancelled' || o.status === 'rejected' || o.status === 'expired') {
    return state;
  }
  o.status = status;
  removeWorking(state, o);
  return state;
}

/**
 * Folds inputs and the executor's own outputs. Every state change the decider causes arrives
 * here as one of its outputs, so folding a log rebuilds the live state exactly. Mutates in
 * place (the host owns the state). `handoff` (the decider's, see executor.handoff.ts) only
 * saves work: without it the result is the same.
 */
export function evolveExecutor(cfg: ResolvedExecutorConfig, state: ExecutorState, m: Envelope, handoff?: Handoff): ExecutorState {
  switch (m.type) {
    case 'BarClosed':
      handoff?.reset();
      return onBar(state, m.data as BarClosedData);
    case 'OrderApproved': {
      handoff?.reset();
      const spec = (m.data as OrderApprovedData).order;
      if (!state.approvedIds.has(m.id) && (spec.stopLoss !== undefined || spec.takeProfit !== undefined)) {
        state.pendingBrackets.set(m.id, { stopLoss: spec.stopLoss, takeProfit: spec.takeProfit });
      }
      return state;
    }
    case 'OrderSubmitted': {
      const d = m.data as OrderSubmittedData;
      if (state.clientOrderIds.has(d.clientOrderId)) return state;
      let bracket: { stopLoss?: string; takeProfit?: string } | undefined;
      if (d.role === 'entry') {
        bracket = state.pendingBrackets.get(d.approvedOrderId);
        if (bracket !== undefined) state.pendingBrackets.delete(d.approvedOrderId);
        state.approvedIds.add(d.approvedOrderId);
      }
      state.orders.set(d.orderId, orderRecordOf(d, m, bracket, 'submitted'));
      state.clientOrderIds.set(d.clientOrderId, d.orderId);
      return state;
    }
    case 'OrderAccepted': {
      const o = state.orders.get((m.data as OrderAcceptedData).orderId);
      if (o === undefined || o.status !== 'submitted') return state;
      o.status = 'accepted';
      const b = bookFor(state, cfg, o.venue, o.symbol);
      b.working.push(o);
      if (state.currency === undefined) state.currency = b.instrument.quoteCurrency;
      return state;
    }
    case 'OrderFilled':
      return onFilled(state, m as Envelope<'OrderFilled', OrderFilledData>, handoff);
    case 'OrderCancelled':
      return terminal(state, (m.data as { orderId: string }).orderId, 'cancelled');
    case 'OrderRejected':
      return terminal(state, (m.data as { orderId: string }).orderId, 'rejected');
    case 'OrderExpired':
      return terminal(state, (m.data as { orderId: string }).orderId, 'expired');
    case 'TradingStateChanged':
    case 'CancelOrder':
      handoff?.reset();
      return state;
    default:
      // PositionOpened/Changed/Closed and AccountUpdated restate what OrderFilled already applied.
      return state;
  }
}
