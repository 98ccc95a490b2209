import { subjectFilter, subjectOf } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { pipelineConfig, pipelineDeciders } from '@tradeloop/runtime';
import { qualify, topology } from '@tradeloop/transport-nats';
import { inboxFor, inboxStreamConfig } from './inbox';

describe('subjectFilter', () => {
  const f = subjectFilter(['a.b.*', 'c.>', 'd']);
  it.each([
    ['a.b.x', true],
    ['a.b', false],
    ['a.b.x.y', false],
    ['c.x', true],
    ['c.x.y.z', true],
    ['c', false],
    ['d', true],
    ['d.e', false],
    ['e', false],
  ])('filter_when_subject_%s_then_%s', (subject, want) => {
    expect(f(subject)).toBe(want);
  });
});

describe('inbox replicas', () => {
  it('inbox_when_the_topology_is_replicated_then_the_inbox_stream_is_replicated_like_the_area_streams', () => {
    const consumes = pipelineDeciders(pipelineConfig()).executor().consumes as never;
    for (const replicas of [1, 3]) {
      const topo = topology({ ns: 'ns1', replicas });
      expect(Object.values(topo.streams).map((s) => s.config.num_replicas)).toEqual(Object.values(topo.streams).map(() => replicas));
      const cfg = inboxStreamConfig(inboxFor(topo, 'executor', consumes));
      expect(cfg).toMatchObject({ name: 'ns1_IN_EXECUTOR', num_replicas: replicas });
    }
  });
});

describe('inboxFor', () => {
  const topo = topology({ ns: 'ns1' });
  const risk = inboxFor(topo, 'risk', pipelineDeciders(pipelineConfig()).risk().consumes as never);

  it('risk_inbox_when_built_then_sources_whole_areas_but_accepts_only_the_subjects_of_its_inputs', () => {
    expect(risk.sources.map((s) => s.filter_subject)).toContain('ns1.dec.>');
    const subject = (type: keyof typeof SAMPLE_MESSAGES): string => qualify('ns1', subjectOf(SAMPLE_MESSAGES[type] as never));
    expect(risk.accepts(subject('DecisionMade'))).toBe(true);
    expect(risk.accepts(subject('OrderFilled'))).toBe(true);
    expect(risk.accepts('ns1.md.batch.oanda.EURUSD')).toBe(true);
    // Its own verdicts and the governor's approvals come back through dec.>: not its inputs.
    expect(risk.accepts(subject('RiskApproved'))).toBe(false);
    expect(risk.accepts(subject('OrderApproved'))).toBe(false);
    expect(risk.accepts(subject('OrderAccepted'))).toBe(false);
    // Another namespace's subjects never match.
    expect(risk.accepts(subject('DecisionMade').replace('ns1.', 'ns2.'))).toBe(false);
  });

  it('inbox_when_service_has_timers_then_accepts_market_data_as_its_clock_and_its_own_timer_subject_only', () => {
    const gov = inboxFor(topo, 'governor', ['RiskApproved', 'TimerFired'], { clock: true });
    expect(gov.accepts('ns1.md.batch.oanda.EURUSD')).toBe(true);
    expect(gov.accepts('ns1.sys.timer.governor')).toBe(true);
    expect(gov.accepts('ns1.sys.timer.executor')).toBe(false);
  });
});
