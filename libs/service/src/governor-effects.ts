import type { DataSource } from 'typeorm';
import type { DeciderHost, Envelope } from '@tradeloop/kernel';
import type { GovernorState } from '@tradeloop/governor';
import { recordGovernorStart, type GovernorStart } from '@tradeloop/persistence';
import type { EffectItem, InboxRef, ServiceEffects, ServiceLogger } from './runner';
import { projectionEffects } from './effects';

/** The governor's mode, threshold and trading state as its state holds them now. */
export function governorStartOf(state: GovernorState, account: string, startedTs: number): GovernorStart {
  return { account, mode: state.mode, threshold: state.threshold, state: state.tradingState, startedTs };
}

/**
 * The governor's effects: its read models (approvals, trading state, execution mode, displayed orders) like every
 * projecting service, and at start, once its state is rebuilt, the mode, threshold and trading
 * state it runs in (governor_starts). The governor publishes nothing about the mode its
 * configuration starts it in, so without this record the read models showed no mode at all
 * until a command changed it.
 */
export class GovernorEffects implements ServiceEffects {
  private readonly projections: ServiceEffects;

  constructor(
    private readonly ds: DataSource,
    private readonly account: string,
    private readonly log?: ServiceLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.projections = projectionEffects(ds, 'governor');
  }

  apply(ref: InboxRef, inputs: readonly Envelope[], outputs: readonly Envelope[]): Promise<void> {
    return this.projections.apply!(ref, inputs, outputs);
  }

  applyMany(items: readonly EffectItem[]): Promise<void> {
    return this.projections.applyMany!(items);
  }

  async afterRebuild(host: DeciderHost<GovernorState>): Promise<readonly Envelope[]> {
    const start = governorStartOf(host.state, this.account, this.now());
    await recordGovernorStart(this.ds, start);
    this.log?.info({ mode: start.mode, threshold: start.threshold, state: start.state }, 'governor started');
    return [];
  }
}
