import { dec, Decimal, decStr, type Instrument, moneyStr, roundToStep, ZERO } from '@tradeloop/kernel';
import {
  type DenialReason,
  type Message,
  ORDER_TYPES,
  type OrderDeniedData,
  type OrderOrigin,
  type OrderSpec,
  type OrderType,
  type RiskApprovedData,
  type RiskLevel,
  type Side,
  sideOf,
  SIDES,
  type StrategyId,
  TIME_IN_FORCE,
  type TimeInForce,
  timeInForceProblem,
} from '@tradeloop/contracts';
import type { RiskConfig } from './risk.config';
import { RATE_WINDOW_MS } from './risk.evolve';
import {
  compareQuotient,
  dailyLossFloor,
  type InstrumentFacts,
  instrumentFacts,
  type Limits,
  limitsOf,
  moneyText,
  ONE,
  PRECISION,
  toPlaces,
} from './risk.facts';
import {
  anyPositionOn,
  hasWorkingOrder,
  positionQty,
  rateToAccount,
  reducesPosition,
  reservedNotional,
  type RiskState,
  type Valuation,
  valuation,
  workingQuantity,
} from './risk.state';

export type Verdict =
  | { readonly approved: true; readonly data: RiskApprovedData }
  | { readonly approved: false; readonly data: OrderDeniedData };

type Deny = (reason: DenialReason, detail: string) => Verdict;

function denier(requestId: string, symbol: string, origin: OrderOrigin): Deny {
  return (reason, detail) => ({
    approved: false,
    data: { requestId, symbol, reason, detail, riskLevel: 'BLOCKED', origin },
  });
}

/** Prices and book for one request: the symbol's last price, its currency rate, the marked account. */
interface Market {
  readonly facts: InstrumentFacts;
  readonly inst: Instrument;
  readonly mark: Decimal;
  /** The last price before rounding to the mark, as a number and as a Decimal. */
  readonly lastPrice: number;
  readonly last: Decimal;
  /** Account-currency value of one unit of the instrument's quote currency. */
  readonly rate: Decimal;
  readonly value: Valuation;
}

/** An order ready for the limit checks: sized, priced, validated. */
interface Candidate {
  readonly requestId: string;
  readonly ts: number;
  readonly origin: OrderOrigin;
  readonly strategy?: StrategyId;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly qty: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly stopLoss?: Decimal;
  readonly takeProfit?: Decimal;
  /** GTC when absent (every strategy entry, and a manual order that names none). */
  readonly timeInForce?: TimeInForce;
  /** Price used for notional, collars and the position cap: the last price, or the order's own. */
  readonly ref: Decimal;
  /** Quote-currency loss per unit if the stop is hit; undefined without a stop. */
  readonly riskPerUnit?: Decimal;
  readonly quality: number;
  /**
   * A strategy entry: quantity, reference and prices are operation results or rounded floats
   * (within the 40-digit precision) and the prices are on the tick grid already.
   */
  readonly exact?: boolean;
  /** equity × maxPositionPct when the caller has already worked it out. */
  readonly positionCap?: Decimal;
}

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** Decimal from a wire string, or undefined: decimal.js would also accept "1e5", "0x10", "Infinity". */
function parseDecimal(s: unknown): Decimal | undefined {
  return typeof s === 'string' && PLAIN_DECIMAL.test(s) ? dec(s) : undefined;
}

function pct(fraction: number): string {
  return `${dec(fraction).mul(100).toFixed()}%`;
}

function money(v: Decimal, currency: string): string {
  return `${moneyStr(v, currency)} ${currency}`;
}

function onGrid(v: Decimal, step: string): boolean {
  return v.mod(step).isZero();
}

function marketOf(state: RiskState, facts: InstrumentFacts, symbol: string, venue: string, ts: number, cfg: RiskConfig, no: Deny): Market | Verdict {
  const inst = facts.inst;
  const slot = state.prices.get(symbol);
  if (slot === undefined) return no('NO_MARKET_PRICE', `no bar has been seen for ${symbol}, so there is no price to size or check against`);
  // The paper broker fills an order on its own venue's bars only: an order for a venue with no
  // bars (a typo, another case: "oanda" for OANDA) would rest forever.
  if (!slot.venues.includes(venue)) {
    return no('NO_MARKET_PRICE', `no bar of ${symbol} has been seen at venue "${venue}" (its bars come from ${slot.venues.join(', ')}), so the order could never fill`);
  }
  // Inside a bar the last close is the newest price there is: on 1h or 1d bars it is up to a
  // bar old before the next one is due, so the limit is never shorter than the symbol's bar.
  const age = ts - slot.ts;
  if (age > cfg.stalePriceMs && age > slot.interval) {
    const allowed = slot.interval > cfg.stalePriceMs ? `${slot.interval} ms (one bar)` : `${cfg.stalePriceMs} ms`;
    return no('STALE_PRICE', `last price of ${symbol} is ${age} ms old, more than the ${allowed} allowed`);
  }
  const rate = rateToAccount(state, inst.quoteCurrency);
  if (rate === undefined) {
    return no(
      'NO_MARKET_PRICE',
      `no price converts ${inst.quoteCurrency} into the account currency ${state.accountCurrency} ` +
        `(need ${inst.quoteCurrency}${state.accountCurrency} or ${state.accountCurrency}${inst.quoteCurrency})`,
    );
  }
  const value = valuation(state, cfg);
  if (value.unvalued !== undefined) {
    return no('NO_MARKET_PRICE', `the open position on ${value.unvalued} cannot be valued in ${state.accountCurrency}, so equity is unknown`);
  }
  // One digit finer than the tick keeps a bid/ask mid exact and drops float noise from the bar.
  const last = dec(slot.price);
  const mark = toPlaces(last, facts.markPlaces);
  return { facts, inst, mark, lastPrice: slot.price, last, rate, value };
}

function isVerdict(x: Market | Verdict): x is Verdict {
  return (x as Verdict).approved !== undefined;
}

/** A strategy entry: sized from the stop distance, then checked like any other order. */
export function assessDecision(env: Message<'DecisionMade'>, state: RiskState, cfg: RiskConfig): Verdict {
  const d = env.data;
  const no = denier(env.id, d.symbol, 'strategy');
  if (state.tradingState === 'HALTED') return no('TRADING_HALTED', 'trading is HALTED: every new order is refused until trading resumes');
  const facts = instrumentFacts(d.symbol, cfg);
  if (facts === undefined) return no('UNKNOWN_INSTRUMENT', `no instrument metadata for "${d.symbol}"`);
  const inst = facts.inst;
  if (d.direction !== 'long' && d.direction !== 'short') return no('INVALID_ORDER', `direction must be long or short, got ${String(d.direction)}`);
  if (!(isPrice(d.entry) && isPrice(d.stop) && isPrice(d.target))) {
    return no('INVALID_ORDER', `entry ${d.entry}, stop ${d.stop} and target ${d.target} must be positive prices`);
  }
  if (!(Number.isFinite(d.sizeMultiplier) && d.sizeMultiplier > 0)) {
    return no('INVALID_ORDER', `size multiplier must be positive for a take, got ${d.sizeMultiplier}`);
  }
  const mkt = marketOf(state, facts, d.symbol, d.venue, env.ts, cfg, no);
  if (isVerdict(mkt)) return mkt;

  const side = sideOf(d.direction);
  const long = side === 'buy';
  // Signals usually enter at the last price: its Decimal is already at hand.
  const entry = facts.toTick(d.entry === mkt.lastPrice ? mkt.last : dec(d.entry));
  const stop = facts.toTick(dec(d.stop));
  const target = facts.toTick(dec(d.target));
  if (long ? stop.gte(entry) : stop.lte(entry)) {
    return no(
      'INVALID_STOP',
      `stop ${decStr(stop)} must be ${long ? 'below' : 'above'} entry ${decStr(entry)} for a ${d.direction} (after rounding to tick ${inst.tickSize})`,
    );
  }
  if (long ? stop.gte(mkt.mark) : stop.lte(mkt.mark)) {
    return no('INVALID_STOP', `stop ${decStr(stop)} is already through the last price ${decStr(mkt.mark)} of ${d.symbol}`);
  }
  if (long ? target.lte(entry) : target.gte(entry)) {
    return no('INVALID_ORDER', `target ${decStr(target)} must be ${long ? 'above' : 'below'} entry ${decStr(entry)} for a ${d.direction}`);
  }

  const equity = mkt.value.equity;
  if (equity.lte(ZERO)) return no('INSUFFICIENT_CASH', `equity is ${money(equity, state.accountCurrency)}: nothing to risk`);
  const lim = limitsOf(cfg);
  const rate = mkt.rate;
  // Sizing. The entry, stop and mark are rounded floats (≤ 17 digits) and the distance an
  // operation's result, so the × contractSize and × rate skipped when they are exactly 1
  // would not have changed a digit.
  const distance = entry.minus(stop).abs();
  const unitContract = facts.unitContract;
  const riskPerUnit = unitContract ? distance : distance.mul(facts.contractSize);
  const budget = equity.mul(lim.riskPerTrade).mul(d.sizeMultiplier);
  const byRisk = facts.toLot(budget.div(rate === ONE ? riskPerUnit : riskPerUnit.mul(rate)), 'down');
  const positionCap = equity.mul(lim.maxPositionPct);
  const markValue = unitContract ? mkt.mark : mkt.mark.mul(facts.contractSize);
  const unitValue = rate === ONE ? markValue : markValue.mul(rate);
  const capped = () => facts.toLot(positionCap.div(unitValue), 'down');
  // qty = Decimal.min(byRisk, byPosition), byPosition = positionCap / unitValue floored to the lot.
  // byRisk is on a power-of-ten lot grid, so if byRisk × unitValue (exact when the digits fit)
  // is within the cap and unitValue > 0, byRisk ≤ the rounded quotient and ≤ its floor:
  // byRisk is the minimum and the second division is not needed.
  let byPosition: Decimal | undefined;
  let qty: Decimal;
  if (
    facts.lotIsPowerOfTen &&
    unitValue.gt(ZERO) &&
    byRisk.sd() + unitValue.sd() <= PRECISION &&
    byRisk.mul(unitValue).lte(positionCap)
  ) {
    qty = byRisk;
  } else {
    byPosition = capped();
    // Both are non-negative, so there is no signed zero for Decimal.min to tell apart.
    qty = byRisk.lte(byPosition) ? byRisk : byPosition;
  }
  if (qty.lt(facts.minQuantity)) {
    return no(
      'QUANTITY_BELOW_MINIMUM',
      `sized quantity ${decStr(qty)} ${d.symbol} is below the minimum ${inst.minQuantity}: ` +
        `risk budget ${money(budget, state.accountCurrency)} over a stop distance of ${decStr(distance)} ` +
        `gives ${decStr(byRisk)}, the position cap allows ${decStr(byPosition ?? capped())}`,
    );
  }
  return checkLimits(
    {
      requestId: env.id,
      ts: env.ts,
      origin: 'strategy',
      strategy: d.strategy,
      venue: d.venue,
      symbol: d.symbol,
      side,
      type: 'market',
      qty,
      stopLoss: stop,
      takeProfit: target,
      ref: mkt.mark,
      riskPerUnit,
      quality: d.quality,
      exact: true,
      positionCap,
    },
    state,
    cfg,
    mkt,
    no,
  );
}

function isPrice(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}

/** A person's order: validated as given (never resized), then checked like any other order. */
export function assessManual(env: Message<'SubmitManualOrder'>, state: RiskState, cfg: RiskConfig): Verdict {
  const d = env.data;
  const symbol = typeof d.symbol === 'string' ? d.symbol : '';
  const no = denier(env.id, symbol, 'manual');
  if (state.tradingState === 'HALTED') return no('TRADING_HALTED', 'trading is HALTED: every new order is refused until trading resumes');
  const facts = instrumentFacts(symbol, cfg);
  if (facts === undefined) return no('UNKNOWN_INSTRUMENT', `no instrument metadata for "${symbol}"`);
  const inst = facts.inst;
  if (!SIDES.includes(d.side)) return no('INVALID_ORDER', `side must be buy or sell, got ${String(d.side)}`);
  if (!ORDER_TYPES.includes(d.type)) return no('INVALID_ORDER', `type must be market, limit or stop, got ${String(d.type)}`);
  const tif = d.timeInForce;
  if (tif !== undefined && !TIME_IN_FORCE.includes(tif)) return no('INVALID_ORDER', `time in force must be GTC, DAY, IOC or FOK, got ${String(tif)}`);
  const tifProblem = tif === undefined ? undefined : timeInForceProblem(d.type, tif);
  if (tifProblem !== undefined) return no('INVALID_ORDER', tifProblem);

  const qty = parseDecimal(d.quantity);
  if (qty === undefined || qty.lte(0)) return no('INVALID_ORDER', `quantity must be a positive decimal, got ${String(d.quantity)}`);
  if (!onGrid(qty, inst.lotSize)) return no('INVALID_ORDER', `quantity ${decStr(qty)} is not a multiple of the lot size ${inst.lotSize}`);
  if (qty.lt(inst.minQuantity)) return no('QUANTITY_BELOW_MINIMUM', `quantity ${decStr(qty)} is below the minimum ${inst.minQuantity} for ${symbol}`);

  let price: Decimal | undefined;
  if (d.type === 'market') {
    if (d.price !== undefined) return no('INVALID_ORDER', `a market order takes no price, got ${String(d.price)}`);
  } else {
    price = parseDecimal(d.price);
    if (price === undefined || price.lte(0)) return no('INVALID_ORDER', `a ${d.type} order needs a positive price, got ${String(d.price)}`);
    if (!onGrid(price, inst.tickSize)) return no('INVALID_ORDER', `price ${decStr(price)} is not on the tick grid ${inst.tickSize}`);
  }
  const stopLoss = d.stopLoss === undefined ? undefined : parseDecimal(d.stopLoss);
  if (d.stopLoss !== undefined && (stopLoss === undefined || stopLoss.lte(0) || !onGrid(stopLoss, inst.tickSize))) {
    return no('INVALID_ORDER', `stop-loss must be a positive price on the tick grid ${inst.tickSize}, got ${String(d.stopLoss)}`);
  }
  const takeProfit = d.takeProfit === undefined ? undefined : parseDecimal(d.takeProfit);
  if (d.takeProfit !== undefined && (takeProfit === undefined || takeProfit.lte(0) || !onGrid(takeProfit, inst.tickSize))) {
    return no('INVALID_ORDER', `take-profit must be a positive price on the tick grid ${inst.tickSize}, got ${String(d.takeProfit)}`);
  }

  const mkt = marketOf(state, facts, symbol, d.venue, env.ts, cfg, no);
  if (isVerdict(mkt)) return mkt;
  const ref = price ?? mkt.mark;
  if (price !== undefined && price.minus(mkt.mark).abs().gt(mkt.mark.mul(cfg.collarPct))) {
    return no(
      'PRICE_COLLAR',
      `${d.type} price ${decStr(price)} is ${decStr(price.minus(mkt.mark).abs().div(mkt.mark).mul(100).toDecimalPlaces(2))}% ` +
        `from the last price ${decStr(mkt.mark)}, more than the ${pct(cfg.collarPct)} collar`,
    );
  }
  const buy = d.side === 'buy';
  if (stopLoss !== undefined && (buy ? stopLoss.gte(ref) : stopLoss.lte(ref))) {
    return no('INVALID_STOP', `stop-loss ${decStr(stopLoss)} must be ${buy ? 'below' : 'above'} the ${d.side} reference price ${decStr(ref)}`);
  }
  if (takeProfit !== undefined && (buy ? takeProfit.lte(ref) : takeProfit.gte(ref))) {
    return no('INVALID_ORDER', `take-profit ${decStr(takeProfit)} must be ${buy ? 'above' : 'below'} the ${d.side} reference price ${decStr(ref)}`);
  }
  const cs = dec(inst.contractSize);
  return checkLimits(
    {
      requestId: env.id,
      ts: env.ts,
      origin: 'manual',
      venue: d.venue,
      symbol,
      side: d.side,
      type: d.type,
      qty,
      ...(d.type === 'limit' ? { limitPrice: price } : d.type === 'stop' ? { stopPrice: price } : {}),
      ...(stopLoss === undefined ? {} : { stopLoss, riskPerUnit: ref.minus(stopLoss).abs().mul(cs) }),
      ...(takeProfit === undefined ? {} : { takeProfit }),
      ...(tif === undefined ? {} : { timeInForce: tif }),
      ref,
      quality: 100,
    },
    state,
    cfg,
    mkt,
    no,
  );
}

function recentApprovals(state: RiskState, ts: number): number {
  let n = 0;
  for (const t of state.recentApprovals) if (t > ts - RATE_WINDOW_MS) n += 1;
  return n;
}

/**
 * Why an order against a position was still judged as new risk: it goes through zero (or
 * working orders on its side already cover the position), so it opens a position the other
 * way. Said in every denial that a pure reduction would pass, with the size that would.
 */
function flipNote(c: Candidate, pos: Decimal, working: Decimal): string {
  const held = pos.abs();
  const was = `${pos.isPos() ? 'long' : 'short'} of ${decStr(held)}`;
  const free = held.minus(working);
  if (free.lte(ZERO)) {
    return ` (the ${was} ${c.symbol} is already being closed by working ${c.side} orders of ${decStr(working)}, so this ${c.side} would open a position the other way)`;
  }
  const covered = working.isZero() ? '' : ` with the working ${c.side} orders of ${decStr(working)}`;
  return ` (this ${c.side} of ${decStr(c.qty)} closes the ${was} ${c.symbol}${covered} and opens a position the other way; a ${c.side} of up to ${decStr(free)} only reduces it and passes this limit)`;
}

/**
 * The account-wide limits, in the same order for every origin; the first breach is the answer.
 *
 * An order that only shrinks a position (reducesPosition: even if every working order on its
 * side fills too) takes risk off, so no limit meant to stop new risk refuses it: not the trade
 * count or message rate (it is not counted either), the daily loss limit, the loss streak, the
 * cooldown, the per-order value and quantity caps (it cannot exceed the position), the
 * position cap or the exposure limit. HALTED refuses it (every new order, DESIGN.md §7.7), and
 * so do the checks that say the order itself is unsound (price collar, stop on the wrong side,
 * stale or missing price). An order that goes through zero opens a position the other way and
 * is judged as new risk under every limit; its denials say what size would only reduce.
 */
function checkLimits(c: Candidate, state: RiskState, cfg: RiskConfig, mkt: Market, no: Deny): Verdict {
  const acct = state.accountCurrency;
  const { facts, inst, rate, value } = mkt;
  const lim = limitsOf(cfg);
  const equity = value.equity;
  const pos = positionQty(state, c.venue, c.symbol);
  const reduces = reducesPosition(state, c.venue, c.symbol, c.side, c.qty);
  // Against the position but through zero: partly new risk.
  const against = !pos.isZero() && (c.side === 'buy') !== pos.isPos();
  const sameSideWorking = against ? workingQuantity(state, c.venue, c.symbol, c.side) : ZERO;
  const deny: Deny = against && !reduces ? (reason, detail) => no(reason, detail + flipNote(c, pos, sameSideWorking)) : no;

  if (state.tradingState === 'REDUCING' && !reduces) {
    return deny(
      'REDUCE_ONLY',
      `trading is REDUCING: a ${c.side} of ${decStr(c.qty)} ${c.symbol} would open or increase a position ` +
        `(current ${decStr(pos)}); only orders that shrink one pass`,
    );
  }
  // One position per symbol for a strategy, whatever the venue.
  const held = c.origin === 'strategy' ? anyPositionOn(state, c.symbol) : undefined;
  if (c.origin === 'strategy' && (held !== undefined || hasWorkingOrder(state, c.symbol))) {
    const what = held === undefined ? 'a working order' : `a position of ${decStr(held.qty)}`;
    return no('POSITION_ALREADY_OPEN', `${c.symbol} already has ${what}; a strategy opens one position per symbol`);
  }
  // A strategy entry's quantity and reference are operation results or rounded floats; a
  // person's may be typed with any number of digits, and only short ones may skip × 1.
  const shortRef = c.exact === true || c.ref.sd() <= PRECISION;
  const shortQty = c.exact === true || c.qty.sd() <= PRECISION;
  // ref × contractSize × rate is ref itself when both factors are exactly 1.
  const simple = rate === ONE && facts.unitContract && shortRef;
  const unitNotional = simple ? c.ref : c.ref.mul(facts.contractSize).mul(rate);
  const notional = c.qty.mul(unitNotional);
  const reserved = reservedNotional(state);
  // Only the part of an order that goes beyond closing the position (less what working orders
  // on its side already close) adds exposure; a plain entry adds all of it.
  const opening = against ? Decimal.max(ZERO, Decimal.min(c.qty, c.qty.minus(pos.abs().minus(sameSideWorking)))) : c.qty;
  const added = opening === c.qty ? notional : opening.mul(unitNotional);
  // 0 + 0 + notional is notional (an operation's result) when nothing else is held or working.
  const exposureAfter =
    value.positionsNotional === ZERO && reserved === ZERO ? added : value.positionsNotional.plus(reserved).plus(added);
  let exposureCap: Decimal | undefined;
  if (!reduces) {
    const recent = recentApprovals(state, c.ts);
    if (recent >= cfg.maxOrdersPerMinute) {
      return deny('MESSAGE_RATE', `${recent} orders adding risk approved in the last 60 s, the limit is ${cfg.maxOrdersPerMinute}`);
    }
    if (state.approvalsToday >= cfg.dailyTradeLimit) {
      return deny('DAILY_TRADE_LIMIT', `${state.approvalsToday} orders adding risk approved today (UTC), the limit is ${cfg.dailyTradeLimit}`);
    }
    if (equity.lte(ZERO)) return deny('INSUFFICIENT_CASH', `equity is ${money(equity, acct)}: no new position can be opened`);
    // −realised ≥ limit, compared as realised ≤ −limit.
    if (state.realisedToday.lte(dailyLossFloor(lim, state.startOfDayEquity))) {
      const lossLimit = state.startOfDayEquity.mul(lim.dailyLossLimitPct);
      return deny(
        'DAILY_LOSS_LIMIT',
        `realised loss today ${money(state.realisedToday.neg(), acct)} has reached the limit ${money(lossLimit, acct)} ` +
          `(${pct(cfg.dailyLossLimitPct)} of start-of-day equity ${money(state.startOfDayEquity, acct)})`,
      );
    }
    if (state.lossStreak >= cfg.lossStreakLimit) {
      return deny('LOSS_STREAK', `${state.lossStreak} losing trades in a row, the limit is ${cfg.lossStreakLimit}`);
    }
    const lastLoss = state.lastLossAt.get(c.symbol);
    if (lastLoss !== undefined && c.ts - lastLoss < cfg.cooldownMs) {
      return deny('COOLDOWN', `${c.symbol} closed at a loss ${c.ts - lastLoss} ms ago; new entries wait ${cfg.cooldownMs} ms`);
    }
    if (c.qty.gt(lim.maxOrderQuantity)) {
      return deny('MAX_ORDER_QUANTITY', `quantity ${decStr(c.qty)} exceeds the per-order cap ${cfg.maxOrderQuantity}`);
    }
    if (notional.gt(lim.maxOrderValue)) {
      return deny('MAX_ORDER_VALUE', `order notional ${money(notional, acct)} exceeds the per-order cap ${money(dec(cfg.maxOrderValue), acct)}`);
    }
    // Worst case for the position: every working order on this side fills as well.
    const working = against ? sameSideWorking : workingQuantity(state, c.venue, c.symbol, c.side);
    const resulting = () => (c.side === 'buy' ? pos.plus(working).plus(c.qty) : pos.minus(working).minus(c.qty));
    // With no position and nothing working the result is ±qty, worth exactly this order's notional.
    const alone = pos === ZERO && working === ZERO && shortQty;
    const positionNotional = alone ? notional : resulting().abs().mul(unitNotional);
    const positionCap = c.positionCap ?? equity.mul(lim.maxPositionPct);
    if (positionNotional.gt(positionCap)) {
      return deny(
        'MAX_POSITION',
        `resulting ${c.symbol} position ${decStr(resulting())} is worth ${money(positionNotional, acct)}, ` +
          `above ${money(positionCap, acct)} (${pct(cfg.maxPositionPct)} of equity ${money(equity, acct)})`,
      );
    }
    exposureCap = equity.mul(lim.maxExposurePct);
    if (exposureAfter.gt(exposureCap)) {
      const part = added === notional ? `this order ${money(notional, acct)}` : `the part of this order beyond the position ${money(added, acct)}`;
      return deny(
        'EXPOSURE_LIMIT',
        `exposure would be ${money(exposureAfter, acct)} (positions ${money(value.positionsNotional, acct)} ` +
          `+ working orders ${money(reserved, acct)} + ${part}), ` +
          `above ${money(exposureCap, acct)} (${pct(cfg.maxExposurePct)} of equity)`,
      );
    }
  }

  // qty × ref × contractSize is the notional above when contractSize and rate are both 1.
  const quoteNotional = simple ? notional : c.qty.mul(c.ref).mul(facts.contractSize);
  // Without a stop the whole notional is at risk, unless the order only takes risk off.
  const riskAmount = c.riskPerUnit !== undefined ? c.qty.mul(c.riskPerUnit) : reduces ? ZERO : quoteNotional;
  const riskInAccount = rate === ONE ? riskAmount : riskAmount.mul(rate);
  return {
    approved: true,
    data: {
      requestId: c.requestId,
      order: orderSpec(c, inst),
      riskLevel: riskLevelOf(riskInAccount, exposureAfter, equity, exposureCap, lim),
      riskAmount: moneyText(riskAmount, inst.quoteCurrency),
      notional: moneyText(quoteNotional, inst.quoteCurrency),
      referencePrice: c.ref.toFixed(),
      quality: c.quality,
      tradingState: state.tradingState,
    },
  };
}

function orderSpec(c: Candidate, inst: Instrument): OrderSpec {
  // Prices already on the tick grid round to themselves.
  const s = c.exact === true ? (v: Decimal) => v.toFixed() : (v: Decimal) => decStr(roundToStep(v, inst.tickSize));
  const spec: { -readonly [K in keyof OrderSpec]: OrderSpec[K] } = {
    venue: c.venue,
    symbol: c.symbol,
    side: c.side,
    type: c.type,
    quantity: c.qty.toFixed(),
    timeInForce: c.timeInForce ?? 'GTC',
    origin: c.origin,
  };
  if (c.limitPrice !== undefined) spec.limitPrice = s(c.limitPrice);
  if (c.stopPrice !== undefined) spec.stopPrice = s(c.stopPrice);
  if (c.stopLoss !== undefined) spec.stopLoss = s(c.stopLoss);
  if (c.takeProfit !== undefined) spec.takeProfit = s(c.takeProfit);
  if (c.strategy !== undefined) spec.strategy = c.strategy;
  return spec;
}

function riskLevelOf(
  riskInAccount: Decimal,
  exposureAfter: Decimal,
  equity: Decimal,
  exposureCap: Decimal | undefined,
  lim: Limits,
): Exclude<RiskLevel, 'BLOCKED'> {
  if (equity.lte(ZERO)) return 'HIGH';
  const cap = exposureCap ?? equity.mul(lim.maxExposurePct);
  // The ratios' comparisons without the divisions, when compareQuotient can decide them all.
  const fHigh = compareQuotient(riskInAccount, equity, lim.riskLevelHighAboveFraction);
  const uHigh = compareQuotient(exposureAfter, cap, lim.riskLevelHighAboveUtilisation);
  const fLow = compareQuotient(riskInAccount, equity, lim.riskLevelLowMaxFraction);
  const uLow = compareQuotient(exposureAfter, cap, lim.riskLevelLowMaxUtilisation);
  if (fHigh !== undefined && uHigh !== undefined && fLow !== undefined && uLow !== undefined) {
    if (fHigh > 0 || uHigh > 0) return 'HIGH';
    if (fLow <= 0 && uLow <= 0) return 'LOW';
    return 'MEDIUM';
  }
  const fraction = riskInAccount.div(equity);
  const utilisation = exposureAfter.div(cap);
  if (fraction.gt(lim.riskLevelHighAboveFraction) || utilisation.gt(lim.riskLevelHighAboveUtilisation)) return 'HIGH';
  if (fraction.lte(lim.riskLevelLowMaxFraction) && utilisation.lte(lim.riskLevelLowMaxUtilisation)) return 'LOW';
  return 'MEDIUM';
}
