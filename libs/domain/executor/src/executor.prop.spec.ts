import fc from 'fast-check';
import { currencyDecimals, dec, Decimal, DeciderHost, Envelope } from '@tradeloop/kernel';
import { msg } from '@tradeloop/testing';
import type { Message, OrderSpec, OrderStatus, TimeInForce } from '@tradeloop/contracts';
import type { ExecutorConfig } from './executor.config';
import { createExecutor } from './executor.decider';
import type { ExecutorInput } from './executor.outputs';
import { portfolioOf } from './executor.read';
import { bookOf, type ExecutorState } from './executor.state';
import { MIN, T0 } from './test-support';

/**
 * Random order flows over random bars. Bars are well formed (high ≥ max(open, close),
 * low ≤ min(open, close), ask = bid + spread on quote bars); orders are mostly valid with
 * some deliberately broken ones, duplicates, cancels and kill switches mixed in.
 */

interface SymbolModel {
  readonly symbol: string;
  /** Price unit of the integer grid (the tick). */
  readonly unit: number;
  readonly decimals: number;
  readonly quote: boolean;
  readonly lot: number;
  readonly lotDecimals: number;
  readonly start: number;
}
const SYMBOLS: readonly SymbolModel[] = [
  { symbol: 'BTCUSD', unit: 0.01, decimals: 2, quote: false, lot: 0.001, lotDecimals: 3, start: 1_000_000 },
  { symbol: 'EURUSD', unit: 0.00001, decimals: 5, quote: true, lot: 1000, lotDecimals: 0, start: 108_000 },
  { symbol: 'USDJPY', unit: 0.001, decimals: 3, quote: true, lot: 1000, lotDecimals: 0, start: 150_000 },
];

type Step =
  | { kind: 'bar'; sym: number; gap: number; move: number; up: number; down: number; spread: number; skip: number }
  | {
      kind: 'order';
      sym: number;
      buy: boolean;
      type: 'market' | 'limit' | 'stop';
      offset: number;
      lots: number;
      tif: TimeInForce;
      sl: number;
      tp: number;
      broken: number;
      midBar: boolean;
    }
  | { kind: 'dup'; pick: number }
  | { kind: 'cancel'; pick: number; byClient: boolean }
  | { kind: 'kill'; cancel: boolean };

const symIdx = fc.constantFrom(0, 0, 0, 1, 1, 1, 2);
const barStep = fc.record({
  kind: fc.constant('bar' as const),
  sym: symIdx,
  gap: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -60, max: 60 })),
  move: fc.integer({ min: -40, max: 40 }),
  up: fc.integer({ min: 0, max: 40 }),
  down: fc.integer({ min: 0, max: 40 }),
  spread: fc.integer({ min: 1, max: 4 }),
  skip: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.constant(0), fc.constant(600)),
});
const orderStep = fc.record({
  kind: fc.constant('order' as const),
  sym: symIdx,
  buy: fc.boolean(),
  type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
  offset: fc.integer({ min: 0, max: 50 }),
  lots: fc.integer({ min: 1, max: 5 }),
  tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'GTC', 'IOC', 'FOK', 'DAY'),
  sl: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 60 })),
  tp: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 80 })),
  broken: fc.integer({ min: 0, max: 19 }),
  midBar: fc.boolean(),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: barStep, weight: 6 },
  { arbitrary: orderStep, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('dup' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), byClient: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('kill' as const), cancel: fc.boolean() }), weight: 1 },
);
const configArb: fc.Arbitrary<Partial<ExecutorConfig>> = fc.record({
  takerFeeBps: fc.constantFrom(0, 1, 2.5, 10),
  makerFeeBps: fc.constantFrom(0, 1, 2),
  slippageBps: fc.constantFrom(0, 0.5, 3),
  limitFillRule: fc.constantFrom('through' as const, 'touch' as const),
  currency: fc.constantFrom(undefined, 'USD'),
});

/** Turns abstract steps into envelopes, tracking each symbol's price and the clock. */
function materialise(steps: readonly Step[]): Envelope[] {
  const price = SYMBOLS.map((s) => s.start);
  let minute = 0;
  let n = 0;
  const approvals: Message<'OrderApproved'>[] = [];
  const out: Envelope[] = [];
  const px = (s: SymbolModel, v: number) => (Math.max(v, 1) * s.unit).toFixed(s.decimals);
  for (const st of steps) {
    n += 1;
    const now = T0 + minute * MIN;
    if (st.kind === 'bar') {
      const s = SYMBOLS[st.sym];
      minute += 1 + st.skip;
      const openTime = T0 + (minute - 1) * MIN;
      const o = Math.max(price[st.sym] + st.gap, 100);
      const c = Math.max(o + st.move, 100);
      const h = Math.max(o, c) + st.up;
      const l = Math.max(Math.min(o, c) - st.down, 50);
      price[st.sym] = c;
      const f = (v: number) => Number((v * s.unit).toFixed(s.decimals));
      const a = (v: number) => f(v + st.spread);
      out.push(
        msg(
          'BarClosed',
          {
            venue: 'TEST',
            symbol: s.symbol,
            timeframe: '1m',
            openTime,
            open: f(o),
            high: f(h),
            low: f(l),
            close: f(c),
            volume: 1,
            ...(s.quote ? { askOpen: a(o), askHigh: a(h), askLow: a(l), askClose: a(c) } : {}),
          },
          { id: `bar-${n}`, ts: openTime + MIN },
        ),
      );
    } else if (st.kind === 'order') {
      const s = SYMBOLS[st.sym];
      const p = price[st.sym];
      const sign = st.buy ? 1 : -1;
      const entry = st.type === 'limit' ? p - sign * st.offset : st.type === 'stop' ? p + sign * st.offset : p;
      const quantity = (st.lots * s.lot).toFixed(s.lotDecimals);
      const spec: { -readonly [K in keyof OrderSpec]: OrderSpec[K] } = {
        venue: 'TEST',
        symbol: s.symbol,
        side: st.buy ? 'buy' : 'sell',
        type: st.type,
        quantity,
        timeInForce: st.tif,
        origin: 'strategy',
        strategy: 'trend_momentum',
      };
      if (st.type === 'limit') spec.limitPrice = px(s, entry);
      if (st.type === 'stop') spec.stopPrice = px(s, entry);
      if (st.sl > 0) spec.stopLoss = px(s, entry - sign * st.sl);
      if (st.tp > 0) spec.takeProfit = px(s, entry + sign * st.tp);
      // A few deliberately invalid orders: off the lot grid, zero, missing price, bracket inverted.
      if (st.broken === 0) spec.quantity = st.sym === 0 ? '0.000001' : '1500.5';
      if (st.broken === 1) spec.quantity = '0';
      if (st.broken === 2 && st.type !== 'market') {
        delete spec.limitPrice;
        delete spec.stopPrice;
      }
      if (st.broken === 3 && st.sl > 0 && st.tp > 0) [spec.stopLoss, spec.takeProfit] = [spec.takeProfit, spec.stopLoss];
      const id = `ap-${n}`;
      const a = msg(
        'OrderApproved',
        { riskApprovalId: `risk-${n}`, order: spec, mode: 'fully_automated', approvedBy: 'auto' },
        { id, ts: st.midBar ? now - 30_000 : now, correlationId: `sig-${n}` },
      );
      approvals.push(a);
      out.push(a);
    } else if (st.kind === 'dup') {
      if (approvals.length > 0) out.push(approvals[st.pick % approvals.length]);
    } else if (st.kind === 'cancel') {
      if (approvals.length > 0) {
        const target = approvals[st.pick % approvals.length].id;
        out.push(msg('CancelOrder', { orderId: st.byClient ? `client-of-${target}` : target, by: 'prop' }, { id: `cx-${n}`, ts: now }));
      }
    } else {
      out.push(
        msg(
          'TradingStateChanged',
          { state: 'HALTED', previous: 'ACTIVE', reason: 'prop', by: 'prop', cancelWorkingOrders: st.cancel },
          { id: `ks-${n}`, ts: now },
        ),
      );
    }
  }
  return out;
}

const RANK: Record<OrderStatus, number> = { submitted: 0, accepted: 1, partially_filled: 2, filled: 3, cancelled: 3, rejected: 3, expired: 3 };

/** Replaces CancelOrder placeholders with real order ids once the target's OrderSubmitted exists. */
function resolveCancel(input: Envelope, byApproval: Map<string, { orderId: string; clientOrderId: string }>): Envelope {
  if (input.type !== 'CancelOrder') return input;
  const d = input.data as { orderId: string; by: string };
  const client = d.orderId.startsWith('client-of-');
  const target = byApproval.get(client ? d.orderId.slice('client-of-'.length) : d.orderId);
  if (target === undefined) return input;
  return { ...input, data: { ...d, orderId: client ? target.clientOrderId : target.orderId } };
}

function signedPosition(state: ExecutorState, symbol: string): Decimal {
  const p = bookOf(state, 'TEST', symbol)?.position;
  return p === undefined ? dec(0) : p.sign === 1 ? p.quantity : p.quantity.neg();
}

/** Plain checks: this runs after every event of hundreds of flows, where expect() would dominate. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant violated: ${what}`);
}

function run(config: Partial<ExecutorConfig>, inputs: readonly Envelope[]) {
  const ex = createExecutor(config);
  const host = new DeciderHost(ex);
  const start = dec(config.startingCash ?? '100000');
  const log: Envelope[] = [];
  const status = new Map<string, OrderStatus>();
  const submittedByClient = new Set<string>();
  const entryByApproval = new Map<string, { orderId: string; clientOrderId: string }>();
  const fillIds = new Set<string>();
  const fillSum = new Map<string, Decimal>();
  let feeSum = dec(0);
  let lastRole: string | undefined;

  const step = (id: string, next: OrderStatus) => {
    const prev = status.get(id);
    check(next === 'submitted' || prev !== undefined, `${next} before OrderSubmitted for ${id}`);
    if (prev !== undefined) {
      // invariant 5: only forward, nothing after a terminal state, fills only on working orders
      check(RANK[prev] < 3, `${next} after terminal ${prev} for ${id}`);
      check(RANK[next] >= RANK[prev], `${prev} → ${next} for ${id}`);
      if (next === 'filled' || next === 'partially_filled') check(prev === 'accepted' || prev === 'partially_filled', `fill of ${prev} order ${id}`);
    }
    status.set(id, next);
  };

  for (const raw of inputs) {
    const input = resolveCancel(raw, entryByApproval);
    log.push(input);
    const outputs = host.handle(input as ExecutorInput);
    for (const e of outputs) {
      log.push(e);
      switch (e.type) {
        case 'OrderSubmitted': {
          const d = (e as Message<'OrderSubmitted'>).data;
          check(!submittedByClient.has(d.clientOrderId), `second OrderSubmitted for ${d.clientOrderId}`); // invariant 1
          submittedByClient.add(d.clientOrderId);
          check(e.id === d.orderId, 'order id is the OrderSubmitted envelope id');
          if (d.role === 'entry') {
            check(!entryByApproval.has(d.approvedOrderId), `second entry for ${d.approvedOrderId}`);
            entryByApproval.set(d.approvedOrderId, { orderId: d.orderId, clientOrderId: d.clientOrderId });
          }
          step(d.orderId, 'submitted');
          break;
        }
        case 'OrderAccepted':
          step((e as Message<'OrderAccepted'>).data.orderId, 'accepted');
          break;
        case 'OrderRejected':
          step((e as Message<'OrderRejected'>).data.orderId, 'rejected');
          break;
        case 'OrderCancelled':
          step((e as Message<'OrderCancelled'>).data.orderId, 'cancelled');
          break;
        case 'OrderExpired':
          step((e as Message<'OrderExpired'>).data.orderId, 'expired');
          break;
        case 'OrderFilled': {
          const d = (e as Message<'OrderFilled'>).data;
          check(!fillIds.has(d.fillId), `fill ${d.fillId} twice`); // invariant 2
          fillIds.add(d.fillId);
          check(e.id === d.fillId, 'fill id is the OrderFilled envelope id');
          step(d.orderId, d.leavesQuantity === '0' ? 'filled' : 'partially_filled');
          const q = dec(d.quantity);
          check(q.gt(0), 'fill quantity > 0');
          fillSum.set(d.symbol, (fillSum.get(d.symbol) ?? dec(0)).plus(d.side === 'buy' ? q : q.neg()));
          // A fill in another currency than the account's (USDJPY in a USD account) reaches the
          // account converted at the rate it names, rounded to the account's minor unit.
          if (d.accountCurrency !== undefined) {
            check(d.feeCurrency !== d.accountCurrency && d.conversionRate !== undefined, 'a converted fill names both currencies and its rate');
            const places = currencyDecimals(d.accountCurrency);
            check(dec(d.fee).mul(d.conversionRate!).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN).eq(d.accountFee!), 'account fee = fee × rate, to the minor unit');
            check(dec(d.conversionRate!).sd() <= 10, 'rate of at most 10 significant digits');
          }
          feeSum = feeSum.plus(d.accountFee ?? d.fee);
          lastRole = d.role;
          break;
        }
        case 'PositionOpened':
          // Protective orders only reduce: they never open a position.
          check(lastRole === 'entry' || lastRole === 'close', `position opened by a ${lastRole} fill`);
          break;
        case 'PositionClosed': {
          const d = (e as Message<'PositionClosed'>).data;
          check(dec(d.grossPnl).minus(d.fees).eq(d.realizedPnl), 'net = gross − fees');
          check(d.maxAdverseExcursion >= 0 && d.maxFavorableExcursion >= 0 && d.holdingMs >= 0, 'excursions and holding time ≥ 0');
          break;
        }
        case 'AccountUpdated': {
          const d = (e as Message<'AccountUpdated'>).data;
          // invariant 3, exactly, after every fill
          check(start.plus(d.realizedPnl).minus(d.fees).eq(d.cash), `cash ${d.cash} ≠ start + ${d.realizedPnl} − ${d.fees}`);
          check(dec(d.fees).eq(feeSum), 'cumulative fees = sum of fill fees');
          break;
        }
      }
    }
    // After every event: positions are the signed sum of fills; cash = start + realised − fees.
    const s = host.state;
    for (const m of SYMBOLS) check(signedPosition(s, m.symbol).eq(fillSum.get(m.symbol) ?? 0), `${m.symbol} position ≠ signed sum of fills`);
    check(s.cash.eq(start.plus(s.realizedPnl).minus(s.fees)), 'state cash ≠ start + realised − fees');
    check(s.fees.eq(feeSum), 'state fees ≠ sum of fill fees');
    for (const b of s.bookList) for (const o of b.working) check(o.status === 'accepted' || o.status === 'partially_filled', `working list holds a ${o.status} order`);
  }
  return { ex, host, log, entryByApproval };
}

describe('executor properties', () => {
  const params = { numRuns: 150, seed: 20240102 };

  it('random_flows_when_run_then_invariants_1_2_3_5_hold_after_every_event', () => {
    fc.assert(
      fc.property(configArb, fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }), (config, steps) => {
        const inputs = materialise(steps);
        const { entryByApproval } = run(config, inputs);
        const distinct = new Set(inputs.filter((i) => i.type === 'OrderApproved').map((i) => i.id));
        expect(entryByApproval.size).toBe(distinct.size); // exactly one entry order per approved order
      }),
      params,
    );
  });

  it('random_flows_when_log_is_folded_then_state_equals_live_state', () => {
    fc.assert(
      fc.property(configArb, fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }), (config, steps) => {
        const { ex, host, log } = run(config, materialise(steps));
        const rebuilt = new DeciderHost(ex);
        for (const e of log) rebuilt.fold(e);
        expect(rebuilt.state).toEqual(host.state);
        // A log without bars (what the runtime stores) still rebuilds the account and positions.
        const noBars = new DeciderHost(ex);
        for (const e of log) if (e.type !== 'BarClosed') noBars.fold(e);
        expect(portfolioOf(noBars.state)).toEqual(portfolioOf(host.state));
      }),
      { ...params, numRuns: 100 },
    );
  });

  it('random_flows_when_run_twice_then_identical_outputs', () => {
    fc.assert(
      fc.property(configArb, fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), (config, steps) => {
        const inputs = materialise(steps);
        expect(run(config, inputs).log).toEqual(run(config, inputs).log);
      }),
      { ...params, numRuns: 40 },
    );
  });
});
