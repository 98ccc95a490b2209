import { currencyDecimals, dec, Decimal, Decider, Envelope, marketKey, NO_OUTPUTS, roundMoney, ZERO } from '@tradeloop/kernel';
import { draft, DraftOf, type ExperienceFill, Message } from '@tradeloop/contracts';
import { LearningConfig, LearningConfigInput, resolveLearningConfig } from './learning.config';
import { buildExperience } from './learning.experience';
import { addExperience, parameterTable } from './learning.parameters';
import { Chain, dropChain, findChain, initialLearningState, LearningState, markLive, openChain } from './learning.state';

export type LearningInput = Message<
  | 'SignalDetected'
  | 'DecisionMade'
  | 'RiskApproved'
  | 'OrderApproved'
  | 'ApprovalRequested'
  | 'OrderSubmitted'
  | 'OrderFilled'
  | 'PositionClosed'
  | 'OrderDenied'
  | 'ApprovalRejected'
  | 'ApprovalExpired'
  | 'OrderDisplayed'
  | 'OrderRejected'
  | 'OrderCancelled'
  | 'OrderExpired'
>;
export type LearningOutput = DraftOf<'ExperienceRecorded' | 'LearnedParametersPublished'>;
export type LearningDecider = Decider<LearningState, LearningInput, LearningOutput> & { readonly config: LearningConfig };

export const LEARNING = 'learning';

/** A fill of an entry order that reduced another chain's position closed (part of) it. */
function exitRole(role: string): string {
  return role === 'entry' ? 'close' : role;
}

// Read once: a property read through the package's re-export getter on every message showed in profiles.
const NONE: readonly never[] = NO_OUTPUTS;

/**
 * Joins each trade's decision chain (signal → decision → risk → approval → order → fills) by
 * correlationId and, when its position closes, appends one ExperienceRecorded and publishes
 * the next version of the parameter table that rl-decision learns from.
 *
 * Joins prefer explicit ids over the envelope's correlationId (riskApprovalId for approvals
 * and orders, orderId for fills, entryOrderId for the close), so a chain still assembles when
 * a stage correlates its outputs with a command or a bar instead of the signal.
 *
 * All work happens in evolve, including building the outputs (kept in `outbox`): folding the
 * log without decide rebuilds exactly the live state, parameter versions included.
 */
export function createLearning(input?: LearningConfigInput): LearningDecider {
  const config = resolveLearningConfig(input);
  const cap = config.maxOpenChains;

  function onSignal(state: LearningState, m: Message<'SignalDetected'>): void {
    const s = m.data;
    const c = openChain(state, m.correlationId, cap);
    c.signalId = m.id;
    c.origin = 'strategy';
    c.strategy = s.strategy;
    c.venue = s.venue;
    c.symbol = s.symbol;
    c.direction = s.direction;
    c.session = s.session;
    c.signalQuality = s.quality;
    c.signal = s;
    c.features = s.features;
    c.signalStop = s.stop;
  }

  function onDecision(state: LearningState, m: Message<'DecisionMade'>): void {
    const d = m.data;
    // A skipped signal will never trade: forget it now rather than wait for eviction.
    if (d.action !== 'take') {
      dropChain(state, m.correlationId);
      return;
    }
    const c = openChain(state, m.correlationId, cap);
    c.signalId ??= d.signalId;
    c.strategy ??= d.strategy;
    c.venue ??= d.venue;
    c.symbol ??= d.symbol;
    c.direction ??= d.direction;
    c.signalQuality ??= d.quality;
    c.signalStop ??= d.stop;
    c.decision = {
      confidence: d.confidence,
      sizeMultiplier: d.sizeMultiplier,
      sampledWinRate: d.sampledWinRate,
      paramsVersion: d.paramsVersion,
      reasons: d.reasons,
    };
  }

  function onRiskApproved(state: LearningState, m: Message<'RiskApproved'>): void {
    const { order } = m.data;
    const c = openChain(state, m.correlationId, cap);
    // Optional keys only when set: the experience's bytes (and the event log's hash) depend on them.
    const risk: NonNullable<Chain['risk']> = { level: m.data.riskLevel, riskAmount: m.data.riskAmount, quantity: order.quantity };
    if (order.stopLoss !== undefined) risk.stopLoss = order.stopLoss;
    if (order.takeProfit !== undefined) risk.takeProfit = order.takeProfit;
    c.risk = risk;
    if (order.stopLoss !== undefined) c.initialStop = order.stopLoss;
    c.origin = order.origin;
    c.strategy ??= order.strategy;
    c.venue ??= order.venue;
    c.symbol ??= order.symbol;
    c.direction ??= order.side === 'buy' ? 'long' : 'short';
    c.orderType = order.type;
    c.timeInForce = order.timeInForce;
    state.riskApprovals.set(m.id, c.correlationId);
    c.riskApprovalIds.push(m.id);
  }

  function onApprovalRequested(state: LearningState, m: Message<'ApprovalRequested'>): void {
    const c = openChain(state, state.riskApprovals.get(m.data.riskApprovalId) ?? m.correlationId, cap);
    // Who approved is only known from OrderApproved; until then the approval is pending.
    c.approval = { mode: m.data.mode, approvedBy: 'pending' };
  }

  function onOrderApproved(state: LearningState, m: Message<'OrderApproved'>): void {
    const d = m.data;
    const c = openChain(state, state.riskApprovals.get(d.riskApprovalId) ?? m.correlationId, cap);
    c.approval = { mode: d.mode, approvedBy: d.approvedBy };
    c.orderType = d.order.type;
    c.timeInForce = d.order.timeInForce;
    c.initialStop ??= d.order.stopLoss;
    c.origin ??= d.order.origin;
  }

  function onOrderSubmitted(state: LearningState, m: Message<'OrderSubmitted'>): void {
    const d = m.data;
    const corr =
      state.riskApprovals.get(d.riskApprovalId) ??
      (d.parentOrderId !== undefined ? state.orders.get(d.parentOrderId) : undefined) ??
      m.correlationId;
    // Only an entry starts a chain; a protective or closing order without one has nothing to join.
    const c = d.role === 'entry' ? openChain(state, corr, cap) : findChain(state, corr);
    if (!c) return;
    if (d.role === 'entry') {
      c.orderType = d.type;
      c.timeInForce = d.timeInForce;
    }
    state.orders.set(d.orderId, c.correlationId);
    c.orderIds.push(d.orderId);
  }

  /**
   * A fill belongs to the position open on its market, whichever order made it: the chain
   * holding that position gets it when it adds to or reduces the position (a kill-switch
   * exit, a manual order closing a manual buy), and the fill's own chain opens the next
   * position when the market is flat, or with what is left of a fill that reverses it. The
   * closed part of a reversal gets the fee pro rata, rounded as the executor books it.
   */
  function onFilled(state: LearningState, m: Message<'OrderFilled'>): void {
    const d = m.data;
    const own = findChain(state, state.orders.get(d.orderId)) ?? findChain(state, m.correlationId);
    const key = marketKey(d.venue, d.symbol);
    const held = state.holders.get(key);
    const holder = held !== undefined && !held.net.isZero() ? findChain(state, held.correlationId) : undefined;
    const fill: ExperienceFill = {
      ts: m.ts,
      side: d.side,
      quantity: d.quantity,
      price: d.price,
      fee: d.fee,
      slippage: d.slippage,
      role: d.role,
    };
    const quantity = dec(d.quantity);
    const signed = d.side === 'buy' ? quantity : quantity.neg();
    if (holder === undefined || held === undefined) {
      if (own) open(state, own, key, fill, signed, d.spread);
      return;
    }
    const adds = held.net.isPositive() === (d.side === 'buy');
    const reduces = adds ? ZERO : Decimal.min(quantity, held.net.abs());
    const remainder = quantity.minus(reduces);
    if (adds) {
      holder.fills.push(fill);
    } else if (remainder.isZero()) {
      holder.fills.push(own === holder ? fill : { ...fill, role: exitRole(d.role) });
    } else {
      const closeFee = roundMoney(dec(d.fee).mul(reduces).div(quantity), d.feeCurrency);
      holder.fills.push({ ...fill, quantity: reduces.toFixed(), fee: closeFee.toFixed(currencyDecimals(d.feeCurrency)), role: exitRole(d.role) });
      if (own && own !== holder) {
        const openFee = dec(d.fee).minus(closeFee).toFixed(currencyDecimals(d.feeCurrency));
        open(state, own, key, { ...fill, quantity: remainder.toFixed(), fee: openFee }, d.side === 'buy' ? remainder : remainder.neg(), d.spread);
        return;
      }
    }
    held.net = held.net.plus(adds ? signed : d.side === 'buy' ? reduces : reduces.neg());
    // An order of another chain that only changed this position is used up once it is done.
    if (own && own !== holder && own.fills.length === 0 && dec(d.leavesQuantity).isZero()) dropChain(state, own.correlationId);
  }

  function open(state: LearningState, c: Chain, key: string, fill: ExperienceFill, net: Decimal, spread: string | undefined): void {
    c.fills.push(fill);
    if (fill.role === 'entry' && c.spreadAtEntry === undefined && spread !== undefined) c.spreadAtEntry = spread;
    c.market = key;
    state.holders.set(key, { correlationId: c.correlationId, net });
    markLive(state, c, cap);
  }

  /**
   * The chain's order will never be placed (risk denied it, its approval was rejected or
   * expired, or the governor only displayed it): forget it now rather than hold it until
   * eviction, where it could push out a chain still waiting for a person's approval. Only a
   * chain without fills: a live position is never forgotten before it closes.
   */
  function onEnded(state: LearningState, correlationId: string): void {
    if (state.pending.has(correlationId)) dropChain(state, correlationId);
  }

  function onClosed(state: LearningState, m: Message<'PositionClosed'>): void {
    const p = m.data;
    if (!state.recordedPositions.add(p.positionId)) return;
    const c =
      findChain(state, state.orders.get(p.entryOrderId)) ??
      findChain(state, m.correlationId) ??
      findChain(state, state.holders.get(marketKey(p.venue, p.symbol))?.correlationId);
    const pnl = dec(p.realizedPnl);
    const experience = buildExperience(p, c, config, pnl);
    addExperience(state.stats, state.table, experience, pnl);
    state.paramsVersion += 1;
    if (m.ts > state.asOf) state.asOf = m.ts;
    state.outbox = {
      causeId: m.id,
      experience,
      parameters: { paramsVersion: state.paramsVersion, asOf: state.asOf, parameters: parameterTable(state.table) },
    };
    if (c) dropChain(state, c.correlationId);
  }

  return {
    name: LEARNING,
    config,
    consumes: [
      'SignalDetected',
      'DecisionMade',
      'RiskApproved',
      'OrderApproved',
      'ApprovalRequested',
      'OrderSubmitted',
      'OrderFilled',
      'PositionClosed',
      'OrderDenied',
      'ApprovalRejected',
      'ApprovalExpired',
      'OrderDisplayed',
      'OrderRejected',
      'OrderCancelled',
      'OrderExpired',
    ],
    initialState: () => initialLearningState(config),

    evolve(state: LearningState, m: LearningInput | Envelope): LearningState {
      // Envelope types are plain strings here (the host also folds our own outputs), so each
      // case narrows by cast after matching the type tag.
      switch (m.type) {
        case 'SignalDetected':
          onSignal(state, m as Message<'SignalDetected'>);
          break;
        case 'DecisionMade':
          onDecision(state, m as Message<'DecisionMade'>);
          break;
        case 'RiskApproved':
          onRiskApproved(state, m as Message<'RiskApproved'>);
          break;
        case 'ApprovalRequested':
          onApprovalRequested(state, m as Message<'ApprovalRequested'>);
          break;
        case 'OrderApproved':
          onOrderApproved(state, m as Message<'OrderApproved'>);
          break;
        case 'OrderSubmitted':
          onOrderSubmitted(state, m as Message<'OrderSubmitted'>);
          break;
        case 'OrderFilled':
          onFilled(state, m as Message<'OrderFilled'>);
          break;
        case 'PositionClosed':
          // A redelivered close must not re-emit the previous close's outputs.
          state.outbox = undefined;
          onClosed(state, m as Message<'PositionClosed'>);
          break;
        case 'LearnedParametersPublished':
          // Our own last output: the outbox has been published, release it.
          state.outbox = undefined;
          break;
        case 'OrderDenied':
          onEnded(state, m.correlationId);
          break;
        case 'ApprovalRejected':
        case 'ApprovalExpired':
        case 'OrderDisplayed': {
          const { riskApprovalId } = (m as Message<'ApprovalRejected' | 'ApprovalExpired' | 'OrderDisplayed'>).data;
          onEnded(state, state.riskApprovals.get(riskApprovalId) ?? m.correlationId);
          break;
        }
        case 'OrderRejected':
        case 'OrderCancelled':
        case 'OrderExpired': {
          // An order that ended without a fill: a chain still without any (its entry refused by
          // the broker, cancelled or expired) will never trade. Joined by order id only: a
          // bracket leg cancelled when the other filled belongs to a live chain, kept anyway.
          const corr = state.orders.get((m as Message<'OrderRejected' | 'OrderCancelled' | 'OrderExpired'>).data.orderId);
          if (corr !== undefined) onEnded(state, corr);
          break;
        }
      }
      return state;
    },

    decide(input: LearningInput, state: LearningState): readonly LearningOutput[] {
      switch (input.type) {
        case 'PositionClosed': {
          const out = state.outbox;
          if (out === undefined || out.causeId !== input.id) return NONE;
          return [draft('ExperienceRecorded', out.experience), draft('LearnedParametersPublished', out.parameters)];
        }
        case 'SignalDetected':
        case 'DecisionMade':
        case 'RiskApproved':
        case 'OrderApproved':
        case 'ApprovalRequested':
        case 'OrderSubmitted':
        case 'OrderFilled':
        case 'OrderDenied':
        case 'ApprovalRejected':
        case 'ApprovalExpired':
        case 'OrderDisplayed':
        case 'OrderRejected':
        case 'OrderCancelled':
        case 'OrderExpired':
          return NONE;
        default: {
          const _exhaustive: never = input;
          return _exhaustive;
        }
      }
    },
  };
}
