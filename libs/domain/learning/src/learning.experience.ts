import { dec, Decimal, instrumentFor, ZERO } from '@tradeloop/kernel';
import { MANUAL_STRATEGY, type ExperienceFill, type ExperienceRecordedData, type OrderOrigin, type PositionClosedData } from '@tradeloop/contracts';
import type { LearningConfig } from './learning.config';
import type { Chain } from './learning.state';

/** Strategy name under which manual trades are learned (defined with the contracts: rl-decision reads it too). */
export { MANUAL_STRATEGY };

const ONE = dec(1);

/** Contract sizes by symbol per config; instrument metadata never changes within a run. */
const contractSizes = new WeakMap<LearningConfig, Map<string, Decimal | null>>();

function contractSizeOf(symbol: string, config: LearningConfig): Decimal | undefined {
  let bySymbol = contractSizes.get(config);
  if (bySymbol === undefined) {
    bySymbol = new Map();
    contractSizes.set(config, bySymbol);
  }
  let size = bySymbol.get(symbol);
  if (size === undefined) {
    size = lookupContractSize(symbol, config) ?? null;
    // The shared ONE lets rMultipleOf skip an exact multiplication by 1.
    if (size !== null && size.eq(ONE)) size = ONE;
    bySymbol.set(symbol, size);
  }
  return size ?? undefined;
}

function lookupContractSize(symbol: string, config: LearningConfig): Decimal | undefined {
  const configured = config.contractSizes[symbol];
  if (configured !== undefined) return dec(configured);
  try {
    return dec(instrumentFor(symbol).contractSize);
  } catch {
    // An unknown instrument has no trustworthy contract size; a guessed one would scale
    // every R multiple of the key, so the experience goes without one.
    return undefined;
  }
}

/**
 * Net P&L in multiples of the money the initial stop put at risk:
 * pnl / (quantity × |entry − stop| × contractSize). Undefined without a usable stop.
 */
export function rMultipleOf(
  pnl: Decimal,
  entry: Decimal,
  stop: Decimal | undefined,
  quantity: Decimal,
  contractSize: Decimal | undefined,
): number | undefined {
  if (stop === undefined || contractSize === undefined) return undefined;
  const perContract = entry.minus(stop).abs().mul(quantity);
  // An operation's result has at most the 40 significant digits of the precision, so × 1 is exact.
  const risk = contractSize === ONE ? perContract : perContract.mul(contractSize);
  if (risk.lte(ZERO)) return undefined;
  return pnl.div(risk).toNumber();
}

function initialStopOf(chain: Chain | undefined): Decimal | undefined {
  if (!chain) return undefined;
  if (chain.initialStop !== undefined) return dec(chain.initialStop);
  if (chain.signalStop !== undefined && Number.isFinite(chain.signalStop)) return dec(chain.signalStop);
  return undefined;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Σ slippage × quantity × contract size over the fills: money in the quote currency, as the P&L
 * (slippage is in price units per unit of base). Zero-slippage fills (no slippage model) add
 * nothing. Without a known contract size, 1 (the built-in instruments').
 */
function slippageCostOf(fills: readonly ExperienceFill[], contractSize: Decimal | undefined): Decimal {
  let slippage = ZERO;
  for (const f of fills) {
    // Skipping adds exactly 0, and a plain quantity would have parsed without error.
    if (f.slippage === '0' && PLAIN_DECIMAL.test(f.quantity)) continue;
    slippage = slippage.plus(dec(f.slippage).mul(dec(f.quantity)));
  }
  // × 1 is exact (see rMultipleOf); skipping it spares a multiplication per close.
  return contractSize === undefined || contractSize === ONE || slippage.isZero() ? slippage : slippage.mul(contractSize);
}

/**
 * The experience row for a closed position and the chain behind it (if learning saw it).
 * `pnl` is `p.realizedPnl` parsed. Optional fields are assigned in the published key order,
 * which the event log's bytes depend on.
 */
export function buildExperience(
  p: PositionClosedData,
  chain: Chain | undefined,
  config: LearningConfig,
  pnl: Decimal = dec(p.realizedPnl),
): ExperienceRecordedData {
  const origin: OrderOrigin = p.origin;
  const strategy = origin === 'manual' ? MANUAL_STRATEGY : (chain?.strategy ?? p.strategy ?? origin);
  const fills = chain ? chain.fills : [];
  const contractSize = contractSizeOf(p.symbol, config);
  const slippage = slippageCostOf(fills, contractSize);
  const rMultiple = rMultipleOf(pnl, dec(p.entryPrice), initialStopOf(chain), dec(p.quantity), contractSize);

  const e = { positionId: p.positionId } as Writable<ExperienceRecordedData>;
  if (chain?.signalId !== undefined) e.signalId = chain.signalId;
  e.origin = origin;
  e.strategy = strategy;
  e.venue = p.venue;
  e.symbol = p.symbol;
  e.direction = p.direction;
  if (chain?.session !== undefined) e.session = chain.session;
  if (chain?.signalQuality !== undefined) e.signalQuality = chain.signalQuality;
  const signal = chain?.signal;
  if (signal !== undefined) {
    e.signal = {
      timeframe: signal.timeframe,
      entry: signal.entry,
      stop: signal.stop,
      target: signal.target,
      confidence: signal.confidence,
      qualityBreakdown: signal.qualityBreakdown,
      reason: signal.reason,
    };
  }
  e.features = chain?.features ?? {};
  if (chain?.decision !== undefined) e.decision = { ...chain.decision };
  if (chain?.risk !== undefined) e.risk = { ...chain.risk };
  if (chain?.approval !== undefined) e.approval = { ...chain.approval };
  // 'market' when the entry order was never seen: the executor's default order method.
  e.orderType = chain?.orderType ?? 'market';
  if (chain?.timeInForce !== undefined) e.timeInForce = chain.timeInForce;
  e.fills = fills.slice();
  e.slippageCost = slippage.toFixed();
  if (chain?.spreadAtEntry !== undefined) e.spreadAtEntry = chain.spreadAtEntry;
  e.exitReason = p.exitReason;
  e.entryPrice = p.entryPrice;
  e.exitPrice = p.exitPrice;
  e.quantity = p.quantity;
  e.pnl = p.realizedPnl;
  e.fees = p.fees;
  e.currency = p.currency;
  if (rMultiple !== undefined) e.rMultiple = rMultiple;
  e.win = pnl.gt(ZERO);
  // The executor's measure (PositionClosed.holdingMs: from the open of the entry's bar to the
  // close of the exit's bar), so the store and the positions agree, manual trades included.
  e.holdingMs = p.holdingMs;
  e.maxAdverseExcursion = p.maxAdverseExcursion;
  e.maxFavorableExcursion = p.maxFavorableExcursion;
  e.openedAt = p.openedAt;
  e.closedAt = p.closedAt;
  return e;
}
