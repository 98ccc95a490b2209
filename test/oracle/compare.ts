import type { OracleBar } from './oracle-bars';
import type { OracleOrder, OracleResult } from './paper-oracle';
import type { ProductRun } from './product-run';

/**
 * Every difference between the oracle's fills and outcomes and the product's, one line each, with
 * the order and the bars around it so that a reader can check it by hand.
 */
export function differences(oracle: OracleResult, product: ProductRun, orders: readonly OracleOrder[], bars: readonly OracleBar[]): string[] {
  const out: string[] = [];
  const byLine = new Map(orders.map((o) => [o.line, o]));
  const describe = (line: number): string => {
    const o = byLine.get(line);
    return o === undefined ? `line ${line}` : `line ${line} ${JSON.stringify({ ...o, ts: new Date(o.ts).toISOString() })}`;
  };
  for (const o of orders) {
    const a = oracle.outcomes.get(o.line);
    const b = product.outcomes.get(o.line);
    // A refusal the oracle names by risk's reason code (STALE_PRICE, …) or as the broker's
    // "market moved" must be that refusal; its other refusals (off the tick or the lot) are
    // refused by risk or the broker, whichever comes first.
    // A cancellation must give the README's reason (ioc_unfilled, fok_unfilled).
    const sameWhy =
      a?.kind === 'cancelled'
        ? b?.why === a.why
        : a?.kind !== 'refused' ||
          (/^[A-Z_]+$/.test(a.why) ? b?.why?.startsWith(`${a.why}:`) === true : a.why.startsWith('market moved') ? b?.why?.startsWith('market moved') === true : true);
    if (a?.kind !== b?.kind || !sameWhy) {
      out.push(`${describe(o.line)}: oracle ${a?.kind}${a?.kind === 'refused' || a?.kind === 'cancelled' ? ` (${a.why})` : ''}, product ${b?.kind}${b?.why !== undefined ? ` (${b.why})` : ''}`);
    }
  }
  const key = (f: { line: number; role: string }) => `${f.line}/${f.role}`;
  const expected = new Map(oracle.fills.map((f) => [key(f), f]));
  const actual = new Map(product.fills.map((f) => [key(f), f]));
  if (expected.size !== oracle.fills.length) out.push('the oracle filled an order twice');
  if (actual.size !== product.fills.length) out.push('the product filled an order twice');
  for (const [k, e] of expected) {
    const a = actual.get(k);
    const want = { ts: e.ts, side: e.side, quantity: e.quantity, price: e.price, fee: e.fee };
    const got = a === undefined ? undefined : { ts: a.ts, side: a.side, quantity: a.quantity, price: a.price, fee: a.fee };
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      out.push(`${describe(e.line)} ${e.role}: oracle ${JSON.stringify(want)}, product ${JSON.stringify(got)}${barsAround(bars, e.ts)}`);
    }
  }
  for (const [k, a] of actual) {
    if (!expected.has(k)) out.push(`${describe(a.line)} ${a.role}: product filled ${JSON.stringify(a)}, the oracle did not${barsAround(bars, a.ts)}`);
  }
  if (oracle.workingEntries !== product.workingOrders) {
    out.push(`orders still working at the end: oracle ${oracle.workingEntries}, product ${product.workingOrders}`);
  }
  return out;
}

function barsAround(bars: readonly OracleBar[], closeIso: string): string {
  const t = Date.parse(closeIso);
  const i = bars.findIndex((b) => b.closeMs === t);
  if (i < 0) return '';
  return (
    '\n    ' +
    bars
      .slice(Math.max(0, i - 2), i + 1)
      .map((b) => `${new Date(b.openMs).toISOString()} bid ${Object.values(b.bid).join('/')}${b.ask ? ` ask ${Object.values(b.ask).join('/')}` : ''}`)
      .join('\n    ')
  );
}
