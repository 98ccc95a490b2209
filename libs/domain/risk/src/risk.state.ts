import { conversionPairs, dec, Decimal, type Instrument, marketKey, sameMoney, ZERO } from '@tradeloop/kernel';
import type { OrderOrigin, Side, TradingState } from '@tradeloop/contracts';
import type { RiskConfig } from './risk.config';
import { instrumentFacts, ONE } from './risk.facts';

/** Last price of a symbol. Updated in place on every bar: the hot path allocates nothing. */
export interface PriceSlot {
  price: number;
  /** Event time of the last bar (its close), and how long that bar lasted (its close − its open). */
  ts: number;
  interval: number;
  /** The venue of the last bar, and every venue the symbol's bars have come from (usually one). */
  venue: string;
  readonly venues: string[];
}

/** Net position on one market (a symbol at a venue, as the paper broker keeps them): signed quantity (long > 0) and average entry price. */
export interface PositionBook {
  readonly symbol: string;
  qty: Decimal;
  avgPrice: Decimal;
}


/**
 * Exposure held by an approved order until it fills or ends. Keyed by the RiskApproved id,
 * because that id is all the governor's drop messages (OrderDisplayed, ApprovalRejected,
 * ApprovalExpired) carry; the executor's order id is linked in on OrderSubmitted.
 */
export interface Reservation {
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly origin: OrderOrigin;
  /** Quantity not yet filled. */
  remaining: Decimal;
  /** Notional per unit in the account currency at approval. */
  readonly unitNotional: Decimal;
  /** The primary order placed for this approval, once OrderSubmitted says so. */
  orderId: string | undefined;
}

/** Unit notionals already worked out, by reservation; a cache outside the state, so it never makes two states differ. */
const unitNotionals = new WeakMap<ApprovalReservation, Decimal>();

/**
 * A Reservation whose unit notional (a division) is worked out on first use: most
 * reservations end with their fill before any other order needs the reserved total.
 * The value is the same whenever it is computed, as it depends only on the approval.
 */
export class ApprovalReservation implements Reservation {
  constructor(
    readonly venue: string,
    readonly symbol: string,
    readonly side: Side,
    readonly origin: OrderOrigin,
    public remaining: Decimal,
    /** Approved quantity and account-currency notional the unit notional derives from. */
    private readonly quantity: Decimal,
    private readonly notional: Decimal,
    public orderId: string | undefined,
  ) {}

  get unitNotional(): Decimal {
    let unit = unitNotionals.get(this);
    if (unit === undefined) {
      unit = this.notional.div(this.quantity);
      unitNotionals.set(this, unit);
    }
    return unit;
  }
}

/** Everything risk knows about its one account. Owned by one host; mutated in place by evolve. */
export interface RiskState {
  readonly prices: Map<string, PriceSlot>;
  readonly positions: Map<string, PositionBook>;
  readonly reservations: Map<string, Reservation>;
  /** Primary order id → RiskApproved id, until the order is terminal. */
  readonly orderApprovals: Map<string, string>;
  /** Symbol → event time of its last losing close (cooldown). */
  readonly lastLossAt: Map<string, number>;
  /** Event times of approvals adding risk in the trailing minute (message rate); pruned on every such approval. */
  readonly recentApprovals: number[];
  accountCurrency: string;
  cash: Decimal;
  tradingState: TradingState;
  /** Current UTC day [dayStart, dayEnd); dayEnd = -∞ until the first message. */
  dayStart: number;
  dayEnd: number;
  /** Approvals adding risk today (an order that only reduces a position is not counted). */
  approvalsToday: number;
  /** Net realised P&L of positions closed today, account currency. */
  realisedToday: Decimal;
  startOfDayEquity: Decimal;
  lossStreak: number;
}

export function initialRiskState(cfg: RiskConfig): RiskState {
  const cash = dec(cfg.startingCash);
  return {
    prices: new Map(),
    positions: new Map(),
    reservations: new Map(),
    orderApprovals: new Map(),
    lastLossAt: new Map(),
    recentApprovals: [],
    accountCurrency: cfg.accountCurrency,
    cash,
    tradingState: 'ACTIVE',
    dayStart: Number.NEGATIVE_INFINITY,
    dayEnd: Number.NEGATIVE_INFINITY,
    approvalsToday: 0,
    realisedToday: ZERO,
    startOfDayEquity: cash,
    lossStreak: 0,
  };
}

/** Instrument metadata, or undefined for a symbol `instrumentFor` does not know. */
export function lookupInstrument(symbol: string, cfg: RiskConfig): Instrument | undefined {
  return instrumentFacts(symbol, cfg)?.inst;
}

/**
 * Account-currency value of one unit of `currency`, from the last price of a pair that links
 * the two (e.g. JPY in a USD account: 1 / USDJPY), or undefined when no such pair has traded.
 * A wrong or guessed rate would mis-size every order, so there is no fallback. Stablecoins
 * count as dollars (kernel `sameMoney`): a depeg is a risk this engine does not model; the
 * notional limits leave room for the small differences seen in normal markets.
 */
export function rateToAccount(state: RiskState, currency: string): Decimal | undefined {
  const acct = state.accountCurrency;
  if (sameMoney(currency, acct)) return ONE;
  for (const pair of conversionPairs(currency, acct)) {
    const slot = state.prices.get(pair.symbol);
    if (slot !== undefined) return pair.inverse ? ONE.div(dec(slot.price)) : dec(slot.price);
  }
  return undefined;
}

export interface Valuation {
  /** Cash plus unrealised P&L of every open position at its last price (account currency). */
  readonly equity: Decimal;
  /** Σ |position| × last price, account currency. */
  readonly positionsNotional: Decimal;
  /** A symbol whose position could not be valued (unknown instrument or no conversion rate). */
  readonly unvalued?: string;
}

/**
 * Marks the book. Positions without a last price are marked at their average price
 * (no unrealised P&L) — they exist only if a fill came before any bar of the symbol.
 */
export function valuation(state: RiskState, cfg: RiskConfig): Valuation {
  let equity = state.cash;
  let positionsNotional = ZERO;
  let unvalued: string | undefined;
  for (const book of state.positions.values()) {
    const symbol = book.symbol;
    const facts = instrumentFacts(symbol, cfg);
    const rate = facts && rateToAccount(state, facts.inst.quoteCurrency);
    if (facts === undefined || rate === undefined) {
      unvalued ??= symbol;
      continue;
    }
    const slot = state.prices.get(symbol);
    const mark = slot === undefined ? book.avgPrice : dec(slot.price);
    // perUnit = contractSize × rate; both products below are operation results, so × 1 is skipped.
    const unit = rate === ONE && facts.unitContract;
    const perUnit = unit ? ONE : facts.contractSize.mul(rate);
    const pnl = mark.minus(book.avgPrice).mul(book.qty);
    const held = book.qty.abs().mul(mark);
    equity = equity.plus(unit ? pnl : pnl.mul(perUnit));
    positionsNotional = positionsNotional.plus(unit ? held : held.mul(perUnit));
  }
  return unvalued === undefined ? { equity, positionsNotional } : { equity, positionsNotional, unvalued };
}

/** Σ remaining × unit notional over working approvals; the shared ZERO when there are none. */
export function reservedNotional(state: RiskState): Decimal {
  let total = ZERO;
  for (const r of state.reservations.values()) total = total.plus(r.remaining.mul(r.unitNotional));
  return total;
}

/** Σ remaining quantity of working approved orders on the market (venue, symbol) and `side`; the shared ZERO when there are none. */
export function workingQuantity(state: RiskState, venue: string, symbol: string, side: Side): Decimal {
  let total = ZERO;
  for (const r of state.reservations.values()) if (r.symbol === symbol && r.venue === venue && r.side === side) total = total.plus(r.remaining);
  return total;
}

export function hasWorkingOrder(state: RiskState, symbol: string): boolean {
  for (const r of state.reservations.values()) if (r.symbol === symbol) return true;
  return false;
}

/** The signed position on the market (venue, symbol); the shared ZERO when there is none. */
export function positionQty(state: RiskState, venue: string, symbol: string): Decimal {
  return state.positions.get(marketKey(venue, symbol))?.qty ?? ZERO;
}

/** A position on `symbol` at any venue, if there is one. */
export function anyPositionOn(state: RiskState, symbol: string): PositionBook | undefined {
  for (const p of state.positions.values()) if (p.symbol === symbol) return p;
  return undefined;
}

/**
 * Whether an order only shrinks an open position, even if every working order on its side
 * fills too. Such orders take risk off, so no limit meant to stop new risk stops them (a
 * trader must always be able to close; see checkLimits); HALTED does.
 */
export function reducesPosition(state: RiskState, venue: string, symbol: string, side: Side, qty: Decimal): boolean {
  const pos = positionQty(state, venue, symbol);
  if (pos.isZero()) return false;
  if ((side === 'buy') === pos.isPos()) return false;
  return qty.plus(workingQuantity(state, venue, symbol, side)).lte(pos.abs());
}
