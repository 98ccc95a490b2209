import { Decimal } from '@tradeloop/kernel';
import { ORDER_TYPES, OrderSpec, SIDES, TIME_IN_FORCE } from '@tradeloop/contracts';
import { parseDecimal, resolveInstrument, ResolvedExecutorConfig } from './executor.config';
import type { ExecutorState } from './executor.state';

function priceProblem(field: string, value: string | undefined, tick: Decimal, tickSize: string): string | undefined {
  if (value === undefined) return undefined;
  const p = parseDecimal(value);
  if (p === undefined || !p.gt(0)) return `${field} must be a positive decimal, got "${value}"`;
  if (!p.mod(tick).isZero()) return `${field} ${value} is not a multiple of the tick size ${tickSize}`;
  return undefined;
}

/** Why the paper broker refuses `spec`, or undefined when it accepts it. */
export function rejectionOf(cfg: ResolvedExecutorConfig, state: ExecutorState, spec: OrderSpec): string | undefined {
  let inst;
  try {
    inst = resolveInstrument(spec.symbol, cfg.instruments);
  } catch (e) {
    return (e as Error).message;
  }
  // Books are keyed by the symbol as written; bars carry the canonical (upper-case) symbol.
  if (spec.symbol !== inst.symbol) return `symbol "${spec.symbol}" must be written "${inst.symbol}", as on the bars`;
  const currency = state.currency ?? cfg.currency;
  if (currency !== undefined && inst.quoteCurrency !== currency) {
    return `${inst.symbol} is quoted in ${inst.quoteCurrency} but the account currency is ${currency} (one account currency per run)`;
  }
  if (!SIDES.includes(spec.side)) return `side must be buy or sell, got "${spec.side}"`;
  if (!ORDER_TYPES.includes(spec.type)) return `order type must be market, limit or stop, got "${spec.type}"`;
  if (!TIME_IN_FORCE.includes(spec.timeInForce)) return `timeInForce must be GTC, IOC, FOK or DAY, got "${spec.timeInForce}"`;

  const qty = parseDecimal(spec.quantity);
  if (qty === undefined || !qty.gt(0)) return `quantity must be a positive decimal, got "${spec.quantity}"`;
  if (!qty.mod(inst.lotSize).isZero()) return `quantity ${spec.quantity} is not a multiple of the lot size ${inst.lotSize}`;
  if (qty.lt(inst.minQuantity)) return `quantity ${spec.quantity} is below the minimum ${inst.minQuantity}`;

  const tick = new Decimal(inst.tickSize);
  if (spec.type === 'limit' && spec.limitPrice === undefined) return 'a limit order needs a limitPrice';
  if (spec.type === 'stop' && spec.stopPrice === undefined) return 'a stop order needs a stopPrice';
  const problem =
    priceProblem('limitPrice', spec.type === 'limit' ? spec.limitPrice : undefined, tick, inst.tickSize) ??
    priceProblem('stopPrice', spec.type === 'stop' ? spec.stopPrice : undefined, tick, inst.tickSize) ??
    priceProblem('stopLoss', spec.stopLoss, tick, inst.tickSize) ??
    priceProblem('takeProfit', spec.takeProfit, tick, inst.tickSize);
  if (problem !== undefined) return problem;

  // A bracket must sit around the entry: below and above it for a buy, mirrored for a sell.
  const sign = spec.side === 'buy' ? 1 : -1;
  const entryStr = spec.type === 'limit' ? spec.limitPrice : spec.type === 'stop' ? spec.stopPrice : undefined;
  const entry = entryStr === undefined ? undefined : new Decimal(entryStr);
  const sl = spec.stopLoss === undefined ? undefined : new Decimal(spec.stopLoss);
  const tp = spec.takeProfit === undefined ? undefined : new Decimal(spec.takeProfit);
  const below = spec.side === 'buy' ? 'below' : 'above';
  const above = spec.side === 'buy' ? 'above' : 'below';
  if (sl !== undefined && tp !== undefined && sl.minus(tp).mul(sign).gte(0)) {
    return `stopLoss ${spec.stopLoss} must be ${below} takeProfit ${spec.takeProfit} for a ${spec.side}`;
  }
  if (entry !== undefined && sl !== undefined && sl.minus(entry).mul(sign).gte(0)) {
    return `stopLoss ${spec.stopLoss} must be ${below} the entry price ${entryStr} for a ${spec.side}`;
  }
  if (entry !== undefined && tp !== undefined && tp.minus(entry).mul(sign).lte(0)) {
    return `takeProfit ${spec.takeProfit} must be ${above} the entry price ${entryStr} for a ${spec.side}`;
  }
  return undefined;
}
