import { CATALOG, Message } from '@tradeloop/contracts';
import {
  instrumentFor,
  nameId,
  nextNormal,
  nextUint32,
  seedPrng,
  stepDecimals,
  timeframeFromMs,
  type AssetClass,
  type InstrumentOverrides,
  type PrngState,
  type Timeframe,
} from '@tradeloop/kernel';
import { MARKET_DATA_SOURCE } from './rejection';
import { barEnvelope } from './bars';

export type SyntheticKind = 'bar' | 'quote';

export interface SyntheticFeedOptions<K extends SyntheticKind = SyntheticKind> {
  /** One series per symbol; known symbols (instrumentFor) get tick size and a start price. */
  readonly symbols: readonly string[];
  readonly venue: string;
  /** Event time of the first step (epoch ms); bars: the first bar's open time, on the timeframe's grid. */
  readonly start: number;
  /** Event time between two messages of one series; bars: the timeframe (60000 = 1m bars). */
  readonly intervalMs: number;
  readonly seed: number;
  readonly kind: K;
  /** Messages in all (all symbols together); Infinity for an endless feed. */
  readonly count: number;
  readonly account?: string;
  /** Start (and long-run mean) price per symbol; needed for symbols without a default. */
  readonly startPrices?: Readonly<Record<string, number>>;
  /** Instrument metadata for symbols instrumentFor does not know (at least tickSize and assetClass). */
  readonly instruments?: Readonly<Record<string, InstrumentOverrides>>;
}

/** Round numbers near real levels; anything else needs `startPrices`. */
const DEFAULT_START_PRICES: Readonly<Record<string, number>> = {
  EURUSD: 1.1,
  GBPUSD: 1.27,
  USDJPY: 150,
  USDCHF: 0.9,
  AUDUSD: 0.66,
  NZDUSD: 0.6,
  USDCAD: 1.35,
  EURGBP: 0.86,
  EURJPY: 160,
  XAUUSD: 1900,
  XAGUSD: 23,
  BTC: 40_000,
  ETH: 2_500,
  SOL: 100,
  BNB: 300,
  LTC: 70,
  XRP: 0.5,
  ADA: 0.4,
  DOGE: 0.08,
};

/** Annualised volatility by asset class: what makes the walk look like the market it names. */
const ANNUAL_VOL: Readonly<Record<AssetClass, number>> = { forex: 0.08, metal: 0.15, crypto: 0.6, equity: 0.25, index: 0.18 };
/** Quoted spread as a fraction of the price (EURUSD ~0.9 pip, gold ~0.3, BTC ~1 USD). */
const SPREAD: Readonly<Record<AssetClass, number>> = { forex: 0.00008, metal: 0.00015, crypto: 0.00002, equity: 0.0002, index: 0.0001 };
/** Quote sizes are 1..16 of this unit, written as numerator / denominator to stay exact. */
const SIZE_UNIT: Readonly<Record<AssetClass, readonly [number, number]>> = {
  forex: [100_000, 1],
  metal: [10, 1],
  crypto: [1, 10],
  equity: [100, 1],
  index: [1, 1],
};
/** Typical volume of a 1m bar by class; scaled with the bar length. */
const MINUTE_VOLUME: Readonly<Record<AssetClass, number>> = { forex: 150, metal: 60, crypto: 12, equity: 5_000, index: 300 };

const YEAR_MS = 365.25 * 86_400_000;
/**
 * Prices revert to the start price with this half-life in event time, so a long run stays
 * "around" its start (stationary spread ≈ 2.6 × annual vol × 4.4 %: ±1 % for EURUSD, ±7 % for
 * BTC) while any stretch of hours looks like a random walk.
 */
const REVERSION_HALF_LIFE_MS = 7 * 86_400_000;
const INV_1024 = 1 / 1024;

/** One symbol's random walk, in log deviation from its start price. */
interface Series {
  readonly symbol: string;
  readonly idPrefix: string;
  readonly p0: number;
  /** Price = ticks × tickUnits / scale: exact decimals without float residue (1.1, not 1.1000000000000001). */
  readonly tick: number;
  readonly tickUnits: number;
  readonly scale: number;
  readonly sigma: number;
  readonly keep: number;
  readonly halfSpread: number;
  readonly sizeNum: number;
  readonly sizeDiv: number;
  readonly volume: number;
  x: number;
  /** Last bar close, in ticks. */
  lastTicks: number;
}

/**
 * A deterministic, seeded random walk of valid market data for load tests and demos: 1m (or
 * any timeframe) trade bars or top-of-book quotes for several symbols, interleaved in time
 * order (at each step every symbol once, symbols in ascending order, like `mergeByTime`).
 *
 * Lazy and allocation-light (≥ 1M messages/s on one core): iterate it, never collect it whole.
 * The same options give the same messages, ids included; another seed gives other prices and
 * other ids (so two runs never de-duplicate against each other on the bus).
 *
 * Every message passes `decodeMessage` and the file validation rules: prices positive and on
 * the tick grid, bars with low ≤ open, close ≤ high and open = previous close, quotes never
 * crossed or locked, sizes and volumes positive.
 */
export function syntheticFeed(options: SyntheticFeedOptions<'bar'>): IterableIterator<Message<'BarClosed'>>;
export function syntheticFeed(options: SyntheticFeedOptions<'quote'>): IterableIterator<Message<'QuoteTick'>>;
export function syntheticFeed(options: SyntheticFeedOptions): IterableIterator<Message<'BarClosed'> | Message<'QuoteTick'>>;
export function syntheticFeed(options: SyntheticFeedOptions): IterableIterator<Message<'BarClosed'> | Message<'QuoteTick'>> {
  const o = checkOptions(options);
  const rng = seedPrng(o.seed);
  const series = [...o.symbols].sort().map((symbol) => seriesFor(symbol, o));
  return o.kind === 'bar' ? bars(o, series, rng, timeframeFromMs(o.intervalMs) as Timeframe) : quotes(o, series, rng);
}

function* quotes(o: SyntheticFeedOptions, series: readonly Series[], rng: PrngState): Generator<Message<'QuoteTick'>> {
  const version = CATALOG.QuoteTick.version;
  const account = o.account ?? 'paper';
  const venue = o.venue;
  let left = o.count;
  for (let step = 0; left > 0; step++) {
    const ts = o.start + step * o.intervalMs;
    for (let i = 0; i < series.length && left > 0; i++, left--) {
      const s = series[i];
      s.x = s.x * s.keep + s.sigma * nextNormal(rng);
      const mid = s.p0 * Math.exp(s.x);
      const bits = nextUint32(rng);
      // Spread varies by up to +50 % from quote to quote; never less than one tick.
      const half = s.halfSpread * (1 + (bits & 1023) * INV_1024 * 0.5) * mid;
      let bidTicks = Math.round((mid - half) / s.tick);
      if (bidTicks < 1) bidTicks = 1;
      let askTicks = Math.round((mid + half) / s.tick);
      if (askTicks <= bidTicks) askTicks = bidTicks + 1;
      const id = s.idPrefix + step;
      yield {
        id,
        type: 'QuoteTick',
        version,
        ts,
        correlationId: id,
        causationId: id,
        account,
        source: MARKET_DATA_SOURCE,
        data: {
          venue,
          symbol: s.symbol,
          bid: (bidTicks * s.tickUnits) / s.scale,
          ask: (askTicks * s.tickUnits) / s.scale,
          bidSize: ((1 + ((bits >>> 10) & 15)) * s.sizeNum) / s.sizeDiv,
          askSize: ((1 + ((bits >>> 14) & 15)) * s.sizeNum) / s.sizeDiv,
        },
      };
    }
  }
}

function* bars(o: SyntheticFeedOptions, series: readonly Series[], rng: PrngState, timeframe: Timeframe): Generator<Message<'BarClosed'>> {
  const account = o.account ?? 'paper';
  const venue = o.venue;
  const tfMs = o.intervalMs;
  let left = o.count;
  for (let step = 0; left > 0; step++) {
    const openTime = o.start + step * tfMs;
    for (let i = 0; i < series.length && left > 0; i++, left--) {
      const s = series[i];
      s.x = s.x * s.keep + s.sigma * nextNormal(rng);
      const openTicks = s.lastTicks;
      const mid = s.p0 * Math.exp(s.x);
      let closeTicks = Math.round(mid / s.tick);
      if (closeTicks < 1) closeTicks = 1;
      s.lastTicks = closeTicks;
      // Excursions beyond open/close of up to one step's volatility either way.
      const bits = nextUint32(rng);
      const reach = (s.sigma * mid) / s.tick;
      const top = openTicks > closeTicks ? openTicks : closeTicks;
      const bottom = openTicks < closeTicks ? openTicks : closeTicks;
      const highTicks = top + Math.round((bits & 1023) * INV_1024 * reach);
      let lowTicks = bottom - Math.round(((bits >>> 10) & 1023) * INV_1024 * reach);
      if (lowTicks < 1) lowTicks = 1;
      const volume = Math.round(s.volume * (0.25 + ((bits >>> 20) & 1023) * INV_1024 * 1.5) * 100) / 100;
      yield barEnvelope(s.idPrefix + step, openTime + tfMs, account, {
        venue,
        symbol: s.symbol,
        timeframe,
        openTime,
        open: (openTicks * s.tickUnits) / s.scale,
        high: (highTicks * s.tickUnits) / s.scale,
        low: (lowTicks * s.tickUnits) / s.scale,
        close: (closeTicks * s.tickUnits) / s.scale,
        volume,
      });
    }
  }
}

function seriesFor(symbol: string, o: SyntheticFeedOptions): Series {
  const given = o.instruments?.[symbol];
  // instrumentFor refuses symbols it does not know; tick size and class are all a walk needs.
  const inst =
    given?.tickSize !== undefined && given.assetClass !== undefined
      ? { symbol: symbol.toUpperCase(), baseCurrency: given.baseCurrency ?? symbol.toUpperCase(), tickSize: given.tickSize, assetClass: given.assetClass }
      : instrumentFor(symbol, given ?? {});
  const p0 = o.startPrices?.[symbol] ?? defaultStartPrice(inst.symbol, inst.baseCurrency);
  if (p0 === undefined) {
    throw new RangeError(`syntheticFeed: no default start price for ${symbol}; pass startPrices.${symbol}`);
  }
  if (typeof p0 !== 'number' || !(p0 > 0) || p0 === Infinity) {
    throw new RangeError(`syntheticFeed: startPrices.${symbol} must be a positive finite number, got ${p0}`);
  }
  const decimals = stepDecimals(inst.tickSize);
  const scale = 10 ** decimals;
  const tick = Number(inst.tickSize);
  const tickUnits = Math.round(tick * scale);
  if (!(tick > 0) || Math.abs(tickUnits / scale - tick) > tick * 1e-9) {
    throw new RangeError(`syntheticFeed: tick size ${inst.tickSize} of ${symbol} is not a positive decimal`);
  }
  if (p0 < tick * 10) throw new RangeError(`syntheticFeed: start price ${p0} of ${symbol} is under 10 ticks (${inst.tickSize})`);
  const cls = inst.assetClass;
  const steps = REVERSION_HALF_LIFE_MS / o.intervalMs;
  const [sizeNum, sizeDiv] = SIZE_UNIT[cls];
  // Start on the tick grid so the first bar opens on a valid price.
  const startTicks = Math.round(p0 / tick);
  return {
    symbol,
    idPrefix: `syn:${symbol}:${nameId(`synthetic|${o.kind}|${o.venue}|${symbol}|${o.intervalMs}|${o.start}|${o.seed}|${p0}`).slice(0, 13)}:`,
    p0,
    tick,
    tickUnits,
    scale,
    sigma: ANNUAL_VOL[cls] * Math.sqrt(o.intervalMs / YEAR_MS),
    keep: Math.exp(-Math.LN2 / steps),
    halfSpread: SPREAD[cls] / 2,
    sizeNum,
    sizeDiv,
    volume: (MINUTE_VOLUME[cls] * o.intervalMs) / 60_000,
    x: 0,
    lastTicks: startTicks,
  };
}

function defaultStartPrice(symbol: string, base: string): number | undefined {
  return DEFAULT_START_PRICES[symbol] ?? DEFAULT_START_PRICES[base];
}

function checkOptions(o: SyntheticFeedOptions): SyntheticFeedOptions {
  const bad = (what: string): never => {
    throw new RangeError(`syntheticFeed: ${what}`);
  };
  if (o.kind !== 'bar' && o.kind !== 'quote') bad(`kind must be "bar" or "quote", got ${JSON.stringify(o.kind)}`);
  if (!Array.isArray(o.symbols) || o.symbols.length === 0) bad('symbols must be a non-empty array');
  const seen = new Set<string>();
  for (const s of o.symbols) {
    if (typeof s !== 'string' || s === '') bad(`every symbol must be a non-empty string, got ${JSON.stringify(s)}`);
    if (seen.has(s)) bad(`symbol ${s} is listed twice`);
    seen.add(s);
  }
  if (typeof o.venue !== 'string' || o.venue === '') bad('venue must be a non-empty string');
  if (!Number.isSafeInteger(o.start) || o.start < 0) bad(`start must be epoch milliseconds (an integer ≥ 0), got ${o.start}`);
  if (!Number.isSafeInteger(o.intervalMs) || o.intervalMs < 1) bad(`intervalMs must be a positive integer, got ${o.intervalMs}`);
  if (!Number.isSafeInteger(o.seed)) bad(`seed must be an integer, got ${o.seed}`);
  if (o.count !== Infinity && (!Number.isSafeInteger(o.count) || o.count < 0)) bad(`count must be an integer ≥ 0 or Infinity, got ${o.count}`);
  if (o.kind === 'bar') {
    const tf = timeframeFromMs(o.intervalMs);
    if (tf === undefined) bad(`bars need intervalMs of a supported timeframe (60000 = 1m, …), got ${o.intervalMs}`);
    if (o.start % o.intervalMs !== 0) bad(`bars need start on the ${tf} grid (a multiple of ${o.intervalMs}), got ${o.start}`);
  }
  return o;
}
