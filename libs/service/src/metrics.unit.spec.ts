import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { ServiceMetrics } from './metrics';

describe('ServiceMetrics', () => {
  it('counters_when_counted_by_type_then_each_type_has_its_own_series_with_the_service_label', async () => {
    const m = new ServiceMetrics('risk');
    m.countIn('BarClosed', 15);
    m.countIn('BarClosed', 5);
    m.countIn('DecisionMade');
    m.observeHandle('DecisionMade', 0.0004);
    m.observeOutput(SAMPLE_MESSAGES.RiskApproved);
    m.observeOutput(SAMPLE_MESSAGES.OrderDenied);
    m.observeOutput(SAMPLE_MESSAGES.OrderDenied);
    const text = await m.registry.metrics();
    expect(text).toContain('tradeloop_messages_in_total{service="risk",type="BarClosed"} 20');
    expect(text).toContain('tradeloop_messages_in_total{service="risk",type="DecisionMade"} 1');
    expect(text).toContain('tradeloop_handle_seconds_bucket{le="0.0005",service="risk",type="DecisionMade"} 1');
    expect(text).toContain('tradeloop_messages_out_total{service="risk",type="OrderDenied"} 2');
    expect(text).toContain(`tradeloop_denials_total{service="risk",reason="${SAMPLE_MESSAGES.OrderDenied.data.reason}"} 2`);
  });
});
