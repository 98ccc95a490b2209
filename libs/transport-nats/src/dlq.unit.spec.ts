import { deadLetter, deadLetterSubject, MAX_DEAD_LETTER_ERRORS, MAX_ORIGINAL_BYTES } from './dlq';
import { topology } from './streams';

const base = { reason: 'invalid_message' as const, detail: 'd', stream: 'x_MD', subject: 'x.md.bar', durable: 'scanner', streamSeq: 7, deliveryCount: 1 };

describe('dead letters', () => {
  it('small_payload_then_kept_whole_as_text', () => {
    const l = deadLetter({ ...base, data: new TextEncoder().encode('{"a":1}') });
    expect(l).toEqual({ ...base, original: '{"a":1}', originalBytes: 7, truncated: false });
  });

  it('payload_over_64_kib_then_truncated_and_flagged', () => {
    const data = new Uint8Array(MAX_ORIGINAL_BYTES + 10).fill(0x61);
    const l = deadLetter({ ...base, data });
    expect(l.original).toHaveLength(MAX_ORIGINAL_BYTES);
    expect(l).toMatchObject({ originalBytes: MAX_ORIGINAL_BYTES + 10, truncated: true });
  });

  it('payload_not_utf8_then_replacement_characters_instead_of_a_crash', () => {
    const l = deadLetter({ ...base, data: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(l.original).toBe('{\uFFFD}');
  });

  it('thousands_of_field_errors_then_capped_with_a_count', () => {
    const errors = Array.from({ length: MAX_DEAD_LETTER_ERRORS + 5 }, (_, i) => ({ path: `messages.${i}.id`, message: 'is required' }));
    const l = deadLetter({ ...base, errors, data: new Uint8Array() });
    expect(l.errors).toHaveLength(MAX_DEAD_LETTER_ERRORS + 1);
    expect(l.errors?.[MAX_DEAD_LETTER_ERRORS]).toEqual({ path: '$', message: '5 more errors not shown' });
  });

  it('dead_letter_subject_then_namespaced_dlq_stream_durable', () => {
    expect(deadLetterSubject(topology({ ns: 'x' }), 'x_MD', 'scanner')).toBe('x.dlq.x_MD.scanner');
    expect(deadLetterSubject(topology(), 'EXE', 'risk')).toBe('dlq.EXE.risk');
  });
});
