import type { BacktestResult } from '@tradeloop/runtime';

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function entries(rec: Record<string, number>): string {
  const e = Object.entries(rec).sort(([a], [b]) => a.localeCompare(b));
  return e.length === 0 ? 'none' : e.map(([k, v]) => `${k} ${v}`).join(', ');
}

/** The human summary printed at the end of a backtest. */
export function formatSummary(r: BacktestResult): string {
  const s = r.summary;
  const st = r.stages;
  const g = st.governor;
  const lines = [
    '',
    'Performance',
    `  trades            ${s.trades} (${s.wins} won, win rate ${pct(s.winRate)})`,
    `  net P&L           ${s.netPnl} ${s.currency} (gross ${s.grossPnl}, fees ${s.fees})`,
    `  unrealised P&L    ${s.unrealizedPnl} on ${s.openPositions} open position(s)`,
    ...(s.workingOrders > 0
      ? [`  working orders    ${s.workingOrders} still working at the end of the data, never filled (not in trades, P&L or equity)`]
      : []),
    `  max drawdown      ${s.maxDrawdown} (${pct(s.maxDrawdownPct)})`,
    `  sharpe            ${s.sharpe.toFixed(2)} (daily, annualised)`,
    `  exposure          ${pct(s.exposure)} of bars in the market`,
    `  cash              ${s.startingCash} → ${s.finalCash}; final equity ${s.finalEquity}`,
    '',
    'Stages',
    `  bars              ${st.bars} (${st.dataRejected} data rows rejected)`,
    `  signals           ${st.signals} (${entries(st.signalsByStrategy)})`,
    `  decisions         ${st.decisions.taken} taken, ${st.decisions.skipped} skipped`,
    ...(st.manualOrders > 0 ? [`  manual orders     ${st.manualOrders}`] : []),
    `  risk              ${st.risk.approved} approved, ${st.risk.denied} denied (${entries(st.risk.deniedByReason)})`,
    `  governor          ${g.autoApproved} auto-approved, ${g.approvalsRequested} approvals requested ` +
      `(${g.approvalsGranted} granted, ${g.approvalsRejected} rejected, ${g.approvalsExpired} expired), ${g.displayed} display-only`,
    `  orders            ${st.orders.submitted} submitted, ${st.orders.filled} filled, ${st.orders.cancelled} cancelled, ` +
      `${st.orders.rejected} rejected, ${st.orders.expired} expired (${st.fills} fills)`,
    `  learning          ${st.experiences} experiences, parameters v${st.paramsVersion}`,
    '',
    `events            ${r.eventLog.size}`,
  ];
  return lines.join('\n');
}
