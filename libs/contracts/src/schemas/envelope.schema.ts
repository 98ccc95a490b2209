import type { Envelope } from '@tradeloop/kernel';
import { ValidateBy } from 'class-validator';
import { isMessageType } from '../catalog';
import { IsEpochMs, IsNonEmptyString, IsObjectValue, IsPositiveInteger } from './decorators';
import { fastCheck } from './fast';

export const MAX_ID_LENGTH = 200;

/** Echoes at most this much of an unknown type name: the input is untrusted and may be huge. */
const MAX_ECHOED_TYPE = 64;

function IsMessageType(): PropertyDecorator {
  const rule = ValidateBy({
    name: 'isMessageType',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isMessageType(value),
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        if (value === undefined) return 'is required';
        if (typeof value !== 'string') return 'must be a message type name (a string)';
        const shown = value.length > MAX_ECHOED_TYPE ? `${value.slice(0, MAX_ECHOED_TYPE)}…` : value;
        return `unknown message type ${JSON.stringify(shown)}`;
      },
    },
  });
  const fast = fastCheck((v) => typeof v === 'string' && isMessageType(v));
  return (target, key) => {
    rule(target, key);
    fast(target, key);
  };
}

/**
 * The envelope around every message. `data` is only required to be an object here: its
 * schema depends on `type` and is applied separately (see decode.ts), and a version other
 * than the catalogue's is reported there too, since it also depends on `type`.
 */
export class EnvelopeSchema implements Envelope<string, object> {
  @IsNonEmptyString(MAX_ID_LENGTH) readonly id!: string;
  @IsMessageType() readonly type!: string;
  @IsPositiveInteger() readonly version!: number;
  @IsEpochMs() readonly ts!: number;
  @IsNonEmptyString() readonly correlationId!: string;
  @IsNonEmptyString() readonly causationId!: string;
  @IsNonEmptyString() readonly account!: string;
  @IsNonEmptyString() readonly source!: string;
  @IsObjectValue() readonly data!: object;
}
