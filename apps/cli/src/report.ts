import type { BacktestResult } from '@tradeloop/runtime';

/** report.json: summary, stage counts and fills, every amount a decimal string. */
export function reportJson(result: BacktestResult, meta: Record<string, unknown>): string {
  return (
    JSON.stringify(
      {
        runId: result.runId,
        ...meta,
        summary: result.summary,
        stages: result.stages,
        fills: result.fills,
        closedPositions: result.closedPositions,
        eventLogSha256: result.eventLog.sha256(),
      },
      null,
      2,
    ) + '\n'
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** A self-contained HTML page with the equity curve as inline SVG (no scripts, no network). */
export function equityChartHtml(result: BacktestResult, title: string): string {
  const pts = result.equityCurve;
  const W = 960;
  const H = 360;
  const pad = 48;
  let body: string;
  if (pts.length < 2) {
    body = '<p>Not enough bars for a curve.</p>';
  } else {
    const t0 = pts[0][0];
    const t1 = pts[pts.length - 1][0];
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, v] of pts) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi === lo) {
      hi += 1;
      lo -= 1;
    }
    const x = (t: number) => pad + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * pad);
    const y = (v: number) => H - pad - ((v - lo) / (hi - lo)) * (H - 2 * pad);
    const path = pts.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const start = Number(result.summary.startingCash);
    const base = start >= lo && start <= hi ? `<line x1="${pad}" x2="${W - pad}" y1="${y(start).toFixed(1)}" y2="${y(start).toFixed(1)}" stroke="#bbb" stroke-dasharray="4 4"/>` : '';
    body = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="equity curve">
  <rect width="${W}" height="${H}" fill="#fff"/>
  ${base}
  <path d="${path}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>
  <text x="${pad}" y="${pad - 16}" font-size="12" fill="#333">max ${hi.toFixed(2)}</text>
  <text x="${pad}" y="${H - pad + 20}" font-size="12" fill="#333">min ${lo.toFixed(2)}</text>
  <text x="${W - pad}" y="${H - pad + 20}" font-size="12" fill="#333" text-anchor="end">${escapeHtml(new Date(t1).toISOString())}</text>
  <text x="${pad + 120}" y="${H - pad + 20}" font-size="12" fill="#333">${escapeHtml(new Date(t0).toISOString())}</text>
</svg>`;
  }
  const s = result.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td{padding:2px 12px 2px 0}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
<table>
<tr><td>Trades</td><td>${s.trades}</td></tr>
<tr><td>Win rate</td><td>${(s.winRate * 100).toFixed(1)}%</td></tr>
<tr><td>Net P&amp;L</td><td>${s.netPnl} ${escapeHtml(s.currency)}</td></tr>
<tr><td>Fees</td><td>${s.fees}</td></tr>
<tr><td>Max drawdown</td><td>${s.maxDrawdown} (${(s.maxDrawdownPct * 100).toFixed(2)}%)</td></tr>
<tr><td>Sharpe</td><td>${s.sharpe}</td></tr>
<tr><td>Final equity</td><td>${s.finalEquity}</td></tr>
</table>
<p>Run ${escapeHtml(result.runId)} · event log sha256 ${result.eventLog.sha256()}</p>
</body></html>
`;
}
