import { ApiProperty } from '@nestjs/swagger';
import {
  DENIAL_REASONS,
  DIRECTIONS,
  DISPLAY_REASONS,
  EXECUTION_MODES,
  EXIT_REASONS,
  ORDER_ORIGINS,
  ORDER_ROLES,
  ORDER_TYPES,
  RISK_LEVELS,
  SIDES,
  TIME_IN_FORCE,
  TRADING_STATES,
  type DenialReason,
  type Direction,
  type ExecutionMode,
  type ExitReason,
  type OrderOrigin,
  type OrderRole,
  type OrderSpec,
  type OrderStatus,
  type OrderType,
  type RiskLevel,
  type Side,
  type TimeInForce,
  type TradingState,
} from '@tradeloop/contracts';
import {
  ORDER_STATUS_RANK,
  type AccountEntity,
  type AccountStartEntity,
  type ApprovalEntity,
  type ApprovalStatus,
  type DenialEntity,
  type DisplayedOrderEntity,
  type DisplayReason,
  type FillEntity,
  type GovernorStartEntity,
  type OrderEntity,
  type PositionRecord,
  type PositionStatus,
  type TradeExperienceEntity,
  type TradingStateEntity,
} from '@tradeloop/persistence';

/*
 * What the query routes answer: explicit views of the read models, so a new column is not
 * published by accident and OpenAPI documents every field. Money, prices and quantities are
 * exact decimal strings; times are epoch milliseconds (UTC, event time).
 */

export const ORDER_STATUSES = Object.keys(ORDER_STATUS_RANK) as OrderStatus[];
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['requested', 'granted', 'rejected', 'expired'];
export const POSITION_STATUSES: readonly PositionStatus[] = ['open', 'closed'];

const Str = (example?: string, description?: string) => ApiProperty({ type: String, example, description });
const NullableStr = (description?: string) => ApiProperty({ type: String, nullable: true, description });
const Decimal = (example: string, description?: string) =>
  ApiProperty({ type: String, example, description: description ?? 'Exact decimal string.' });
const NullableDecimal = (description?: string) =>
  ApiProperty({ type: String, nullable: true, description: description ?? 'Exact decimal string.' });
const Ms = (description?: string) => ApiProperty({ type: Number, example: 1709649000000, description: description ?? 'Epoch ms (UTC).' });
const NullableMs = (description?: string) =>
  ApiProperty({ type: Number, nullable: true, description: description ?? 'Epoch ms (UTC).' });
const OneOf = (values: readonly string[], description?: string) => ApiProperty({ enum: values, description });
const NullableOneOf = (values: readonly string[], description?: string) =>
  ApiProperty({ enum: values, nullable: true, description });

export class OrderView {
  @Str('ord-9e4c7b13') readonly orderId!: string;
  @Str() readonly clientOrderId!: string;
  @Str() readonly approvedOrderId!: string;
  @Str() readonly riskApprovalId!: string;
  @Str('paper') readonly account!: string;
  @Str('OANDA') readonly venue!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(SIDES) readonly side!: Side;
  @OneOf(ORDER_TYPES) readonly type!: OrderType;
  @Decimal('10000') readonly quantity!: string;
  @NullableDecimal() readonly limitPrice!: string | null;
  @NullableDecimal() readonly stopPrice!: string | null;
  @OneOf(TIME_IN_FORCE) readonly timeInForce!: TimeInForce;
  @OneOf(ORDER_ROLES) readonly role!: OrderRole;
  @NullableStr() readonly parentOrderId!: string | null;
  @NullableStr() readonly ocoGroup!: string | null;
  @OneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @NullableStr() readonly strategy!: string | null;
  @OneOf(ORDER_STATUSES) readonly status!: OrderStatus;
  @NullableStr('Why the order was rejected or cancelled.') readonly statusReason!: string | null;
  @NullableStr() readonly brokerOrderId!: string | null;
  @Decimal('0', 'Sum of the order’s fills.') readonly filledQuantity!: string;
  @Ms() readonly createdTs!: number;
  @Ms() readonly updatedTs!: number;
  @Str() readonly correlationId!: string;
}

export function orderView(o: OrderEntity): OrderView {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    approvedOrderId: o.approvedOrderId,
    riskApprovalId: o.riskApprovalId,
    account: o.account,
    venue: o.venue,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    timeInForce: o.tif,
    role: o.role,
    parentOrderId: o.parentOrderId,
    ocoGroup: o.ocoGroup,
    origin: o.origin,
    strategy: o.strategy,
    status: o.status,
    statusReason: o.statusReason,
    brokerOrderId: o.brokerOrderId,
    filledQuantity: o.filledQuantity,
    createdTs: o.createdTs,
    updatedTs: o.updatedTs,
    correlationId: o.correlationId,
  };
}

export class FillView {
  @Str('fill-1') readonly fillId!: string;
  @Str() readonly orderId!: string;
  @Str() readonly clientOrderId!: string;
  @Str('OANDA') readonly venue!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(SIDES) readonly side!: Side;
  @Decimal('10000') readonly quantity!: string;
  @Decimal('1.08452') readonly price!: string;
  @Decimal('0.00') readonly fee!: string;
  @Str('USD') readonly feeCurrency!: string;
  @OneOf(['maker', 'taker']) readonly liquidity!: 'maker' | 'taker';
  @OneOf(ORDER_ROLES) readonly role!: OrderRole;
  @Decimal('1.08452') readonly referencePrice!: string;
  @Decimal('0', 'Signed, quote currency per unit (positive = worse for us).') readonly slippage!: string;
  @NullableDecimal() readonly spread!: string | null;
  @NullableStr("Only when the fee currency is not the account's money (USDJPY in a USD account): the account currency.") readonly accountCurrency!: string | null;
  @NullableDecimal('With accountCurrency: the rate used, account-currency units per unit of feeCurrency (10 significant digits).') readonly conversionRate!: string | null;
  @NullableDecimal("With accountCurrency: this fill's realised P&L before fees, converted to the account currency (what the account received).") readonly accountRealizedPnl!: string | null;
  @NullableDecimal('With accountCurrency: the fee converted to the account currency (what the account paid).') readonly accountFee!: string | null;
  @Ms() readonly ts!: number;
  @Str() readonly correlationId!: string;
}

export function fillView(f: FillEntity): FillView {
  return {
    fillId: f.fillId,
    orderId: f.orderId,
    clientOrderId: f.clientOrderId,
    venue: f.venue,
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    fee: f.fee,
    feeCurrency: f.feeCurrency,
    liquidity: f.liquidity,
    role: f.role,
    referencePrice: f.referencePrice,
    slippage: f.slippage,
    spread: f.spread,
    accountCurrency: f.accountCurrency,
    conversionRate: f.conversionRate,
    accountRealizedPnl: f.accountRealizedPnl,
    accountFee: f.accountFee,
    ts: f.ts,
    correlationId: f.correlationId,
  };
}

/**
 * A position: an open one (the current position of its market) or a closed one from the history
 * of closes. The figures only a close has are null while the position is open.
 */
export class PositionView {
  @Str('pos-2f81c6aa') readonly positionId!: string;
  @Str('OANDA') readonly venue!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(DIRECTIONS) readonly direction!: Direction;
  @OneOf(POSITION_STATUSES) readonly status!: PositionStatus;
  @Decimal('10000', 'Held now: 0 once closed (maxQuantity is what it held).') readonly quantity!: string;
  @NullableDecimal('Closed: the largest quantity held. Null while open, and on closes recovered from before it was recorded.') readonly maxQuantity!: string | null;
  @Decimal('1.08452', 'Average entry price, in `currency`.') readonly averagePrice!: string;
  @NullableDecimal('Closed: the average exit price. Null while open.') readonly exitPrice!: string | null;
  @Decimal('0', 'In `currency`, as averagePrice (the account receives it converted when that is not the account currency): running realised P&L while open; net of fees once closed.') readonly realizedPnl!: string;
  @NullableDecimal('Closed: P&L before fees. Null while open.') readonly grossPnl!: string | null;
  @NullableDecimal("Closed: this position's entry and exit fees. Null while open.") readonly fees!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'USD', description: "The money of the prices and P&L: the instrument's quote currency (JPY for USDJPY). Null on rows recorded before it was." })
  readonly currency!: string | null;
  @NullableStr('The order that opened it. Null only on closes recovered from the experience store whose entry order the read models no longer had.') readonly entryOrderId!: string | null;
  @NullableOneOf(EXIT_REASONS) readonly exitReason!: ExitReason | null;
  @Ms() readonly openedAt!: number;
  @NullableMs() readonly closedAt!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Closed: from the open of the bar the entry filled on to the close of the bar the exit filled on (closedAt), in ms; a position entered and stopped out on one bar held one bar. Null while open.' }) readonly holdingMs!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Closed: the worst excursion against the position, in price units (≥ 0).' }) readonly maxAdverseExcursion!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Closed: the best excursion in its favour, in price units (≥ 0).' }) readonly maxFavorableExcursion!: number | null;
  @NullableOneOf(ORDER_ORIGINS, 'What opened it (strategy, manual, plan), from its entry order. Null if the read models do not have that order.') readonly origin!: OrderOrigin | null;
  @NullableStr('The strategy of a strategy trade.') readonly strategy!: string | null;
  @NullableStr("The chain of the order that opened it (a manual order's command id, a strategy order's signal id), as its closed event carries it.") readonly correlationId!: string | null;
  @Ms() readonly updatedTs!: number;
}

export function positionView(p: PositionRecord): PositionView {
  return {
    positionId: p.positionId,
    venue: p.venue,
    symbol: p.symbol,
    direction: p.direction,
    status: p.status,
    quantity: p.quantity,
    maxQuantity: p.maxQuantity,
    averagePrice: p.averagePrice,
    exitPrice: p.exitPrice,
    realizedPnl: p.realizedPnl,
    grossPnl: p.grossPnl,
    fees: p.fees,
    currency: p.currency,
    entryOrderId: p.entryOrderId,
    exitReason: p.exitReason,
    openedAt: p.openedAt,
    closedAt: p.closedAt,
    holdingMs: p.holdingMs,
    maxAdverseExcursion: p.maxAdverseExcursion,
    maxFavorableExcursion: p.maxFavorableExcursion,
    origin: p.origin,
    strategy: p.strategy,
    correlationId: p.correlationId,
    updatedTs: p.updatedTs,
  };
}

export class DenialView {
  @Str('rsk-1f0c2a9e', 'The OrderDenied id.') readonly denialId!: string;
  @Str(undefined, 'What it answers: the DecisionMade, or the SubmitManualOrder (a manual order\'s command id).') readonly requestId!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(DENIAL_REASONS) readonly reason!: DenialReason;
  @Str('price 1.2 is 9.21% from the reference 1.3216 (collar 2%)', 'The numbers behind the reason.') readonly detail!: string;
  @OneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @Ms() readonly ts!: number;
  @Str(undefined, "The chain: a manual order's command id (GET /v1/denials?correlationId=<commandId>), a strategy order's signal id.") readonly correlationId!: string;
}

export function denialView(d: DenialEntity): DenialView {
  return {
    denialId: d.denialId,
    requestId: d.requestId,
    symbol: d.symbol,
    reason: d.reason,
    detail: d.detail,
    origin: d.origin,
    ts: d.ts,
    correlationId: d.correlationId,
  };
}

/**
 * An order the governor did not place, with everything it would have been: the order risk sized
 * (side, quantity, type, prices, bracket), risk's rating of it and why it was only displayed.
 */
export class DisplayedOrderView {
  @Str('gov-7a1c0e52', 'The OrderDisplayed id.') readonly displayId!: string;
  @Str(undefined, 'The RiskApproved the governor did not pass on.') readonly riskApprovalId!: string;
  @NullableStr(
    "What risk answered: the DecisionMade id (a strategy order's decision), or the SubmitManualOrder (a manual order's command id). Null until risk's record of the order is in the read models (moments after).",
  )
  readonly requestId!: string | null;
  @OneOf(
    DISPLAY_REASONS,
    'Why it was only displayed. DISPLAY_ONLY: the mode was display_only (the default with a real broker unless AUTO_EXECUTE); TRADING_HALTED: trading was halted; REDUCE_ONLY: risk approved it before REDUCING began, so nothing checked that it only reduces.',
  )
  readonly reason!: DisplayReason;
  @Str('OANDA') readonly venue!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(SIDES) readonly side!: Side;
  @OneOf(ORDER_TYPES) readonly type!: OrderType;
  @Decimal('10000', 'As risk sized it.') readonly quantity!: string;
  @NullableDecimal('Limit orders.') readonly limitPrice!: string | null;
  @NullableDecimal('Stop orders (the trigger).') readonly stopPrice!: string | null;
  @OneOf(TIME_IN_FORCE) readonly timeInForce!: TimeInForce;
  @NullableDecimal('The bracket: the stop-loss it would have placed once filled.') readonly stopLoss!: string | null;
  @NullableDecimal('The bracket: the take-profit it would have placed once filled.') readonly takeProfit!: string | null;
  @OneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @NullableStr('The strategy of a strategy order.') readonly strategy!: string | null;
  @NullableOneOf(
    RISK_LEVELS.filter((l) => l !== 'BLOCKED'),
    "Risk's rating of the order (RiskApproved). This and the next four are null until risk's record of the order is in the read models.",
  )
  readonly riskLevel!: Exclude<RiskLevel, 'BLOCKED'> | null;
  @NullableDecimal('Money at risk if the stop is hit, in the quote currency.') readonly riskAmount!: string | null;
  @NullableDecimal('Quantity × reference price × contract size, in the quote currency.') readonly notional!: string | null;
  @NullableDecimal('The price risk sized and checked the order against.') readonly referencePrice!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 78.5, description: 'Signal quality 0–100 (100 for manual orders).' })
  readonly quality!: number | null;
  @Ms() readonly ts!: number;
  @Str(undefined, "The chain: a manual order's command id (GET /v1/displayed-orders?correlationId=<commandId>), a strategy order's signal id.")
  readonly correlationId!: string;
}

export function displayedOrderView(d: DisplayedOrderEntity): DisplayedOrderView {
  const r = d.risk ?? null;
  return {
    displayId: d.displayId,
    riskApprovalId: d.riskApprovalId,
    requestId: r?.requestId ?? null,
    reason: d.reason,
    venue: d.venue,
    symbol: d.symbol,
    side: d.side,
    type: d.type,
    quantity: d.quantity,
    limitPrice: d.limitPrice,
    stopPrice: d.stopPrice,
    timeInForce: d.tif,
    stopLoss: d.stopLoss,
    takeProfit: d.takeProfit,
    origin: d.origin,
    strategy: d.strategy,
    riskLevel: r?.riskLevel ?? null,
    riskAmount: r?.riskAmount ?? null,
    notional: r?.notional ?? null,
    referencePrice: r?.referencePrice ?? null,
    quality: r?.quality ?? null,
    ts: d.ts,
    correlationId: d.correlationId,
  };
}

export class ApprovalView {
  @Str('apr-d3e8a14c', 'The ApprovalRequested id: approve or reject with it.') readonly approvalId!: string;
  @Str() readonly riskApprovalId!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(APPROVAL_STATUSES) readonly status!: ApprovalStatus;
  @ApiProperty({ type: Number, example: 78.5, description: 'Signal quality 0–100.' }) readonly quality!: number;
  @ApiProperty({ type: Number, example: 80 }) readonly threshold!: number;
  @OneOf(EXECUTION_MODES) readonly mode!: ExecutionMode;
  @Ms('Epoch ms after which the governor expires the request.') readonly expiresAt!: number;
  @Ms() readonly requestedTs!: number;
  @NullableMs() readonly decidedTs!: number | null;
  @NullableStr() readonly decidedBy!: string | null;
  @NullableStr() readonly reason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The order awaiting approval (OrderSpec).' })
  readonly order!: OrderSpec;
  @Str(undefined, "The chain: a manual order's command id (GET /v1/approvals?correlationId=<commandId>), a strategy order's signal id.")
  readonly correlationId!: string;
  @NullableDecimal(
    'The price risk approved the order at. Granted, the order is placed only if the market is still near it: the executor rejects it (`stale approval: …`) ' +
      'if its stop-loss or take-profit has been reached since, or, for a market order, if the price is more than 5 % (priceCollarPct) away. Null on requests recorded without it.',
  )
  readonly referencePrice!: string | null;
  @NullableDecimal(
    "Where the market is now, for a pending request: its last price as risk and the executor mark it (the last bar's mid), from the market data the deployment has published. " +
      'Null once decided, when the gateway has no market data of the symbol, or without a reference price.',
  )
  readonly marketPrice!: string | null;
  @NullableMs('Event time of `marketPrice` (the last bar of the market).') readonly marketPriceTs!: number | null;
  @NullableDecimal('`marketPrice − referencePrice`: how far the market has moved since risk approved the order (negative: down).') readonly marketMove!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: -0.42, description: '`marketMove` as a percentage of `referencePrice`, rounded to 4 decimals.' })
  readonly marketMovePct!: number | null;
}

/** Where a pending approval's market is now, against the price risk approved it at. */
export interface ApprovalMarket {
  readonly marketPrice: string;
  readonly marketPriceTs: number;
  readonly marketMove: string;
  readonly marketMovePct: number;
}

export function approvalView(a: ApprovalEntity, market: ApprovalMarket | null = null): ApprovalView {
  return {
    approvalId: a.approvalId,
    riskApprovalId: a.riskApprovalId,
    symbol: a.symbol,
    status: a.status,
    quality: a.quality,
    threshold: a.threshold,
    mode: a.mode,
    expiresAt: a.expiresAt,
    requestedTs: a.requestedTs,
    decidedTs: a.decidedTs,
    decidedBy: a.decidedBy,
    reason: a.reason,
    order: a.order,
    correlationId: a.correlationId,
    referencePrice: a.referencePrice,
    marketPrice: market?.marketPrice ?? null,
    marketPriceTs: market?.marketPriceTs ?? null,
    marketMove: market?.marketMove ?? null,
    marketMovePct: market?.marketMovePct ?? null,
  };
}

export class ExperienceView {
  @Str() readonly experienceId!: string;
  @Str() readonly positionId!: string;
  @Str('structure_break') readonly strategy!: string;
  @Str('OANDA') readonly venue!: string;
  @Str('EURUSD') readonly symbol!: string;
  @OneOf(DIRECTIONS) readonly direction!: Direction;
  @OneOf(ORDER_ORIGINS) readonly origin!: OrderOrigin;
  @OneOf(EXIT_REASONS) readonly exitReason!: ExitReason;
  @NullableStr() readonly signalId!: string | null;
  @Decimal('28.40', 'Net of fees, in `currency`.') readonly pnl!: string;
  @Decimal('0.00', 'In `currency`.') readonly fees!: string;
  @ApiProperty({ type: String, nullable: true, example: 'USD', description: "The money of pnl and fees: the instrument's quote currency (JPY for USDJPY, also in a USD account). Null on experiences recorded before it was." })
  readonly currency!: string | null;
  @ApiProperty({ type: Number, nullable: true }) readonly rMultiple!: number | null;
  @ApiProperty({ type: Boolean }) readonly win!: boolean;
  @ApiProperty({ type: Number, description: 'Milliseconds.' }) readonly holdingMs!: number;
  @Ms() readonly openedAt!: number;
  @Ms() readonly closedAt!: number;
  @Ms() readonly recordedTs!: number;
  @Str() readonly correlationId!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The ExperienceRecorded data as recorded: signal, features, decision, risk, approval, fills, exit.',
  })
  readonly payload!: object;
}

export function experienceView(e: TradeExperienceEntity): ExperienceView {
  return {
    experienceId: e.experienceId,
    positionId: e.positionId,
    strategy: e.strategy,
    venue: e.venue,
    symbol: e.symbol,
    direction: e.direction,
    origin: e.origin,
    exitReason: e.exitReason,
    signalId: e.signalId,
    pnl: e.pnl,
    fees: e.fees,
    currency: e.currency,
    rMultiple: e.rMultiple,
    win: e.win,
    holdingMs: e.holdingMs,
    openedAt: e.openedAt,
    closedAt: e.closedAt,
    recordedTs: e.recordedTs,
    correlationId: e.correlationId,
    payload: e.payload,
  };
}

/** Where a half of the trading state comes from. */
export const TRADING_STATE_SOURCES = ['command', 'start'] as const;
export type TradingStateSource = (typeof TRADING_STATE_SOURCES)[number];

/**
 * The governor's two halves, each as it is in force: its last change (TradingStateChanged,
 * ExecutionModeChanged, caused by a command), or else what the governor started in — its
 * configuration (EXECUTION_MODE, or display_only without AUTO_EXECUTE; QUALITY_THRESHOLD; ACTIVE)
 * with the commands it had handled before applied, recorded at each start. The governor publishes
 * no event about a mode it merely starts in: without the start record the mode was null until a
 * command changed it. A half is null only before the governor's first start.
 */
export class TradingStateView {
  @Str('paper') readonly account!: string;
  @NullableOneOf(TRADING_STATES) readonly state!: TradingState | null;
  @NullableStr() readonly reason!: string | null;
  @NullableStr('Who changed the state.') readonly stateBy!: string | null;
  @NullableMs('When the state was changed (the command\'s time); null while it is what the governor started in.') readonly stateTs!: number | null;
  @NullableOneOf(
    TRADING_STATE_SOURCES,
    'command: changed by a halt or resume (stateBy, stateTs say who and when); start: what the governor started in (ACTIVE unless a command before its start changed it).',
  )
  readonly stateSource!: TradingStateSource | null;
  @NullableOneOf(EXECUTION_MODES) readonly mode!: ExecutionMode | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The threshold the governor keeps: quality_based compares quality with it; in the other modes it is unused but kept for a later switch to quality_based.',
  })
  readonly threshold!: number | null;
  @NullableStr('Who changed the mode.') readonly modeBy!: string | null;
  @NullableMs('When the mode was changed (the command\'s time); null while it is what the governor started in.') readonly modeTs!: number | null;
  @NullableOneOf(
    TRADING_STATE_SOURCES,
    'command: set by PUT /v1/trading/mode (modeBy, modeTs say who and when); start: what the governor started in, from its configuration (EXECUTION_MODE, display_only unless AUTO_EXECUTE, QUALITY_THRESHOLD).',
  )
  readonly modeSource!: TradingStateSource | null;
  @NullableMs('When the governor last started (wall clock).') readonly governorStartedTs!: number | null;
}

export function tradingStateView(account: string, t: TradingStateEntity | null, start: GovernorStartEntity | null): TradingStateView {
  const stateChanged = t !== null && t.state !== null;
  const modeChanged = t !== null && t.mode !== null;
  return {
    account,
    state: stateChanged ? t.state : (start?.state ?? null),
    reason: stateChanged ? t.reason : null,
    stateBy: stateChanged ? t.stateBy : null,
    stateTs: stateChanged ? t.stateTs : null,
    stateSource: stateChanged ? 'command' : start !== null ? 'start' : null,
    mode: modeChanged ? t.mode : (start?.mode ?? null),
    threshold: modeChanged ? t.threshold : (start?.threshold ?? null),
    modeBy: modeChanged ? t.modeBy : null,
    modeTs: modeChanged ? t.modeTs : null,
    modeSource: modeChanged ? 'command' : start !== null ? 'start' : null,
    governorStartedTs: start?.startedTs ?? null,
  };
}

/** Where the balance comes from. */
export const BALANCE_SOURCES = ['account_updated', 'start'] as const;
export type BalanceSource = (typeof BALANCE_SOURCES)[number];

/**
 * The account as it is in force: the executor's last AccountUpdated (one follows every fill), or
 * else the account it started with — STARTING_CASH in ACCOUNT_CURRENCY on a first start, what the
 * fills left after a restart — recorded at each start. The executor publishes nothing about the
 * account before a fill: without the start record the balance was null until the first one.
 */
export class BalanceView {
  @Str('USD') readonly currency!: string;
  @Decimal('100028.40', 'Start + realised P&L − fees.') readonly cash!: string;
  @NullableDecimal(
    'Cash plus unrealised P&L. The read models hold no mark prices, so this is null while positions are open ' +
      '(and equal to cash when none are).',
  )
  readonly equity!: string | null;
  @Decimal('28.40', 'Realised P&L, before fees.') readonly realizedPnl!: string;
  @Decimal('0.00') readonly fees!: string;
  @NullableMs("Event time of the AccountUpdated shown (the fill's); null while the balance is the one the executor started with.") readonly updatedTs!: number | null;
  @OneOf(
    BALANCE_SOURCES,
    'account_updated: the last AccountUpdated (after a fill); start: the account the executor started with (STARTING_CASH in ACCOUNT_CURRENCY before any fill; after a restart, what the fills before it left), until an AccountUpdated replaces it.',
  )
  readonly source!: BalanceSource;
  @NullableMs('When the executor last started (wall clock); null before its first start was recorded.') readonly executorStartedTs!: number | null;
}

/**
 * The balance in force: the last AccountUpdated, unless the executor started since with a later
 * account than it (a read model that missed updates: it then shows the start's). Null only before
 * the executor's first start and first fill.
 */
export function balanceView(a: AccountEntity | null, start: AccountStartEntity | null, openPositions: number): BalanceView | null {
  const startIsLater = start !== null && (a === null || (a.sequence !== null && a.sequence < start.sequence));
  const figures = startIsLater ? start : a;
  if (figures === null) return null;
  return {
    currency: figures.currency,
    cash: figures.cash,
    equity: openPositions === 0 ? figures.cash : null,
    realizedPnl: figures.realizedPnl,
    fees: figures.fees,
    updatedTs: startIsLater ? null : a!.updatedTs,
    source: startIsLater ? 'start' : 'account_updated',
    executorStartedTs: start?.startedTs ?? null,
  };
}

export class StatusView {
  @Str('paper') readonly account!: string;
  @ApiProperty({ type: TradingStateView }) readonly trading!: TradingStateView;
  @ApiProperty({ type: BalanceView, nullable: true, description: "Null only before the executor's first start and first AccountUpdated." })
  readonly balance!: BalanceView | null;
  @ApiProperty({ type: Number, description: 'Orders submitted, accepted or partially filled.' }) readonly openOrders!: number;
  @ApiProperty({ type: Number }) readonly openPositions!: number;
}

const NEXT_CURSOR = ApiProperty({
  type: String,
  nullable: true,
  description: 'Pass as `cursor` for the next page; null on the last page.',
});

export class OrderPage {
  @ApiProperty({ type: [OrderView] }) readonly items!: OrderView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class FillPage {
  @ApiProperty({ type: [FillView] }) readonly items!: FillView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class PositionPage {
  @ApiProperty({ type: [PositionView] }) readonly items!: PositionView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class ApprovalPage {
  @ApiProperty({ type: [ApprovalView] }) readonly items!: ApprovalView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class DenialPage {
  @ApiProperty({ type: [DenialView] }) readonly items!: DenialView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class DisplayedOrderPage {
  @ApiProperty({ type: [DisplayedOrderView] }) readonly items!: DisplayedOrderView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
export class ExperiencePage {
  @ApiProperty({ type: [ExperienceView] }) readonly items!: ExperienceView[];
  @NEXT_CURSOR readonly nextCursor!: string | null;
}
