import fc from 'fast-check';
import { BoundedSet } from './bounded-set';

describe('BoundedSet', () => {
  it('add_when_key_new_then_true_and_when_repeated_then_false', () => {
    const s = new BoundedSet(3);
    expect(s.add('a')).toBe(true);
    expect(s.add('a')).toBe(false);
    expect(s.has('a')).toBe(true);
    expect(s.size).toBe(1);
  });

  it('add_when_window_full_then_forgets_the_oldest_first', () => {
    const s = new BoundedSet(3);
    for (const k of ['a', 'b', 'c', 'd']) s.add(k);
    expect(s.has('a')).toBe(false);
    expect([...'bcd'].every((k) => s.has(k))).toBe(true);
    expect(s.size).toBe(3);
    // A repeat inside the window does not refresh its age: 'b' is still the oldest.
    expect(s.add('b')).toBe(false);
    s.add('e');
    expect(s.has('b')).toBe(false);
    expect(s.has('c')).toBe(true);
  });

  it('add_when_forgotten_key_returns_then_it_counts_as_new_again', () => {
    const s = new BoundedSet(2);
    s.add('a');
    s.add('b');
    s.add('c');
    expect(s.add('a')).toBe(true);
    expect(s.has('b')).toBe(false);
  });

  it('constructor_when_capacity_not_a_positive_integer_then_range_error_naming_it', () => {
    expect(() => new BoundedSet(0)).toThrow(/capacity must be a positive integer, got 0/);
    expect(() => new BoundedSet(1.5)).toThrow(RangeError);
  });

  it('property_when_any_sequence_of_adds_then_agrees_with_a_sliding_window_model', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 200 }), (capacity, seq) => {
        const s = new BoundedSet(capacity);
        const model: string[] = [];
        for (const n of seq) {
          const k = String(n);
          const fresh = !model.includes(k);
          expect(s.add(k)).toBe(fresh);
          if (fresh) {
            model.push(k);
            if (model.length > capacity) model.shift();
          }
          expect(s.size).toBe(model.length);
          for (let i = 0; i <= 12; i++) expect(s.has(String(i))).toBe(model.includes(String(i)));
        }
      }),
    );
  });
});
