import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { describeForHumans, notifierDecider, notifierEffects } from './notifier';

const ref = { stream: 'IN_NOTIFIER', seq: 1, ts: 0 };
const logs: string[] = [];
const log = { info: (_o: object, m?: string) => void logs.push(m ?? ''), warn: () => undefined, error: () => undefined };

describe('notifier', () => {
  test('describe_when_fill_or_closed_position_then_a_readable_line', () => {
    expect(describeForHumans(SAMPLE_MESSAGES.OrderFilled)).toMatch(/^filled (buy|sell) \S+ EURUSD @ \S+ \(fee \S+\)$/);
    expect(describeForHumans(SAMPLE_MESSAGES.PositionClosed)).toMatch(/^closed (long|short) EURUSD: P&L \S+ USD/);
  });

  test('approval_requested_in_fully_manual_then_the_mode_is_the_reason_not_the_quality', () => {
    const requested = SAMPLE_MESSAGES.ApprovalRequested;
    const manual = { ...requested, data: { ...requested.data, mode: 'fully_manual' as const, quality: 100, threshold: 80 } };
    const text = describeForHumans(manual);
    expect(text).toMatch(new RegExp(`^approval needed for ${requested.id} \\(fully_manual: every order needs approval\\): .*; expires \\d{4}-`));
    expect(text).not.toMatch(/quality|below/);
  });

  test('approval_requested_then_the_person_hears_the_order_and_the_price_risk_approved_it_at', () => {
    // The executor refuses a granted order whose market has moved away from the price risk
    // approved it at; the person deciding heard neither the order nor that price.
    const requested = SAMPLE_MESSAGES.ApprovalRequested;
    expect(describeForHumans(requested)).toBe(
      `approval needed for ${requested.id} (quality_based: quality 78.5 below threshold 80): ` +
        'buy 10000 EURUSD at oanda, limit 1.08452, stop-loss 1.08310, take-profit 1.08736 (structure_break); ' +
        `risk approved it at 1.08512; expires ${new Date(requested.data.expiresAt).toISOString()}`,
    );
    // A request from a log written before it carried the price.
    const { referencePrice: _omitted, ...older } = requested.data;
    expect(describeForHumans({ ...requested, data: older })).toMatch(/\(structure_break\); expires /);
  });

  test('approval_requested_in_quality_based_then_the_quality_below_the_threshold', () => {
    const requested = SAMPLE_MESSAGES.ApprovalRequested;
    const low = { ...requested, data: { ...requested.data, mode: 'quality_based' as const, quality: 62, threshold: 80 } };
    expect(describeForHumans(low)).toContain(' (quality_based: quality 62 below threshold 80): ');
  });

  test('order_displayed_when_display_only_or_halted_then_a_person_hears_the_order_that_was_not_placed', () => {
    // display_only exists so that a person sees the orders the pipeline would place; nothing else
    // reports them (no read model, no route), so the notifier is where they are shown.
    expect(notifierDecider.consumes).toContain('OrderDisplayed');
    const displayed = SAMPLE_MESSAGES.OrderDisplayed;
    expect(describeForHumans(displayed)).toBe('not placed (display_only mode: orders are shown, not sent): sell 5000 EURUSD at oanda, stop 1.08290 (manual)');
    const strategyOrder = SAMPLE_MESSAGES.RiskApproved.data.order;
    const halted = { ...displayed, data: { ...displayed.data, reason: 'TRADING_HALTED' as const, order: strategyOrder } };
    expect(describeForHumans(halted)).toBe('not placed (trading is HALTED): buy 10000 EURUSD at oanda, limit 1.08452, stop-loss 1.08310, take-profit 1.08736 (structure_break)');
    const reducing = { ...displayed, data: { ...displayed.data, reason: 'REDUCE_ONLY' as const, order: { ...strategyOrder, type: 'market' as const, limitPrice: undefined } } };
    expect(describeForHumans(reducing)).toMatch(/^not placed \(trading is REDUCING: only orders checked as reduce-only are placed\): buy 10000 EURUSD at oanda, market, stop-loss/);
  });

  test('approval_rejected_when_a_person_or_the_governor_refuses_then_a_person_hears_by_whom_and_why', () => {
    // The governor refuses a person's approval while trading is halted or display-only: the
    // person got 202 from the gateway and hears here that nothing was placed.
    expect(notifierDecider.consumes).toContain('ApprovalRejected');
    const rejected = SAMPLE_MESSAGES.ApprovalRejected;
    expect(describeForHumans(rejected)).toBe(`approval ${rejected.data.approvalId} rejected by ${rejected.data.by}: ${rejected.data.reason}`);
  });

  test('command_rejected_when_the_governor_did_not_apply_a_command_then_its_sender_hears_why', () => {
    expect(notifierDecider.consumes).toContain('CommandRejected');
    expect(describeForHumans(SAMPLE_MESSAGES.CommandRejected)).toBe('RejectOrder by bob ignored: approval already granted by alice');
    const refused = { ...SAMPLE_MESSAGES.CommandRejected, data: { ...SAMPLE_MESSAGES.CommandRejected.data, commandType: 'ApproveOrder' as const, by: 'mallory', reason: 'NOT_AN_APPROVER' as const, detail: 'mallory is not an approver' } };
    expect(describeForHumans(refused)).toBe('ApproveOrder by mallory refused: mallory is not an approver');
  });

  test('webhook_when_configured_then_posts_each_event_with_its_id_as_idempotency_key', async () => {
    const got: { key: string | undefined; body: any }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ key: req.headers['idempotency-key'] as string, body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await notifierEffects({ log, webhookUrl: url }).observe!(ref, [SAMPLE_MESSAGES.OrderFilled, SAMPLE_MESSAGES.OrderDenied]);
    } finally {
      server.close();
    }
    expect(got.map((g) => g.key)).toEqual([SAMPLE_MESSAGES.OrderFilled.id, SAMPLE_MESSAGES.OrderDenied.id]);
    expect(got[1].body.text).toMatch(/^risk denied EURUSD: POSITION_ALREADY_OPEN/);
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  test('webhook_when_receiver_fails_then_the_effect_rejects_so_the_runner_retries_before_acking', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await expect(notifierEffects({ log, webhookUrl: url }).observe!(ref, [SAMPLE_MESSAGES.OrderFilled])).rejects.toThrow(/webhook answered 503 for OrderFilled/);
    } finally {
      server.close();
    }
  });

  test('webhook_when_nothing_listens_then_the_error_says_why_without_the_url', async () => {
    // A port that was just free: the connection is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `http://127.0.0.1:${port}/hooks/T0SECRETTOKEN`;
    const effects = notifierEffects({ log, webhookUrl: url });
    const failed = effects.observe!(ref, [SAMPLE_MESSAGES.OrderFilled]);
    await expect(failed).rejects.toThrow(/^webhook delivery of OrderFilled \S+ failed: fetch failed \(ECONNREFUSED\)$/);
    await expect(failed).rejects.not.toThrow(/T0SECRETTOKEN/);
  });
});
