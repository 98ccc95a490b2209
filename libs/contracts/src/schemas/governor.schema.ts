import {
  EXECUTION_MODES,
  TRADING_STATES,
  type ApprovalExpiredData,
  type ApprovalGrantedData,
  type ApprovalRejectedData,
  type ApprovalRequestedData,
  type CommandRejectedData,
  type ExecutionMode,
  type ExecutionModeChangedData,
  type OrderApprovedData,
  type OrderDisplayedData,
  type TradingState,
  type TradingStateChangedData,
} from '../messages';
import { IsDecimalString, IsEpochMs, IsFlag, IsNonEmptyString, IsOneOf, IsQuality, IsText, Nested, OptionalField } from './decorators';
import { COMMAND_REJECTION_REASONS, DISPLAY_REASONS, REJECTED_COMMAND_TYPES } from './enums';
import { OrderSpecSchema } from './risk.schema';

export class OrderApprovedDataSchema implements OrderApprovedData {
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @Nested(() => OrderSpecSchema) readonly order!: OrderSpecSchema;
  @IsOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @IsNonEmptyString() readonly approvedBy!: string;
  @OptionalField() @IsNonEmptyString() readonly approvalId?: string;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly referencePrice?: string;
}

export class ApprovalRequestedDataSchema implements ApprovalRequestedData {
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @Nested(() => OrderSpecSchema) readonly order!: OrderSpecSchema;
  @IsQuality() readonly quality!: number;
  @IsQuality() readonly threshold!: number;
  @IsOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @IsEpochMs() readonly expiresAt!: number;
  @OptionalField() @IsDecimalString({ sign: 'positive' }) readonly referencePrice?: string;
}

export class ApprovalGrantedDataSchema implements ApprovalGrantedData {
  @IsNonEmptyString() readonly approvalId!: string;
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @IsNonEmptyString() readonly by!: string;
}

export class ApprovalRejectedDataSchema implements ApprovalRejectedData {
  @IsNonEmptyString() readonly approvalId!: string;
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @IsNonEmptyString() readonly by!: string;
  @IsText() readonly reason!: string;
}

export class ApprovalExpiredDataSchema implements ApprovalExpiredData {
  @IsNonEmptyString() readonly approvalId!: string;
  @IsNonEmptyString() readonly riskApprovalId!: string;
}

export class OrderDisplayedDataSchema implements OrderDisplayedData {
  @IsNonEmptyString() readonly riskApprovalId!: string;
  @Nested(() => OrderSpecSchema) readonly order!: OrderSpecSchema;
  @IsOneOf(DISPLAY_REASONS) readonly reason!: OrderDisplayedData['reason'];
}

export class TradingStateChangedDataSchema implements TradingStateChangedData {
  @IsOneOf(TRADING_STATES) readonly state!: TradingState;
  @IsOneOf(TRADING_STATES) readonly previous!: TradingState;
  @IsText() readonly reason!: string;
  @IsNonEmptyString() readonly by!: string;
  @IsFlag() readonly cancelWorkingOrders!: boolean;
}

export class ExecutionModeChangedDataSchema implements ExecutionModeChangedData {
  @IsOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @IsOneOf(EXECUTION_MODES) readonly previous!: ExecutionMode;
  @IsQuality() readonly threshold!: number;
  @IsNonEmptyString() readonly by!: string;
}

export class CommandRejectedDataSchema implements CommandRejectedData {
  @IsNonEmptyString() readonly commandId!: string;
  @IsOneOf(REJECTED_COMMAND_TYPES) readonly commandType!: CommandRejectedData['commandType'];
  @IsNonEmptyString() readonly by!: string;
  @IsOneOf(COMMAND_REJECTION_REASONS) readonly reason!: CommandRejectedData['reason'];
  @IsText() readonly detail!: string;
  @OptionalField() @IsNonEmptyString() readonly approvalId?: string;
}
