import {
  EXECUTION_MODES,
  ORDER_TYPES,
  SIDES,
  TIME_IN_FORCE,
  type ApproveOrderData,
  type CancelOrderData,
  type DecimalString,
  type ExecutionMode,
  type HaltTradingData,
  type OrderType,
  type RejectOrderData,
  type ResumeTradingData,
  type SetExecutionModeData,
  type Side,
  type SubmitManualOrderData,
  type TimeInForce,
} from '../messages';
import { IsDecimalString, IsFlag, IsNonEmptyString, IsOneOf, IsQuality, IsText, OptionalField } from './decorators';
import { RESUME_STATES } from './enums';

export class SubmitManualOrderDataSchema implements SubmitManualOrderData {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsOneOf(SIDES) readonly side!: Side;
  @IsDecimalString({ sign: 'positive' }) readonly quantity!: DecimalString;
  @IsOneOf(ORDER_TYPES) readonly type!: OrderType;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly price?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly stopLoss?: DecimalString;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly takeProfit?: DecimalString;
  @OptionalField() @IsOneOf(TIME_IN_FORCE) readonly timeInForce?: TimeInForce;
  @IsNonEmptyString() readonly requestedBy!: string;
}

export class ApproveOrderDataSchema implements ApproveOrderData {
  @IsNonEmptyString() readonly approvalId!: string;
  @IsNonEmptyString() readonly by!: string;
}

export class RejectOrderDataSchema implements RejectOrderData {
  @IsNonEmptyString() readonly approvalId!: string;
  @IsNonEmptyString() readonly by!: string;
  @IsText() readonly reason!: string;
}

export class HaltTradingDataSchema implements HaltTradingData {
  @IsNonEmptyString() readonly by!: string;
  @IsText() readonly reason!: string;
  @IsFlag() readonly cancelWorkingOrders!: boolean;
}

export class ResumeTradingDataSchema implements ResumeTradingData {
  @IsNonEmptyString() readonly by!: string;
  @IsText() readonly reason!: string;
  @IsOneOf(RESUME_STATES) readonly state!: ResumeTradingData['state'];
}

export class SetExecutionModeDataSchema implements SetExecutionModeData {
  @IsOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @OptionalField() @IsQuality() readonly threshold?: number;
  @IsNonEmptyString() readonly by!: string;
}

export class CancelOrderDataSchema implements CancelOrderData {
  @IsNonEmptyString() readonly orderId!: string;
  @IsNonEmptyString() readonly by!: string;
}
