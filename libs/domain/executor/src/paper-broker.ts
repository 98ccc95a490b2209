import { currencyDecimals, dec, Decimal, roundToStep, ZERO } from '@tradeloop/kernel';
import type { BarClosedData, OrderType, Side } from '@tradeloop/contracts';
import { powerOfTenPlaces } from './executor.config';

/**
 * The paper broker's bar matching: pure functions over one closed bar, shared by backtest and
 * paper trading. The rules in prose: README.md, "The paper broker".
 *
 * Buys trade against the ask, sells against the bid. A quote bar carries both (bid in
 * open..close, ask in askOpen..askClose); a trade bar has one price series used for both sides
 * and no spread. Trigger tests compare floats (cheap, per bar); fill prices are built as exact
 * decimals only when a fill happens.
 */

export type LimitFillRule = 'through' | 'touch';
export type Liquidity = 'maker' | 'taker';

const ONE = new Decimal(1);

export function isQuoteBar(bar: BarClosedData): boolean {
  return bar.askOpen !== undefined;
}

/** The first price of the bar on the side `side` trades against. */
export function openFor(side: Side, bar: BarClosedData): number {
  return side === 'buy' ? (bar.askOpen ?? bar.open) : bar.open;
}

export function highFor(side: Side, bar: BarClosedData): number {
  return side === 'buy' ? (bar.askHigh ?? bar.high) : bar.high;
}

export function lowFor(side: Side, bar: BarClosedData): number {
  return side === 'buy' ? (bar.askLow ?? bar.low) : bar.low;
}

/** A resting limit is reached: buys when the ask trades below it, sells when the bid trades above. */
export function limitTriggered(side: Side, limit: number, bar: BarClosedData, rule: LimitFillRule): boolean {
  if (side === 'buy') {
    const low = lowFor('buy', bar);
    return rule === 'touch' ? low <= limit : low < limit;
  }
  const high = bar.high;
  return rule === 'touch' ? high >= limit : high > limit;
}

/** The bar opens at or beyond the limit: the fill at the open is certain, not a guess about the path. */
export function limitMarketableAtOpen(side: Side, limit: number, bar: BarClosedData, rule: LimitFillRule): boolean {
  const open = openFor(side, bar);
  if (side === 'buy') return rule === 'touch' ? open <= limit : open < limit;
  return rule === 'touch' ? open >= limit : open > limit;
}

/** A stop is triggered: buy stops when the ask reaches it from below, sell stops when the bid reaches it from above. */
export function stopTriggered(side: Side, stop: number, bar: BarClosedData): boolean {
  return side === 'buy' ? highFor('buy', bar) >= stop : bar.low <= stop;
}

/** The bar opens at or beyond the stop: the stop triggers at the open, and fills there. */
export function stopTriggeredAtOpen(side: Side, stop: number, bar: BarClosedData): boolean {
  const open = openFor(side, bar);
  return side === 'buy' ? open >= stop : open <= stop;
}

/** `powerOfTenPlaces` of each tick seen, so callers without a precomputed value pay for it once. */
const TICK_PLACES = new WeakMap<Decimal, number>();

function tickPlacesOf(tick: Decimal): number {
  let k = TICK_PLACES.get(tick);
  if (k === undefined) {
    k = tick.gt(0) ? powerOfTenPlaces(tick) : -1;
    TICK_PLACES.set(tick, k);
  }
  return k;
}

/**
 * `roundToStep(value, tick, up ? 'up' : 'down')`. For a tick of 10^-k that is rounding to k
 * decimals, the same value without the division (both are exact).
 */
function roundToTick(value: Decimal, tick: Decimal, up: boolean, places: number): Decimal {
  if (places >= 0) return value.toDecimalPlaces(places, up ? Decimal.ROUND_CEIL : Decimal.ROUND_FLOOR);
  return roundToStep(value, tick, up ? 'up' : 'down');
}

// 1 + rate and 1 − rate for the last rate seen: one executor uses one rate object throughout.
let factorsOf: Decimal | undefined;
let onePlus = ONE;
let oneMinus = ONE;

/**
 * Worse for us by `rate`, rounded away from us to the tick: buys up, sells down. `tickPlaces`
 * (`powerOfTenPlaces(tick)`) may be passed when known.
 */
export function withSlippage(side: Side, base: Decimal, tick: Decimal, rate: Decimal, tickPlaces = tickPlacesOf(tick)): Decimal {
  const buy = side === 'buy';
  // Multiplied even by 1: decimal.js rounds the product to the precision, and the rounding to
  // the tick below is exact only for a value within it.
  if (rate !== factorsOf) {
    onePlus = ONE.plus(rate);
    oneMinus = ONE.minus(rate);
    factorsOf = rate;
  }
  return roundToTick(base.mul(buy ? onePlus : oneMinus), tick, buy, tickPlaces);
}

export interface FillQuote {
  readonly price: Decimal;
  /** What the fill is measured against: the side's open (market), the limit, or the stop. */
  readonly reference: Decimal;
  readonly liquidity: Liquidity;
}

/** Market order at the bar's open on its side, plus slippage. */
export function marketFill(side: Side, bar: BarClosedData, tick: Decimal, slippageRate: Decimal, tickPlaces = tickPlacesOf(tick)): FillQuote {
  const reference = dec(openFor(side, bar));
  return { price: withSlippage(side, reference, tick, slippageRate, tickPlaces), reference, liquidity: 'taker' };
}

/*
 * limitFill and stopFill first compare the open with the order price as floats. Number() is
 * monotonic, so a float open strictly on one side of the float price means the exact open is
 * strictly on that side too, and the exact open is then not needed. Only when the floats tie
 * or the open is on the other side is it made exact. A non-finite open always takes the exact
 * path, where dec() rejects it as before.
 */

/**
 * Limit order at its limit, or at the better open when the bar gaps through it. Resting
 * limits add liquidity: no slippage. An open off the tick grid is rounded against us.
 * `limitF` is `limit.toNumber()` and `tickPlaces` `powerOfTenPlaces(tick)`, when known.
 */
export function limitFill(
  side: Side,
  limit: Decimal,
  bar: BarClosedData,
  tick: Decimal,
  limitF = limit.toNumber(),
  tickPlaces = tickPlacesOf(tick),
): FillQuote {
  const openF = openFor(side, bar);
  // An invalid tick takes the exact path too, where the rounding rejects it.
  const quick = Number.isFinite(openF) && (tickPlaces >= 0 || tick.gt(0));
  let price: Decimal;
  if (side === 'buy') {
    price = quick && openF > limitF ? limit : Decimal.min(limit, roundToTick(dec(openF), tick, true, tickPlaces));
  } else {
    price = quick && openF < limitF ? limit : Decimal.max(limit, roundToTick(dec(openF), tick, false, tickPlaces));
  }
  return { price, reference: limit, liquidity: 'maker' };
}

/**
 * Stop order at its stop, or at the worse open when the bar gaps through it, plus slippage.
 * `stopF` is `stop.toNumber()` and `tickPlaces` `powerOfTenPlaces(tick)`, when known.
 */
export function stopFill(
  side: Side,
  stop: Decimal,
  bar: BarClosedData,
  tick: Decimal,
  slippageRate: Decimal,
  stopF = stop.toNumber(),
  tickPlaces = tickPlacesOf(tick),
): FillQuote {
  const openF = openFor(side, bar);
  const quick = Number.isFinite(openF);
  let base: Decimal;
  if (side === 'buy') base = quick && openF < stopF ? stop : Decimal.max(stop, dec(openF));
  else base = quick && openF > stopF ? stop : Decimal.min(stop, dec(openF));
  return { price: withSlippage(side, base, tick, slippageRate, tickPlaces), reference: stop, liquidity: 'taker' };
}

/**
 * A stop placed inside the bar (the stop-loss of an entry filled inside it) that the bar then
 * reached: it fills at its stop plus slippage. The bar's open came before it existed, so the bar
 * cannot have gapped through it.
 */
export function stopFillInside(side: Side, stop: Decimal, tick: Decimal, slippageRate: Decimal, tickPlaces = tickPlacesOf(tick)): FillQuote {
  return { price: withSlippage(side, stop, tick, slippageRate, tickPlaces), reference: stop, liquidity: 'taker' };
}

/** The minimal order shape matching needs; `priceF` is the limit or stop as a float (NaN for market). */
export interface MatchableOrder {
  readonly side: Side;
  readonly type: OrderType;
  readonly priceF: number;
  readonly price?: Decimal;
}

export interface MatchOptions {
  readonly tick: Decimal;
  readonly slippageRate: Decimal;
  readonly limitFillRule: LimitFillRule;
  /** `powerOfTenPlaces(tick)`, when known. */
  readonly tickPlaces?: number;
}

/** Would the order fill on this bar? Floats only: this runs on every bar an order is working. */
export function triggers(o: MatchableOrder, bar: BarClosedData, rule: LimitFillRule): boolean {
  switch (o.type) {
    case 'market':
      return true;
    case 'limit':
      return limitTriggered(o.side, o.priceF, bar, rule);
    case 'stop':
      return stopTriggered(o.side, o.priceF, bar);
  }
}

/** The fill of `o` on `bar`, or undefined when it does not trade. */
export function matchOrder(o: MatchableOrder, bar: BarClosedData, opts: MatchOptions): FillQuote | undefined {
  if (!triggers(o, bar, opts.limitFillRule)) return undefined;
  return fillOf(o, bar, opts);
}

/** The fill price of an order already known to trigger on `bar`. */
export function fillOf(o: MatchableOrder, bar: BarClosedData, opts: MatchOptions): FillQuote {
  const places = opts.tickPlaces ?? tickPlacesOf(opts.tick);
  switch (o.type) {
    case 'market':
      return marketFill(o.side, bar, opts.tick, opts.slippageRate, places);
    case 'limit':
      return o.price === undefined
        ? limitFill(o.side, dec(o.priceF), bar, opts.tick, o.priceF, places)
        : limitFill(o.side, o.price, bar, opts.tick, o.price.toNumber(), places);
    case 'stop':
      return o.price === undefined
        ? stopFill(o.side, dec(o.priceF), bar, opts.tick, opts.slippageRate, o.priceF, places)
        : stopFill(o.side, o.price, bar, opts.tick, opts.slippageRate, o.price.toNumber(), places);
  }
}

/**
 * quantity × price × contract size × rate, rounded half-even to `places` decimals. A contract
 * size of undefined stands for exactly 1 (the multiplication is exact and skipped).
 */
export function feeAt(quantity: Decimal, price: Decimal, contractSize: Decimal | undefined, rate: Decimal, places: number): Decimal {
  let notional = quantity.mul(price);
  if (contractSize !== undefined) notional = notional.mul(contractSize);
  return notional.mul(rate).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
}

/** Fee = quantity × price × contract size × rate, rounded to the currency's minor unit. */
export function feeFor(quantity: Decimal, price: Decimal, contractSize: Decimal, rate: Decimal, currency: string): Decimal {
  return feeAt(quantity, price, contractSize, rate, currencyDecimals(currency));
}

/** Per-unit slippage, positive when the fill is worse than its reference. */
export function slippageOf(side: Side, quote: FillQuote): Decimal {
  if (quote.price === quote.reference) return ZERO;
  return side === 'buy' ? quote.price.minus(quote.reference) : quote.reference.minus(quote.price);
}

/** Ask minus bid at the bar's open; undefined for trade bars, which carry one price series. */
export function spreadAtOpen(bar: BarClosedData): Decimal | undefined {
  return bar.askOpen === undefined ? undefined : dec(bar.askOpen).minus(dec(bar.open));
}
