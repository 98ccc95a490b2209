import fc from 'fast-check';
import { clientOrderIdFor, deriveId, nameId } from './ids';

describe('ids', () => {
  it('nameId_when_known_names_then_ids_never_change', () => {
    // Replays, JetStream de-duplication and client order ids depend on these exact values.
    expect(nameId('')).toBe('134dcaad-c70b-8606-80ee-6583178f15a5');
    expect(nameId('a')).toBe('029b4b41-ec95-85e1-a2bb-dc1bfdeb8c16');
    expect(nameId('ab')).toBe('1fa3ceac-eadf-84d8-b391-05b2f84d02b0');
    expect(nameId('abc')).toBe('7a051a4f-e468-8aac-8ff5-1dbc0c1ffca3');
    expect(nameId('md:FTX:BTC-PERP:1m:1640994600000')).toBe('b529f27f-d293-8029-ab5c-ab6263da47b5');
    expect(nameId('\u{1F600}x')).toBe('fb3e7559-ff4c-8bb7-ae79-7200582b16fe');
    expect(nameId('é')).toBe('a1aa9730-2a00-8464-bc9b-fab49451a22b');
  });

  it('deriveId_when_any_parts_then_equals_nameId_of_the_joined_name', () => {
    const index = fc.oneof(fc.nat({ max: 30 }), fc.integer(), fc.constantFrom(-0, 1.5, NaN, 1e21));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 12 }), index, (cause, source, i) => {
        return deriveId(cause, source, i) === nameId(`${cause}|${source}|${i}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('clientOrderIdFor_when_any_order_and_leg_then_prefixed_dashless_nameId', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('E', 'SL', 'TP', ''), (id, leg) => {
        const cid = clientOrderIdFor(id, leg);
        return cid === `TL${leg}${nameId(`${id}|${leg}`).replace(/-/g, '').slice(0, 28)}` && /^TL[A-Z]*[0-9a-f]{28}$/.test(cid);
      }),
      { numRuns: 5_000 },
    );
  });

  it('nameId_when_any_name_then_version_8_variant_10_uuid', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (name) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(nameId(name)),
      ),
    );
  });
});
