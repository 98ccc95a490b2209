export { createRisk, RISK_CONSUMES, type RiskInput, type RiskOutput } from './risk.decider';
export { defaultRiskConfig, resolveRiskConfig, type RiskConfig } from './risk.config';
export type { RiskState, PositionBook, Reservation, PriceSlot } from './risk.state';
