import type { Envelope } from '@tradeloop/kernel';
import type { Message } from '@tradeloop/contracts';

/** What each stage of the pipeline decided, counted off the bus. */
export interface StageStats {
  bars: number;
  dataRejected: number;
  signals: number;
  signalsByStrategy: Record<string, number>;
  decisions: { taken: number; skipped: number };
  manualOrders: number;
  risk: { approved: number; denied: number; deniedByReason: Record<string, number> };
  governor: {
    autoApproved: number;
    approvalsRequested: number;
    approvalsGranted: number;
    approvalsRejected: number;
    approvalsExpired: number;
    displayed: number;
    tradingStateChanges: number;
  };
  orders: { submitted: number; accepted: number; rejected: number; filled: number; cancelled: number; expired: number };
  fills: number;
  positions: { opened: number; closed: number };
  experiences: number;
  paramsVersion: number;
}

export function emptyStageStats(): StageStats {
  return {
    bars: 0,
    dataRejected: 0,
    signals: 0,
    signalsByStrategy: {},
    decisions: { taken: 0, skipped: 0 },
    manualOrders: 0,
    risk: { approved: 0, denied: 0, deniedByReason: {} },
    governor: {
      autoApproved: 0,
      approvalsRequested: 0,
      approvalsGranted: 0,
      approvalsRejected: 0,
      approvalsExpired: 0,
      displayed: 0,
      tradingStateChanges: 0,
    },
    orders: { submitted: 0, accepted: 0, rejected: 0, filled: 0, cancelled: 0, expired: 0 },
    fills: 0,
    positions: { opened: 0, closed: 0 },
    experiences: 0,
    paramsVersion: 0,
  };
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

/** An observer for the bus; BarClosed is counted first because it is nearly every message. */
export function countStage(stats: StageStats, e: Envelope): void {
  const m = e as Message;
  switch (m.type) {
    case 'BarClosed':
      stats.bars++;
      return;
    case 'DataRejected':
      stats.dataRejected++;
      return;
    case 'SignalDetected':
      stats.signals++;
      bump(stats.signalsByStrategy, m.data.strategy);
      return;
    case 'DecisionMade':
      if (m.data.action === 'take') stats.decisions.taken++;
      else stats.decisions.skipped++;
      return;
    case 'SubmitManualOrder':
      stats.manualOrders++;
      return;
    case 'RiskApproved':
      stats.risk.approved++;
      return;
    case 'OrderDenied':
      stats.risk.denied++;
      bump(stats.risk.deniedByReason, m.data.reason);
      return;
    case 'OrderApproved':
      if (m.data.approvedBy === 'auto') stats.governor.autoApproved++;
      return;
    case 'ApprovalRequested':
      stats.governor.approvalsRequested++;
      return;
    case 'ApprovalGranted':
      stats.governor.approvalsGranted++;
      return;
    case 'ApprovalRejected':
      stats.governor.approvalsRejected++;
      return;
    case 'ApprovalExpired':
      stats.governor.approvalsExpired++;
      return;
    case 'OrderDisplayed':
      stats.governor.displayed++;
      return;
    case 'TradingStateChanged':
      stats.governor.tradingStateChanges++;
      return;
    case 'OrderSubmitted':
      stats.orders.submitted++;
      return;
    case 'OrderAccepted':
      stats.orders.accepted++;
      return;
    case 'OrderRejected':
      stats.orders.rejected++;
      return;
    case 'OrderCancelled':
      stats.orders.cancelled++;
      return;
    case 'OrderExpired':
      stats.orders.expired++;
      return;
    case 'OrderFilled':
      stats.fills++;
      if (m.data.leavesQuantity === '0') stats.orders.filled++;
      return;
    case 'PositionOpened':
      stats.positions.opened++;
      return;
    case 'PositionClosed':
      stats.positions.closed++;
      return;
    case 'ExperienceRecorded':
      stats.experiences++;
      return;
    case 'LearnedParametersPublished':
      stats.paramsVersion = m.data.paramsVersion;
      return;
    default:
      return;
  }
}
