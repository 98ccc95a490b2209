import { headers } from '@nats-io/nats-core';
import { sourcedFrom, STREAM_SOURCE_HEADER } from './read';

const withSource = (value: string) => {
  const h = headers();
  h.set(STREAM_SOURCE_HEADER, value);
  return h;
};

describe('sourcedFrom (the Nats-Stream-Source header of a sourced message)', () => {
  it('sourced_from_when_the_2_9_form_then_stream_and_sequence', () => {
    expect(sourcedFrom(withSource('prod_SIG 42'))).toEqual({ stream: 'prod_SIG', seq: 42 });
  });

  it('sourced_from_when_2_10_adds_filter_and_transform_then_the_same', () => {
    expect(sourcedFrom(withSource('SIG 42 sig.detected.> >'))).toEqual({ stream: 'SIG', seq: 42 });
  });

  it('sourced_from_when_another_domain_then_the_name_without_its_hash', () => {
    expect(sourcedFrom(withSource('SIG:a1b2c3 7'))).toEqual({ stream: 'SIG', seq: 7 });
  });

  it('sourced_from_when_absent_or_another_form_then_undefined', () => {
    expect(sourcedFrom(undefined)).toBeUndefined();
    expect(sourcedFrom(headers())).toBeUndefined();
    // The ack-reply form of servers before 2.2.
    expect(sourcedFrom(withSource('$JS.ACK.SIG.src.1.42.42.1700000000000000000.0'))).toBeUndefined();
    expect(sourcedFrom(withSource('SIG'))).toBeUndefined();
    expect(sourcedFrom(withSource('SIG 0'))).toBeUndefined();
  });
});
