import type { DataFileInfo, RunEndedData, RunStartedData, ServiceStartedData, TimerFiredData } from '../messages';
import {
  IsEpochMs,
  IsHex,
  IsInteger,
  IsNonEmptyString,
  IsNonNegativeInteger,
  IsOneOf,
  IsPositiveInteger,
  IsScalarRecord,
  NestedArray,
} from './decorators';
import { RUN_MODES } from './enums';

export class TimerFiredDataSchema implements TimerFiredData {
  @IsEpochMs() readonly at!: number;
}

export class DataFileInfoSchema implements DataFileInfo {
  @IsNonEmptyString() readonly name!: string;
  @IsHex(64) readonly sha256!: string;
  @IsNonNegativeInteger() readonly rows!: number;
}

export class RunStartedDataSchema implements RunStartedData {
  @IsNonEmptyString() readonly runId!: string;
  @IsOneOf(RUN_MODES) readonly mode!: RunStartedData['mode'];
  /** seedPrng refuses non-integers, so a run log with one could never be replayed. */
  @IsInteger() readonly seed!: number;
  @NestedArray(() => DataFileInfoSchema) readonly files!: readonly DataFileInfoSchema[];
  @IsScalarRecord() readonly config!: Readonly<Record<string, string | number | boolean>>;
}

export class RunEndedDataSchema implements RunEndedData {
  @IsNonEmptyString() readonly runId!: string;
  @IsNonNegativeInteger() readonly bars!: number;
}

export class ServiceStartedDataSchema implements ServiceStartedData {
  @IsNonEmptyString() readonly service!: string;
  @IsNonEmptyString() readonly inbox!: string;
  @IsPositiveInteger() readonly fromSeq!: number;
  @IsPositiveInteger() readonly dedupWindow!: number;
  @IsScalarRecord() readonly config!: Readonly<Record<string, string | number | boolean>>;
}
