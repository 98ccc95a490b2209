import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { DENIAL_REASONS, DIRECTIONS, DISPLAY_REASONS, OptionalField, type DenialReason, type Direction, type OrderStatus } from '@tradeloop/contracts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type ApprovalStatus, type DisplayReason, type PositionStatus } from '@tradeloop/persistence';
import {
  CommaList,
  IsEpochMsValue,
  IsId,
  IsIntegerBetween,
  IsListOf,
  IsOneOfValues,
  IsShortString,
  IsSymbol,
  QueryInteger,
} from '../http/rules';
import { APPROVAL_STATUSES, ORDER_STATUSES, POSITION_STATUSES } from './views';

const MAX_CURSOR_LENGTH = 512;

/** The optional `?symbol=` of the list routes (the read models upper-case it). */
function SymbolFilter(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: String, example: 'EURUSD', description: 'Any case: markets are named in upper case, so eurusd is EURUSD.' }),
    OptionalField(),
    IsSymbol(),
  );
}

/** Keyset pagination, newest first (open positions: by symbol). */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @OptionalField()
  @QueryInteger()
  @IsIntegerBetween(1, MAX_PAGE_LIMIT)
  readonly limit?: number;

  @ApiPropertyOptional({ type: String, description: '`nextCursor` of the previous page.', maxLength: MAX_CURSOR_LENGTH })
  @OptionalField()
  @IsShortString(MAX_CURSOR_LENGTH)
  readonly cursor?: string;
}

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({
    type: String,
    description: `One or more of ${ORDER_STATUSES.join(', ')}, comma-separated (or the key repeated).`,
    example: 'submitted,accepted,partially_filled',
  })
  @OptionalField()
  @CommaList()
  @IsListOf(ORDER_STATUSES)
  readonly status?: OrderStatus[];

  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({ type: String, description: "Only the orders of this chain: a manual order's command id (what POST /v1/orders answered), a signal's id." })
  @OptionalField()
  @IsId()
  readonly correlationId?: string;
}

export class ListDenialsQuery extends PageQuery {
  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({ enum: DENIAL_REASONS })
  @OptionalField()
  @IsOneOfValues(DENIAL_REASONS)
  readonly reason?: DenialReason;

  @ApiPropertyOptional({ type: String, description: "Only this chain's denial: a manual order's command id (what POST /v1/orders answered), a signal's id." })
  @OptionalField()
  @IsId()
  readonly correlationId?: string;
}

export class ListDisplayedOrdersQuery extends PageQuery {
  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({
    enum: DISPLAY_REASONS,
    description: 'DISPLAY_ONLY: the mode was display_only; TRADING_HALTED: trading was halted; REDUCE_ONLY: risk approved it before REDUCING began, so nothing checked that it only reduces.',
  })
  @OptionalField()
  @IsOneOfValues(DISPLAY_REASONS)
  readonly reason?: DisplayReason;

  @ApiPropertyOptional({ type: String, description: "Only this chain's displayed orders: a manual order's command id (what POST /v1/orders answered), a signal's id." })
  @OptionalField()
  @IsId()
  readonly correlationId?: string;
}

export class ListFillsQuery extends PageQuery {
  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({ type: String, description: 'Only the fills of this order.' })
  @OptionalField()
  @IsId()
  readonly orderId?: string;
}

export class ListPositionsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: [...POSITION_STATUSES, 'all'],
    default: 'open',
    description: 'open: the open positions, by symbol; closed: every closed position, newest close first; all: the open ones, then the closed ones.',
  })
  @OptionalField()
  @IsOneOfValues([...POSITION_STATUSES, 'all'])
  readonly status?: PositionStatus | 'all';

  @SymbolFilter()
  readonly symbol?: string;
}

export class ListApprovalsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES, description: 'Default: every status.' })
  @OptionalField()
  @IsOneOfValues(APPROVAL_STATUSES)
  readonly status?: ApprovalStatus;

  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({
    type: String,
    description:
      "Only this chain's approval requests: a manual order's command id (what POST /v1/orders answered: in fully_manual mode, its approval), a signal's id.",
  })
  @OptionalField()
  @IsId()
  readonly correlationId?: string;
}

export class ListExperiencesQuery extends PageQuery {
  @ApiPropertyOptional({ type: String, example: 'structure_break' })
  @OptionalField()
  @IsShortString(64)
  readonly strategy?: string;

  @SymbolFilter()
  readonly symbol?: string;

  @ApiPropertyOptional({ enum: DIRECTIONS })
  @OptionalField()
  @IsOneOfValues(DIRECTIONS)
  readonly direction?: Direction;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Only trades closed at or after this time (epoch ms).' })
  @OptionalField()
  @QueryInteger()
  @IsEpochMsValue()
  readonly closedFrom?: number;
}
