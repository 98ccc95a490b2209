import fc from 'fast-check';
import { isPositiveDecimalString, parseNumber, parseUtcTimestamp } from './fields';

describe('parseUtcTimestamp', () => {
  it('whole_seconds_with_Z_when_parsed_then_epoch_ms', () => {
    expect(parseUtcTimestamp('2014-05-01T00:00:00Z')).toBe(Date.UTC(2014, 4, 1));
    expect(parseUtcTimestamp('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it('fractional_seconds_up_to_nine_digits_when_parsed_then_floored_to_the_millisecond', () => {
    const base = Date.UTC(2014, 4, 6);
    expect(parseUtcTimestamp('2014-05-06T00:00:00.158000Z')).toBe(base + 158);
    expect(parseUtcTimestamp('2014-05-06T00:00:00.9Z')).toBe(base + 900);
    expect(parseUtcTimestamp('2014-05-06T00:00:00.05Z')).toBe(base + 50);
    expect(parseUtcTimestamp('2014-05-06T00:00:00.087891Z')).toBe(base + 87);
    expect(parseUtcTimestamp('2014-05-06T00:00:00.999999999Z')).toBe(base + 999);
  });

  it.each([
    ['no zone (local time)', '2014-05-01T00:00:00'],
    ['offset instead of Z', '2014-05-01T00:00:00+00:00'],
    ['space separator', '2014-05-01 00:00:00Z'],
    ['date only', '2014-05-01'],
    ['ten fraction digits', '2014-05-01T00:00:00.1234567890Z'],
    ['empty fraction', '2014-05-01T00:00:00.Z'],
    ['February 30', '2014-02-30T00:00:00Z'],
    ['February 29 in a common year', '2023-02-29T00:00:00Z'],
    ['hour 24', '2014-05-01T24:00:00Z'],
    ['minute 60', '2014-05-01T00:60:00Z'],
    ['month 13', '2014-13-01T00:00:00Z'],
    ['epoch number', '1398902400000'],
    ['letters in digits', '2014-O5-01T00:00:00Z'],
    ['trailing space', '2014-05-01T00:00:00Z '],
    ['empty', ''],
  ])('timestamp_with_%s_when_parsed_then_NaN', (_name, raw) => {
    expect(parseUtcTimestamp(raw)).toBeNaN();
  });

  it('mutated_timestamps_when_parsed_then_accepted_exactly_when_the_strict_regex_and_calendar_accept', () => {
    const strict = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
    const oracle = (s: string): number => {
      const m = strict.exec(s);
      if (m === null) return NaN;
      const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
      const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
      const ts = Date.UTC(y, mo - 1, d, h, mi, se, ms);
      const back = new Date(ts);
      const valid = y >= 1900 && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && se < 60;
      return valid ? ts : NaN;
    };
    const base = fc.constantFrom('2014-05-06T00:00:00Z', '2024-08-08T23:54:14.087891Z', '2012-02-29T12:30:59.9Z', '1999-12-31T23:59:59.123456789Z');
    const replacement = fc.constantFrom<string>('', ...'0123456789-:TZ. +x'.split(''));
    const edit = fc.tuple(fc.nat(), replacement);
    const mutated = fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([s, edits]) =>
      edits.reduce((acc: string, [at, ch]: [number, string]) => {
        const i = at % (acc.length + 1);
        return acc.slice(0, i) + ch + acc.slice(i + 1);
      }, s),
    );
    fc.assert(
      fc.property(mutated, (s) => {
        expect(Object.is(parseUtcTimestamp(s), oracle(s))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('any_valid_instant_when_formatted_and_parsed_then_round_trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (ts) => {
        expect(parseUtcTimestamp(new Date(ts).toISOString())).toBe(ts);
      }),
    );
  });
});

describe('parseNumber', () => {
  it.each([
    ['1.38676', 1.38676],
    ['46319', 46319],
    ['0.00009', 0.00009],
    ['-3.5', -3.5],
    ['.5', 0.5],
    ['2.5e-7', 2.5e-7],
    ['1.2283620800000001', 1.2283620800000001],
    ['0', 0],
  ])('plain_number_%s_when_parsed_then_value', (raw, value) => {
    expect(parseNumber(raw)).toBe(value);
  });

  it.each(['', ' ', ' 1', '1 ', 'NaN', 'nan', 'Infinity', '-Infinity', '0x10', '0b1', '1e', '1e+', '1.2.3', '--1', 'abc', '1,5', '1e999'])(
    'malformed_number_%j_when_parsed_then_NaN',
    (raw) => {
      expect(parseNumber(raw)).toBeNaN();
    },
  );

  it('any_decimal_string_when_parsed_then_identical_to_Number', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{1,19}$/), fc.option(fc.stringMatching(/^\d{1,24}$/)))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`);
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(parseNumber(s), Number(s))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('any_double_as_javascript_prints_it_when_parsed_then_identical_to_Number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = String(x);
        expect(Object.is(parseNumber(s), Number(s))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isPositiveDecimalString', () => {
  it('decimal_strings_when_checked_then_only_positive_plain_decimals_pass', () => {
    expect(['1', '0.5', '100.000', '0.00001'].every(isPositiveDecimalString)).toBe(true);
    expect(['0', '0.000', '-1', '1e3', '.5', '1.', '', ' 1', 'abc'].some(isPositiveDecimalString)).toBe(false);
  });
});
