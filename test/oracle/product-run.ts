import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { main } from '../../apps/cli/src/main';
import type { Role } from './paper-oracle';

/**
 * The product's side: `tradeloop backtest --orders <csv> --data <file> --out <dir>` run through the
 * CLI's own entry point (argument parsing, file reading, the whole pipeline, report.json), and its
 * fills and order outcomes read back from report.json and events.ndjson.
 */

export interface ProductFill {
  readonly line: number;
  readonly role: Role;
  readonly ts: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
}

export interface ProductRun {
  readonly fills: ProductFill[];
  /**
   * By CSV line: refused (risk denied it or the broker rejected it, with the reason), filled,
   * cancelled (with the reason), expired, or still working.
   */
  readonly outcomes: Map<number, { kind: 'refused' | 'filled' | 'working' | 'cancelled' | 'expired'; why?: string }>;
  readonly workingOrders: number;
  readonly dataRejected: number;
  readonly stderr: string;
}

export interface ProductArgs {
  readonly data: string;
  readonly barTimestamp: 'open' | 'close';
  readonly ordersCsv: string;
  readonly feeBps: string;
  readonly slippageBps: string;
  readonly cash: string;
  /** More CLI options (risk limits). */
  readonly extra?: readonly string[];
}

interface Envelope {
  type: string;
  correlationId: string;
  data: Record<string, unknown>;
}

const ROLES: Record<string, Role> = { entry: 'entry', stop_loss: 'stop_loss', take_profit: 'take_profit' };

export async function runProduct(a: ProductArgs): Promise<ProductRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-fill-oracle-'));
  try {
    const csv = join(dir, 'orders.csv');
    writeFileSync(csv, a.ordersCsv);
    const out = join(dir, 'out');
    let stderr = '';
    let stdout = '';
    const code = await main(
      [
        'node',
        'tradeloop',
        'backtest',
        '--data',
        a.data,
        '--orders',
        csv,
        '--out',
        out,
        '--bar-timestamp',
        a.barTimestamp,
        '--fee-bps',
        a.feeBps,
        '--slippage-bps',
        a.slippageBps,
        '--cash',
        a.cash,
        ...(a.extra ?? []),
        '--no-progress',
      ],
      { out: (s) => (stdout += s), err: (s) => (stderr += s), isTty: false },
    );
    if (code !== 0) throw new Error(`tradeloop backtest exited ${code}: ${stderr}${stdout}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      fills: Array<Record<string, string>>;
      summary: { workingOrders: number };
      stages: { dataRejected: number };
    };
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Envelope);
    const prefix = `cmd:orders:${basename(csv)}:`;
    const lineOf = (correlationId: string): number => {
      if (!correlationId.startsWith(prefix)) throw new Error(`an order not of the CSV: ${correlationId}`);
      return Number(correlationId.slice(prefix.length));
    };
    const byClientId = new Map<string, { line: number; role: Role }>();
    const outcomes: ProductRun['outcomes'] = new Map();
    for (const e of events) {
      if (e.type === 'SubmitManualOrder') outcomes.set(lineOf(e.correlationId), { kind: 'working' });
      else if (e.type === 'OrderDenied') outcomes.set(lineOf(String(e.data['requestId'])), { kind: 'refused', why: `${String(e.data['reason'])}: ${String(e.data['detail'])}` });
      else if (e.type === 'OrderSubmitted') {
        const role = ROLES[String(e.data['role'])];
        if (role === undefined) throw new Error(`unknown order role ${String(e.data['role'])}`);
        byClientId.set(String(e.data['clientOrderId']), { line: lineOf(e.correlationId), role });
      } else if (e.type === 'OrderRejected') {
        const o = byClientId.get(String(e.data['clientOrderId']));
        if (o?.role === 'entry') outcomes.set(o.line, { kind: 'refused', why: String(e.data['reason']) });
        else throw new Error(`a protective order was rejected: ${JSON.stringify(e.data)}`);
      } else if (e.type === 'OrderCancelled' || e.type === 'OrderExpired') {
        // Protective orders are cancelled (oco, position_closed, reduce_only) as their fills say.
        const o = byClientId.get(String(e.data['clientOrderId']));
        if (o === undefined) throw new Error(`${e.type} of an order never submitted: ${JSON.stringify(e.data)}`);
        if (o.role === 'entry') {
          outcomes.set(o.line, e.type === 'OrderExpired' ? { kind: 'expired' } : { kind: 'cancelled', why: String(e.data['reason']) });
        } else if (e.type === 'OrderExpired') {
          throw new Error(`a protective order expired: ${JSON.stringify(e.data)}`);
        }
      }
    }
    const fills = report.fills.map((f): ProductFill => {
      const o = byClientId.get(f['clientOrderId']);
      if (o === undefined) throw new Error(`a fill of an order never submitted: ${f['clientOrderId']}`);
      if (o.role === 'entry') outcomes.set(o.line, { kind: 'filled' });
      return { line: o.line, role: o.role, ts: f['ts'], side: f['side'], quantity: f['quantity'], price: f['price'], fee: f['fee'] };
    });
    return { fills, outcomes, workingOrders: report.summary.workingOrders, dataRejected: report.stages.dataRejected, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
