import { DIRECTIONS, type DecisionAction, type DecisionMadeData, type Direction, type StrategyId } from '../messages';
import {
  IsFraction,
  IsNonEmptyString,
  IsNonNegativeInteger,
  IsOneOf,
  IsPositiveNumber,
  IsPrice,
  IsQuality,
  IsStringArray,
} from './decorators';
import { DECISION_ACTIONS } from './enums';

export class DecisionMadeDataSchema implements DecisionMadeData {
  @IsNonEmptyString() readonly signalId!: string;
  @IsNonEmptyString() readonly strategy!: StrategyId;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsOneOf(DECISION_ACTIONS) readonly action!: DecisionAction;
  @IsFraction() readonly confidence!: number;
  /** 0.5–1 for takes and 0 for skips; the range check is the schema's, the pairing rl-decision's. */
  @IsFraction() readonly sizeMultiplier!: number;
  @IsStringArray() readonly reasons!: readonly string[];
  @IsPrice() readonly entry!: number;
  @IsPrice() readonly stop!: number;
  @IsPrice() readonly target!: number;
  @IsQuality() readonly quality!: number;
  @IsPositiveNumber() readonly posteriorAlpha!: number;
  @IsPositiveNumber() readonly posteriorBeta!: number;
  @IsFraction() readonly sampledWinRate!: number;
  @IsNonNegativeInteger() readonly paramsVersion!: number;
}
