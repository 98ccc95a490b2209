import type { Timeframe } from '@tradeloop/kernel';
import {
  SIDES,
  type BarClosedData,
  type BookLevel,
  type BookSnapshotData,
  type DataRejectedData,
  type QuoteTickData,
  type Side,
  type TradeTickData,
} from '../messages';
import {
  IsEpochMs,
  IsNonEmptyString,
  IsNonNegativeInteger,
  IsNonNegativeNumber,
  IsOneOf,
  IsPrice,
  IsText,
  IsTimeframe,
  NestedArray,
  OptionalField,
} from './decorators';

export class BarClosedDataSchema implements BarClosedData {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsTimeframe() readonly timeframe!: Timeframe;
  @IsEpochMs() readonly openTime!: number;
  @IsPrice() readonly open!: number;
  @IsPrice() readonly high!: number;
  @IsPrice() readonly low!: number;
  @IsPrice() readonly close!: number;
  @IsNonNegativeNumber() readonly volume!: number;
  @OptionalField() @IsPrice() readonly askOpen?: number;
  @OptionalField() @IsPrice() readonly askHigh?: number;
  @OptionalField() @IsPrice() readonly askLow?: number;
  @OptionalField() @IsPrice() readonly askClose?: number;
}

export class QuoteTickDataSchema implements QuoteTickData {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsPrice() readonly bid!: number;
  @IsPrice() readonly ask!: number;
  @OptionalField() @IsNonNegativeNumber() readonly bidSize?: number;
  @OptionalField() @IsNonNegativeNumber() readonly askSize?: number;
}

export class TradeTickDataSchema implements TradeTickData {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @IsPrice() readonly price!: number;
  @IsNonNegativeNumber() readonly size!: number;
  @IsOneOf(SIDES) readonly side!: Side;
  @IsNonEmptyString() readonly tradeId!: string;
}

export class BookLevelSchema implements BookLevel {
  @IsPrice() readonly price!: number;
  @IsNonNegativeNumber() readonly size!: number;
}

export class BookSnapshotDataSchema implements BookSnapshotData {
  @IsNonEmptyString() readonly venue!: string;
  @IsNonEmptyString() readonly symbol!: string;
  @NestedArray(() => BookLevelSchema) readonly bids!: readonly BookLevelSchema[];
  @NestedArray(() => BookLevelSchema) readonly asks!: readonly BookLevelSchema[];
}

export class DataRejectedDataSchema implements DataRejectedData {
  @IsNonEmptyString() readonly source!: string;
  @IsNonNegativeInteger() readonly line!: number;
  @IsText() readonly reason!: string;
  @OptionalField() @IsText() readonly field?: string;
}
