import {
  DIRECTIONS,
  ORDER_ORIGINS,
  ORDER_TYPES,
  SIDES,
  TIME_IN_FORCE,
  type AccountUpdatedData,
  type DecimalString,
  type Direction,
  type ExitReason,
  type OrderAcceptedData,
  type OrderCancelledData,
  type OrderExpiredData,
  type OrderFilledData,
  type OrderOrigin,
  type OrderRejectedData,
  type OrderRole,
  type OrderSubmittedData,
  type OrderType,
  type PositionChangedData,
  type PositionClosedData,
  type PositionOpenedData,
  type Side,
  type StrategyId,
  type TimeInForce,
} from '../messages';
import {
  IsDecimalString,
  IsEpochMs,
  IsNonEmptyString,
  IsNonNegativeInteger,
  IsPositiveInteger,
  IsNonNegativeNumber,
  IsOneOf,
  IsText,
  OptionalField,
} from './decorators';
import { EXIT_REASONS, LIQUIDITIES, ORDER_ROLES } from './enums';

/*
 * Sign rules: quantities and prices that define an order or fill are > 0; position sizes
 * after a change may reach 0; P&L, cash, fees (maker rebates), slippage and spread (crossed
 * quotes) carry any sign.
 */

export class OrderSubmittedDataSchema implements OrderSubmittedData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly approvedOrderId!: string;
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(SIDES) readonly side!: Side;
  @IsOneOf(ORDER_TYPES) readonly type!: OrderType;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly limitPrice?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly stopPrice?: DecimalString;
  @IsOneOf(TIME_IN_FORCE) readonly timeInForce!: TimeInForce;
  @IsOneOf(ORDER_ROLES) readonly role!: OrderRole;
  @OptionalField() @IsNonEmptyString() readonly parentOrderId?: string;
  @OptionalField() @IsNonEmptyString() readonly ocoGroup?: string;
  @IsOneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @OptionalField() @IsNonEmptyString() readonly strategy?: StrategyId;
}

export class OrderAcceptedDataSchema implements OrderAcceptedData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsNonEmptyString() readonly brokerOrderId!: string;
}

export class OrderRejectedDataSchema implements OrderRejectedData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsText() readonly reason!: string;
}

export class OrderCancelledDataSchema implements OrderCancelledData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsText() readonly reason!: string;
}

export class OrderExpiredDataSchema implements OrderExpiredData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly symbol!: string;
}

export class OrderFilledDataSchema implements OrderFilledData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly clientOrderId!: string;
  @IsNonEmptyString() readonly fillId!: string;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(SIDES) readonly side!: Side;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly price!: DecimalString;
  @IsDecimalString() readonly fee!: DecimalString;
  @IsNonEmptyString() readonly feeCurrency!: string;
  @IsOneOf(LIQUIDITIES) readonly liquidity!: OrderFilledData['liquidity'];
  @IsDecimalString({ sign: 'positive' }) readonly referencePrice!: DecimalString;
  @IsDecimalString() readonly slippage!: DecimalString;
  // Negative when the venue's quotes were crossed (ask < bid): real in FXCM data, reported as is.
  @OptionalField() @IsDecimalString() readonly spread?: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly cumulativeQuantity!: DecimalString;
  @IsDecimalString({ sign: 'non-negative' }) readonly leavesQuantity!: DecimalString;
  @IsOneOf(ORDER_ROLES) readonly role!: OrderRole;
  @OptionalField() @IsEpochMs() readonly barOpenTime?: number;
  @OptionalField() @IsNonEmptyString() readonly accountCurrency?: string;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly conversionRate?: DecimalString;
  @OptionalField() @IsDecimalString() readonly accountRealizedPnl?: DecimalString;
  @OptionalField() @IsDecimalString() readonly accountFee?: DecimalString;
}

export class PositionOpenedDataSchema implements PositionOpenedData {
  @IsNonEmptyString() readonly positionId!: string;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly averagePrice!: DecimalString;
  @IsEpochMs() readonly openedAt!: number;
  @IsNonEmptyString() readonly entryOrderId!: string;
  @OptionalField() @IsNonEmptyString() readonly currency?: string;
}

export class PositionChangedDataSchema implements PositionChangedData {
  @IsNonEmptyString() readonly positionId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsDecimalString({ sign: 'non-negative' }) readonly quantity!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly averagePrice!: DecimalString;
  @IsDecimalString() readonly realizedPnl!: DecimalString;
}

export class PositionClosedDataSchema implements PositionClosedData {
  @IsNonEmptyString() readonly positionId!: string;
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DIRECTIONS) readonly direction!: Direction;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly entryPrice!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly exitPrice!: DecimalString;
  @IsDecimalString() readonly realizedPnl!: DecimalString;
  @IsDecimalString() readonly grossPnl!: DecimalString;
  @IsDecimalString() readonly fees!: DecimalString;
  @IsNonEmptyString() readonly currency!: string;
  @IsEpochMs() readonly openedAt!: number;
  @IsEpochMs() readonly closedAt!: number;
  @IsNonNegativeInteger() readonly holdingMs!: number;
  @IsOneOf(EXIT_REASONS) readonly exitReason!: ExitReason;
  @IsNonNegativeNumber() readonly maxAdverseExcursion!: number;
  @IsNonNegativeNumber() readonly maxFavorableExcursion!: number;
  @IsNonEmptyString() readonly entryOrderId!: string;
  @IsOneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @OptionalField() @IsNonEmptyString() readonly strategy?: StrategyId;
}

export class AccountUpdatedDataSchema implements AccountUpdatedData {
  @IsNonEmptyString() readonly currency!: string;
  @IsDecimalString() readonly cash!: DecimalString;
  @IsDecimalString() readonly realizedPnl!: DecimalString;
  @IsDecimalString() readonly fees!: DecimalString;
  @OptionalField() @IsPositiveInteger() readonly sequence?: number;
}
