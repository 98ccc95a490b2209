import type { Timeframe } from '@tradeloop/kernel';
import {
  DIRECTIONS,
  EXECUTION_MODES,
  ORDER_ORIGINS,
  ORDER_TYPES,
  RISK_LEVELS,
  SESSIONS,
  SIDES,
  TIME_IN_FORCE,
  type DecimalString,
  type Direction,
  type ExecutionMode,
  type ExitReason,
  type ExperienceFill,
  type ExperienceSignal,
  type ExperienceRecordedData,
  type LearnedParameter,
  type LearnedParametersPublishedData,
  type OrderOrigin,
  type OrderType,
  type RiskLevel,
  type Session,
  type StrategyId,
  type TimeInForce,
} from '../messages';
import {
  IsDecimalString,
  IsEpochMs,
  IsFiniteNumber,
  IsFiniteNumberRecord,
  IsFlag,
  IsFraction,
  IsNonEmptyString,
  IsNonNegativeInteger,
  IsNonNegativeNumber,
  IsOneOf,
  IsPositiveNumber,
  IsPrice,
  IsQuality,
  IsStringArray,
  IsText,
  IsTimeframe,
  Nested,
  NestedArray,
  OptionalField,
} from './decorators';
import { EXIT_REASONS } from './enums';
import { QualityBreakdownSchema } from './scanner.schema';

type ExperienceDecision = NonNullable<ExperienceRecordedData['decision']>;
type ExperienceRisk = NonNullable<ExperienceRecordedData['risk']>;
type ExperienceApproval = NonNullable<ExperienceRecordedData['approval']>;

export class ExperienceFillSchema implements ExperienceFill {
  @IsEpochMs() readonly ts!: number;
  @IsOneOf(SIDES) readonly side!: 'buy' | 'sell';
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly price!: DecimalString;
  @IsDecimalString() readonly fee!: DecimalString;
  @IsDecimalString() readonly slippage!: DecimalString;
  @IsNonEmptyString() readonly role!: string;
}

export class ExperienceSignalSchema implements ExperienceSignal {
  @IsTimeframe() readonly timeframe!: Timeframe;
  @IsPrice() readonly entry!: number;
  @IsPrice() readonly stop!: number;
  @IsPrice() readonly target!: number;
  @IsFraction() readonly confidence!: number;
  @Nested(() => QualityBreakdownSchema) readonly qualityBreakdown!: QualityBreakdownSchema;
  @IsText() readonly reason!: string;
}

export class ExperienceDecisionSchema implements ExperienceDecision {
  @IsFraction() readonly confidence!: number;
  @IsFraction() readonly sizeMultiplier!: number;
  @IsFraction() readonly sampledWinRate!: number;
  @IsNonNegativeInteger() readonly paramsVersion!: number;
  @OptionalField() @IsStringArray() readonly reasons?: readonly string[];
}

export class ExperienceRiskSchema implements ExperienceRisk {
  @IsOneOf(RISK_LEVELS) readonly level!: RiskLevel;
  @IsDecimalString({ sign: 'non-negative' }) readonly riskAmount!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly stopLoss?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly takeProfit?: DecimalString;
}

export class ExperienceApprovalSchema implements ExperienceApproval {
  @IsOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @IsNonEmptyString() readonly approvedBy!: string;
}

export class ExperienceRecordedDataSchema implements ExperienceRecordedData {
  @IsNonEmptyString() readonly positionId!: string;
  @OptionalField() @IsNonEmptyString() readonly signalId?: string;
  @IsOneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @IsNonEmptyString() readonly strategy!: StrategyId;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @OptionalField() @IsOneOf(SESSIONS) readonly session?: Session;
  @OptionalField() @IsQuality() readonly signalQuality?: number;
  @OptionalField() @Nested(() => ExperienceSignalSchema) readonly signal?: ExperienceSignalSchema;
  @IsFiniteNumberRecord() readonly features!: Readonly<Record<string, number>>;
  @OptionalField() @Nested(() => ExperienceDecisionSchema) readonly decision?: ExperienceDecisionSchema;
  @OptionalField() @Nested(() => ExperienceRiskSchema) readonly risk?: ExperienceRiskSchema;
  @OptionalField() @Nested(() => ExperienceApprovalSchema) readonly approval?: ExperienceApprovalSchema;
  @IsOneOf(ORDER_TYPES) readonly orderType!: OrderType;
  @OptionalField() @IsOneOf(TIME_IN_FORCE) readonly timeInForce?: TimeInForce;
  @NestedArray(() => ExperienceFillSchema) readonly fills!: readonly ExperienceFillSchema[];
  @IsDecimalString() readonly slippageCost!: DecimalString;
  // Negative when the quotes at entry were crossed (see OrderFilled.spread).
  @OptionalField() @IsDecimalString() readonly spreadAtEntry?: DecimalString;
  @IsOneOf(EXIT_REASONS) readonly exitReason!: ExitReason;
  @IsDecimalString({ sign: 'positive' }) readonly entryPrice!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly exitPrice!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsDecimalString() readonly pnl!: DecimalString;
  @IsDecimalString() readonly fees!: DecimalString;
  @OptionalField() @IsNonEmptyString() readonly currency?: string;
  @OptionalField() @IsFiniteNumber() readonly rMultiple?: number;
  @IsFlag() readonly win!: boolean;
  @IsNonNegativeInteger() readonly holdingMs!: number;
  @IsNonNegativeNumber() readonly maxAdverseExcursion!: number;
  @IsNonNegativeNumber() readonly maxFavorableExcursion!: number;
  @IsEpochMs() readonly openedAt!: number;
  @IsEpochMs() readonly closedAt!: number;
}

export class LearnedParameterSchema implements LearnedParameter {
  @IsNonEmptyString() readonly strategy!: StrategyId;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsNonNegativeInteger() readonly trades!: number;
  @IsNonNegativeInteger() readonly wins!: number;
  @IsFraction() readonly winRate!: number;
  @IsFiniteNumber() readonly expectancy!: number;
  @IsNonNegativeNumber() readonly averageHoldingMs!: number;
  @IsNonNegativeNumber() readonly averageAdverseExcursion!: number;
  @IsPositiveNumber() readonly alpha!: number;
  @IsPositiveNumber() readonly beta!: number;
}

export class LearnedParametersPublishedDataSchema implements LearnedParametersPublishedData {
  @IsNonNegativeInteger() readonly paramsVersion!: number;
  @OptionalField() @IsEpochMs() readonly asOf?: number;
  @NestedArray(() => LearnedParameterSchema) readonly parameters!: readonly LearnedParameterSchema[];
}
