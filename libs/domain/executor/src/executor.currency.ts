import { conversionPairs, dec, Decimal, type Instrument, linkingSymbols, sameMoney } from '@tradeloop/kernel';
import type { ExecutorState } from './executor.state';

/**
 * Booking an instrument quoted in another currency than the account's (USDJPY, EURGBP or
 * XAUUSD in a EUR account, …): its P&L and fees are in the quote currency and reach the
 * account converted. README "The paper broker", "Account".
 */

const ONE = new Decimal(1);

/** Significant digits of a conversion rate as booked: short, exact and reproducible. */
export const RATE_DIGITS = 10;

/** A symbol's last bar mid ((bid + ask) / 2 on quote bars, the close on trade bars), updated in place on every bar. */
export interface MidSlot {
  readonly symbol: string;
  mid: number;
}

/** Whether amounts in the instrument's quote currency need converting into `account`. */
export function isCross(inst: Instrument, account: string | undefined): account is string {
  return account !== undefined && !sameMoney(inst.quoteCurrency, account);
}

/** The instrument links its own quote currency with the account: its base is the account's money (USDJPY in a USD account). */
function linksItself(inst: Instrument, account: string): boolean {
  return sameMoney(inst.baseCurrency, account);
}

/**
 * The last mid of a pair among the bars seen that converts `from` into `to`. The instrument
 * itself is among the pairs when it links the two (USDJPY for JPY into USD).
 */
function linkingMid(state: ExecutorState, from: string, to: string): { readonly mid: number; readonly inverse: boolean } | undefined {
  for (const p of conversionPairs(from, to)) {
    const slot = state.mids.get(p.symbol);
    if (slot !== undefined && slot.mid > 0) return { mid: slot.mid, inverse: p.inverse };
  }
  return undefined;
}

/**
 * Account-currency units per unit of `inst`'s quote currency for a fill at `price`, rounded to
 * RATE_DIGITS significant digits: from the fill price itself when the instrument links the two
 * (1 / price for USDJPY in a USD account), else from the last mid of a linking pair (GBPUSD for
 * EURGBP). Undefined when nothing converts (rejectionOf refuses such orders up front).
 */
export function fillRate(state: ExecutorState, inst: Instrument, account: string, price: Decimal): Decimal | undefined {
  let rate: Decimal;
  if (linksItself(inst, account)) {
    rate = ONE.div(price);
  } else {
    const link = linkingMid(state, inst.quoteCurrency, account);
    if (link === undefined) return undefined;
    rate = link.inverse ? ONE.div(dec(link.mid)) : dec(link.mid);
  }
  return rate.toSignificantDigits(RATE_DIGITS, Decimal.ROUND_HALF_EVEN);
}

/**
 * The rate for marking an open position to market, as a float (the equity curve) or exactly
 * (reports): the last mid of a linking pair, the instrument itself included. NaN / undefined
 * when nothing converts.
 */
export function markRateF(state: ExecutorState, inst: Instrument, account: string): number {
  const link = linkingMid(state, inst.quoteCurrency, account);
  return link === undefined ? Number.NaN : link.inverse ? 1 / link.mid : link.mid;
}

export function markRate(state: ExecutorState, inst: Instrument, account: string): Decimal | undefined {
  const link = linkingMid(state, inst.quoteCurrency, account);
  if (link === undefined) return undefined;
  const rate = link.inverse ? ONE.div(dec(link.mid)) : dec(link.mid);
  return rate.toSignificantDigits(RATE_DIGITS, Decimal.ROUND_HALF_EVEN);
}

/** Why an order on `inst` cannot be booked in `account`, or undefined when it can. */
export function conversionProblem(state: ExecutorState, inst: Instrument, account: string | undefined): string | undefined {
  if (!isCross(inst, account) || linksItself(inst, account) || linkingMid(state, inst.quoteCurrency, account) !== undefined) return undefined;
  const q = inst.quoteCurrency;
  return (
    `${inst.symbol} is quoted in ${q} and no price seen so far converts ${q} into the account currency ${account}, ` +
    `so its P&L could not be booked: trade it with ${linkingSymbols(q, account)} bars in the data`
  );
}

/** Rounds a converted amount to the account currency's minor unit (half-even, as every money amount). */
export function toAccount(amount: Decimal, rate: Decimal, places: number): Decimal {
  if (amount.isZero()) return amount;
  return amount.mul(rate).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
}
