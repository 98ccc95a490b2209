import { dec, decStr, Decimal, instrumentFor, ZERO } from '@tradeloop/kernel';
import type { ExperienceRecordedData, OrderOrigin, PositionClosedData } from '@tradeloop/contracts';
import type { LearningConfig } from './learning.config';
import type { Chain } from './learning.state';

/** Strategy name under which manual trades are learned. */
export const MANUAL_STRATEGY = 'manual';

function contractSizeOf(symbol: string, config: LearningConfig): Decimal | undefined {
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
  const risk = entry.minus(stop).abs().mul(quantity).mul(contractSize);
  if (risk.lte(0)) return undefined;
  return pnl.div(risk).toNumber();
}

function initialStopOf(chain: Chain | undefined): Decimal | undefined {
  if (!chain) return undefined;
  if (chain.initialStop !== undefined) return dec(chain.initialStop);
  if (chain.signalStop !== undefined && Number.isFinite(chain.signalStop)) return dec(chain.signalStop);
  return undefined;
}

/** The experience row for a closed position and the chain behind it (if learning saw it). */
export function buildExperience(p: PositionClosedData, chain: Chain | undefined, config: LearningConfig): ExperienceRecordedData {
  const origin: OrderOrigin = p.origin;
  const strategy = origin === 'manual' ? MANUAL_STRATEGY : (chain?.strategy ?? p.strategy ?? origin);
  const pnl = dec(p.realizedPnl);
  const fills = chain ? chain.fills : [];
  let slippage = ZERO;
  for (const f of fills) slippage = slippage.plus(dec(f.slippage).mul(dec(f.quantity)));
  const rMultiple = rMultipleOf(pnl, dec(p.entryPrice), initialStopOf(chain), dec(p.quantity), contractSizeOf(p.symbol, config));

  return {
    positionId: p.positionId,
    ...(chain?.signalId !== undefined && { signalId: chain.signalId }),
    origin,
    strategy,
    venue: p.venue,
    symbol: p.symbol,
    direction: p.direction,
    ...(chain?.session !== undefined && { session: chain.session }),
    ...(chain?.signalQuality !== undefined && { signalQuality: chain.signalQuality }),
    features: chain?.features ?? {},
    ...(chain?.decision !== undefined && { decision: { ...chain.decision } }),
    ...(chain?.risk !== undefined && { risk: { ...chain.risk } }),
    ...(chain?.approval !== undefined && { approval: { ...chain.approval } }),
    // 'market' when the entry order was never seen: the executor's default order method.
    orderType: chain?.orderType ?? 'market',
    fills: fills.slice(),
    slippageCost: decStr(slippage),
    ...(chain?.spreadAtEntry !== undefined && { spreadAtEntry: chain.spreadAtEntry }),
    exitReason: p.exitReason,
    entryPrice: p.entryPrice,
    exitPrice: p.exitPrice,
    quantity: p.quantity,
    pnl: p.realizedPnl,
    fees: p.fees,
    ...(rMultiple !== undefined && { rMultiple }),
    win: pnl.gt(0),
    holdingMs: p.holdingMs,
    maxAdverseExcursion: p.maxAdverseExcursion,
    maxFavorableExcursion: p.maxFavorableExcursion,
    openedAt: p.openedAt,
    closedAt: p.closedAt,
  };
}
