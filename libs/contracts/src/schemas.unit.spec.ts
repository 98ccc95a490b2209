import fc from 'fast-check';
import { decStr, moneyStr } from '@tradeloop/kernel';
import { CATALOG, MESSAGE_TYPES } from './catalog';
import { decodeData } from './decode';
import { isDecimalString, SCHEMA_SHAPES_MATCH, SCHEMAS } from './schemas';
import { SAMPLE_MESSAGES } from './schemas/samples';

describe('SCHEMAS registry', () => {
  test('registry_when_catalog_has_a_type_then_it_has_a_schema_class', () => {
    for (const type of Object.keys(CATALOG)) {
      expect(typeof (SCHEMAS as Record<string, unknown>)[type]).toBe('function');
    }
    expect(Object.keys(SCHEMAS).sort()).toEqual(Object.keys(CATALOG).sort());
  });

  test('registry_when_compiled_then_every_schema_declares_exactly_its_payload_fields', () => {
    // The constant only typechecks when SameShape holds for every message type.
    expect(SCHEMA_SHAPES_MATCH).toBe(true);
  });

  test('registry_when_schema_looked_up_by_type_then_validates_that_payload', () => {
    const r = decodeData('OrderFilled', SAMPLE_MESSAGES.OrderFilled.data);
    expect(r.ok).toBe(true);
    expect(decodeData('OrderFilled', SAMPLE_MESSAGES.OrderAccepted.data).ok).toBe(false);
  });
});

describe('SAMPLE_MESSAGES fixture', () => {
  test('samples_when_listed_then_one_per_catalog_type_with_its_type_and_version', () => {
    expect(Object.keys(SAMPLE_MESSAGES).sort()).toEqual([...MESSAGE_TYPES].sort());
    for (const type of MESSAGE_TYPES) {
      expect(SAMPLE_MESSAGES[type].type).toBe(type);
      expect(SAMPLE_MESSAGES[type].version).toBe(CATALOG[type].version);
    }
  });

  test('samples_when_decoded_by_payload_schema_then_all_valid', () => {
    for (const type of MESSAGE_TYPES) {
      const r = decodeData(type, SAMPLE_MESSAGES[type].data);
      expect(r.ok ? type : r.error).toBe(type);
    }
  });
});

describe('isDecimalString', () => {
  test.each([
    ['0', true],
    ['-0', true],
    ['+1', true],
    ['12.50', true],
    ['-0.00001', true],
    ['1e5', false],
    ['1E-5', false],
    ['abc', false],
    ['', false],
    ['.5', false],
    ['5.', false],
    ['NaN', false],
    ['-Infinity', false],
    [' 1', false],
    ['1_000', false],
    ['١٢', false],
  ])('is_decimal_when_%j_then_%s', (value, expected) => {
    expect(isDecimalString(value)).toBe(expected);
  });

  test('is_decimal_when_not_a_string_then_false', () => {
    expect(isDecimalString(5)).toBe(false);
    expect(isDecimalString(null)).toBe(false);
  });

  test.each([
    ['1', true, true],
    ['0.001', true, true],
    ['+2', true, true],
    ['0', false, true],
    ['-0.000', false, true],
    ['-0.5', false, false],
  ])('is_decimal_when_%j_then_positive_%s_non_negative_%s', (value, positive, nonNegative) => {
    expect(isDecimalString(value, 'positive')).toBe(positive);
    expect(isDecimalString(value, 'non-negative')).toBe(nonNegative);
  });

  test('is_decimal_when_kernel_formats_any_finite_number_then_accepted', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(isDecimalString(decStr(x))).toBe(true);
        expect(isDecimalString(moneyStr(x, 'USD'))).toBe(true);
      }),
    );
  });
});


describe('spread of crossed quotes', () => {
  test('fill_when_spread_is_negative_because_quotes_were_crossed_then_valid', () => {
    const fill = { ...SAMPLE_MESSAGES.OrderFilled.data, spread: '-0.00004' };
    expect(decodeData('OrderFilled', fill).ok).toBe(true);
    expect(decodeData('OrderFilled', { ...fill, spread: 'wide' }).ok).toBe(false);
  });
});
