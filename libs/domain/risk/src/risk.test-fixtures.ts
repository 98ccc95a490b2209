import type { Envelope } from '@tradeloop/kernel';
import { MS_PER_MINUTE } from '@tradeloop/kernel';
import type {
  BarClosedData,
  DecisionMadeData,
  OrderFilledData,
  OrderSubmittedData,
  PositionClosedData,
  SubmitManualOrderData,
  TradingState,
} from '@tradeloop/contracts';
import { given, msg, runAll } from '@tradeloop/testing';
import type { RiskConfig } from './risk.config';
import { createRisk } from './risk.decider';

/** Test fixtures for the risk specs: message builders with sensible defaults. */

/** Tuesday 2024-01-02 10:00 UTC. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0);
export const MIN = MS_PER_MINUTE;

export function bar(symbol: string, close: number, ts: number, extra: Partial<BarClosedData> = {}) {
  return msg('BarClosed', { venue: 'paper', symbol, timeframe: '1m', openTime: ts - MIN, open: close, high: close, low: close, close, volume: 1, ...extra }, { ts });
}

export function decision(d: Partial<DecisionMadeData> & Pick<DecisionMadeData, 'symbol' | 'entry' | 'stop' | 'target'>, ts: number, id?: string) {
  const data: DecisionMadeData = {
    signalId: 'sig',
    strategy: 'trend_momentum',
    venue: 'paper',
    direction: 'long',
    action: 'take',
    confidence: 0.7,
    sizeMultiplier: 1,
    reasons: [],
    quality: 80,
    posteriorAlpha: 2,
    posteriorBeta: 2,
    sampledWinRate: 0.5,
    paramsVersion: 0,
    ...d,
  };
  return msg('DecisionMade', data, { ts, ...(id === undefined ? {} : { id }) });
}

export function manual(d: Partial<SubmitManualOrderData> & Pick<SubmitManualOrderData, 'symbol' | 'side' | 'quantity'>, ts: number, id?: string) {
  return msg('SubmitManualOrder', { venue: 'paper', type: 'market', requestedBy: 'alice', ...d } as SubmitManualOrderData, {
    ts,
    ...(id === undefined ? {} : { id }),
  });
}

export function submitted(orderId: string, riskApprovalId: string, d: Partial<OrderSubmittedData> & Pick<OrderSubmittedData, 'symbol' | 'side' | 'quantity'>, ts: number) {
  return msg('OrderSubmitted', {
    orderId,
    clientOrderId: `c-${orderId}`,
    approvedOrderId: `a-${riskApprovalId}`,
    riskApprovalId,
    venue: 'paper',
    type: 'market',
    timeInForce: 'GTC',
    role: 'entry',
    origin: 'strategy',
    ...d,
  } as OrderSubmittedData, { ts, id: orderId });
}

export function filled(orderId: string, d: Pick<OrderFilledData, 'symbol' | 'side' | 'quantity' | 'price'> & Partial<OrderFilledData>, ts: number) {
  return msg('OrderFilled', {
    orderId,
    clientOrderId: `c-${orderId}`,
    fillId: `f-${orderId}-${ts}`,
    venue: 'paper',
    fee: '0',
    feeCurrency: 'USD',
    liquidity: 'taker',
    referencePrice: d.price,
    slippage: '0',
    cumulativeQuantity: d.quantity,
    leavesQuantity: '0',
    role: 'entry',
    ...d,
  } as OrderFilledData, { ts });
}

export function closed(symbol: string, realizedPnl: string, ts: number, currency = 'USD') {
  const data: PositionClosedData = {
    positionId: `p-${symbol}-${ts}`,
    venue: 'paper',
    symbol,
    direction: 'long',
    quantity: '1',
    entryPrice: '1',
    exitPrice: '1',
    realizedPnl,
    grossPnl: realizedPnl,
    fees: '0',
    currency,
    openedAt: ts - MIN,
    closedAt: ts,
    holdingMs: MIN,
    exitReason: 'stop_loss',
    maxAdverseExcursion: 0,
    maxFavorableExcursion: 0,
    entryOrderId: 'o',
    origin: 'strategy',
  };
  return msg('PositionClosed', data, { ts });
}

export function account(cash: string, ts: number, currency = 'USD') {
  return msg('AccountUpdated', { currency, cash, realizedPnl: '0', fees: '0' }, { ts });
}

export function tradingState(state: TradingState, ts: number, previous: TradingState = 'ACTIVE') {
  return msg('TradingStateChanged', { state, previous, reason: 'test', by: 'ops', cancelWorkingOrders: false }, { ts });
}

/** A long BTCUSDT take at 50 000 with a 5 000 stop: 1 000 risk / 5 000 = 0.2 BTC (10 000 notional). */
export function btcTake(ts: number, d: Partial<DecisionMadeData> = {}, id?: string) {
  return decision({ symbol: 'BTCUSDT', entry: 50_000, stop: 45_000, target: 60_000, ...d }, ts, id);
}

/** Runs `inputs` live through a fresh risk decider, then offers `when` on the resulting state. */
export function after(inputs: readonly Envelope[], config: Partial<RiskConfig> = {}) {
  const risk = createRisk(config);
  const run = runAll(risk, inputs);
  return { ...given(risk, [], run.state), outputs: run.outputs, state: run.state };
}
