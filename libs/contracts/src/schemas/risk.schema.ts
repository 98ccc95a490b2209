import {
  DENIAL_REASONS,
  ORDER_ORIGINS,
  ORDER_TYPES,
  SIDES,
  TIME_IN_FORCE,
  TRADING_STATES,
  type DecimalString,
  type DenialReason,
  type OrderDeniedData,
  type OrderOrigin,
  type OrderSpec,
  type OrderType,
  type RiskApprovedData,
  type Side,
  type StrategyId,
  type TimeInForce,
  type TradingState,
} from '../messages';
import { IsDecimalString, IsNonEmptyString, IsOneOf, IsQuality, IsText, Nested, OptionalField } from './decorators';
import { APPROVED_RISK_LEVELS, BLOCKED_RISK_LEVELS } from './enums';

export class OrderSpecSchema implements OrderSpec {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(SIDES) readonly side!: Side;
  @IsOneOf(ORDER_TYPES) readonly type!: OrderType;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly limitPrice?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly stopPrice?: DecimalString;
  @IsOneOf(TIME_IN_FORCE) readonly timeInForce!: TimeInForce;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly stopLoss?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly takeProfit?: DecimalString;
  @IsOneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @OptionalField() @IsNonEmptyString() readonly strategy?: StrategyId;
}

export class RiskApprovedDataSchema implements RiskApprovedData {
  @IsNonEmptyString() readonly requestId!: string;
  @Nested(() => OrderSpecSchema) readonly order!: OrderSpecSchema;
  @IsOneOf(APPROVED_RISK_LEVELS) readonly riskLevel!: RiskApprovedData['riskLevel'];
  @IsDecimalString({ sign: 'non-negative' }) readonly riskAmount!: DecimalString;
  @IsDecimalString({ sign: 'non-negative' }) readonly notional!: DecimalString;
  @IsDecimalString({ sign: 'positive' }) readonly referencePrice!: DecimalString;
  @IsQuality() readonly quality!: number;
  @OptionalField() @IsOneOf(TRADING_STATES) readonly tradingState?: TradingState;
}

export class OrderDeniedDataSchema implements OrderDeniedData {
  @IsNonEmptyString() readonly requestId!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(DENIAL_REASONS) readonly reason!: DenialReason;
  @IsText() readonly detail!: string;
  @IsOneOf(BLOCKED_RISK_LEVELS) readonly riskLevel!: 'BLOCKED';
  @IsOneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
}
