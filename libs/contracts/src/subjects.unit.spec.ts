import { CATALOG, MESSAGE_TYPES, SUBJECT_PATTERNS, subjectMatches } from './catalog';
import { SAMPLE_MESSAGES } from './schemas/samples';

describe('SUBJECT_PATTERNS', () => {
  test('pattern_when_sample_subject_built_then_matches_its_own_pattern_and_no_other_type', () => {
    for (const type of MESSAGE_TYPES) {
      const m = SAMPLE_MESSAGES[type];
      const subject = (CATALOG[type] as { subject: (x: unknown) => string }).subject(m);
      expect([type, subjectMatches(SUBJECT_PATTERNS[type], subject)]).toEqual([type, true]);
      const others = MESSAGE_TYPES.filter((t) => t !== type && subjectMatches(SUBJECT_PATTERNS[t], subject));
      expect([type, others]).toEqual([type, []]);
    }
  });

  test('pattern_when_stream_area_compared_then_starts_with_that_area_prefix', () => {
    for (const type of MESSAGE_TYPES) {
      expect(SUBJECT_PATTERNS[type].split('.')[0]).toBe(CATALOG[type].stream.toLowerCase());
    }
  });
});

describe('subjectMatches', () => {
  test.each([
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['a.*', 'a.b.c', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.b', 'a.b', true],
    ['a.b.c', 'a.b', false],
    ['>', 'x', true],
  ])('subjectMatches(%s, %s) = %s', (p, s, want) => {
    expect(subjectMatches(p, s)).toBe(want);
  });
});
