import { dec, Decimal, decStr, stepDecimals } from '@tradeloop/kernel';
import { ORDER_TYPES, OrderSpec, SIDES, TIME_IN_FORCE } from '@tradeloop/contracts';
import { isMultipleOf, parseDecimal, resolveInstrument, ResolvedExecutorConfig, SymbolSpec, symbolSpecOf } from './executor.config';
import { bookOf, type ExecutorState } from './executor.state';
import { conversionProblem } from './executor.currency';

/** `d.gt(0)` for a finite d, without making a Decimal of 0. */
function isPositive(d: Decimal): boolean {
  return d.isPositive() && !d.isZero();
}

function priceProblem(field: string, value: string | undefined, s: SymbolSpec): string | undefined {
  if (value === undefined) return undefined;
  const p = parseDecimal(value);
  if (p === undefined || !isPositive(p)) return `${field} must be a positive decimal, got "${value}"`;
  if (!isMultipleOf(p, s.tick, s.tickPlaces)) return `${field} ${value} is not a multiple of the tick size ${s.instrument.tickSize}`;
  return undefined;
}

/**
 * A price that passed `priceProblem`, as decimal.js reads it. decimal.js does not trim, so a
 * price padded with spaces (which parseDecimal accepts) still throws here, as it always has.
 */
function exactPrice(value: string): Decimal {
  const p = parseDecimal(value) as Decimal;
  return value.length === value.trim().length ? p : new Decimal(value);
}

/** Why the paper broker refuses `spec`, or undefined when it accepts it. */
export function rejectionOf(cfg: ResolvedExecutorConfig, state: ExecutorState, spec: OrderSpec): string | undefined {
  // An accepted order made a book for its symbol, with the instrument resolved once.
  let s: SymbolSpec | undefined = bookOf(state, spec.venue, spec.symbol);
  if (s === undefined) {
    try {
      s = symbolSpecOf(resolveInstrument(spec.symbol, cfg.instruments));
    } catch (e) {
      return (e as Error).message;
    }
  }
  const inst = s.instrument;
  // Books are keyed by the symbol as written; bars carry the canonical (upper-case) symbol.
  if (spec.symbol !== inst.symbol) return `symbol "${spec.symbol}" must be written "${inst.symbol}", as on the bars`;
  const conversion = conversionProblem(state, inst, state.currency ?? cfg.currency);
  if (conversion !== undefined) return conversion;
  if (!SIDES.includes(spec.side)) return `side must be buy or sell, got "${spec.side}"`;
  if (!ORDER_TYPES.includes(spec.type)) return `order type must be market, limit or stop, got "${spec.type}"`;
  if (!TIME_IN_FORCE.includes(spec.timeInForce)) return `timeInForce must be GTC, IOC, FOK or DAY, got "${spec.timeInForce}"`;

  const qty = parseDecimal(spec.quantity);
  if (qty === undefined || !isPositive(qty)) return `quantity must be a positive decimal, got "${spec.quantity}"`;
  if (!isMultipleOf(qty, s.lot, s.lotPlaces)) return `quantity ${spec.quantity} is not a multiple of the lot size ${inst.lotSize}`;
  if (qty.lt(s.minQuantity)) return `quantity ${spec.quantity} is below the minimum ${inst.minQuantity}`;

  if (spec.type === 'limit' && spec.limitPrice === undefined) return 'a limit order needs a limitPrice';
  if (spec.type === 'stop' && spec.stopPrice === undefined) return 'a stop order needs a stopPrice';
  const problem =
    priceProblem('limitPrice', spec.type === 'limit' ? spec.limitPrice : undefined, s) ??
    priceProblem('stopPrice', spec.type === 'stop' ? spec.stopPrice : undefined, s) ??
    priceProblem('stopLoss', spec.stopLoss, s) ??
    priceProblem('takeProfit', spec.takeProfit, s);
  if (problem !== undefined) return problem;

  // A bracket must sit around the entry: below and above it for a buy, mirrored for a sell.
  const buy = spec.side === 'buy';
  const entryStr = spec.type === 'limit' ? spec.limitPrice : spec.type === 'stop' ? spec.stopPrice : undefined;
  const entry = entryStr === undefined ? undefined : exactPrice(entryStr);
  const sl = spec.stopLoss === undefined ? undefined : exactPrice(spec.stopLoss);
  const tp = spec.takeProfit === undefined ? undefined : exactPrice(spec.takeProfit);
  const below = buy ? 'below' : 'above';
  const above = buy ? 'above' : 'below';
  // (a − b) × sign ≥ 0, without the arithmetic: a ≥ b for a buy, a ≤ b for a sell.
  if (sl !== undefined && tp !== undefined && (buy ? sl.gte(tp) : sl.lte(tp))) {
    return `stopLoss ${spec.stopLoss} must be ${below} takeProfit ${spec.takeProfit} for a ${spec.side}`;
  }
  if (entry !== undefined && sl !== undefined && (buy ? sl.gte(entry) : sl.lte(entry))) {
    return `stopLoss ${spec.stopLoss} must be ${below} the entry price ${entryStr} for a ${spec.side}`;
  }
  if (entry !== undefined && tp !== undefined && (buy ? tp.lte(entry) : tp.gte(entry))) {
    return `takeProfit ${spec.takeProfit} must be ${above} the entry price ${entryStr} for a ${spec.side}`;
  }
  return undefined;
}

/**
 * Why an order that passed `rejectionOf` must not be placed at the market as it is now, or
 * undefined. Risk priced and checked the order when it approved it; a person may grant it hours
 * later (the quickstart's approvals stay open for 10 hours of market time), so at placement the
 * executor checks it against the symbol's last price (its last bar's mid, as risk marks it):
 *
 * - an order that enters at the market (a market order, or a limit the last price has already
 *   reached) must still have its stop-loss and take-profit on the right side of that price, or
 *   it would be stopped out at once, or enter past its own target;
 * - a market order's last price must be within `priceCollarPct` of the price risk approved it at.
 *
 * Orders released on the bar risk priced them on (every automatic one) pass unchanged.
 */
export function marketProblem(
  cfg: ResolvedExecutorConfig,
  state: ExecutorState,
  spec: OrderSpec,
  referencePrice: string | undefined,
  granted: boolean,
): string | undefined {
  const mid = state.mids.get(spec.symbol)?.mid;
  if (mid === undefined || !(mid > 0)) return undefined;
  const s = bookOf(state, spec.venue, spec.symbol) ?? symbolSpecOf(resolveInstrument(spec.symbol, cfg.instruments));
  // One digit finer than the tick keeps a bid/ask mid exact and drops float noise from the bar.
  const last = dec(mid).toDecimalPlaces(stepDecimals(s.instrument.tickSize) + 1);
  const buy = spec.side === 'buy';
  const ref = referencePrice === undefined ? undefined : parseDecimal(referencePrice);
  const why = granted ? 'stale approval' : 'market moved';
  const priced = ref === undefined ? '' : ` (it was priced at ${decStr(ref)})`;
  const lastText = `the last price ${decStr(last)} of ${spec.symbol}`;
  const limit = spec.type === 'limit' && spec.limitPrice !== undefined ? exactPrice(spec.limitPrice) : undefined;
  const atMarket = spec.type === 'market' || (limit !== undefined && (buy ? limit.gte(last) : limit.lte(last)));
  if (atMarket) {
    const sl = spec.stopLoss === undefined ? undefined : exactPrice(spec.stopLoss);
    if (sl !== undefined && (buy ? sl.gte(last) : sl.lte(last))) {
      return `${why}: the stop-loss ${spec.stopLoss} of this ${spec.side} is at or ${buy ? 'above' : 'below'} ${lastText}${priced}: placed now it would be stopped out at once`;
    }
    const tp = spec.takeProfit === undefined ? undefined : exactPrice(spec.takeProfit);
    if (tp !== undefined && (buy ? tp.lte(last) : tp.gte(last))) {
      return `${why}: the take-profit ${spec.takeProfit} of this ${spec.side} is at or ${buy ? 'below' : 'above'} ${lastText}${priced}: placed now it would enter past its own target`;
    }
  }
  if (spec.type === 'market' && ref !== undefined && ref.gt(0) && last.minus(ref).abs().gt(ref.mul(cfg.priceCollarPct))) {
    const moved = last.minus(ref).abs().div(ref).mul(100).toDecimalPlaces(2);
    return `${why}: ${lastText} is ${decStr(moved)}% from ${decStr(ref)}, the price risk approved this ${spec.side} at, beyond the ${decStr(dec(cfg.priceCollarPct).mul(100))}% collar`;
  }
  return undefined;
}
