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
