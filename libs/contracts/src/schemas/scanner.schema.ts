import type { Timeframe } from '@tradeloop/kernel';
import {
  DIRECTIONS,
  SESSIONS,
  type Direction,
  type PlanCreatedData,
  type PlanExpiredData,
  type PlanTriggeredData,
  type QualityBreakdown,
  type Session,
  type SignalDetectedData,
  type StrategyId,
} from '../messages';
import {
  IsEpochMs,
  IsFiniteNumberRecord,
  IsFraction,
  IsNonEmptyString,
  IsOneOf,
  IsPrice,
  IsQuality,
  IsStringArray,
  IsText,
  IsTimeframe,
  Nested,
} from './decorators';

export class QualityBreakdownSchema implements QualityBreakdown {
  @IsQuality() readonly trend!: number;
  @IsQuality() readonly volatility!: number;
  @IsQuality() readonly session!: number;
}

export class SignalDetectedDataSchema implements SignalDetectedData {
  @IsNonEmptyString() readonly strategy!: StrategyId;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsTimeframe() readonly timeframe!: Timeframe;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsPrice() readonly entry!: number;
  @IsPrice() readonly stop!: number;
  @IsPrice() readonly target!: number;
  @IsQuality() readonly quality!: number;
  @Nested(() => QualityBreakdownSchema) readonly qualityBreakdown!: QualityBreakdownSchema;
  @IsFraction() readonly confidence!: number;
  @IsOneOf(SESSIONS) readonly session!: Session;
  @IsFiniteNumberRecord() readonly features!: Readonly<Record<string, number>>;
  @IsText() readonly reason!: string;
}

export class PlanCreatedDataSchema implements PlanCreatedData {
  @IsNonEmptyString() readonly planId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsPrice() readonly entry!: number;
  @IsPrice() readonly stop!: number;
  @IsPrice() readonly target!: number;
  @IsEpochMs() readonly expiresAt!: number;
}

export class PlanTriggeredDataSchema implements PlanTriggeredData {
  @IsNonEmptyString() readonly planId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsPrice() readonly price!: number;
  @IsStringArray() readonly conditionsMet!: readonly string[];
}

export class PlanExpiredDataSchema implements PlanExpiredData {
  @IsNonEmptyString() readonly planId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsText() readonly reason!: string;
}
