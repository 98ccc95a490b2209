import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import {
  EXECUTION_MODES,
  ORDER_TYPES,
  OptionalField,
  RESUME_STATES,
  SIDES,
  TIME_IN_FORCE,
  timeInForceProblem,
  type ExecutionMode,
  type OrderType,
  type Side,
  type TimeInForce,
} from '@tradeloop/contracts';
import {
  IsBooleanValue,
  IsId,
  IsNumberBetween,
  IsOneOfValues,
  IsPositiveDecimal,
  IsReason,
  IsSymbol,
  IsVenue,
  isPositiveDecimal,
  MAX_ID_LENGTH,
  POSITIVE_DECIMAL_PROBLEM,
} from '../http/rules';

const DECIMAL_DOC = { type: String, pattern: '^\\+?\\d+(\\.\\d+)?$', maxLength: 40 } as const;

/** Limit and stop orders need a price; a market order must not have one. */
function IsPriceForOrderType(): PropertyDecorator {
  return ValidateBy({
    name: 'isPriceForOrderType',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        (args?.object as { type?: unknown } | undefined)?.type === 'market' ? false : isPositiveDecimal(value),
      defaultMessage: (args?: ValidationArguments) => {
        const type = (args?.object as { type?: unknown } | undefined)?.type;
        if (type === 'market') return 'must be absent for a market order';
        if (args?.value === undefined) return `is required for a ${String(type)} order`;
        return POSITIVE_DECIMAL_PROBLEM;
      },
    },
  });
}

/** A stop waits for its trigger: IOC or FOK (cancelled when the first bar does not fill them) make no sense on it. */
function IsTimeInForceForOrderType(): PropertyDecorator {
  const fits = (value: unknown, type: unknown) =>
    TIME_IN_FORCE.includes(value as TimeInForce) && (typeof type !== 'string' || timeInForceProblem(type as OrderType, value as TimeInForce) === undefined);
  return ValidateBy({
    name: 'isTimeInForceForOrderType',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => fits(value, (args?.object as { type?: unknown } | undefined)?.type),
      defaultMessage: (args?: ValidationArguments) =>
        TIME_IN_FORCE.includes(args?.value as TimeInForce)
          ? `a stop order cannot be ${String(args?.value)}: it waits for its trigger, and ${String(args?.value)} would cancel it on its first bar unless that bar already reached it; use GTC or DAY`
          : `must be one of ${TIME_IN_FORCE.join(', ')}`,
    },
  });
}

export const TIME_IN_FORCE_DOC =
  'How long the order works (README "Time in force"). GTC (the default): until it fills or is cancelled. ' +
  'DAY: until the end of the UTC day the executor places it on — it expires on the first bar that opens at or after midnight UTC, ' +
  'so a DAY market order sent in the last minute of a day (or before a weekend) expires instead of filling the next day; ' +
  'a DAY order waiting for a person\'s approval also expires at the end of the day it was sent on. ' +
  'IOC and FOK: fill on the first bar that opens after the order is placed, or are cancelled (ioc_unfilled, fok_unfilled); ' +
  'bar fills are all-or-nothing, so the two behave alike, and a market order fills on that bar whatever its time in force. ' +
  'A stop order takes GTC or DAY only: IOC or FOK on a stop is refused (400).';

/** POST /v1/orders: a person's order. It enters at risk like every other order. */
export class ManualOrderBody {
  @ApiProperty({
    type: String,
    example: 'OANDA',
    maxLength: 32,
    description: 'As the market data names it (the bundled files: OANDA, FXCM), upper-cased like every market name: risk denies an order for a venue none of the symbol\'s bars came from (NO_MARKET_PRICE).',
  })
  @IsVenue()
  readonly venue!: string;

  @ApiProperty({ type: String, example: 'EURUSD', maxLength: 32, description: 'As the market data names it (EURUSD, XAUUSD, BTC-PERP), upper-cased like every market name.' })
  @IsSymbol()
  readonly symbol!: string;

  @ApiProperty({ enum: SIDES, example: 'buy' })
  @IsOneOfValues(SIDES)
  readonly side!: Side;

  @ApiProperty({ ...DECIMAL_DOC, example: '10000', description: 'Positive decimal string.' })
  @IsPositiveDecimal()
  readonly quantity!: string;

  @ApiProperty({ enum: ORDER_TYPES, example: 'limit' })
  @IsOneOfValues(ORDER_TYPES)
  readonly type!: OrderType;

  @ApiPropertyOptional({
    ...DECIMAL_DOC,
    example: '1.08452',
    description: 'Limit price (limit orders) or trigger price (stop orders); required for both, absent for market orders.',
  })
  @ValidateIf((o: ManualOrderBody) => o.price !== undefined || o.type === 'limit' || o.type === 'stop')
  @IsPriceForOrderType()
  readonly price?: string;

  @ApiPropertyOptional({ ...DECIMAL_DOC, example: '1.08310' })
  @OptionalField()
  @IsPositiveDecimal()
  readonly stopLoss?: string;

  @ApiPropertyOptional({ ...DECIMAL_DOC, example: '1.08736' })
  @OptionalField()
  @IsPositiveDecimal()
  readonly takeProfit?: string;

  @ApiPropertyOptional({ enum: TIME_IN_FORCE, default: 'GTC', example: 'DAY', description: TIME_IN_FORCE_DOC })
  @OptionalField()
  @IsTimeInForceForOrderType()
  readonly timeInForce?: TimeInForce;
}

export class RejectApprovalBody {
  @ApiProperty({ type: String, example: 'news in 5 minutes', maxLength: 500 })
  @IsReason()
  readonly reason!: string;
}

export class HaltTradingBody {
  @ApiProperty({ type: String, example: 'kill switch from the dashboard', maxLength: 500 })
  @IsReason()
  readonly reason!: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Kill switch: also cancel every working order.',
  })
  @OptionalField()
  @IsBooleanValue()
  readonly cancelWorkingOrders?: boolean;
}

export class ResumeTradingBody {
  @ApiProperty({ type: String, example: 'incident closed', maxLength: 500 })
  @IsReason()
  readonly reason!: string;

  @ApiPropertyOptional({
    enum: RESUME_STATES,
    default: 'ACTIVE',
    description: 'ACTIVE, or REDUCING to allow only position-reducing orders.',
  })
  @OptionalField()
  @IsOneOfValues(RESUME_STATES)
  readonly state?: 'ACTIVE' | 'REDUCING';
}

/**
 * What the governor does with a threshold (libs/domain/governor): it keeps the one sent with any
 * mode, and only quality_based compares quality with it. So it is accepted with every mode, and
 * said so, rather than refused: a threshold sent ahead of a switch to quality_based is used then.
 */
export const THRESHOLD_DOC =
  'Quality 0–100 at or above which quality_based executes an order without asking (below it a person is asked). ' +
  'Accepted with every mode and kept by the governor (GET /v1/trading-state shows it): fully_automated, fully_manual and ' +
  'display_only do not use it while they are in force — fully_manual asks about every order and only records the ' +
  'threshold on its approval requests — and a later switch to quality_based without a threshold uses the one kept. ' +
  'Absent: the governor keeps the threshold it has (QUALITY_THRESHOLD, 70 by default, until one is sent).';

export class SetExecutionModeBody {
  @ApiProperty({ enum: EXECUTION_MODES, example: 'quality_based' })
  @IsOneOfValues(EXECUTION_MODES)
  readonly mode!: ExecutionMode;

  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    maximum: 100,
    example: 80,
    description: THRESHOLD_DOC,
  })
  @OptionalField()
  @IsNumberBetween(0, 100)
  readonly threshold?: number;
}

export class OrderIdParams {
  @ApiProperty({ type: String, maxLength: MAX_ID_LENGTH, example: 'ord-9e4c7b13' })
  @IsId()
  readonly id!: string;
}

export class ApprovalIdParams {
  @ApiProperty({ type: String, maxLength: MAX_ID_LENGTH, example: 'apr-d3e8a14c' })
  @IsId()
  readonly approvalId!: string;
}

/** 202: the command is on the bus; what it leads to arrives as events. */
export class CommandAcceptedView {
  @ApiProperty({ type: String, description: 'The command envelope id (also its JetStream message id).' })
  readonly commandId!: string;

  @ApiProperty({ type: String, example: 'SubmitManualOrder' })
  readonly type!: string;

  @ApiProperty({ type: String, description: 'Correlation id of everything the command causes (= commandId).' })
  readonly correlationId!: string;
}
