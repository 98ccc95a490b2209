/** Shared vocabulary of the message catalogue. Decimal amounts travel as strings. */
export type DecimalString = string;
export type Direction = 'long' | 'short';
export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'BLOCKED';
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export type ExecutionMode = 'fully_automated' | 'quality_based' | 'fully_manual' | 'display_only';
export type Session = 'asia' | 'london' | 'new_york' | 'asia_london' | 'london_new_york' | 'off_hours';
export type OrderOrigin = 'strategy' | 'manual' | 'plan';

export const DIRECTIONS: readonly Direction[] = ['long', 'short'];
export const SIDES: readonly Side[] = ['buy', 'sell'];
export const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop'];
export const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'DAY'];
export const RISK_LEVELS: readonly RiskLevel[] = ['LOW', 'MEDIUM', 'HIGH', 'BLOCKED'];
export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];
export const EXECUTION_MODES: readonly ExecutionMode[] = ['fully_automated', 'quality_based', 'fully_manual', 'display_only'];
export const SESSIONS: readonly Session[] = ['asia', 'london', 'new_york', 'asia_london', 'london_new_york', 'off_hours'];
export const ORDER_ORIGINS: readonly OrderOrigin[] = ['strategy', 'manual', 'plan'];

export function sideOf(direction: Direction): Side {
  return direction === 'long' ? 'buy' : 'sell';
}

/**
 * Why an order of `type` cannot take `timeInForce`, or undefined when it can. A stop waits for
 * its trigger, and IOC or FOK is cancelled when its first bar does not fill it, so such a stop
 * would live one bar; venues refuse the pair too (README, "Time in force").
 */
export function timeInForceProblem(type: OrderType, timeInForce: TimeInForce): string | undefined {
  if (type !== 'stop' || (timeInForce !== 'IOC' && timeInForce !== 'FOK')) return undefined;
  return `a stop order cannot be ${timeInForce}: it waits for its trigger, and ${timeInForce} would cancel it on its first bar unless that bar already reached it; use GTC or DAY`;
}
