/**
 * The trade-experience store on a real backtest (DESIGN §4): one row per closed trade with its
 * full decision context — the signal (its levels, bar size, confidence and reason), its
 * features, the decision (and why), the risk verdict (size, stop-loss and take-profit), the
 * approval, the order method, the fills, slippage, spread, exit reason, P&L and holding time —
 * as the store writes it and the gateway's query reads it back.
 */
import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import type { DecisionMadeData, ExperienceRecordedData, Message, OrderApprovedData, RiskApprovedData, SignalDetectedData } from '@tradeloop/contracts';
import { mergeByTime, readMarketDataFile } from '@tradeloop/market-data';
import { appendExperience, listExperiences, type TradeExperienceEntity } from '@tradeloop/persistence';
import { openTestDatabase, type TestDatabase } from '@tradeloop/persistence/src/persistence.test-support';
import { parseEventLog, pipelineConfig, runBacktest } from '@tradeloop/runtime';

const DATA = resolve(__dirname, '../../../../shared/data');
const FILES = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'];

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.close();
});

test('experience_store_when_a_real_backtest_closes_trades_then_each_row_holds_the_full_decision_context', async () => {
  const bars = mergeByTime(...FILES.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
  const run = runBacktest({ bars, files: [] }, pipelineConfig({ mode: 'quality_based', feeBps: 0.5, slippageBps: 0.5 }));
  const log = parseEventLog(run.eventLog.text(), 'events.ndjson') as Envelope<string, any>[];
  const byId = new Map(log.map((e) => [e.id, e]));
  const first = <T>(type: string, corr: string): T => log.find((e) => e.type === type && e.correlationId === corr)!.data as T;

  const recorded = log.filter((e): e is Message<'ExperienceRecorded'> => e.type === 'ExperienceRecorded');
  for (const e of recorded) await appendExperience(db.ds.manager, e);
  const rows: TradeExperienceEntity[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await listExperiences(db.ds, 'paper', { limit: 20, ...(cursor === undefined ? {} : { cursor }) });
    rows.push(...page.items);
    if (page.nextCursor === undefined || page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  expect(rows.length).toBe(run.closedPositions.length);
  expect(rows.length).toBeGreaterThan(40);

  for (const row of rows) {
    const x: ExperienceRecordedData = row.payload;
    const signal = byId.get(x.signalId!)!.data as SignalDetectedData;
    const decision = first<DecisionMadeData>('DecisionMade', row.correlationId);
    const risk = first<RiskApprovedData>('RiskApproved', row.correlationId);
    const approval = first<OrderApprovedData>('OrderApproved', row.correlationId);
    expect({ position: x.positionId, signal: x.signal }).toEqual({
      position: x.positionId,
      signal: {
        timeframe: signal.timeframe,
        entry: signal.entry,
        stop: signal.stop,
        target: signal.target,
        confidence: signal.confidence,
        qualityBreakdown: signal.qualityBreakdown,
        reason: signal.reason,
      },
    });
    expect([x.session, x.signalQuality, x.features]).toEqual([signal.session, signal.quality, signal.features]);
    expect(x.decision).toEqual({
      confidence: decision.confidence,
      sizeMultiplier: decision.sizeMultiplier,
      sampledWinRate: decision.sampledWinRate,
      paramsVersion: decision.paramsVersion,
      reasons: decision.reasons,
    });
    expect(x.risk).toEqual({
      level: risk.riskLevel,
      riskAmount: risk.riskAmount,
      quantity: risk.order.quantity,
      stopLoss: risk.order.stopLoss,
      takeProfit: risk.order.takeProfit,
    });
    expect(x.approval).toEqual({ mode: approval.mode, approvedBy: approval.approvedBy });
    expect([x.orderType, x.timeInForce]).toEqual([approval.order.type, approval.order.timeInForce]);
    expect(x.fills.length).toBeGreaterThanOrEqual(2);
    expect(x.spreadAtEntry).toBeDefined();
    expect([x.exitReason, x.pnl, x.holdingMs > 0, x.slippageCost !== '0']).toEqual([row.exitReason, row.pnl, true, true]);
  }
}, 30_000);
