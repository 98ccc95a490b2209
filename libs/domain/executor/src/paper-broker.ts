import { dec, Decimal, roundMoney, roundToStep } from '@tradeloop/kernel';
import type { BarClosedData, OrderType, Side } from '@tradeloop/contracts';

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

/** Worse for us by `rate`, rounded away from us to the tick: buys up, sells down. */
export function withSlippage(side: Side, base: Decimal, tick: Decimal, rate: Decimal): Decimal {
  return side === 'buy'
    ? roundToStep(base.mul(ONE.plus(rate)), tick, 'up')
    : roundToStep(base.mul(ONE.minus(rate)), tick, 'down');
}

export interface FillQuote {
  readonly price: Decimal;
  /** What the fill is measured against: the side's open (market), the limit, or the stop. */
  readonly reference: Decimal;
  readonly liquidity: Liquidity;
}

/** Market order at the bar's open on its side, plus slippage. */
export function marketFill(side: Side, bar: BarClosedData, tick: Decimal, slippageRate: Decimal): FillQuote {
  const reference = dec(openFor(side, bar));
  return { price: withSlippage(side, reference, tick, slippageRate), reference, liquidity: 'taker' };
}

/**
 * Limit order at its limit, or at the better open when the bar gaps through it. Resting
 * limits add liquidity: no slippage. An open off the tick grid is rounded against us.
 */
export function limitFill(side: Side, limit: Decimal, bar: BarClosedData, tick: Decimal): FillQuote {
  const open = dec(openFor(side, bar));
  const price =
    side === 'buy'
      ? Decimal.min(limit, roundToStep(open, tick, 'up'))
      : Decimal.max(limit, roundToStep(open, tick, 'down'));
  return { price, reference: limit, liquidity: 'maker' };
}

/** Stop order at its stop, or at the worse open when the bar gaps through it, plus slippage. */
export function stopFill(side: Side, stop: Decimal, bar: BarClosedData, tick: Decimal, slippageRate: Decimal): FillQuote {
  const open = dec(openFor(side, bar));
  const base = side === 'buy' ? Decimal.max(stop, open) : Decimal.min(stop, open);
  return { price: withSlippage(side, base, tick, slippageRate), reference: stop, liquidity: 'taker' };
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
  switch (o.type) {
    case 'market':
      return marketFill(o.side, bar, opts.tick, opts.slippageRate);
    case 'limit':
      return limitFill(o.side, o.price ?? dec(o.priceF), bar, opts.tick);
    case 'stop':
      return stopFill(o.side, o.price ?? dec(o.priceF), bar, opts.tick, opts.slippageRate);
  }
}

/** Fee = quantity × price × contract size × rate, rounded to the currency's minor unit. */
export function feeFor(quantity: Decimal, price: Decimal, contractSize: Decimal, rate: Decimal, currency: string): Decimal {
  return roundMoney(quantity.mul(price).mul(contractSize).mul(rate), currency);
}

/** Per-unit slippage, positive when the fill is worse than its reference. */
export function slippageOf(side: Side, quote: FillQuote): Decimal {
  return side === 'buy' ? quote.price.minus(quote.reference) : quote.reference.minus(quote.price);
}

/** Ask minus bid at the bar's open; undefined for trade bars, which carry one price series. */
export function spreadAtOpen(bar: BarClosedData): Decimal | undefined {
  return bar.askOpen === undefined ? undefined : dec(bar.askOpen).minus(dec(bar.open));
}
