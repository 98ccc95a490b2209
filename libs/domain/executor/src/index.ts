// Named re-exports (see libs/kernel/src/index.ts for why not `export *`).
export { defaultExecutorConfig, parseDecimal, resolveInstrument, resolveExecutorConfig } from './executor.config';
export type { ExecutorConfig, ResolvedExecutorConfig } from './executor.config';
export { createExecutor } from './executor.decider';
export { positionIdFor, directionOf, widenExcursions, markPosition, applyFill, exitPriceOf } from './executor.ledger';
export type { PositionLedger, BarMarks, FillFacts, ClosedPosition, FillOutcome, LedgerContext } from './executor.ledger';
export { EXECUTOR_NAME, CANCEL_REASONS, brokerOrderIdFor, cancelDraft } from './executor.outputs';
export type { ExecutorInput, ExecutorOutputType, ExecutorOutput } from './executor.outputs';
export { equityOf, openPositionCount, portfolioOf, accountRateOf } from './executor.read';
export { RATE_DIGITS } from './executor.currency';
export type { PortfolioPosition, PortfolioOrder, Portfolio } from './executor.read';
export { initialExecutorState, isWorking, isProtective, evolveExecutor, bookOf } from './executor.state';
export type { OrderRecord, SymbolBook, ExecutorState } from './executor.state';
export { rejectionOf } from './executor.validation';
export {
  isQuoteBar,
  openFor,
  highFor,
  lowFor,
  limitTriggered,
  limitMarketableAtOpen,
  stopTriggered,
  stopTriggeredAtOpen,
  withSlippage,
  marketFill,
  limitFill,
  stopFill,
  stopFillInside,
  triggers,
  matchOrder,
  fillOf,
  feeFor,
  slippageOf,
  spreadAtOpen,
} from './paper-broker';
export type { LimitFillRule, Liquidity, FillQuote, MatchableOrder, MatchOptions } from './paper-broker';
