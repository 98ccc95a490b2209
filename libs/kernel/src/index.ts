// Named re-exports, not `export *`: CommonJS output turns `export *` into one generic getter
// with a keyed lookup per access, which showed up in the per-bar profile of every decider.
export { NEW_CHAIN, type Envelope, type Draft, type Enveloped } from './envelope';
export { NO_OUTPUTS, DeciderHost, envelopeFor, type Decider, type HostOptions } from './decider';
export { nameId, deriveId, clientOrderIdFor } from './ids';
export { seedPrng, nextUint32, nextFloat, nextNormal, nextGamma, nextBeta, clonePrng, type PrngState } from './prng';
export {
  Decimal,
  ZERO,
  dec,
  roundToStep,
  currencyDecimals,
  roundMoney,
  decStr,
  moneyStr,
  type DecimalLike,
  type RoundingMode,
} from './money';
export { instrumentFor, marketKey, stepDecimals, tick, type AssetClass, type Instrument, type InstrumentOverrides } from './instruments';
export {
  MS_PER_MINUTE,
  MS_PER_HOUR,
  MS_PER_DAY,
  utcHour,
  utcMinuteOfDay,
  utcDayStart,
  utcWeekday,
  timeframeMs,
  isTimeframe,
  timeframeFromMs,
  TIMEFRAMES,
  type Timeframe,
} from './time';
export { ok, err, type Result } from './result';
export { BoundedSet } from './bounded-set';
export { assertKnownFields } from './config-fields';
export { flat } from './strings';
export { USD_ALIASES, sameMoney, conversionPairs, linkingSymbols, type ConversionPair } from './currency';
