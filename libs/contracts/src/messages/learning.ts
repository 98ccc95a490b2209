import type { Timeframe } from '@tradeloop/kernel';
import type { DecimalString, Direction, ExecutionMode, OrderOrigin, OrderType, RiskLevel, Session, TimeInForce } from './common';
import type { ExitReason } from './execution';
import type { QualityBreakdown, StrategyId } from './scanner';

export interface ExperienceFill {
  readonly ts: number;
  readonly side: 'buy' | 'sell';
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly slippage: DecimalString;
  readonly role: string;
}

/** The signal behind a strategy trade, as the scanner found it (SignalDetected). */
export interface ExperienceSignal {
  /** The bar size it was found on. */
  readonly timeframe: Timeframe;
  /** The planned levels: entry (the signal bar's close), stop and target. */
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  /** The strategy's own confidence, 0–1. */
  readonly confidence: number;
  readonly qualityBreakdown: QualityBreakdown;
  readonly reason: string;
}

/**
 * One closed trade with its whole decision context: the row appended to the
 * trade-experience store. The envelope id is the experience id. Parts learning did not see
 * (a manual order has no signal or decision) are absent, as are those added after a log was
 * written (`signal`, `decision.reasons`, `risk.stopLoss`/`takeProfit`, `timeInForce`).
 */
export interface ExperienceRecordedData {
  readonly positionId: string;
  readonly signalId?: string;
  readonly origin: OrderOrigin;
  readonly strategy: StrategyId;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly session?: Session;
  readonly signalQuality?: number;
  readonly signal?: ExperienceSignal;
  readonly features: Readonly<Record<string, number>>;
  readonly decision?: {
    readonly confidence: number;
    readonly sizeMultiplier: number;
    readonly sampledWinRate: number;
    readonly paramsVersion: number;
    /** Why rl-decision took it (DecisionMade.reasons). */
    readonly reasons?: readonly string[];
  };
  /** Risk's verdict: the money at risk, the size, and the protective bracket it set. */
  readonly risk?: {
    readonly level: RiskLevel;
    readonly riskAmount: DecimalString;
    readonly quantity: DecimalString;
    readonly stopLoss?: DecimalString;
    readonly takeProfit?: DecimalString;
  };
  readonly approval?: { readonly mode: ExecutionMode; readonly approvedBy: string };
  /** The order method: the entry's type and time in force. */
  readonly orderType: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly fills: readonly ExperienceFill[];
  /** Total slippage cost in quote currency (positive = paid). */
  readonly slippageCost: DecimalString;
  readonly spreadAtEntry?: DecimalString;
  readonly exitReason: ExitReason;
  readonly entryPrice: DecimalString;
  readonly exitPrice: DecimalString;
  readonly quantity: DecimalString;
  /** Net of fees, in `currency`. */
  readonly pnl: DecimalString;
  /** In `currency`. */
  readonly fees: DecimalString;
  /**
   * The money of pnl, fees and slippageCost: the instrument's quote currency, as
   * PositionClosed's (JPY for USDJPY, also in a USD account). Absent in logs written before it
   * was recorded.
   */
  readonly currency?: string;
  /** P&L in multiples of the initial risk (stop distance), when a stop was set. */
  readonly rMultiple?: number;
  readonly win: boolean;
  readonly holdingMs: number;
  readonly maxAdverseExcursion: number;
  readonly maxFavorableExcursion: number;
  readonly openedAt: number;
  readonly closedAt: number;
}

/**
 * The strategy under which learning records and publishes manual trades. Their rows are for
 * people reading the table: no strategy agent learns from them, and their expectancy is in
 * quote currency (a manual order has no stop, so no R multiple).
 */
export const MANUAL_STRATEGY = 'manual';

/**
 * The Beta prior of every win-rate posterior, one constant for both ends of the loop:
 * learning publishes alpha = prior alpha + wins, beta = prior beta + losses, and rl-decision
 * adopts those rows as they are and starts every agent it has no row for at this prior. Two
 * settings that had to be equal (and could silently differ) are therefore one definition.
 */
export const WIN_RATE_PRIOR: { readonly alpha: number; readonly beta: number } = Object.freeze({ alpha: 2, beta: 2 });

/** Learned statistics for one (strategy, symbol, direction). */
export interface LearnedParameter {
  readonly strategy: StrategyId;
  readonly symbol: string;
  readonly direction: Direction;
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number;
  /** Mean net P&L per trade in R multiples when known, else in quote currency. */
  readonly expectancy: number;
  readonly averageHoldingMs: number;
  /** Mean adverse excursion as a fraction of entry price. */
  readonly averageAdverseExcursion: number;
  /** Beta posterior over the win rate (prior included). */
  readonly alpha: number;
  readonly beta: number;
}

export interface LearnedParametersPublishedData {
  /**
   * 1, 2, 3, … one per closed position the learning state has folded; rl-decision records
   * which version each decision used. Starts at 1 again when learning's state starts over (its
   * inbox rebuilt without its beginning, a new deployment), hence `asOf`.
   */
  readonly paramsVersion: number;
  /**
   * Event time (epoch ms) of the newest close the table includes. Tables are ordered by
   * (asOf, paramsVersion): a learning state that starts over publishes a table as of a newer
   * close, which rl-decision adopts although its version is lower, while a stale or
   * out-of-order table of the same state is older on both. Absent in logs written before it
   * was recorded (ordered as 0).
   */
  readonly asOf?: number;
  readonly parameters: readonly LearnedParameter[];
}
