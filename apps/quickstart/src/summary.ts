import type { Message } from '@tradeloop/contracts';
import type { Envelope } from '@tradeloop/kernel';
import { countStage, emptyStageStats, type StageStats } from '@tradeloop/runtime';

/** What the run has done so far, counted from the messages on the bus. */
export interface SummarySnapshot {
  /** Bars handed to the pipeline by this run's feed, and how many the data holds. */
  readonly bars: number;
  readonly totalBars: number;
  /** Event time of the newest bar fed (the replay's clock). */
  readonly replayTs: number | undefined;
  readonly stats: StageStats;
  readonly approvalsPending: number;
  readonly openPositions: number;
  readonly realizedPnl: string;
  readonly cash: string;
  readonly currency: string;
}

/**
 * Counts every message it is shown (countStage from the runtime, the same counts as the
 * backtest's) and follows what the counts cannot say: approvals still waiting, positions still
 * open, and the account's cash and realised P&L from its last AccountUpdated.
 */
export class RunSummary {
  readonly stats: StageStats = emptyStageStats();
  private readonly pending = new Set<string>();
  private readonly open = new Set<string>();
  private cash: string;
  private realizedPnl = '0';
  private currency: string;
  private bars = 0;
  private replayTs: number | undefined;

  constructor(
    private readonly totalBars: number,
    startingCash: string,
    currency: string,
  ) {
    this.cash = startingCash;
    this.currency = currency;
  }

  /** Bars this run's feed handed on (the NATS observers do not read the market-data stream). */
  fed(count: number, lastTs: number): void {
    this.bars += count;
    if (this.replayTs === undefined || lastTs > this.replayTs) this.replayTs = lastTs;
  }

  count(e: Envelope): void {
    if (e.type === 'BarClosed') return;
    countStage(this.stats, e);
    const m = e as Message;
    switch (m.type) {
      case 'ApprovalRequested':
        this.pending.add(m.id);
        break;
      case 'ApprovalGranted':
      case 'ApprovalRejected':
      case 'ApprovalExpired':
        this.pending.delete(m.data.approvalId);
        break;
      case 'PositionOpened':
        this.open.add(m.data.positionId);
        break;
      case 'PositionClosed':
        this.open.delete(m.data.positionId);
        break;
      case 'AccountUpdated':
        this.cash = m.data.cash;
        this.realizedPnl = m.data.realizedPnl;
        this.currency = m.data.currency;
        break;
      default:
    }
  }

  snapshot(): SummarySnapshot {
    return {
      bars: this.bars,
      totalBars: this.totalBars,
      replayTs: this.replayTs,
      stats: structuredClone(this.stats),
      approvalsPending: this.pending.size,
      openPositions: this.open.size,
      realizedPnl: this.realizedPnl,
      cash: this.cash,
      currency: this.currency,
    };
  }
}

/** `2014-05-02 13:05 UTC`. */
export function utcMinute(ts: number | undefined): string {
  if (ts === undefined) return '—';
  return `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The live line printed every few seconds. */
export function formatProgress(s: SummarySnapshot): string {
  const st = s.stats;
  return (
    `[${utcMinute(s.replayTs)}] bars ${s.bars}/${s.totalBars} | signals ${st.signals} | ` +
    `decisions ${st.decisions.taken} taken, ${st.decisions.skipped} skipped | risk denied ${st.risk.denied} | ` +
    `approvals pending ${s.approvalsPending} | orders ${st.orders.submitted} | fills ${st.fills} | ` +
    `open positions ${s.openPositions} | realised P&L ${s.realizedPnl} ${s.currency} | cash ${s.cash} ${s.currency}`
  );
}

function breakdown(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** The block printed once the data has run out and the pipeline is quiet. */
export function formatFinal(s: SummarySnapshot, dataRange: string, wallMs: number): string[] {
  const st = s.stats;
  const g = st.governor;
  return [
    `end of data: ${s.bars} bars fed (${dataRange}) in ${duration(wallMs)}`,
    `  signals    ${st.signals}${breakdown(st.signalsByStrategy)}`,
    `  decisions  ${st.decisions.taken} taken, ${st.decisions.skipped} skipped`,
    `  risk       ${st.risk.approved} approved, ${st.risk.denied} denied${breakdown(st.risk.deniedByReason)}`,
    `  governor   ${g.autoApproved} auto-approved, ${g.displayed} display-only; approvals ${g.approvalsRequested} requested, ` +
      `${g.approvalsGranted} granted, ${g.approvalsRejected} rejected, ${g.approvalsExpired} expired, ${s.approvalsPending} pending`,
    `  orders     ${st.orders.submitted} submitted, ${st.orders.filled} filled, ${st.orders.cancelled} cancelled, ` +
      `${st.orders.rejected} rejected, ${st.orders.expired} expired; ${st.fills} fills`,
    `  positions  ${st.positions.closed} closed, ${s.openPositions} open; realised P&L ${s.realizedPnl} ${s.currency}; cash ${s.cash} ${s.currency}`,
    `  learning   ${st.experiences} experiences, parameters v${st.paramsVersion}`,
  ];
}
