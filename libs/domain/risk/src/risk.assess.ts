import { dec, Decimal, decStr, type Instrument, moneyStr, roundToStep, stepDecimals, ZERO } from '@tradeloop/kernel';
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
} from '@tradeloop/contracts';
import type { RiskConfig } from './risk.config';
import { RATE_WINDOW_MS } from './risk.evolve';
import {
  hasWorkingOrder,
  lookupInstrument,
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
  readonly inst: Instrument;
  readonly mark: Decimal;
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
  /** Price used for notional, collars and the position cap: the last price, or the order's own. */
  readonly ref: Decimal;
  /** Quote-currency loss per unit if the stop is hit; undefined without a stop. */
  readonly riskPerUnit?: Decimal;
  readonly quality: number;
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

function marketOf(state: RiskState, inst: Instrument, symbol: string, ts: number, cfg: RiskConfig, no: Deny): Market | Verdict {
  const slot = state.prices.get(symbol);
  if (slot === undefined) return no('NO_MARKET_PRICE', `no bar has been seen for ${symbol}, so there is no price to size or check against`);
  const age = ts - slot.ts;
  if (age > cfg.stalePriceMs) {
    return no('STALE_PRICE', `last price of ${symbol} is ${age} ms old, more than the ${cfg.stalePriceMs} ms allowed`);
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
  const mark = dec(slot.price).toDecimalPlaces(stepDecimals(inst.tickSize) + 1);
  return { inst, mark, rate, value };
}

function isVerdict(x: Market | Verdict): x is Verdict {
  return (x as Verdict).approved !== undefined;
}

/** A strategy entry: sized from the stop distance, then checked like any other order. */
export function assessDecision(env: Message<'DecisionMade'>, state: RiskState, cfg: RiskConfig): Verdict {
  const d = env.data;
  const no = denier(env.id, d.symbol, 'strategy');
  if (state.tradingState === 'HALTED') return no('TRADING_HALTED', 'trading is HALTED: every new order is refused until trading resumes');
  const inst = lookupInstrument(d.symbol, cfg);
  if (inst === undefined) return no('UNKNOWN_INSTRUMENT', `no instrument metadata for "${d.symbol}"`);
  if (d.direction !== 'long' && d.direction !== 'short') return no('INVALID_ORDER', `direction must be long or short, got ${String(d.direction)}`);
  if (![d.entry, d.stop, d.target].every((x) => Number.isFinite(x) && x > 0)) {
    return no('INVALID_ORDER', `entry ${d.entry}, stop ${d.stop} and target ${d.target} must be positive prices`);
  }
  if (!(Number.isFinite(d.sizeMultiplier) && d.sizeMultiplier > 0)) {
    return no('INVALID_ORDER', `size multiplier must be positive for a take, got ${d.sizeMultiplier}`);
  }
  const mkt = marketOf(state, inst, d.symbol, env.ts, cfg, no);
  if (isVerdict(mkt)) return mkt;

  const side = sideOf(d.direction);
  const long = side === 'buy';
  const entry = roundToStep(dec(d.entry), inst.tickSize);
  const stop = roundToStep(dec(d.stop), inst.tickSize);
  const target = roundToStep(dec(d.target), inst.tickSize);
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
  if (equity.lte(0)) return no('INSUFFICIENT_CASH', `equity is ${money(equity, state.accountCurrency)}: nothing to risk`);
  const cs = dec(inst.contractSize);
  const riskPerUnit = entry.minus(stop).abs().mul(cs);
  const budget = equity.mul(cfg.riskPerTrade).mul(d.sizeMultiplier);
  const byRisk = roundToStep(budget.div(riskPerUnit.mul(mkt.rate)), inst.lotSize, 'down');
  const byPosition = roundToStep(equity.mul(cfg.maxPositionPct).div(mkt.mark.mul(cs).mul(mkt.rate)), inst.lotSize, 'down');
  const qty = Decimal.min(byRisk, byPosition);
  if (qty.lt(inst.minQuantity)) {
    return no(
      'QUANTITY_BELOW_MINIMUM',
      `sized quantity ${decStr(qty)} ${d.symbol} is below the minimum ${inst.minQuantity}: ` +
        `risk budget ${money(budget, state.accountCurrency)} over a stop distance of ${decStr(entry.minus(stop).abs())} ` +
        `gives ${decStr(byRisk)}, the position cap allows ${decStr(byPosition)}`,
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
    },
    state,
    cfg,
    mkt,
    no,
  );
}

/** A person's order: validated as given (never resized), then checked like any other order. */
export function assessManual(env: Message<'SubmitManualOrder'>, state: RiskState, cfg: RiskConfig): Verdict {
  const d = env.data;
  const symbol = typeof d.symbol === 'string' ? d.symbol : '';
  const no = denier(env.id, symbol, 'manual');
  if (state.tradingState === 'HALTED') return no('TRADING_HALTED', 'trading is HALTED: every new order is refused until trading resumes');
  const inst = lookupInstrument(symbol, cfg);
  if (inst === undefined) return no('UNKNOWN_INSTRUMENT', `no instrument metadata for "${symbol}"`);
  if (!SIDES.includes(d.side)) return no('INVALID_ORDER', `side must be buy or sell, got ${String(d.side)}`);
  if (!ORDER_TYPES.includes(d.type)) return no('INVALID_ORDER', `type must be market, limit or stop, got ${String(d.type)}`);

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

  const mkt = marketOf(state, inst, symbol, env.ts, cfg, no);
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

/** The account-wide limits, in the same order for every origin; the first breach is the answer. */
function checkLimits(c: Candidate, state: RiskState, cfg: RiskConfig, mkt: Market, no: Deny): Verdict {
  const acct = state.accountCurrency;
  const { inst, rate, value } = mkt;
  const equity = value.equity;
  const pos = positionQty(state, c.symbol);
  const reduces = reducesPosition(state, c.symbol, c.side, c.qty);

  if (state.tradingState === 'REDUCING' && !reduces) {
    return no(
      'REDUCE_ONLY',
      `trading is REDUCING: a ${c.side} of ${decStr(c.qty)} ${c.symbol} would open or increase a position ` +
        `(current ${decStr(pos)}); only orders that shrink one pass`,
    );
  }
  if (c.origin === 'strategy' && (!pos.isZero() || hasWorkingOrder(state, c.symbol))) {
    const what = pos.isZero() ? 'a working order' : `a position of ${decStr(pos)}`;
    return no('POSITION_ALREADY_OPEN', `${c.symbol} already has ${what}; a strategy opens one position per symbol`);
  }
  const recent = recentApprovals(state, c.ts);
  if (recent >= cfg.maxOrdersPerMinute) {
    return no('MESSAGE_RATE', `${recent} approvals in the last 60 s, the limit is ${cfg.maxOrdersPerMinute}`);
  }
  if (state.approvalsToday >= cfg.dailyTradeLimit) {
    return no('DAILY_TRADE_LIMIT', `${state.approvalsToday} approvals today (UTC), the limit is ${cfg.dailyTradeLimit}`);
  }
  if (!reduces) {
    if (equity.lte(0)) return no('INSUFFICIENT_CASH', `equity is ${money(equity, acct)}: no new position can be opened`);
    const lossLimit = state.startOfDayEquity.mul(cfg.dailyLossLimitPct);
    if (state.realisedToday.neg().gte(lossLimit)) {
      return no(
        'DAILY_LOSS_LIMIT',
        `realised loss today ${money(state.realisedToday.neg(), acct)} has reached the limit ${money(lossLimit, acct)} ` +
          `(${pct(cfg.dailyLossLimitPct)} of start-of-day equity ${money(state.startOfDayEquity, acct)})`,
      );
    }
    if (state.lossStreak >= cfg.lossStreakLimit) {
      return no('LOSS_STREAK', `${state.lossStreak} losing trades in a row, the limit is ${cfg.lossStreakLimit}`);
    }
    const lastLoss = state.lastLossAt.get(c.symbol);
    if (lastLoss !== undefined && c.ts - lastLoss < cfg.cooldownMs) {
      return no('COOLDOWN', `${c.symbol} closed at a loss ${c.ts - lastLoss} ms ago; new entries wait ${cfg.cooldownMs} ms`);
    }
  }

  const unitNotional = c.ref.mul(inst.contractSize).mul(rate);
  const notional = c.qty.mul(unitNotional);
  if (c.qty.gt(cfg.maxOrderQuantity)) {
    return no('MAX_ORDER_QUANTITY', `quantity ${decStr(c.qty)} exceeds the per-order cap ${cfg.maxOrderQuantity}`);
  }
  if (notional.gt(cfg.maxOrderValue)) {
    return no('MAX_ORDER_VALUE', `order notional ${money(notional, acct)} exceeds the per-order cap ${money(dec(cfg.maxOrderValue), acct)}`);
  }
  const reserved = reservedNotional(state);
  const exposureAfter = value.positionsNotional.plus(reserved).plus(notional);
  if (!reduces) {
    // Worst case for the position: every working order on this side fills as well.
    const resulting =
      c.side === 'buy'
        ? pos.plus(workingQuantity(state, c.symbol, 'buy')).plus(c.qty)
        : pos.minus(workingQuantity(state, c.symbol, 'sell')).minus(c.qty);
    const positionNotional = resulting.abs().mul(unitNotional);
    const positionCap = equity.mul(cfg.maxPositionPct);
    if (positionNotional.gt(positionCap)) {
      return no(
        'MAX_POSITION',
        `resulting ${c.symbol} position ${decStr(resulting)} is worth ${money(positionNotional, acct)}, ` +
          `above ${money(positionCap, acct)} (${pct(cfg.maxPositionPct)} of equity ${money(equity, acct)})`,
      );
    }
    const exposureCap = equity.mul(cfg.maxExposurePct);
    if (exposureAfter.gt(exposureCap)) {
      return no(
        'EXPOSURE_LIMIT',
        `exposure would be ${money(exposureAfter, acct)} (positions ${money(value.positionsNotional, acct)} ` +
          `+ working orders ${money(reserved, acct)} + this order ${money(notional, acct)}), ` +
          `above ${money(exposureCap, acct)} (${pct(cfg.maxExposurePct)} of equity)`,
      );
    }
  }

  const cs = dec(inst.contractSize);
  const quoteNotional = c.qty.mul(c.ref).mul(cs);
  // Without a stop the whole notional is at risk, unless the order only takes risk off.
  const riskAmount = c.riskPerUnit !== undefined ? c.qty.mul(c.riskPerUnit) : reduces ? ZERO : quoteNotional;
  return {
    approved: true,
    data: {
      requestId: c.requestId,
      order: orderSpec(c, inst),
      riskLevel: riskLevelOf(riskAmount.mul(rate), exposureAfter, equity, cfg),
      riskAmount: moneyStr(riskAmount, inst.quoteCurrency),
      notional: moneyStr(quoteNotional, inst.quoteCurrency),
      referencePrice: decStr(c.ref),
      quality: c.quality,
      tradingState: state.tradingState,
    },
  };
}

function orderSpec(c: Candidate, inst: Instrument): OrderSpec {
  const s = (v: Decimal | undefined) => (v === undefined ? undefined : decStr(roundToStep(v, inst.tickSize)));
  const spec: { -readonly [K in keyof OrderSpec]: OrderSpec[K] } = {
    venue: c.venue,
    symbol: c.symbol,
    side: c.side,
    type: c.type,
    quantity: decStr(c.qty),
    timeInForce: 'GTC',
    origin: c.origin,
  };
  if (c.limitPrice !== undefined) spec.limitPrice = s(c.limitPrice);
  if (c.stopPrice !== undefined) spec.stopPrice = s(c.stopPrice);
  if (c.stopLoss !== undefined) spec.stopLoss = s(c.stopLoss);
  if (c.takeProfit !== undefined) spec.takeProfit = s(c.takeProfit);
  if (c.strategy !== undefined) spec.strategy = c.strategy;
  return spec;
}

function riskLevelOf(riskInAccount: Decimal, exposureAfter: Decimal, equity: Decimal, cfg: RiskConfig): Exclude<RiskLevel, 'BLOCKED'> {
  if (equity.lte(0)) return 'HIGH';
  const fraction = riskInAccount.div(equity);
  const utilisation = exposureAfter.div(equity.mul(cfg.maxExposurePct));
  if (fraction.gt(cfg.riskLevelHighAboveFraction) || utilisation.gt(cfg.riskLevelHighAboveUtilisation)) return 'HIGH';
  if (fraction.lte(cfg.riskLevelLowMaxFraction) && utilisation.lte(cfg.riskLevelLowMaxUtilisation)) return 'LOW';
  return 'MEDIUM';
}
