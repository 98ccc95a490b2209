/** Message builders for learning's tests: one trade's chain, stage by stage. */
import type {
  DecisionMadeData,
  OrderType,
  OrderFilledData,
  OrderSpec,
  PositionClosedData,
  SignalDetectedData,
} from '@tradeloop/contracts';
import { msg } from '@tradeloop/testing';

export interface TradeSpec {
  /** Chain id: the signal id (strategy) or the manual command id. */
  readonly corr: string;
  readonly strategy?: string;
  readonly symbol?: string;
  readonly direction?: 'long' | 'short';
  readonly entry?: string;
  readonly exit?: string;
  readonly stop?: string;
  readonly quantity?: string;
  readonly fee?: string;
  readonly entrySlippage?: string;
  readonly exitSlippage?: string;
  readonly openedAt?: number;
  readonly holdingMs?: number;
  readonly mae?: number;
  readonly orderType?: OrderType;
}

const defaults = {
  strategy: 'structure_break',
  symbol: 'EURUSD',
  direction: 'long' as const,
  entry: '1.10002',
  exit: '1.09895',
  stop: '1.09900',
  quantity: '10000',
  fee: '0.20',
  entrySlippage: '0.00002',
  exitSlippage: '0.00005',
  openedAt: 2_000,
  holdingMs: 60_000,
  mae: 0.0011,
  orderType: 'market' as OrderType,
};

type Full = Required<TradeSpec>;
const full = (t: TradeSpec): Full => ({ ...defaults, ...t }) as Full;
const side = (t: Full, closing: boolean) => ((t.direction === 'long') !== closing ? 'buy' : 'sell');

export function signalOf(spec: TradeSpec, over: Partial<SignalDetectedData> = {}) {
  const t = full(spec);
  return msg(
    'SignalDetected',
    {
      strategy: t.strategy,
      venue: 'oanda',
      symbol: t.symbol,
      timeframe: '1m',
      direction: t.direction,
      entry: Number(t.entry),
      stop: Number(t.stop),
      target: 1.103,
      quality: 90,
      qualityBreakdown: { trend: 90, volatility: 80, session: 95 },
      confidence: 0.85,
      session: 'london',
      features: { rsi: 58, atr: 0.0009 },
      reason: 'CHOCH up',
      ...over,
    },
    { id: t.corr, correlationId: t.corr, ts: 1_000 },
  );
}

export function decisionOf(spec: TradeSpec, over: Partial<DecisionMadeData> = {}) {
  const t = full(spec);
  return msg(
    'DecisionMade',
    {
      signalId: t.corr,
      strategy: t.strategy,
      venue: 'oanda',
      symbol: t.symbol,
      direction: t.direction,
      action: 'take',
      confidence: 0.7,
      sizeMultiplier: 0.75,
      reasons: ['confidence 0.70 ≥ 0.60'],
      entry: Number(t.entry),
      stop: Number(t.stop),
      target: 1.103,
      quality: 90,
      posteriorAlpha: 2,
      posteriorBeta: 2,
      sampledWinRate: 0.55,
      paramsVersion: 0,
      ...over,
    },
    { id: `dec-${t.corr}`, correlationId: t.corr, causationId: t.corr, ts: 1_000 },
  );
}

export function orderSpecOf(spec: TradeSpec, over: Partial<OrderSpec> = {}): OrderSpec {
  const t = full(spec);
  return {
    venue: 'oanda',
    symbol: t.symbol,
    side: side(t, false),
    type: t.orderType,
    quantity: t.quantity,
    timeInForce: 'GTC',
    stopLoss: t.stop,
    origin: 'strategy',
    strategy: t.strategy,
    ...over,
  };
}

export function riskApprovedOf(spec: TradeSpec, order: OrderSpec = orderSpecOf(spec)) {
  return msg(
    'RiskApproved',
    {
      requestId: `dec-${spec.corr}`,
      order,
      riskLevel: 'LOW',
      riskAmount: '10.20',
      notional: '11000.20',
      referencePrice: '1.10002',
      quality: 90,
    },
    { id: `risk-${spec.corr}`, correlationId: spec.corr, ts: 1_000 },
  );
}

export function orderApprovedOf(spec: TradeSpec, over: { mode?: 'fully_automated' | 'fully_manual'; by?: string; corr?: string; order?: OrderSpec } = {}) {
  return msg(
    'OrderApproved',
    {
      riskApprovalId: `risk-${spec.corr}`,
      order: over.order ?? orderSpecOf(spec),
      mode: over.mode ?? 'fully_automated',
      approvedBy: over.by ?? 'auto',
    },
    { id: `appr-${spec.corr}`, correlationId: over.corr ?? spec.corr, ts: 1_000 },
  );
}

export function submittedOf(spec: TradeSpec, role: 'entry' | 'stop_loss' = 'entry', corr = spec.corr) {
  const t = full(spec);
  const orderId = `ord-${t.corr}-${role}`;
  return msg(
    'OrderSubmitted',
    {
      orderId,
      clientOrderId: `TLE${orderId}`,
      approvedOrderId: `appr-${t.corr}`,
      riskApprovalId: `risk-${t.corr}`,
      venue: 'oanda',
      symbol: t.symbol,
      side: side(t, role !== 'entry'),
      type: role === 'entry' ? t.orderType : 'stop',
      quantity: t.quantity,
      ...(role !== 'entry' && { stopPrice: t.stop, parentOrderId: `ord-${t.corr}-entry` }),
      timeInForce: 'GTC',
      role,
      origin: 'strategy',
      strategy: t.strategy,
    },
    { id: orderId, correlationId: corr, ts: 1_000 },
  );
}

export function fillOf(
  spec: TradeSpec,
  role: 'entry' | 'stop_loss' | 'close',
  meta: { corr?: string; orderId?: string } = {},
  over: Partial<OrderFilledData> = {},
) {
  const t = full(spec);
  const entry = role === 'entry';
  const orderId = meta.orderId ?? `ord-${t.corr}-${role}`;
  return msg(
    'OrderFilled',
    {
      orderId,
      clientOrderId: `TLE${orderId}`,
      fillId: `fill-${orderId}`,
      venue: 'oanda',
      symbol: t.symbol,
      side: side(t, !entry),
      quantity: t.quantity,
      price: entry ? t.entry : t.exit,
      fee: t.fee,
      feeCurrency: 'USD',
      liquidity: 'taker',
      referencePrice: entry ? t.entry : t.exit,
      slippage: entry ? t.entrySlippage : t.exitSlippage,
      ...(entry && { spread: '0.00008' }),
      cumulativeQuantity: t.quantity,
      leavesQuantity: '0',
      role,
      ...over,
    },
    { correlationId: meta.corr ?? t.corr, ts: entry ? t.openedAt : t.openedAt + t.holdingMs },
  );
}

export function closedOf(spec: TradeSpec, pnl: { gross: string; net: string; fees?: string }, over: Partial<PositionClosedData> = {}, corr = spec.corr) {
  const t = full(spec);
  return msg(
    'PositionClosed',
    {
      positionId: `pos-${t.corr}`,
      venue: 'oanda',
      symbol: t.symbol,
      direction: t.direction,
      quantity: t.quantity,
      entryPrice: t.entry,
      exitPrice: t.exit,
      realizedPnl: pnl.net,
      grossPnl: pnl.gross,
      fees: pnl.fees ?? '0.40',
      currency: 'USD',
      openedAt: t.openedAt,
      closedAt: t.openedAt + t.holdingMs,
      holdingMs: t.holdingMs,
      exitReason: 'stop_loss',
      maxAdverseExcursion: t.mae,
      maxFavorableExcursion: 0.0003,
      entryOrderId: `ord-${t.corr}-entry`,
      origin: 'strategy',
      strategy: t.strategy,
      ...over,
    },
    { id: `close-${t.corr}`, correlationId: corr, ts: t.openedAt + t.holdingMs },
  );
}

/** The whole strategy chain up to (not including) the close. */
export function strategyChain(spec: TradeSpec) {
  return [
    signalOf(spec),
    decisionOf(spec),
    riskApprovedOf(spec),
    orderApprovedOf(spec),
    submittedOf(spec),
    fillOf(spec, 'entry'),
    submittedOf(spec, 'stop_loss'),
    fillOf(spec, 'stop_loss'),
  ];
}
