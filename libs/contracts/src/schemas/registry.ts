import type { ClassConstructor } from 'class-transformer';
import type { MessageDataMap, MessageType } from '../catalog';
import type { SameShape } from './shape';
import * as C from './commands.schema';
import * as D from './decision.schema';
import * as X from './execution.schema';
import * as G from './governor.schema';
import * as L from './learning.schema';
import * as MD from './market-data.schema';
import * as R from './risk.schema';
import * as SC from './scanner.schema';
import * as SY from './system.schema';

export type SchemaRegistry = { readonly [K in MessageType]: ClassConstructor<MessageDataMap[K]> };

/** `satisfies` makes a message type without a schema (or a schema of the wrong payload) a type error. */
const schemas = {
  BarClosed: MD.BarClosedDataSchema,
  QuoteTick: MD.QuoteTickDataSchema,
  TradeTick: MD.TradeTickDataSchema,
  BookSnapshot: MD.BookSnapshotDataSchema,
  DataRejected: MD.DataRejectedDataSchema,
  SignalDetected: SC.SignalDetectedDataSchema,
  PlanCreated: SC.PlanCreatedDataSchema,
  PlanTriggered: SC.PlanTriggeredDataSchema,
  PlanExpired: SC.PlanExpiredDataSchema,
  DecisionMade: D.DecisionMadeDataSchema,
  RiskApproved: R.RiskApprovedDataSchema,
  OrderDenied: R.OrderDeniedDataSchema,
  OrderApproved: G.OrderApprovedDataSchema,
  ApprovalRequested: G.ApprovalRequestedDataSchema,
  ApprovalGranted: G.ApprovalGrantedDataSchema,
  ApprovalRejected: G.ApprovalRejectedDataSchema,
  ApprovalExpired: G.ApprovalExpiredDataSchema,
  OrderDisplayed: G.OrderDisplayedDataSchema,
  TradingStateChanged: G.TradingStateChangedDataSchema,
  ExecutionModeChanged: G.ExecutionModeChangedDataSchema,
  CommandRejected: G.CommandRejectedDataSchema,
  OrderSubmitted: X.OrderSubmittedDataSchema,
  OrderAccepted: X.OrderAcceptedDataSchema,
  OrderRejected: X.OrderRejectedDataSchema,
  OrderCancelled: X.OrderCancelledDataSchema,
  OrderExpired: X.OrderExpiredDataSchema,
  OrderFilled: X.OrderFilledDataSchema,
  PositionOpened: X.PositionOpenedDataSchema,
  PositionChanged: X.PositionChangedDataSchema,
  PositionClosed: X.PositionClosedDataSchema,
  AccountUpdated: X.AccountUpdatedDataSchema,
  ExperienceRecorded: L.ExperienceRecordedDataSchema,
  LearnedParametersPublished: L.LearnedParametersPublishedDataSchema,
  SubmitManualOrder: C.SubmitManualOrderDataSchema,
  ApproveOrder: C.ApproveOrderDataSchema,
  RejectOrder: C.RejectOrderDataSchema,
  HaltTrading: C.HaltTradingDataSchema,
  ResumeTrading: C.ResumeTradingDataSchema,
  SetExecutionMode: C.SetExecutionModeDataSchema,
  CancelOrder: C.CancelOrderDataSchema,
  TimerFired: SY.TimerFiredDataSchema,
  RunStarted: SY.RunStartedDataSchema,
  RunEnded: SY.RunEndedDataSchema,
  ServiceStarted: SY.ServiceStartedDataSchema,
} satisfies SchemaRegistry;

/** The payload schema of every message type, for transports that look schemas up by `type`. */
export const SCHEMAS: SchemaRegistry = schemas;

/**
 * Compile-time proof that every schema declares exactly its payload's fields. A mismatch
 * turns this constant's type into the offending message type names, so `true` no longer
 * fits and the typecheck names them.
 */
type ShapeMismatches = {
  [K in MessageType]: SameShape<InstanceType<(typeof schemas)[K]>, MessageDataMap[K]> extends true ? never : K;
}[MessageType];
export const SCHEMA_SHAPES_MATCH: [ShapeMismatches] extends [never] ? true : ShapeMismatches = true;
