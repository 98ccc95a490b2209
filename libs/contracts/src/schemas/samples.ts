import type { Envelope } from '@tradeloop/kernel';
import type { Message, MessageDataMap, MessageType } from '../catalog';
import type { OrderSpec } from '../messages';

/*
 * One valid message of every type, for tests (decoding, transports, serialisation). Not
 * exported from the package: import it by relative path. The samples follow one EURUSD
 * trade through the pipeline and set most optional fields, so a schema that forgets a
 * field rejects its sample.
 */

const T0 = 1_709_649_000_000; // 2024-03-05T14:30:00Z, a London/New York overlap bar close
const MINUTE = 60_000;
const SIGNAL_ID = 'sig-0b6f7d1e';
const DECISION_ID = 'dec-41a9c2f0';
const RISK_APPROVAL_ID = 'rsk-7c20e95b';
const APPROVAL_ID = 'apr-d3e8a14c';
const APPROVED_ORDER_ID = 'ord-appr-5a61f0b2';
const ORDER_ID = 'ord-9e4c7b13';
const CLIENT_ORDER_ID = 'TLE9e4c7b13a0f24d5c8b61e2f7a9d0';
const POSITION_ID = 'pos-2f81c6aa';

function sample<K extends MessageType>(
  type: K,
  data: MessageDataMap[K],
  meta: { id: string; ts: number; source: string; correlationId?: string; causationId?: string },
): Message<K> {
  const envelope: Envelope<K, MessageDataMap[K]> = {
    id: meta.id,
    type,
    version: 1,
    ts: meta.ts,
    correlationId: meta.correlationId ?? SIGNAL_ID,
    causationId: meta.causationId ?? meta.id,
    account: 'paper',
    source: meta.source,
    data,
  };
  return envelope as unknown as Message<K>;
}

const ORDER: OrderSpec = {
  venue: 'oanda',
  symbol: 'EURUSD',
  side: 'buy',
  type: 'limit',
  quantity: '10000',
  limitPrice: '1.08452',
  timeInForce: 'GTC',
  stopLoss: '1.08310',
  takeProfit: '1.08736',
  origin: 'strategy',
  strategy: 'structure_break',
};

const STOP_ORDER: OrderSpec = {
  venue: 'oanda',
  symbol: 'EURUSD',
  side: 'sell',
  type: 'stop',
  quantity: '5000',
  stopPrice: '1.08290',
  timeInForce: 'DAY',
  origin: 'manual',
};

export const SAMPLE_MESSAGES: { readonly [K in MessageType]: Message<K> } = {
  BarClosed: sample(
    'BarClosed',
    {
      venue: 'oanda',
      symbol: 'EURUSD',
      timeframe: '1m',
      openTime: T0 - MINUTE,
      open: 1.08431,
      high: 1.08466,
      low: 1.08427,
      close: 1.08452,
      volume: 0,
      askOpen: 1.08444,
      askHigh: 1.08479,
      askLow: 1.0844,
      askClose: 1.08465,
    },
    { id: 'bar-eurusd-1m-1709649000000', ts: T0, source: 'market-data', correlationId: 'bar-eurusd-1m-1709649000000' },
  ),
  QuoteTick: sample(
    'QuoteTick',
    { venue: 'oanda', symbol: 'EURUSD', bid: 1.08452, ask: 1.08465, bidSize: 1_000_000, askSize: 500_000 },
    { id: 'qt-1', ts: T0 + 120, source: 'market-data', correlationId: 'qt-1' },
  ),
  TradeTick: sample(
    'TradeTick',
    { venue: 'binance', symbol: 'BTCUSDT', price: 61_234.5, size: 0.0125, side: 'sell', tradeId: '3512877401' },
    { id: 'tt-1', ts: T0 + 250, source: 'market-data', correlationId: 'tt-1' },
  ),
  BookSnapshot: sample(
    'BookSnapshot',
    {
      venue: 'binance',
      symbol: 'BTCUSDT',
      bids: [
        { price: 61_234.5, size: 0.8 },
        { price: 61_234.4, size: 1.25 },
      ],
      asks: [
        { price: 61_234.6, size: 0.31 },
        { price: 61_234.9, size: 2 },
      ],
    },
    { id: 'book-1', ts: T0 + 1_000, source: 'market-data', correlationId: 'book-1' },
  ),
  DataRejected: sample(
    'DataRejected',
    { source: 'EURUSD_OANDA_1m_quotebars.csv', line: 1_842, reason: 'high below low', field: 'high' },
    { id: 'rej-1', ts: T0, source: 'market-data', correlationId: 'rej-1' },
  ),
  SignalDetected: sample(
    'SignalDetected',
    {
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      timeframe: '1m',
      direction: 'long',
      entry: 1.08452,
      stop: 1.0831,
      target: 1.08736,
      quality: 78.5,
      qualityBreakdown: { trend: 82, volatility: 70, session: 85 },
      confidence: 0.72,
      session: 'london_new_york',
      features: { ema20: 1.08401, ema50: 1.08377, rsi14: 61.2, atr14: 0.00047, volumeRatio: 0 },
      reason: 'CHOCH up through 1.08440 swing high',
    },
    { id: SIGNAL_ID, ts: T0, source: 'scanner', causationId: 'bar-eurusd-1m-1709649000000' },
  ),
  PlanCreated: sample(
    'PlanCreated',
    { planId: 'plan-1', symbol: 'XAUUSD', direction: 'short', entry: 2_125.4, stop: 2_131.9, target: 2_110.0, expiresAt: T0 + 240 * MINUTE },
    { id: 'plan-1', ts: T0, source: 'scanner', correlationId: 'plan-1' },
  ),
  PlanTriggered: sample(
    'PlanTriggered',
    { planId: 'plan-1', symbol: 'XAUUSD', direction: 'short', price: 2_125.6, conditionsMet: ['price at level', 'rejection wick'] },
    { id: 'plan-1-trig', ts: T0 + 30 * MINUTE, source: 'scanner', correlationId: 'plan-1', causationId: 'plan-1' },
  ),
  PlanExpired: sample(
    'PlanExpired',
    { planId: 'plan-2', symbol: 'XAUUSD', reason: 'not triggered before expiry' },
    { id: 'plan-2-exp', ts: T0 + 240 * MINUTE, source: 'scanner', correlationId: 'plan-2', causationId: 'plan-2' },
  ),
  DecisionMade: sample(
    'DecisionMade',
    {
      signalId: SIGNAL_ID,
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      action: 'take',
      confidence: 0.68,
      sizeMultiplier: 0.85,
      reasons: ['quality 78.5 ≥ 60', 'sampled win rate 0.57 ≥ 0.5'],
      entry: 1.08452,
      stop: 1.0831,
      target: 1.08736,
      quality: 78.5,
      posteriorAlpha: 14,
      posteriorBeta: 11,
      sampledWinRate: 0.57,
      paramsVersion: 3,
    },
    { id: DECISION_ID, ts: T0, source: 'rl-decision', causationId: SIGNAL_ID },
  ),
  RiskApproved: sample(
    'RiskApproved',
    {
      requestId: DECISION_ID,
      order: ORDER,
      riskLevel: 'MEDIUM',
      riskAmount: '14.20',
      notional: '10845.20',
      referencePrice: '1.08452',
      quality: 78.5,
      tradingState: 'ACTIVE',
    },
    { id: RISK_APPROVAL_ID, ts: T0, source: 'risk', causationId: DECISION_ID },
  ),
  OrderDenied: sample(
    'OrderDenied',
    {
      requestId: 'dec-other',
      symbol: 'EURUSD',
      reason: 'POSITION_ALREADY_OPEN',
      detail: 'a long EURUSD position is already open',
      riskLevel: 'BLOCKED',
      origin: 'strategy',
    },
    { id: 'deny-1', ts: T0 + MINUTE, source: 'risk', correlationId: 'sig-other', causationId: 'dec-other' },
  ),
  OrderApproved: sample(
    'OrderApproved',
    { riskApprovalId: RISK_APPROVAL_ID, order: ORDER, mode: 'quality_based', approvedBy: 'alice', approvalId: APPROVAL_ID, referencePrice: '1.08512' },
    { id: APPROVED_ORDER_ID, ts: T0 + 2 * MINUTE, source: 'governor', causationId: 'cmd-approve-1' },
  ),
  ApprovalRequested: sample(
    'ApprovalRequested',
    { riskApprovalId: RISK_APPROVAL_ID, order: ORDER, quality: 78.5, threshold: 80, mode: 'quality_based', expiresAt: T0 + 15 * MINUTE, referencePrice: '1.08512' },
    { id: APPROVAL_ID, ts: T0, source: 'governor', causationId: RISK_APPROVAL_ID },
  ),
  ApprovalGranted: sample(
    'ApprovalGranted',
    { approvalId: APPROVAL_ID, riskApprovalId: RISK_APPROVAL_ID, by: 'alice' },
    { id: 'grant-1', ts: T0 + 2 * MINUTE, source: 'governor', causationId: 'cmd-approve-1' },
  ),
  ApprovalRejected: sample(
    'ApprovalRejected',
    { approvalId: 'apr-other', riskApprovalId: 'rsk-other', by: 'bob', reason: 'news in 5 minutes' },
    { id: 'arej-1', ts: T0 + 3 * MINUTE, source: 'governor', correlationId: 'sig-other', causationId: 'cmd-reject-1' },
  ),
  ApprovalExpired: sample(
    'ApprovalExpired',
    { approvalId: 'apr-old', riskApprovalId: 'rsk-old' },
    { id: 'aexp-1', ts: T0 + 15 * MINUTE, source: 'governor', correlationId: 'sig-old', causationId: 'timer-1' },
  ),
  OrderDisplayed: sample(
    'OrderDisplayed',
    { riskApprovalId: 'rsk-disp', order: STOP_ORDER, reason: 'DISPLAY_ONLY' },
    { id: 'disp-1', ts: T0, source: 'governor', correlationId: 'cmd-manual-1', causationId: 'rsk-disp' },
  ),
  TradingStateChanged: sample(
    'TradingStateChanged',
    { state: 'HALTED', previous: 'ACTIVE', reason: 'kill switch from the dashboard', by: 'alice', cancelWorkingOrders: true },
    { id: 'state-1', ts: T0 + 60 * MINUTE, source: 'governor', correlationId: 'cmd-halt-1', causationId: 'cmd-halt-1' },
  ),
  ExecutionModeChanged: sample(
    'ExecutionModeChanged',
    { mode: 'quality_based', previous: 'fully_automated', threshold: 80, by: 'alice' },
    { id: 'mode-1', ts: T0 - 60 * MINUTE, source: 'governor', correlationId: 'cmd-mode-1', causationId: 'cmd-mode-1' },
  ),
  CommandRejected: sample(
    'CommandRejected',
    { commandId: 'cmd-reject-2', commandType: 'RejectOrder', by: 'bob', reason: 'APPROVAL_ALREADY_GRANTED', detail: 'approval already granted by alice', approvalId: APPROVAL_ID },
    { id: 'crej-1', ts: T0 + 2 * MINUTE, source: 'governor', correlationId: 'cmd-reject-2', causationId: 'cmd-reject-2' },
  ),
  OrderSubmitted: sample(
    'OrderSubmitted',
    {
      orderId: ORDER_ID,
      clientOrderId: CLIENT_ORDER_ID,
      approvedOrderId: APPROVED_ORDER_ID,
      riskApprovalId: RISK_APPROVAL_ID,
      venue: 'oanda',
      symbol: 'EURUSD',
      side: 'buy',
      type: 'limit',
      quantity: '10000',
      limitPrice: '1.08452',
      timeInForce: 'GTC',
      role: 'entry',
      origin: 'strategy',
      strategy: 'structure_break',
    },
    { id: ORDER_ID, ts: T0 + 2 * MINUTE, source: 'executor', causationId: APPROVED_ORDER_ID },
  ),
  OrderAccepted: sample(
    'OrderAccepted',
    { orderId: ORDER_ID, clientOrderId: CLIENT_ORDER_ID, symbol: 'EURUSD', brokerOrderId: 'paper-000017' },
    { id: 'acc-1', ts: T0 + 2 * MINUTE, source: 'executor', causationId: ORDER_ID },
  ),
  OrderRejected: sample(
    'OrderRejected',
    { orderId: 'ord-rej', clientOrderId: 'TLErej', symbol: 'EURUSD', reason: 'insufficient margin' },
    { id: 'orej-1', ts: T0 + 2 * MINUTE, source: 'executor', correlationId: 'sig-other', causationId: 'ord-rej' },
  ),
  OrderCancelled: sample(
    'OrderCancelled',
    { orderId: 'ord-tp', clientOrderId: 'TLTtp', symbol: 'EURUSD', reason: 'OCO sibling filled' },
    { id: 'ocan-1', ts: T0 + 45 * MINUTE, source: 'executor', causationId: 'fill-sl' },
  ),
  OrderExpired: sample(
    'OrderExpired',
    { orderId: 'ord-day', clientOrderId: 'TLEday', symbol: 'EURUSD' },
    { id: 'oexp-1', ts: T0 + 570 * MINUTE, source: 'executor', correlationId: 'cmd-manual-1', causationId: 'bar-close-day' },
  ),
  OrderFilled: sample(
    'OrderFilled',
    {
      orderId: ORDER_ID,
      clientOrderId: CLIENT_ORDER_ID,
      fillId: 'fill-1',
      venue: 'oanda',
      symbol: 'EURUSD',
      side: 'buy',
      quantity: '10000',
      price: '1.08452',
      fee: '0.00',
      feeCurrency: 'USD',
      liquidity: 'maker',
      referencePrice: '1.08452',
      slippage: '0',
      spread: '0.00013',
      cumulativeQuantity: '10000',
      leavesQuantity: '0',
      role: 'entry',
      barOpenTime: T0 + 2 * MINUTE,
    },
    { id: 'fill-1', ts: T0 + 3 * MINUTE, source: 'executor', causationId: 'bar-next' },
  ),
  PositionOpened: sample(
    'PositionOpened',
    {
      positionId: POSITION_ID,
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      quantity: '10000',
      averagePrice: '1.08452',
      openedAt: T0 + 3 * MINUTE,
      entryOrderId: ORDER_ID,
      currency: 'USD',
    },
    { id: 'popen-1', ts: T0 + 3 * MINUTE, source: 'executor', causationId: 'fill-1' },
  ),
  PositionChanged: sample(
    'PositionChanged',
    { positionId: POSITION_ID, symbol: 'EURUSD', direction: 'long', quantity: '5000', averagePrice: '1.08452', realizedPnl: '-7.10' },
    { id: 'pchg-1', ts: T0 + 20 * MINUTE, source: 'executor', causationId: 'fill-partial' },
  ),
  PositionClosed: sample(
    'PositionClosed',
    {
      positionId: POSITION_ID,
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      quantity: '10000',
      entryPrice: '1.08452',
      exitPrice: '1.08736',
      realizedPnl: '28.40',
      grossPnl: '28.40',
      fees: '0.00',
      currency: 'USD',
      openedAt: T0 + 3 * MINUTE,
      closedAt: T0 + 45 * MINUTE,
      holdingMs: 43 * MINUTE, // from the entry bar's open (T0 + 2 min)
      exitReason: 'take_profit',
      maxAdverseExcursion: 0.00061,
      maxFavorableExcursion: 0.00291,
      entryOrderId: ORDER_ID,
      origin: 'strategy',
      strategy: 'structure_break',
    },
    { id: 'pclose-1', ts: T0 + 45 * MINUTE, source: 'executor', causationId: 'fill-tp' },
  ),
  AccountUpdated: sample(
    'AccountUpdated',
    { currency: 'USD', cash: '100028.40', realizedPnl: '28.40', fees: '0.00', sequence: 2 },
    { id: 'acct-1', ts: T0 + 45 * MINUTE, source: 'executor', causationId: 'fill-tp' },
  ),
  ExperienceRecorded: sample(
    'ExperienceRecorded',
    {
      positionId: POSITION_ID,
      signalId: SIGNAL_ID,
      origin: 'strategy',
      strategy: 'structure_break',
      venue: 'oanda',
      symbol: 'EURUSD',
      direction: 'long',
      session: 'london_new_york',
      signalQuality: 78.5,
      signal: {
        timeframe: '1m',
        entry: 1.08452,
        stop: 1.0831,
        target: 1.08736,
        confidence: 0.72,
        qualityBreakdown: { trend: 85, volatility: 60, session: 100 },
        reason: 'BOS up through 1.08440 swing high',
      },
      features: { ema20: 1.08401, rsi14: 61.2, atr14: 0.00047 },
      decision: { confidence: 0.68, sizeMultiplier: 0.85, sampledWinRate: 0.57, paramsVersion: 3, reasons: ['confidence 0.68 ≥ 0.60'] },
      risk: { level: 'MEDIUM', riskAmount: '14.20', quantity: '10000', stopLoss: '1.08310', takeProfit: '1.08736' },
      approval: { mode: 'quality_based', approvedBy: 'alice' },
      orderType: 'limit',
      timeInForce: 'GTC',
      fills: [
        { ts: T0 + 3 * MINUTE, side: 'buy', quantity: '10000', price: '1.08452', fee: '0.00', slippage: '0', role: 'entry' },
        { ts: T0 + 45 * MINUTE, side: 'sell', quantity: '10000', price: '1.08736', fee: '0.00', slippage: '0', role: 'take_profit' },
      ],
      slippageCost: '0.00',
      spreadAtEntry: '0.00013',
      exitReason: 'take_profit',
      entryPrice: '1.08452',
      exitPrice: '1.08736',
      quantity: '10000',
      pnl: '28.40',
      fees: '0.00',
      currency: 'USD',
      rMultiple: 2,
      win: true,
      holdingMs: 43 * MINUTE, // from the entry bar's open (T0 + 2 min)
      maxAdverseExcursion: 0.00061,
      maxFavorableExcursion: 0.00291,
      openedAt: T0 + 3 * MINUTE,
      closedAt: T0 + 45 * MINUTE,
    },
    { id: 'exp-1', ts: T0 + 45 * MINUTE, source: 'learning', causationId: 'pclose-1' },
  ),
  LearnedParametersPublished: sample(
    'LearnedParametersPublished',
    {
      paramsVersion: 4,
      parameters: [
        {
          strategy: 'structure_break',
          symbol: 'EURUSD',
          direction: 'long',
          trades: 24,
          wins: 14,
          winRate: 0.5833,
          expectancy: 0.41,
          averageHoldingMs: 2_580_000,
          averageAdverseExcursion: 0.00052,
          alpha: 15,
          beta: 11,
        },
        {
          strategy: 'rejection_wick',
          symbol: 'XAUUSD',
          direction: 'short',
          trades: 9,
          wins: 3,
          winRate: 0.3333,
          expectancy: -0.27,
          averageHoldingMs: 5_400_000,
          averageAdverseExcursion: 0.0031,
          alpha: 4,
          beta: 7,
        },
      ],
    },
    { id: 'params-4', ts: T0 + 45 * MINUTE, source: 'learning', causationId: 'exp-1' },
  ),
  SubmitManualOrder: sample(
    'SubmitManualOrder',
    {
      venue: 'oanda',
      symbol: 'EURUSD',
      side: 'sell',
      quantity: '5000',
      type: 'stop',
      price: '1.08290',
      stopLoss: '1.08390',
      takeProfit: '1.08090',
      timeInForce: 'DAY',
      requestedBy: 'telegram:alice',
    },
    { id: 'cmd-manual-1', ts: T0, source: 'api', correlationId: 'cmd-manual-1' },
  ),
  ApproveOrder: sample(
    'ApproveOrder',
    { approvalId: APPROVAL_ID, by: 'alice' },
    { id: 'cmd-approve-1', ts: T0 + 2 * MINUTE, source: 'api' },
  ),
  RejectOrder: sample(
    'RejectOrder',
    { approvalId: 'apr-other', by: 'bob', reason: 'news in 5 minutes' },
    { id: 'cmd-reject-1', ts: T0 + 3 * MINUTE, source: 'telegram', correlationId: 'sig-other' },
  ),
  HaltTrading: sample(
    'HaltTrading',
    { by: 'alice', reason: 'kill switch from the dashboard', cancelWorkingOrders: true },
    { id: 'cmd-halt-1', ts: T0 + 60 * MINUTE, source: 'api', correlationId: 'cmd-halt-1' },
  ),
  ResumeTrading: sample(
    'ResumeTrading',
    { by: 'alice', reason: 'incident closed', state: 'REDUCING' },
    { id: 'cmd-resume-1', ts: T0 + 90 * MINUTE, source: 'api', correlationId: 'cmd-resume-1' },
  ),
  SetExecutionMode: sample(
    'SetExecutionMode',
    { mode: 'quality_based', threshold: 80, by: 'alice' },
    { id: 'cmd-mode-1', ts: T0 - 60 * MINUTE, source: 'mcp', correlationId: 'cmd-mode-1' },
  ),
  CancelOrder: sample(
    'CancelOrder',
    { orderId: 'ord-day', by: 'alice' },
    { id: 'cmd-cancel-1', ts: T0 + 100 * MINUTE, source: 'api', correlationId: 'cmd-manual-1' },
  ),
  TimerFired: sample('TimerFired', { at: T0 + 15 * MINUTE }, { id: 'timer-1', ts: T0 + 15 * MINUTE, source: 'governor', correlationId: 'timer-1' }),
  RunStarted: sample(
    'RunStarted',
    {
      runId: 'run-2024-03-05-eurusd',
      mode: 'backtest',
      seed: 42,
      files: [
        {
          name: 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
          sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          rows: 15_366,
        },
      ],
      config: { account: 'paper', startingCash: '100000.00', riskPerTradePct: 0.5, fullyAutomated: false },
    },
    { id: 'run-start', ts: 0, source: 'runtime', correlationId: 'run-start' },
  ),
  RunEnded: sample(
    'RunEnded',
    { runId: 'run-2024-03-05-eurusd', bars: 15_366 },
    { id: 'run-end', ts: T0 + 600 * MINUTE, source: 'runtime', correlationId: 'run-start', causationId: 'run-start' },
  ),
  ServiceStarted: sample(
    'ServiceStarted',
    {
      service: 'risk',
      inbox: 'IN_RISK',
      fromSeq: 1_201,
      dedupWindow: 200_000,
      config: { account: 'paper', seed: 42, mode: 'quality_based', threshold: 70, riskPerTrade: 0.01, startingCash: '100000', currency: 'USD' },
    },
    { id: 'service-started-risk-1201', ts: T0 + 30 * MINUTE, source: 'risk', correlationId: 'service-started-risk-1201' },
  ),
};
