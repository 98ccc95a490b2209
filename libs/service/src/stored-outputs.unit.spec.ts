import { headers } from '@nats-io/nats-core';
import { STREAM_SOURCE_HEADER } from '@tradeloop/transport-nats';
import { StoredOutputs } from './stored-outputs';

const from = (stream: string, seq: number) => {
  const h = headers();
  h.set(STREAM_SOURCE_HEADER, `${stream} ${seq}`);
  return h;
};

describe('StoredOutputs', () => {
  it('stored_outputs_when_every_source_has_handed_out_its_last_input_stored_before_the_start_then_done', () => {
    // MD held inputs up to #40 at the start, SIG up to #7.
    const stored = new StoredOutputs(new Set(['a', 'b']), new Map([['MD', 40], ['SIG', 7]]), undefined);
    expect(stored.has('a')).toBe(true);
    expect(stored.has('c')).toBe(false);
    stored.see(from('MD', 39));
    stored.see(from('SIG', 7));
    stored.see(undefined);
    stored.see(from('LRN', 99));
    expect(stored.done).toBe(false);
    stored.see(from('MD', 41));
    expect(stored.done).toBe(true);
  });
});
