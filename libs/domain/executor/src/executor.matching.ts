import { clientOrderIdFor, currencyDecimals, dec, Decimal, deriveId, NO_OUTPUTS, ZERO } from '@tradeloop/kernel';
import type { BarClosedData, Message, OrderFilledData, OrderRole, OrderSubmittedData, PositionClosedData, Side } from '@tradeloop/contracts';
import { parseDecimal, ResolvedExecutorConfig } from './executor.config';
import type { Handoff } from './executor.handoff';
import { fillRate, isCross, toAccount } from './executor.currency';
import { applyFill, exitPriceOf, FillOutcome, LedgerContext, minOf, minusExact, plusExact, PositionLedger } from './executor.ledger';
import { brokerOrderIdFor, Building, CANCEL_REASONS, cancelDraft, draftFor, EXECUTOR_NAME, ExecutorOutput } from './executor.outputs';
import { bookOf, ExecutorState, fixedAtLeast, isProtective, ledgerContext, newOrderRecord, OrderRecord, SymbolBook } from './executor.state';
import {
  feeAt,
  FillQuote,
  limitFill,
  LimitFillRule,
  limitMarketableAtOpen,
  limitTriggered,
  marketFill,
  slippageOf,
  spreadAtOpen,
  stopFill,
  stopFillInside,
  stopTriggered,
  stopTriggeredAtOpen,
  triggers,
} from './paper-broker';

// The kernel's shared empty outputs, read once: the CommonJS build reads an imported binding
// through a getter (two, for a re-export) on every use, and this is read on every bar.
const NONE: readonly ExecutorOutput[] = NO_OUTPUTS;
const PRECISION = Decimal.precision;

/**
 * Matching working orders against one closed bar: the paper broker's rules (paper-broker.ts)
 * applied in order, with brackets, OCO and position accounting. See README.md, "The paper broker".
 */

/**
 * Scratch for one bar with activity. decide may not touch state (evolve applies the outputs
 * afterwards), so fills within the bar chain through this copy of the position and account.
 */
interface BarRun {
  readonly cfg: ResolvedExecutorConfig;
  readonly state: ExecutorState;
  readonly input: Message<'BarClosed'>;
  readonly bar: BarClosedData;
  readonly book: SymbolBook;
  /** The money of the book's position, fills and fees: the account currency, or the instrument's quote currency when it is booked converted. */
  readonly currency: string;
  /** The currency's minor-unit decimals. */
  readonly places: number;
  /** The account currency, and its minor-unit decimals. */
  readonly account: string;
  readonly accountPlaces: number;
  /** The instrument is quoted in another currency than the account's: its fills are booked converted. */
  readonly cross: boolean;
  readonly ctx: LedgerContext;
  readonly handoff: Handoff | undefined;
  readonly outs: ExecutorOutput[];
  /** Orders that reached a terminal state during this bar. */
  readonly done: Set<string>;
  /** Bracket children placed during this bar (not yet in state). */
  readonly children: OrderRecord[];
  pos: PositionLedger | undefined;
  cash: Decimal;
  realized: Decimal;
  fees: Decimal;
  /** The account's update count, one more with every fill of this bar. */
  accountUpdates: number;
  /** Ask − bid at the open as a wire string, made on the first fill; null until then. */
  spread: string | undefined | null;
}

function startRun(
  cfg: ResolvedExecutorConfig,
  state: ExecutorState,
  input: Message<'BarClosed'>,
  book: SymbolBook,
  handoff: Handoff | undefined,
): BarRun {
  // Accepted orders fixed the currency; the instrument's is only a fallback for a foreign log.
  const account = state.currency ?? book.instrument.quoteCurrency;
  const cross = isCross(book.instrument, account);
  const currency = cross ? book.instrument.quoteCurrency : account;
  const places = currencyDecimals(currency);
  handoff?.reset();
  return {
    cfg,
    state,
    input,
    bar: input.data,
    book,
    currency,
    places,
    account,
    accountPlaces: cross ? currencyDecimals(account) : places,
    cross,
    ctx: ledgerContext(book, currency),
    handoff,
    outs: [],
    done: new Set(),
    children: [],
    pos: book.position,
    cash: state.cash,
    realized: state.realizedPnl,
    fees: state.fees,
    accountUpdates: state.accountUpdates,
    spread: null,
  };
}

/** The envelope id the host will give the next output (ids derive from the cause and position). */
function nextId(run: BarRun): string {
  return deriveId(run.input.id, EXECUTOR_NAME, run.outs.length);
}

function isDone(run: BarRun | undefined, o: OrderRecord): boolean {
  return run !== undefined && run.done.has(o.orderId);
}

function cancel(run: BarRun, o: OrderRecord, reason: string): void {
  run.outs.push(cancelDraft(o, reason));
  run.done.add(o.orderId);
}

function expire(run: BarRun, o: OrderRecord): void {
  run.outs.push(draftFor('OrderExpired', { orderId: o.orderId, clientOrderId: o.clientOrderId, symbol: o.symbol }, o));
  run.done.add(o.orderId);
}

function isExpired(o: OrderRecord, openTime: number): boolean {
  return o.timeInForce === 'DAY' && openTime >= o.dayEnd;
}

/**
 * Orders submitted at a bar's close (or inside a bar) may fill only on bars that open at or
 * after their submission: nothing fills on prices from before it existed.
 */
function isEligible(o: OrderRecord, openTime: number): boolean {
  return openTime >= o.submittedAt;
}

/**
 * Whether `o` could do anything on this bar: a superset of what the matching below acts on,
 * checked with float comparisons only, so a bar on which nothing happens allocates nothing.
 * A protective pair acts only when one of its orders triggers, tested as bracketOnBar tests it.
 */
function mayAct(o: OrderRecord, bar: BarClosedData, openTime: number, rule: LimitFillRule): boolean {
  if (o.type === 'market') return isExpired(o, openTime) || isEligible(o, openTime);
  if (o.role === 'stop_loss') return stopTriggered(o.side, o.priceF, bar);
  if (o.role === 'take_profit') return limitTriggered(o.side, o.priceF, bar, rule);
  if (isExpired(o, openTime)) return true;
  if (!isEligible(o, openTime)) return false;
  return o.timeInForce === 'IOC' || o.timeInForce === 'FOK' || triggers(o, bar, rule);
}

export function onBar(
  cfg: ResolvedExecutorConfig,
  input: Message<'BarClosed'>,
  state: ExecutorState,
  handoff?: Handoff,
): readonly ExecutorOutput[] {
  const bar = input.data;
  const book = bookOf(state, bar.venue, bar.symbol);
  // Hot path: nothing working on this symbol (an open position alone is marked by evolve).
  if (book === undefined || book.working.length === 0) return NONE;
  const working = book.working;
  const n = working.length;
  const openTime = bar.openTime;
  const rule = cfg.limitFillRule;
  // Hot path too: resting orders that nothing on this bar reaches (a bracket waiting for its
  // levels, a limit below the market) cost a few float comparisons.
  let active = false;
  for (let i = 0; i < n && !active; i++) active = mayAct(working[i], bar, openTime, rule);
  if (!active) return NONE;
  let run: BarRun | undefined;

  // Market orders first: they fill at the open, before anything else can happen in the bar.
  for (let i = 0; i < n; i++) {
    const o = working[i];
    if (o.type !== 'market' || isDone(run, o)) continue;
    if (isExpired(o, openTime)) {
      run ??= startRun(cfg, state, input, book, handoff);
      expire(run, o);
    } else if (isEligible(o, openTime)) {
      run ??= startRun(cfg, state, input, book, handoff);
      fillEntry(run, o, quoteOf(run, o));
    }
  }

  // Then resting orders, in submission order.
  for (let i = 0; i < n; i++) {
    const o = working[i];
    if (o.type === 'market' || isDone(run, o)) continue;
    if (isProtective(o)) {
      if (isEligible(o, openTime)) run = bracketOnBar(cfg, state, input, book, o, run, handoff);
      continue;
    }
    if (isExpired(o, openTime)) {
      run ??= startRun(cfg, state, input, book, handoff);
      expire(run, o);
    } else if (!isEligible(o, openTime)) {
      continue;
    } else if (triggers(o, bar, rule)) {
      run ??= startRun(cfg, state, input, book, handoff);
      fillEntry(run, o, quoteOf(run, o));
    } else if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
      // Bar mode fills in full or not at all, so IOC and FOK behave alike: first eligible bar or never.
      run ??= startRun(cfg, state, input, book, handoff);
      cancel(run, o, o.timeInForce === 'IOC' ? CANCEL_REASONS.iocUnfilled : CANCEL_REASONS.fokUnfilled);
    }
  }
  return run === undefined ? NONE : run.outs;
}

/** The fill of `o`, known to trigger on the run's bar (paper-broker.ts `fillOf`, with the book's precomputed tick). */
function quoteOf(run: BarRun, o: OrderRecord): FillQuote {
  const b = run.book;
  switch (o.type) {
    case 'market':
      return marketFill(o.side, run.bar, b.tick, run.cfg.slippageRate, b.tickPlaces);
    case 'limit':
      return limitFill(o.side, o.price ?? dec(o.priceF), run.bar, b.tick, o.priceF, b.tickPlaces);
    case 'stop':
      return stopFill(o.side, o.price ?? dec(o.priceF), run.bar, b.tick, run.cfg.slippageRate, o.priceF, b.tickPlaces);
  }
}

/** The other live member of `o`'s OCO group, if any. */
function siblingOf(book: SymbolBook, run: BarRun | undefined, o: OrderRecord): OrderRecord | undefined {
  if (o.ocoGroup === undefined) return undefined;
  for (const x of book.working) if (x !== o && x.ocoGroup === o.ocoGroup && !isDone(run, x)) return x;
  if (run !== undefined) for (const x of run.children) if (x !== o && x.ocoGroup === o.ocoGroup && !isDone(run, x)) return x;
  return undefined;
}

/**
 * A protective pair on a bar after its entry's bar. When both the stop and the target are
 * inside the bar we cannot know which came first and assume the stop (conservative), unless
 * the bar opened through the target: then the target filled at the open, before anything else.
 */
function bracketOnBar(
  cfg: ResolvedExecutorConfig,
  state: ExecutorState,
  input: Message<'BarClosed'>,
  book: SymbolBook,
  o: OrderRecord,
  run: BarRun | undefined,
  handoff: Handoff | undefined,
): BarRun | undefined {
  const bar = input.data;
  const rule = cfg.limitFillRule;
  const sib = siblingOf(book, run, o);
  // A pair is judged once, from its stop-loss.
  if (o.role === 'take_profit' && sib !== undefined) return run;
  const sl = o.role === 'stop_loss' ? o : undefined;
  const tp = o.role === 'take_profit' ? o : sib;
  const slHit = sl !== undefined && stopTriggered(sl.side, sl.priceF, bar);
  const tpHit = tp !== undefined && limitTriggered(tp.side, tp.priceF, bar, rule);
  if (!slHit && !tpHit) return run;
  const chosen = (slHit && tpHit ? (limitMarketableAtOpen(tp.side, tp.priceF, bar, rule) ? tp : sl) : slHit ? sl : tp) as OrderRecord;
  const r = run ?? startRun(cfg, state, input, book, handoff);
  fillProtective(r, chosen, quoteOf(r, chosen));
  return r;
}

function fillEntry(run: BarRun, o: OrderRecord, quote: FillQuote): void {
  const fee = feeOf(run, o.qty, quote);
  const cumulative = plusExact(o.filledQuantity, o.qty);
  const fill = emitFill(run, o, quote, o.qty, fee, cumulative);
  const out = applyToRun(run, o, fill, quote.price, o.qty, fee, cumulative);
  if (out.closed !== undefined) cancelProtective(run, CANCEL_REASONS.positionClosed);
  // openedQuantity is never negative, so > 0 is ≠ 0.
  if (!out.openedQuantity.isZero() && (o.stopLoss !== undefined || o.takeProfit !== undefined)) {
    placeBracket(run, o, out.openedQuantity, filledAtOpen(run, o));
  }
}

/** Whether an entry filled at the bar's open: a market order, or a limit or stop the bar opened through. */
function filledAtOpen(run: BarRun, o: OrderRecord): boolean {
  switch (o.type) {
    case 'market':
      return true;
    case 'limit':
      return limitMarketableAtOpen(o.side, o.priceF, run.bar, run.cfg.limitFillRule);
    case 'stop':
      return stopTriggeredAtOpen(o.side, o.priceF, run.bar);
  }
}

/**
 * Protective orders only reduce: a child larger than what is left of the position (another
 * order scaled it down) fills for the position and its remainder is cancelled.
 */
function fillProtective(run: BarRun, o: OrderRecord, quote: FillQuote): void {
  const held = run.pos;
  const reduces = held !== undefined && (o.side === 'sell') === (held.sign === 1);
  const qty = reduces ? minOf(minusExact(o.qty, o.filledQuantity), held.quantity) : ZERO;
  if (qty.isZero()) {
    cancel(run, o, CANCEL_REASONS.positionClosed);
    return;
  }
  const fee = feeOf(run, qty, quote);
  const cumulative = plusExact(o.filledQuantity, qty);
  const fill = emitFill(run, o, quote, qty, fee, cumulative);
  if (!run.done.has(o.orderId)) cancel(run, o, CANCEL_REASONS.reduceOnly);
  const out = applyToRun(run, o, fill, quote.price, qty, fee, cumulative);
  const sib = siblingOf(run.book, run, o);
  if (sib !== undefined) cancel(run, sib, CANCEL_REASONS.oco);
  if (out.closed !== undefined) cancelProtective(run, CANCEL_REASONS.positionClosed);
}

/** A position that closed or reversed takes its protective orders with it. */
function cancelProtective(run: BarRun, reason: string): void {
  for (const x of run.book.working) if (isProtective(x) && !run.done.has(x.orderId)) cancel(run, x, reason);
  for (const x of run.children) if (!run.done.has(x.orderId)) cancel(run, x, reason);
}

function feeOf(run: BarRun, qty: Decimal, quote: FillQuote): Decimal {
  const rate = quote.liquidity === 'maker' ? run.cfg.makerRate : run.cfg.takerRate;
  const b = run.book;
  return feeAt(qty, quote.price, b.unitContract ? undefined : b.contractSize, rate, run.places);
}

/** Emits the OrderFilled (its data is the key of the fill's handoff to evolve). */
function emitFill(run: BarRun, o: OrderRecord, quote: FillQuote, qty: Decimal, fee: Decimal, cumulative: Decimal): OrderFilledData {
  const leaves = minusExact(o.qty, cumulative);
  if (run.spread === null) {
    const spread = spreadAtOpen(run.bar);
    run.spread = spread === undefined ? undefined : spread.toFixed();
  }
  const spread = run.spread;
  const price = quote.price.toFixed();
  const quantity = qty.toFixed();
  // Built by branch, not with a spread in the literal (slow on V8); the key order is the wire order.
  const data: Building<OrderFilledData> = {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    fillId: nextId(run),
    venue: o.venue,
    symbol: o.symbol,
    side: o.side,
    quantity,
    price,
    fee: fixedAtLeast(fee, run.places),
    feeCurrency: run.currency,
    liquidity: quote.liquidity,
    referencePrice: quote.reference === quote.price ? price : quote.reference.toFixed(),
    slippage: slippageOf(o.side, quote).toFixed(),
  };
  if (spread !== undefined) data.spread = spread;
  data.cumulativeQuantity = cumulative === qty ? quantity : cumulative.toFixed();
  data.leavesQuantity = leaves.toFixed();
  data.role = o.role;
  data.barOpenTime = run.bar.openTime;
  const fill = data as OrderFilledData;
  run.outs.push(draftFor('OrderFilled', fill, o));
  if (leaves.isZero()) run.done.add(o.orderId);
  return fill;
}

/** Excursions are float differences of prices: cut the float noise a few digits below the tick. */
function excursion(x: number, b: SymbolBook): number {
  return x > 0 ? Number(x.toFixed(b.excursionDigits)) : 0;
}

/**
 * The average exit price of `closed` as wire text (exitPriceOf). When this fill is the
 * position's only exit, that is the fill price, with no division: with the digits of price and
 * quantity within the precision, every step (notional = price × quantity, then ÷ quantity) is exact.
 */
function exitPriceText(closed: PositionLedger, before: PositionLedger, price: Decimal, priceText: string): string {
  if (before.exitQuantity.isZero() && price.sd() + before.quantity.sd() <= PRECISION) return priceText;
  return exitPriceOf(closed).toFixed();
}

/** Applies a fill to the scratch position and account and emits the position and account events. */
function applyToRun(
  run: BarRun,
  o: OrderRecord,
  fill: OrderFilledData,
  price: Decimal,
  qty: Decimal,
  fee: Decimal,
  cumulative: Decimal,
): FillOutcome {
  const st = run.state;
  const before = run.pos;
  const cashBefore = run.cash;
  const realizedBefore = run.realized;
  const feesBefore = run.fees;
  const out = applyFill(
    before,
    {
      fillId: fill.fillId,
      orderId: o.orderId,
      role: o.role,
      venue: o.venue,
      symbol: o.symbol,
      side: o.side,
      quantity: qty,
      price,
      fee,
      ts: run.input.ts,
      barOpenTime: run.bar.openTime,
      origin: o.origin,
      strategy: o.strategy,
      // Number() of the exact text of a value is its toNumber().
      priceF: Number(fill.price),
      quantityF: Number(fill.quantity),
    },
    run.ctx,
  );
  run.pos = out.position;
  const c = run.currency;
  const places = run.places;
  if (out.closed !== undefined) {
    const p = out.closed.position;
    const closedData: Building<PositionClosedData> = {
      positionId: p.positionId,
      venue: p.venue,
      symbol: p.symbol,
      direction: p.direction,
      quantity: p.maxQuantity.toFixed(),
      entryPrice: p.averagePrice.toFixed(),
      exitPrice: exitPriceText(p, before as PositionLedger, price, fill.price),
      realizedPnl: fixedAtLeast(p.grossPnl.minus(p.fees), places),
      grossPnl: fixedAtLeast(p.grossPnl, places),
      fees: fixedAtLeast(p.fees, places),
      currency: c,
      openedAt: p.openedAt,
      closedAt: out.closed.closedAt,
      holdingMs: out.closed.holdingMs,
      exitReason: out.closed.exitReason,
      maxAdverseExcursion: excursion(p.maxAdverseExcursion, run.book),
      maxFavorableExcursion: excursion(p.maxFavorableExcursion, run.book),
      entryOrderId: p.entryOrderId,
      origin: p.origin,
    };
    if (p.strategy !== undefined) closedData.strategy = p.strategy;
    // A close belongs to the trade it ends: the entry's chain, whichever order closed it.
    run.outs.push(draftFor('PositionClosed', closedData as PositionClosedData, st.orders.get(p.entryOrderId) ?? o));
  }
  const p = out.position;
  if (p !== undefined && out.opened) {
    run.outs.push(
      draftFor(
        'PositionOpened',
        {
          positionId: p.positionId,
          venue: p.venue,
          symbol: p.symbol,
          direction: p.direction,
          quantity: p.quantity === qty ? fill.quantity : p.quantity.toFixed(),
          averagePrice: p.averagePrice === price ? fill.price : p.averagePrice.toFixed(),
          openedAt: p.openedAt,
          entryOrderId: p.entryOrderId,
          currency: c,
        },
        o,
      ),
    );
  } else if (p !== undefined) {
    run.outs.push(
      draftFor(
        'PositionChanged',
        {
          positionId: p.positionId,
          symbol: p.symbol,
          direction: p.direction,
          quantity: p.quantity.toFixed(),
          averagePrice: p.averagePrice.toFixed(),
          realizedPnl: fixedAtLeast(p.grossPnl, places),
        },
        o,
      ),
    );
  }
  // The account's share of the fill: the same amounts, or converted at the fill's rate.
  let realized = out.realized;
  let accountFee = fee;
  if (run.cross) {
    const rate = fillRate(st, run.book.instrument, run.account, price);
    if (rate === undefined) throw new Error(`executor: no rate converts ${c} into ${run.account} for a fill of ${o.symbol} (rejectionOf should have refused the order)`);
    realized = toAccount(realized, rate, run.accountPlaces);
    accountFee = toAccount(fee, rate, run.accountPlaces);
    // Appended to the fill before it is published (drafts are enveloped after decide returns).
    const f = fill as Building<OrderFilledData>;
    f.accountCurrency = run.account;
    f.conversionRate = rate.toFixed();
    f.accountRealizedPnl = fixedAtLeast(realized, run.accountPlaces);
    f.accountFee = fixedAtLeast(accountFee, run.accountPlaces);
  }
  const ap = run.accountPlaces;
  run.realized = plusExact(run.realized, realized);
  run.fees = plusExact(run.fees, accountFee);
  run.cash = minusExact(plusExact(run.cash, realized), accountFee);
  const cash = fixedAtLeast(run.cash, ap);
  run.accountUpdates += 1;
  run.outs.push(
    draftFor(
      'AccountUpdated',
      { currency: run.account, cash, realizedPnl: fixedAtLeast(run.realized, ap), fees: fixedAtLeast(run.fees, ap), sequence: run.accountUpdates },
      o,
    ),
  );
  run.handoff?.putFill(fill, {
    state: st,
    positionBefore: before,
    filledBefore: o.filledQuantity,
    cashBefore,
    realizedBefore,
    feesBefore,
    position: out.position,
    filledQuantity: cumulative,
    cash: run.cash,
    // Number() of the exact cash text is cash.toNumber().
    cashF: Number(cash),
    realizedPnl: run.realized,
    fees: run.fees,
  });
  return out;
}

/**
 * Attaches the entry's bracket for the quantity it opened: a stop-loss (stop) and a
 * take-profit (limit) on the exit side, one OCO group. On the entry's own bar only the stop
 * is checked, at once: the path after an intrabar entry is unknown, so the target is not assumed
 * reached, but the stop is (conservative). It fills at the bar's open only when the entry did
 * (`entryAtOpen`): the stop-loss of an entry inside the bar did not exist at the open, so the bar
 * did not gap through it (a buy stop at 102 on a bar opening at 96 whose stop-loss at 99 the bar
 * then reaches sells at 99, not 96).
 */
function placeBracket(run: BarRun, parent: OrderRecord, qty: Decimal, entryAtOpen: boolean): void {
  const exitSide: Side = parent.side === 'buy' ? 'sell' : 'buy';
  const ocoGroup = parent.stopLoss !== undefined && parent.takeProfit !== undefined ? `OCO-${parent.orderId}` : undefined;
  const quantity = qty.toFixed();
  const sl =
    parent.stopLoss === undefined ? undefined : placeChild(run, parent, 'stop_loss', exitSide, qty, quantity, parent.stopLoss, ocoGroup);
  if (parent.takeProfit !== undefined) placeChild(run, parent, 'take_profit', exitSide, qty, quantity, parent.takeProfit, ocoGroup);
  if (sl !== undefined && stopTriggered(sl.side, sl.priceF, run.bar)) {
    const b = run.book;
    const stop = sl.price as Decimal;
    const rate = run.cfg.slippageRate;
    fillProtective(run, sl, entryAtOpen ? stopFill(sl.side, stop, run.bar, b.tick, rate, sl.priceF, b.tickPlaces) : stopFillInside(sl.side, stop, b.tick, rate, b.tickPlaces));
  }
}

function placeChild(
  run: BarRun,
  parent: OrderRecord,
  role: Extract<OrderRole, 'stop_loss' | 'take_profit'>,
  side: Side,
  qty: Decimal,
  quantity: string,
  price: string,
  ocoGroup: string | undefined,
): OrderRecord {
  const orderId = nextId(run);
  const clientOrderId = clientOrderIdFor(parent.approvedOrderId, role === 'stop_loss' ? 'S' : 'T');
  const stop = role === 'stop_loss';
  // Built by branch, not with spreads in the literal (slow on V8); the key order is the wire order.
  const data: Building<OrderSubmittedData> = {
    orderId,
    clientOrderId,
    approvedOrderId: parent.approvedOrderId,
    riskApprovalId: parent.riskApprovalId,
    venue: parent.venue,
    symbol: parent.symbol,
    side,
    type: stop ? 'stop' : 'limit',
    quantity,
  };
  if (stop) data.stopPrice = price;
  else data.limitPrice = price;
  data.timeInForce = 'GTC';
  data.role = role;
  data.parentOrderId = parent.orderId;
  if (ocoGroup !== undefined) data.ocoGroup = ocoGroup;
  data.origin = parent.origin;
  if (parent.strategy !== undefined) data.strategy = parent.strategy;
  const submitted = data as OrderSubmittedData;
  run.outs.push(draftFor('OrderSubmitted', submitted, parent));
  run.outs.push(draftFor('OrderAccepted', { orderId, clientOrderId, symbol: parent.symbol, brokerOrderId: brokerOrderIdFor(clientOrderId) }, parent));
  // The record evolve will make of this OrderSubmitted (orderRecordOf), from the decimals at hand.
  const record = newOrderRecord(submitted, run.input.ts, parent.correlationId, parent.account, undefined, undefined, qty, parseDecimal(price), price, 'accepted');
  run.children.push(record);
  return record;
}
