import fc from 'fast-check';
import { dec, Decimal, DeciderHost, type Envelope, MS_PER_DAY, MS_PER_HOUR, utcDayStart, ZERO } from '@tradeloop/kernel';
import { msg } from '@tradeloop/testing';
import type { OrderDeniedData, RiskApprovedData, Side, TradingState } from '@tradeloop/contracts';
import { createRisk, resolveRiskConfig, type RiskConfig, type RiskInput, type RiskState } from './index';
import { account, bar, closed, decision, filled, manual, submitted, T0, tradingState } from './risk.test-fixtures';

/*
 * Random interleavings of signal bursts, manual orders, fills, losing and winning closes,
 * cancels, governor drops, trading-state changes and day changes. A small independent model
 * of the account (the "world") follows the same messages and checks every approval against
 * the limits, so the properties do not trust risk's own bookkeeping.
 */

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] as const;
type Sym = (typeof SYMBOLS)[number];
const START_PRICE: Record<Sym, number> = { BTCUSDT: 50_000, ETHUSDT: 2_000, SOLUSDT: 100 };
/** Manual quantity step per symbol: keeps manual notionals in the same range (≤ 20 000). */
const MANUAL_STEP: Record<Sym, string> = { BTCUSDT: '0.01', ETHUSDT: '0.1', SOLUSDT: '1' };

const round2 = (x: number) => Math.round(x * 100) / 100;

type Action =
  | { kind: 'bar'; sym: number; move: number; dtSec: number }
  | { kind: 'signals'; list: { sym: number; long: boolean; stopPct: number; size: number }[] }
  | { kind: 'manual'; sym: number; buy: boolean; units: number; limit: number | null; stop: boolean }
  | { kind: 'fill'; pick: number; half: boolean }
  | { kind: 'end'; pick: number; how: 'OrderCancelled' | 'OrderRejected' | 'OrderExpired' | 'OrderDisplayed' | 'ApprovalRejected' | 'ApprovalExpired' }
  | { kind: 'close'; pick: number; pnl: number }
  | { kind: 'state'; state: TradingState }
  | { kind: 'day'; hours: number };

const sym = fc.integer({ min: 0, max: SYMBOLS.length - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('bar' as const), sym, move: fc.double({ min: -0.03, max: 0.03, noNaN: true }), dtSec: fc.integer({ min: 0, max: 600 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('signals' as const),
      list: fc.array(fc.record({ sym, long: fc.boolean(), stopPct: fc.double({ min: 0.005, max: 0.1, noNaN: true }), size: fc.double({ min: 0.5, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('manual' as const),
      sym,
      buy: fc.boolean(),
      units: fc.integer({ min: 1, max: 40 }),
      limit: fc.option(fc.double({ min: -0.03, max: 0.03, noNaN: true })),
      stop: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), half: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('end' as const),
      pick: fc.nat(),
      how: fc.constantFrom('OrderCancelled', 'OrderRejected', 'OrderExpired', 'OrderDisplayed', 'ApprovalRejected', 'ApprovalExpired'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('close' as const), pick: fc.nat(), pnl: fc.integer({ min: -2500, max: 800 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('state' as const), state: fc.constantFrom<TradingState>('ACTIVE', 'ACTIVE', 'REDUCING', 'HALTED') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('day' as const), hours: fc.integer({ min: 1, max: 30 }) }) },
);

const limits = fc.record({
  dailyTradeLimit: fc.integer({ min: 2, max: 8 }),
  lossStreakLimit: fc.integer({ min: 1, max: 3 }),
  lossStreakResetsDaily: fc.boolean(),
  maxOrdersPerMinute: fc.integer({ min: 2, max: 4 }),
  maxExposurePct: fc.constantFrom(0.3, 0.5, 0.8),
  maxPositionPct: fc.constantFrom(0.15, 0.25),
  riskPerTrade: fc.constantFrom(0.01, 0.02),
});

interface Working {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  remaining: Decimal;
  readonly unit: Decimal;
  orderId?: string;
}

/** The test's own model of the account, built only from the messages risk saw. */
class World {
  now = T0;
  readonly prices = new Map<string, number>();
  cash = dec('100000');
  readonly positions = new Map<string, { qty: Decimal; avg: Decimal }>();
  readonly working = new Map<string, Working>();
  readonly orderToApproval = new Map<string, string>();
  state: TradingState = 'ACTIVE';
  dayEnd = Number.NEGATIVE_INFINITY;
  sodEquity = ZERO;
  realisedToday = ZERO;
  streak = 0;
  readonly lastLoss = new Map<string, number>();
  seq = 0;

  constructor(readonly cfg: RiskConfig) {}

  equity(): Decimal {
    let e = this.cash;
    for (const [s, p] of this.positions) e = e.plus(dec(this.prices.get(s)!).minus(p.avg).mul(p.qty));
    return e;
  }

  grossExposure(): Decimal {
    let x = ZERO;
    for (const [s, p] of this.positions) x = x.plus(p.qty.abs().mul(this.prices.get(s)!));
    for (const w of this.working.values()) x = x.plus(w.remaining.mul(w.unit));
    return x;
  }

  pos(s: string): Decimal {
    return this.positions.get(s)?.qty ?? ZERO;
  }

  workingQty(s: string, side: Side): Decimal {
    let q = ZERO;
    for (const w of this.working.values()) if (w.symbol === s && w.side === side) q = q.plus(w.remaining);
    return q;
  }

  reduces(s: string, side: Side, qty: Decimal): boolean {
    const p = this.pos(s);
    if (p.isZero() || (side === 'buy') === p.isPos()) return false;
    return qty.plus(this.workingQty(s, side)).lte(p.abs());
  }

  /** Folds an input into the model, exactly as far as the limits are concerned. */
  see(m: Envelope): void {
    if (m.ts >= this.dayEnd) {
      const first = this.dayEnd === Number.NEGATIVE_INFINITY;
      this.dayEnd = utcDayStart(m.ts) + MS_PER_DAY;
      this.sodEquity = this.equity();
      this.realisedToday = ZERO;
      if (!first && this.cfg.lossStreakResetsDaily) this.streak = 0;
    }
    const d = m.data as any;
    switch (m.type) {
      case 'BarClosed':
        this.prices.set(d.symbol, d.close);
        break;
      case 'OrderSubmitted':
        if (this.working.has(d.riskApprovalId)) this.orderToApproval.set(d.orderId, d.riskApprovalId);
        break;
      case 'OrderFilled': {
        const q = dec(d.quantity);
        const signed = d.side === 'buy' ? q : q.neg();
        const p = this.positions.get(d.symbol);
        if (p === undefined) this.positions.set(d.symbol, { qty: signed, avg: dec(d.price) });
        else {
          const next = p.qty.plus(signed);
          if (next.isZero()) this.positions.delete(d.symbol);
          else {
            if (p.qty.isPos() === signed.isPos()) p.avg = p.qty.abs().mul(p.avg).plus(q.mul(d.price)).div(p.qty.abs().plus(q));
            else if (next.isPos() !== p.qty.isPos()) p.avg = dec(d.price);
            p.qty = next;
          }
        }
        const id = this.orderToApproval.get(d.orderId);
        const w = id === undefined ? undefined : this.working.get(id);
        if (w !== undefined) {
          w.remaining = w.remaining.minus(q);
          if (w.remaining.lte(0) || dec(d.leavesQuantity).isZero()) this.working.delete(w.id);
        }
        break;
      }
      case 'OrderCancelled':
      case 'OrderRejected':
      case 'OrderExpired': {
        const id = this.orderToApproval.get(d.orderId);
        if (id !== undefined) this.working.delete(id);
        break;
      }
      case 'OrderDisplayed':
      case 'ApprovalRejected':
      case 'ApprovalExpired':
        this.working.delete(d.riskApprovalId);
        break;
      case 'PositionClosed': {
        const pnl = dec(d.realizedPnl);
        this.realisedToday = this.realisedToday.plus(pnl);
        if (pnl.lt(0)) {
          this.streak += 1;
          this.lastLoss.set(d.symbol, m.ts);
        } else if (pnl.gt(0)) this.streak = 0;
        break;
      }
      case 'AccountUpdated':
        this.cash = dec(d.cash);
        break;
      case 'TradingStateChanged':
        this.state = d.state;
        break;
    }
  }
}

interface RunResult {
  readonly log: Envelope[];
  readonly inputs: RiskInput[];
  readonly outputsPerInput: (readonly Envelope[])[];
  /** Every approval, and whether it only reduced a position (such orders are not counted by the count limits). */
  readonly approvals: { ts: number; data: RiskApprovedData; reducing: boolean }[];
  readonly denials: OrderDeniedData[];
  readonly host: DeciderHost<RiskState, RiskInput>;
  readonly violations: string[];
}

/** Plays `actions` against a live risk host, checking each approval against the world model. */
function play(cfg: RiskConfig, actions: readonly Action[]): RunResult {
  const host = new DeciderHost(createRisk(cfg));
  const world = new World(cfg);
  const log: Envelope[] = [];
  const inputs: RiskInput[] = [];
  const outputsPerInput: (readonly Envelope[])[] = [];
  const approvals: { ts: number; data: RiskApprovedData; reducing: boolean }[] = [];
  const denials: OrderDeniedData[] = [];
  const violations: string[] = [];
  const fail = (what: string, d: RiskApprovedData) => violations.push(`${what}: ${JSON.stringify(d.order)} at ${world.now}`);

  const check = (ts: number, d: RiskApprovedData): boolean => {
    const s = d.order.symbol;
    const qty = dec(d.order.quantity);
    const notional = dec(d.notional);
    if (world.state === 'HALTED') fail('approved while HALTED', d);
    const reducing = world.reduces(s, d.order.side, qty);
    if (world.state === 'REDUCING' && !reducing) fail('opening approval while REDUCING', d);
    if (d.order.origin === 'strategy' && (!world.pos(s).isZero() || [...world.working.values()].some((w) => w.symbol === s))) {
      fail('strategy entry on a symbol with a position or working entry', d);
    }
    if (reducing) return true;
    if (world.streak >= cfg.lossStreakLimit) fail(`approved during a loss streak of ${world.streak}`, d);
    if (world.realisedToday.neg().gte(world.sodEquity.mul(cfg.dailyLossLimitPct))) fail('approved past the daily loss limit', d);
    const lastLoss = world.lastLoss.get(s);
    if (lastLoss !== undefined && ts - lastLoss < cfg.cooldownMs) fail('approved within the cooldown', d);
    const equity = world.equity();
    // An order against the position adds only what goes beyond closing it (less the working orders on its side).
    const p = world.pos(s);
    const against = !p.isZero() && (d.order.side === 'buy') !== p.isPos();
    const opening = against ? Decimal.max(ZERO, Decimal.min(qty, qty.minus(p.abs().minus(world.workingQty(s, d.order.side))))) : qty;
    if (world.grossExposure().plus(notional.div(qty).mul(opening)).gt(equity.mul(cfg.maxExposurePct))) fail('exposure above the cap', d);
    const resulting = d.order.side === 'buy' ? world.pos(s).plus(world.workingQty(s, 'buy')).plus(qty) : world.pos(s).minus(world.workingQty(s, 'sell')).minus(qty);
    if (resulting.abs().mul(d.referencePrice).gt(equity.mul(cfg.maxPositionPct))) fail('position above the cap', d);
    return false;
  };

  const send = (m: RiskInput) => {
    world.see(m);
    inputs.push(m);
    log.push(m);
    const out = host.handle(m);
    outputsPerInput.push(out);
    for (const o of out) {
      log.push(o);
      if (o.type === 'RiskApproved') {
        const d = o.data as RiskApprovedData;
        approvals.push({ ts: o.ts, data: d, reducing: check(o.ts, d) });
        const qty = dec(d.order.quantity);
        world.working.set(o.id, { id: o.id, symbol: d.order.symbol, side: d.order.side, remaining: qty, unit: dec(d.notional).div(qty) });
      } else denials.push(o.data as OrderDeniedData);
    }
  };
  const id = (p: string) => `${p}-${++world.seq}`;
  const price = (s: string) => world.prices.get(s)!;
  const bars = () => SYMBOLS.forEach((s) => send(bar(s, price(s), world.now)));
  const ensureSubmitted = (w: Working) => {
    if (w.orderId !== undefined) return w.orderId;
    w.orderId = `o-${w.id}`;
    send(submitted(w.orderId, w.id, { symbol: w.symbol, side: w.side, quantity: decStrOf(w.remaining) }, world.now));
    return w.orderId;
  };

  for (const s of SYMBOLS) world.prices.set(s, START_PRICE[s]);
  bars();
  for (const a of actions) {
    switch (a.kind) {
      case 'bar': {
        const s = SYMBOLS[a.sym];
        world.now += a.dtSec * 1000;
        send(bar(s, round2(price(s) * (1 + a.move)), world.now));
        break;
      }
      case 'day':
        world.now += a.hours * MS_PER_HOUR;
        bars();
        break;
      case 'signals':
        for (const sg of a.list) {
          const s = SYMBOLS[sg.sym];
          const p = price(s);
          const dir = sg.long ? 1 : -1;
          send(
            decision(
              { symbol: s, direction: sg.long ? 'long' : 'short', entry: p, stop: round2(p * (1 - dir * sg.stopPct)), target: round2(p * (1 + 2 * dir * sg.stopPct)), sizeMultiplier: sg.size },
              world.now,
              id('dec'),
            ),
          );
        }
        break;
      case 'manual': {
        const s = SYMBOLS[a.sym];
        const p = price(s);
        const ref = a.limit === null ? p : round2(p * (1 + a.limit));
        const dir = a.buy ? 1 : -1;
        send(
          manual(
            {
              symbol: s,
              side: a.buy ? 'buy' : 'sell',
              quantity: dec(MANUAL_STEP[s]).mul(a.units).toFixed(),
              ...(a.limit === null ? {} : { type: 'limit' as const, price: ref.toFixed(2) }),
              ...(a.stop ? { stopLoss: round2(ref * (1 - dir * 0.02)).toFixed(2) } : {}),
            },
            world.now,
            id('man'),
          ),
        );
        break;
      }
      case 'fill': {
        const open = [...world.working.values()];
        if (open.length === 0) break;
        const w = open[a.pick % open.length];
        const orderId = ensureSubmitted(w);
        const q = a.half ? w.remaining.div(2) : w.remaining;
        const leaves = w.remaining.minus(q);
        send(filled(orderId, { symbol: w.symbol, side: w.side, quantity: decStrOf(q), price: price(w.symbol).toFixed(2), leavesQuantity: decStrOf(leaves) }, world.now));
        break;
      }
      case 'end': {
        const open = [...world.working.values()];
        if (open.length === 0) break;
        const w = open[a.pick % open.length];
        if (a.how === 'OrderDisplayed' || a.how === 'ApprovalRejected' || a.how === 'ApprovalExpired') {
          if (w.orderId !== undefined) break;
          if (a.how === 'OrderDisplayed') send(msg('OrderDisplayed', { riskApprovalId: w.id, order: {} as never, reason: 'DISPLAY_ONLY' }, { ts: world.now }));
          else if (a.how === 'ApprovalRejected') send(msg('ApprovalRejected', { approvalId: id('ap'), riskApprovalId: w.id, by: 'bob', reason: 'no' }, { ts: world.now }));
          else send(msg('ApprovalExpired', { approvalId: id('ap'), riskApprovalId: w.id }, { ts: world.now }));
          break;
        }
        const orderId = ensureSubmitted(w);
        const ids = { orderId, clientOrderId: `c-${orderId}`, symbol: w.symbol };
        if (a.how === 'OrderExpired') send(msg('OrderExpired', ids, { ts: world.now }));
        else send(msg(a.how, { ...ids, reason: 'test' }, { ts: world.now }));
        break;
      }
      case 'close': {
        const held = [...world.positions.entries()];
        if (held.length === 0) break;
        const [s, p] = held[a.pick % held.length];
        send(filled(id('close'), { symbol: s, side: p.qty.isPos() ? 'sell' : 'buy', quantity: decStrOf(p.qty.abs()), price: price(s).toFixed(2), role: 'close' }, world.now));
        send(closed(s, a.pnl.toFixed(2), world.now));
        send(account(world.cash.plus(a.pnl).toFixed(2), world.now));
        break;
      }
      case 'state':
        send(tradingState(a.state, world.now, world.state));
        break;
    }
  }
  return { log, inputs, outputsPerInput, approvals, denials, host, violations };
}

function decStrOf(d: Decimal): string {
  return d.toFixed();
}

describe('risk limits under random interleavings', () => {
  const reasonsSeen = new Map<string, number>();
  let approvalsSeen = 0;
  let reductionsSeen = 0;

  it('limits_when_random_bursts_fills_losses_and_days_then_never_exceeded', () => {
    fc.assert(
      fc.property(limits, fc.array(action, { minLength: 10, maxLength: 80 }), (l, actions) => {
        const run = play(resolveRiskConfig(l), actions);
        for (const d of run.denials) reasonsSeen.set(d.reason, (reasonsSeen.get(d.reason) ?? 0) + 1);
        approvalsSeen += run.approvals.length;
        expect(run.violations).toEqual([]);

        // The count limits count the orders that add risk; a reduction is neither counted nor refused.
        const adding = run.approvals.filter((a) => !a.reducing);
        reductionsSeen += run.approvals.length - adding.length;
        const perDay = new Map<number, number>();
        for (const a of adding) perDay.set(utcDayStart(a.ts), (perDay.get(utcDayStart(a.ts)) ?? 0) + 1);
        for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(l.dailyTradeLimit);
        for (const a of adding) {
          const inWindow = adding.filter((b) => b.ts > a.ts - 60_000 && b.ts <= a.ts).length;
          expect(inWindow).toBeLessThanOrEqual(l.maxOrdersPerMinute);
        }
      }),
      { seed: 20240102, numRuns: 300 },
    );
    // The generator must actually push risk into its limits, or the property proves little.
    expect(approvalsSeen).toBeGreaterThan(500);
    expect(reductionsSeen).toBeGreaterThan(20);
    const exercised = ['DAILY_TRADE_LIMIT', 'LOSS_STREAK', 'DAILY_LOSS_LIMIT', 'COOLDOWN', 'EXPOSURE_LIMIT', 'MAX_POSITION', 'MESSAGE_RATE', 'TRADING_HALTED', 'REDUCE_ONLY', 'POSITION_ALREADY_OPEN'];
    expect(exercised.filter((r) => !((reasonsSeen.get(r) ?? 0) > 0))).toEqual([]);
  });

  it('restart_when_state_rebuilt_by_folding_the_log_then_identical_to_live', () => {
    fc.assert(
      fc.property(limits, fc.array(action, { minLength: 5, maxLength: 60 }), fc.nat(), (l, actions, cut) => {
        const cfg = resolveRiskConfig(l);
        const live = play(cfg, actions);

        const folded = new DeciderHost(createRisk(cfg));
        for (const m of live.log) folded.fold(m);
        expect(folded.state).toEqual(live.host.state);

        // Crash after input k: rebuild from the log so far, then carry on live.
        const k = cut % (live.inputs.length + 1);
        const restarted = new DeciderHost(createRisk(cfg));
        let logged = 0;
        for (let i = 0; i < k; i++) logged += 1 + live.outputsPerInput[i].length;
        for (const m of live.log.slice(0, logged)) restarted.fold(m);
        for (let i = k; i < live.inputs.length; i++) expect(restarted.handle(live.inputs[i])).toEqual(live.outputsPerInput[i]);
        expect(restarted.state).toEqual(live.host.state);
      }),
      { seed: 7, numRuns: 150 },
    );
  });
});
