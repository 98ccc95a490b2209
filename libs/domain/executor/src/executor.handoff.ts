import type { Decimal } from '@tradeloop/kernel';
import type { OrderFilledData } from '@tradeloop/contracts';
import type { PositionLedger } from './executor.ledger';

/**
 * What decide computed for one of its fills: the position and account after it. evolve folds
 * the same fill right after decide returns and would otherwise redo all of that decimal work.
 */
export interface FillHandoff {
  readonly state: object;
  /** The figures decide started from: evolve uses the handoff only if `state` still holds exactly these. */
  readonly positionBefore: PositionLedger | undefined;
  readonly filledBefore: Decimal;
  readonly cashBefore: Decimal;
  readonly realizedBefore: Decimal;
  readonly feesBefore: Decimal;
  readonly position: PositionLedger | undefined;
  readonly filledQuantity: Decimal;
  readonly cash: Decimal;
  readonly cashF: number;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
}

/**
 * Hands results from decide to evolve. decide queues one entry per fill, in output order; evolve
 * takes the next one when it folds an OrderFilled whose data is the very object decide built
 * (the host envelopes a draft without copying its data). Anything else misses: a log read back
 * from storage is made of new objects, so `host.fold` computes everything from the messages,
 * and an entry is applied only if the state still holds exactly the figures decide started
 * from. The queue is dropped whenever an input arrives, so nothing outlives the input whose
 * outputs it belongs to. A cache, not state: with or without it evolve ends in the same state.
 */
export class Handoff {
  private fills: { readonly data: OrderFilledData; readonly handoff: FillHandoff }[] = [];
  private next = 0;

  reset(): void {
    if (this.fills.length === 0) return;
    this.fills = [];
    this.next = 0;
  }

  putFill(data: OrderFilledData, handoff: FillHandoff): void {
    this.fills.push({ data, handoff });
  }

  takeFill(data: OrderFilledData): FillHandoff | undefined {
    const e = this.fills[this.next];
    if (e === undefined || e.data !== data) return undefined;
    this.next += 1;
    return e.handoff;
  }
}
