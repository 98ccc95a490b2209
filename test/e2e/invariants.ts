/**
 * The invariants of DESIGN §7 checked on a finished distributed run: in the streams and in
 * PostgreSQL. Shared by the end-to-end and chaos tests.
 */
import type { Client } from 'pg';
import { dec, type Envelope } from '@tradeloop/kernel';
import type { Topology } from '@tradeloop/transport-nats';
import { readStream } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

export interface RunFacts {
  readonly signals: number;
  readonly decisionsTaken: number;
  readonly approved: number;
  readonly submitted: number;
  readonly fills: number;
  readonly closed: number;
}

type AnyEnvelope = Envelope<string, any>;

export async function allMessages(nc: NatsConnection, topo: Topology, area: keyof Topology['streams']): Promise<AnyEnvelope[]> {
  const jsm = await jetstreamManager(nc);
  const name = topo.streams[area].name;
  const n = (await jsm.streams.info(name)).state.messages;
  return (await readStream(jetstream(nc), name, n, 60_000)).map((m) => m.json<AnyEnvelope>());
}

function countBy(list: readonly AnyEnvelope[], key: (m: AnyEnvelope) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of list) out.set(key(m), (out.get(key(m)) ?? 0) + 1);
  return out;
}

/** Every id in `want` appears exactly once among the keys of `got`, and nothing else does. */
function exactlyOnce(what: string, want: readonly string[], got: Map<string, number>): void {
  const missing = want.filter((id) => !got.has(id));
  const doubled = [...got].filter(([, n]) => n > 1).map(([id]) => id);
  const extra = [...got.keys()].filter((id) => !want.includes(id));
  expect({ what, missing, doubled, extra }).toEqual({ what, missing: [], doubled: [], extra: [] });
}

export async function checkInvariants(o: { nc: NatsConnection; topo: Topology; pg: Client; schema: string; startingCash: string }): Promise<RunFacts> {
  const sig = await allMessages(o.nc, o.topo, 'SIG');
  const decs = await allMessages(o.nc, o.topo, 'DEC');
  const exe = await allMessages(o.nc, o.topo, 'EXE');
  const lrn = await allMessages(o.nc, o.topo, 'LRN');
  // No event stored twice.
  for (const list of [sig, decs, exe, lrn]) expect(new Set(list.map((m) => m.id)).size).toBe(list.length);

  const signals = sig.filter((m) => m.type === 'SignalDetected');
  const decisions = decs.filter((m) => m.type === 'DecisionMade');
  const taken = decisions.filter((m) => m.data.action === 'take');
  const verdicts = decs.filter((m) => m.type === 'RiskApproved' || m.type === 'OrderDenied');
  const riskApproved = decs.filter((m) => m.type === 'RiskApproved');
  const approved = decs.filter((m) => m.type === 'OrderApproved');
  const submitted = exe.filter((m) => m.type === 'OrderSubmitted');
  const fills = exe.filter((m) => m.type === 'OrderFilled');

  // Nothing lost, nothing doubled, stage by stage.
  exactlyOnce('one decision per signal', signals.map((s) => s.id), countBy(decisions, (d) => d.data.signalId));
  exactlyOnce('one risk verdict per decision taken', taken.map((d) => d.id), countBy(verdicts.filter((v) => (v.data.origin ?? v.data.order?.origin) !== 'manual'), (v) => v.data.requestId));
  exactlyOnce('at most one approval per risk approval', [...new Set(approved.map((a) => a.data.riskApprovalId))], countBy(approved, (a) => a.data.riskApprovalId));
  expect(approved.every((a) => riskApproved.some((r) => r.id === a.data.riskApprovalId))).toBe(true);
  // Invariant 1: exactly one entry order per approved order; one order per client order id.
  exactlyOnce('one entry order per approved order', approved.map((a) => a.id), countBy(submitted.filter((s) => s.data.role === 'entry'), (s) => s.data.approvedOrderId));
  expect(new Set(submitted.map((s) => s.data.clientOrderId)).size).toBe(submitted.length);

  // PostgreSQL agrees with the streams.
  const q = async (sql: string): Promise<any[]> => (await o.pg.query(sql.replace(/\bS\./g, `"${o.schema}".`))).rows;
  const count = async (sql: string): Promise<number> => Number((await q(sql))[0].n);
  expect(await count('SELECT count(*) AS n FROM S.orders')).toBe(submitted.length);
  expect(await count('SELECT count(DISTINCT client_order_id) AS n FROM S.orders')).toBe(submitted.length);
  expect(await count('SELECT count(*) AS n FROM S.fills')).toBe(fills.length);
  // Risk projects its refusals: every OrderDenied once, whatever restarts happened.
  const denials = decs.filter((m) => m.type === 'OrderDenied');
  expect(await count('SELECT count(*) AS n FROM S.denials')).toBe(denials.length);
  expect(await count(`SELECT count(*) AS n FROM S.denials WHERE denial_id IN (${denials.map((d) => `'${d.id}'`).join(',') || "''"})`)).toBe(denials.length);
  // …and its approvals, and the governor the orders it did not place: each once.
  expect(await count('SELECT count(*) AS n FROM S.risk_approvals')).toBe(riskApproved.length);
  expect(await count(`SELECT count(*) AS n FROM S.risk_approvals WHERE risk_approval_id IN (${riskApproved.map((r) => `'${r.id}'`).join(',') || "''"})`)).toBe(riskApproved.length);
  const displayed = decs.filter((m) => m.type === 'OrderDisplayed');
  expect(await count('SELECT count(*) AS n FROM S.displayed_orders')).toBe(displayed.length);
  expect(await count(`SELECT count(*) AS n FROM S.displayed_orders WHERE display_id IN (${displayed.map((d) => `'${d.id}'`).join(',') || "''"})`)).toBe(displayed.length);
  expect(await count('SELECT count(*) AS n FROM S.broker_orders')).toBe(submitted.length);
  expect(await count(`SELECT count(*) AS n FROM S.broker_orders b JOIN S.orders o USING (client_order_id) WHERE o.role = 'entry'`)).toBe(approved.length);

  // Invariant 2: position = signed sum of fills, per market (venue and symbol: EURUSD at OANDA
  // and at FXCM are two positions).
  const sums = await q(`SELECT venue, symbol, sum(CASE WHEN side = 'buy' THEN quantity ELSE -quantity END)::text AS net FROM S.fills GROUP BY venue, symbol`);
  const positions = await q(`SELECT venue, symbol, direction, quantity::text AS quantity, status FROM S.positions`);
  for (const s of sums) {
    const open = positions.find((p) => p.venue === s.venue && p.symbol === s.symbol && p.status === 'open');
    const held = open ? dec(open.quantity).times(open.direction === 'long' ? 1 : -1) : dec(0);
    expect([s.venue, s.symbol, held.toString()]).toEqual([s.venue, s.symbol, dec(s.net).toString()]);
  }

  // Invariant 3: start + realised P&L − fees = cash, exactly; fees = sum of fill fees; = last AccountUpdated.
  const [account] = await q('SELECT cash::text AS cash, realized_pnl::text AS realized, fees::text AS fees FROM S.accounts');
  expect(dec(o.startingCash).plus(account.realized).minus(account.fees).toString()).toBe(dec(account.cash).toString());
  expect(dec(account.fees).toString()).toBe(fills.reduce((s, f) => s.plus(f.data.accountFee ?? f.data.fee), dec(0)).toString());
  const lastAccount = exe.filter((m) => m.type === 'AccountUpdated').pop()!;
  expect(dec(lastAccount.data.cash).toString()).toBe(dec(account.cash).toString());

  // Learning appended one experience per closed position.
  const closed = exe.filter((m) => m.type === 'PositionClosed');
  expect(await count('SELECT count(*) AS n FROM S.trade_experiences')).toBe(closed.length);
  // The history of closed positions holds every close once (not only the last one per market).
  expect(await count('SELECT count(*) AS n FROM S.closed_positions')).toBe(closed.length);
  expect(await count('SELECT count(DISTINCT position_id) AS n FROM S.closed_positions')).toBe(new Set(closed.map((c) => c.data.positionId)).size);
  exactlyOnce('one experience per closed position', closed.map((c) => c.data.positionId), countBy(lrn.filter((m) => m.type === 'ExperienceRecorded'), (e) => e.data.positionId));

  return { signals: signals.length, decisionsTaken: taken.length, approved: approved.length, submitted: submitted.length, fills: fills.length, closed: closed.length };
}
