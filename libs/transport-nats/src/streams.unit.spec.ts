import { AREAS, qualify, streamOf, subjectFor, topology, TopologyError } from './streams';
import { bar } from './test-support';

describe('topology', () => {
  it('topology_without_namespace_then_plain_stream_names_and_subjects', () => {
    const t = topology();
    expect(AREAS.map((a) => t.streams[a].name)).toEqual(['MD', 'SIG', 'DEC', 'EXE', 'LRN', 'CMD', 'SYS', 'DLQ']);
    expect(t.streams.EXE.subjects).toEqual(['exe.>']);
    expect(t.streams.DLQ.subjects).toEqual(['dlq.>']);
  });

  it('topology_with_namespace_then_prefixed_stream_names_and_subjects', () => {
    const t = topology({ ns: 'blue' });
    expect(t.streams.MD.name).toBe('blue_MD');
    expect(t.streams.MD.subjects).toEqual(['blue.md.>']);
    expect(qualify('blue', 'cmd.governor.halt')).toBe('blue.cmd.governor.halt');
  });

  it('topology_defaults_then_file_storage_limits_retention_and_two_minute_duplicate_window', () => {
    const c = topology().streams.DEC.config;
    expect(c).toMatchObject({ storage: 'file', retention: 'limits', discard: 'old', duplicate_window: 120_000_000_000, max_age: 0, num_replicas: 1 });
    expect(topology().streams.MD.config.max_age).toBe(7 * 86_400_000 * 1_000_000);
  });

  it('topology_defaults_then_the_stream_of_service_starts_keeps_them_without_age_limit_so_replay_service_can_audit_any_deployment', () => {
    // `tradeloop replay --service` decides each inbox segment under the configuration its
    // ServiceStarted recorded: one aged out of its stream leaves the segment unaudited, and a
    // service not restarted within the age limit cannot be audited at all ("no ServiceStarted").
    // The inboxes keep every input without age limit; the configurations must last as long.
    const t = topology();
    const area = AREAS.find((a) => t.streams[a].name === streamOf(t, 'ServiceStarted'))!;
    expect(area).toBe('SYS');
    expect(t.streams[area].config.max_age).toBe(0);
  });

  it('topology_with_custom_window_and_max_age_then_in_nanoseconds', () => {
    const c = topology({ duplicateWindowMs: 30_000, maxAgeMs: { EXE: 3_600_000 } }).streams.EXE.config;
    expect(c.duplicate_window).toBe(30_000_000_000);
    expect(c.max_age).toBe(3_600_000_000_000);
  });

  it('topology_with_invalid_namespace_then_throws', () => {
    expect(() => topology({ ns: 'a.b' })).toThrow(TopologyError);
    expect(() => topology({ ns: 'a b' })).toThrow(/namespace/);
  });

  it('topology_with_window_longer_than_max_age_then_throws', () => {
    expect(() => topology({ duplicateWindowMs: 120_000, maxAgeMs: { MD: 60_000 } })).toThrow(/duplicateWindowMs \(120000\) exceeds maxAgeMs.MD/);
  });

  it('topology_with_bad_numbers_then_throws', () => {
    expect(() => topology({ duplicateWindowMs: 0 })).toThrow(TopologyError);
    expect(() => topology({ replicas: 0 })).toThrow(TopologyError);
    expect(() => topology({ maxBytes: { MD: 0 } })).toThrow(TopologyError);
    expect(() => topology({ maxAgeMs: { SIG: -1 } })).toThrow(TopologyError);
  });
});

describe('subjectFor', () => {
  it('subject_for_bar_then_catalogue_subject_in_namespace', () => {
    expect(subjectFor(topology(), bar(1))).toBe('md.bar.1m.binance.BTCUSDT');
    expect(subjectFor(topology({ ns: 'x' }), bar(1))).toBe('x.md.bar.1m.binance.BTCUSDT');
  });

  it('subject_for_unknown_type_then_throws', () => {
    expect(() => subjectFor(topology(), { ...bar(1), type: 'Nope' } as never)).toThrow(/unknown message type "Nope"/);
  });

  it('stream_of_type_then_area_stream_name', () => {
    expect(streamOf(topology({ ns: 'x' }), 'OrderFilled')).toBe('x_EXE');
    expect(streamOf(topology(), 'HaltTrading')).toBe('CMD');
    expect(() => streamOf(topology(), 'Nope')).toThrow(TopologyError);
  });
});
