import fc from 'fast-check';
import { iso } from './iso-time';

function viaDate(ts: number): string {
  try {
    return new Date(ts).toISOString();
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
}

function viaIso(ts: number): string {
  try {
    return iso(ts);
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
}

describe('iso', () => {
  it('iso_when_any_integer_time_in_date_range_then_equals_toISOString', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), (ts) => viaIso(ts) === viaDate(ts)),
      { numRuns: 20_000 },
    );
  });

  it('iso_when_calendar_edges_then_equals_toISOString', () => {
    const edges = [
      0, -1, 1, 999, 1000, 86_399_999, 86_400_000,
      // first and last millisecond of four-digit years, leap days, century rules
      -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000,
      951_782_400_000, 951_868_799_999, 4_107_542_400_000, -2_203_891_200_000, 1_709_164_800_000,
      1_640_994_660_000,
    ];
    for (const ts of edges) expect(viaIso(ts)).toBe(viaDate(ts));
  });

  it('iso_when_not_an_integer_time_then_behaves_as_Date', () => {
    for (const ts of [1.5, -0.25, NaN, Infinity, -Infinity, 8_640_000_000_000_001]) expect(viaIso(ts)).toBe(viaDate(ts));
    expect(() => iso(NaN)).toThrow(RangeError);
  });
});
