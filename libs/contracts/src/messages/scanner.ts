import type { Timeframe } from '@tradeloop/kernel';
import type { Direction, Session } from './common';

export type StrategyId = 'structure_break' | 'rejection_wick' | 'trend_momentum' | (string & {});

export interface QualityBreakdown {
  /** 0–100 each. */
  readonly trend: number;
  readonly volatility: number;
  readonly session: number;
}

/** The envelope id of a SignalDetected is the signal id; it starts its own correlation chain. */
export interface SignalDetectedData {
  readonly strategy: StrategyId;
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly direction: Direction;
  /** Reference entry (the signal bar's close). */
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  /** 0–100. */
  readonly quality: number;
  readonly qualityBreakdown: QualityBreakdown;
  /** The strategy's own confidence, 0–1. */
  readonly confidence: number;
  readonly session: Session;
  /** Indicator values at the signal (ema, rsi, atr, …): the learning context. */
  readonly features: Readonly<Record<string, number>>;
  /** Human-readable reason ("CHOCH up through 1.38720 swing high"). */
  readonly reason: string;
}

export interface PlanTriggeredData {
  readonly planId: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly price: number;
  readonly conditionsMet: readonly string[];
}

export interface PlanExpiredData {
  readonly planId: string;
  readonly symbol: string;
  readonly reason: string;
}

export interface PlanCreatedData {
  readonly planId: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  readonly expiresAt: number;
}
