import { clientOrderIdFor, Decimal, decStr, deriveId, NO_OUTPUTS, stepDecimals, ZERO } from '@tradeloop/kernel';
import { draft, Message, OrderRole, OrderSubmittedData, Side } from '@tradeloop/contracts';
import type { ResolvedExecutorConfig } from './executor.config';
import { applyFill, exitPriceOf, FillOutcome, PositionLedger } from './executor.ledger';
import { brokerOrderIdFor, CANCEL_REASONS, cancelDraft, EXECUTOR_NAME, ExecutorOutput, meta } from './executor.outputs';
import { ExecutorState, isProtective, ledgerContext, money, OrderRecord, orderRecordOf, SymbolBook } from './executor.state';
import {
  feeFor,
  FillQuote,
  fillOf,
  limitMarketableAtOpen,
  limitTriggered,
  MatchOptions,
  slippageOf,
  spreadAtOpen,
  stopFill,
  stopTriggered,
  triggers,
} from './paper-broker';

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
  readonly book: SymbolBook;
  readonly opts: MatchOptions;
  readonly currency: string;
  readonly outs: ExecutorOutput[];
  /** Orders that reached a terminal state during this bar. */
  readonly done: Set<string>;
  /** Bracket children placed during this bar (not yet in state). */
  readonly children: OrderRecord[];
  pos: PositionLedger | undefined;
  cash: Decimal;
  realized: Decimal;
  fees: Decimal;
}

function startRun(cfg: ResolvedExecutorConfig, state: ExecutorState, input: Message<'BarClosed'>, book: SymbolBook): BarRun {
  return {
    cfg,
    state,
    input,
    book,
    opts: { tick: book.tick, slippageRate: cfg.slippageRate, limitFillRule: cfg.limitFillRule },
    // Accepted orders fixed the currency; the instrument's is only a fallback for a foreign log.
    currency: state.currency ?? book.instrument.quoteCurrency,
    outs: [],
    done: new Set(),
    children: [],
    pos: book.position,
    cash: state.cash,
    realized: state.realizedPnl,
    fees: state.fees,
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
  run.outs.push(draft('OrderExpired', { orderId: o.orderId, clientOrderId: o.clientOrderId, symbol: o.symbol }, meta(o)));
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

export function onBar(cfg: ResolvedExecutorConfig, input: Message<'BarClosed'>, state: ExecutorState): readonly ExecutorOutput[] {
  const bar = input.data;
  const book = state.books.get(bar.symbol);
  // Hot path: nothing working on this symbol (an open position alone is marked by evolve).
  if (book === undefined || book.working.length === 0) return NO_OUTPUTS;
  const working = book.working;
  const n = working.length;
  const openTime = bar.openTime;
  const rule = cfg.limitFillRule;
  let run: BarRun | undefined;

  // Market orders first: they fill at the open, before anything else can happen in the bar.
  for (let i = 0; i < n; i++) {
    const o = working[i];
    if (o.type !== 'market' || isDone(run, o)) continue;
    if (isExpired(o, openTime)) {
      run ??= startRun(cfg, state, input, book);
      expire(run, o);
    } else if (isEligible(o, openTime)) {
      run ??= startRun(cfg, state, input, book);
      fillEntry(run, o, fillOf(o, bar, run.opts));
    }
  }

  // Then resting orders, in submission order.
  for (let i = 0; i < n; i++) {
    const o = working[i];
    if (o.type === 'market' || isDone(run, o)) continue;
    if (isProtective(o)) {
      if (isEligible(o, openTime)) run = bracketOnBar(cfg, state, input, book, o, run);
      continue;
    }
    if (isExpired(o, openTime)) {
      run ??= startRun(cfg, state, input, book);
      expire(run, o);
    } else if (!isEligible(o, openTime)) {
      continue;
    } else if (triggers(o, bar, rule)) {
      run ??= startRun(cfg, state, input, book);
      fillEntry(run, o, fillOf(o, bar, run.opts));
    } else if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
      // Bar mode fills in full or not at all, so IOC and FOK behave alike: first eligible bar or never.
      run ??= startRun(cfg, state, input, book);
      cancel(run, o, o.timeInForce === 'IOC' ? CANCEL_REASONS.iocUnfilled : CANCEL_REASONS.fokUnfilled);
    }
  }
  return run === undefined ? NO_OUTPUTS : run.outs;
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
  const chosen = slHit && tpHit ? (limitMarketableAtOpen(tp.side, tp.priceF, bar, rule) ? tp : sl) : slHit ? sl : tp;
  const r = run ?? startRun(cfg, state, input, book);
  fillProtective(r, chosen as OrderRecord, fillOf(chosen as OrderRecord, bar, r.opts));
  return r;
}

function fillEntry(run: BarRun, o: OrderRecord, quote: FillQuote): void {
  const fee = feeOf(run, o.qty, quote);
  const fillId = emitFill(run, o, quote, o.qty, fee);
  const out = applyToRun(run, o, fillId, quote.price, o.qty, fee);
  if (out.closed !== undefined) cancelProtective(run, CANCEL_REASONS.positionClosed);
  if (out.openedQuantity.gt(0) && (o.stopLoss !== undefined || o.takeProfit !== undefined)) {
    placeBracket(run, o, out.openedQuantity);
  }
}

/**
 * Protective orders only reduce: a child larger than what is left of the position (another
 * order scaled it down) fills for the position and its remainder is cancelled.
 */
function fillProtective(run: BarRun, o: OrderRecord, quote: FillQuote): void {
  const held = run.pos;
  const reduces = held !== undefined && (o.side === 'sell') === (held.sign === 1);
  const qty = reduces ? Decimal.min(o.qty.minus(o.filledQuantity), held.quantity) : ZERO;
  if (qty.isZero()) {
    cancel(run, o, CANCEL_REASONS.positionClosed);
    return;
  }
  const fee = feeOf(run, qty, quote);
  const fillId = emitFill(run, o, quote, qty, fee);
  if (!run.done.has(o.orderId)) cancel(run, o, CANCEL_REASONS.reduceOnly);
  const out = applyToRun(run, o, fillId, quote.price, qty, fee);
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
  return feeFor(qty, quote.price, run.book.contractSize, rate, run.currency);
}

function emitFill(run: BarRun, o: OrderRecord, quote: FillQuote, qty: Decimal, fee: Decimal): string {
  const cumulative = o.filledQuantity.plus(qty);
  const leaves = o.qty.minus(cumulative);
  const spread = spreadAtOpen(run.input.data);
  const fillId = nextId(run);
  run.outs.push(
    draft(
      'OrderFilled',
      {
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        fillId,
        venue: o.venue,
        symbol: o.symbol,
        side: o.side,
        quantity: decStr(qty),
        price: decStr(quote.price),
        fee: money(fee, run.currency),
        feeCurrency: run.currency,
        liquidity: quote.liquidity,
        referencePrice: decStr(quote.reference),
        slippage: decStr(slippageOf(o.side, quote)),
        ...(spread !== undefined ? { spread: decStr(spread) } : {}),
        cumulativeQuantity: decStr(cumulative),
        leavesQuantity: decStr(leaves),
        role: o.role,
      },
      meta(o),
    ),
  );
  if (leaves.isZero()) run.done.add(o.orderId);
  return fillId;
}

/** Excursions are float differences of prices: cut the float noise a few digits below the tick. */
function excursion(x: number, b: SymbolBook): number {
  return x > 0 ? Number(x.toFixed(Math.min(15, stepDecimals(b.instrument.tickSize) + 4))) : 0;
}

/** Applies a fill to the scratch position and account and emits the position and account events. */
function applyToRun(run: BarRun, o: OrderRecord, fillId: string, price: Decimal, qty: Decimal, fee: Decimal): FillOutcome {
  const st = run.state;
  const out = applyFill(
    run.pos,
    {
      fillId,
      orderId: o.orderId,
      role: o.role,
      venue: o.venue,
      symbol: o.symbol,
      side: o.side,
      quantity: qty,
      price,
      fee,
      ts: run.input.ts,
      origin: o.origin,
      ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
    },
    ledgerContext(st, run.book, run.currency),
  );
  run.pos = out.position;
  const c = run.currency;
  const m = meta(o);
  if (out.closed !== undefined) {
    const p = out.closed.position;
    run.outs.push(
      draft(
        'PositionClosed',
        {
          positionId: p.positionId,
          venue: p.venue,
          symbol: p.symbol,
          direction: p.direction,
          quantity: decStr(p.maxQuantity),
          entryPrice: decStr(p.averagePrice),
          exitPrice: decStr(exitPriceOf(p)),
          realizedPnl: money(p.grossPnl.minus(p.fees), c),
          grossPnl: money(p.grossPnl, c),
          fees: money(p.fees, c),
          currency: c,
          openedAt: p.openedAt,
          closedAt: out.closed.closedAt,
          holdingMs: out.closed.closedAt - p.openedAt,
          exitReason: out.closed.exitReason,
          maxAdverseExcursion: excursion(p.maxAdverseExcursion, run.book),
          maxFavorableExcursion: excursion(p.maxFavorableExcursion, run.book),
          entryOrderId: p.entryOrderId,
          origin: p.origin,
          ...(p.strategy !== undefined ? { strategy: p.strategy } : {}),
        },
        // A close belongs to the trade it ends: the entry's chain, whichever order closed it.
        meta(st.orders.get(p.entryOrderId) ?? o),
      ),
    );
  }
  const p = out.position;
  if (p !== undefined && out.opened) {
    run.outs.push(
      draft(
        'PositionOpened',
        {
          positionId: p.positionId,
          venue: p.venue,
          symbol: p.symbol,
          direction: p.direction,
          quantity: decStr(p.quantity),
          averagePrice: decStr(p.averagePrice),
          openedAt: p.openedAt,
          entryOrderId: p.entryOrderId,
        },
        m,
      ),
    );
  } else if (p !== undefined) {
    run.outs.push(
      draft(
        'PositionChanged',
        {
          positionId: p.positionId,
          symbol: p.symbol,
          direction: p.direction,
          quantity: decStr(p.quantity),
          averagePrice: decStr(p.averagePrice),
          realizedPnl: money(p.grossPnl, c),
        },
        m,
      ),
    );
  }
  run.realized = run.realized.plus(out.realized);
  run.fees = run.fees.plus(fee);
  run.cash = run.cash.plus(out.realized).minus(fee);
  run.outs.push(
    draft(
      'AccountUpdated',
      { currency: c, cash: money(run.cash, c), realizedPnl: money(run.realized, c), fees: money(run.fees, c) },
      m,
    ),
  );
  return out;
}

/**
 * Attaches the entry's bracket for the quantity it opened: a stop-loss (stop) and a
 * take-profit (limit) on the exit side, one OCO group. On the entry's own bar only the stop
 * is checked: the path after an intrabar entry is unknown, so the target is not assumed
 * reached, but the stop is (conservative).
 */
function placeBracket(run: BarRun, parent: OrderRecord, qty: Decimal): void {
  const exitSide: Side = parent.side === 'buy' ? 'sell' : 'buy';
  const ocoGroup = parent.stopLoss !== undefined && parent.takeProfit !== undefined ? `OCO-${parent.orderId}` : undefined;
  const sl = parent.stopLoss === undefined ? undefined : placeChild(run, parent, 'stop_loss', exitSide, qty, parent.stopLoss, ocoGroup);
  if (parent.takeProfit !== undefined) placeChild(run, parent, 'take_profit', exitSide, qty, parent.takeProfit, ocoGroup);
  if (sl !== undefined && stopTriggered(sl.side, sl.priceF, run.input.data)) {
    fillProtective(run, sl, stopFill(sl.side, sl.price as Decimal, run.input.data, run.opts.tick, run.opts.slippageRate));
  }
}

function placeChild(
  run: BarRun,
  parent: OrderRecord,
  role: Extract<OrderRole, 'stop_loss' | 'take_profit'>,
  side: Side,
  qty: Decimal,
  price: string,
  ocoGroup: string | undefined,
): OrderRecord {
  const orderId = nextId(run);
  const clientOrderId = clientOrderIdFor(parent.approvedOrderId, role === 'stop_loss' ? 'S' : 'T');
  const data: OrderSubmittedData = {
    orderId,
    clientOrderId,
    approvedOrderId: parent.approvedOrderId,
    riskApprovalId: parent.riskApprovalId,
    venue: parent.venue,
    symbol: parent.symbol,
    side,
    type: role === 'stop_loss' ? 'stop' : 'limit',
    quantity: decStr(qty),
    ...(role === 'stop_loss' ? { stopPrice: price } : { limitPrice: price }),
    timeInForce: 'GTC',
    role,
    parentOrderId: parent.orderId,
    ...(ocoGroup !== undefined ? { ocoGroup } : {}),
    origin: parent.origin,
    ...(parent.strategy !== undefined ? { strategy: parent.strategy } : {}),
  };
  const m = meta(parent);
  run.outs.push(draft('OrderSubmitted', data, m));
  run.outs.push(draft('OrderAccepted', { orderId, clientOrderId, symbol: parent.symbol, brokerOrderId: brokerOrderIdFor(clientOrderId) }, m));
  const record = orderRecordOf(data, { ts: run.input.ts, ...m }, undefined, 'accepted');
  run.children.push(record);
  return record;
}
