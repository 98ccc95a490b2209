import { Envelope, envelopeFor } from '@tradeloop/kernel';
import { given } from '@tradeloop/testing';
import { createExecutor } from './executor.decider';
import { bookOf } from './executor.state';
import { approved, closeOf, logOf, tradeBar } from './test-support';

/**
 * decide hands its fill results to evolve (executor.handoff.ts). The handoff may only ever be
 * used on the state decide read: folding the same outputs anywhere else must give what
 * folding them from storage gives.
 */
const ex = createExecutor({ takerFeeBps: 10, makerFeeBps: 10, slippageBps: 5 });
const limitBuy = approved({ side: 'buy', quantity: '1', type: 'limit', limitPrice: '99', stopLoss: '90', takeProfit: '120' }, 'a', closeOf(0));
// The same bar index twice: one reaches the limit (the entry fills), the other does not.
const reaches = tradeBar(1, 100, 104, 97, 103);
const missesLimit = tradeBar(1, 100, 101, 99.5, 100.5);

function fromStorage(e: Envelope): Envelope {
  return JSON.parse(JSON.stringify(e)) as Envelope;
}

describe('fill handoff from decide to evolve', () => {
  it('fill_when_decided_and_folded_by_the_host_then_state_equals_the_log_folded_from_storage', () => {
    const log = logOf(ex, [limitBuy, reaches, tradeBar(2, 103, 125, 102, 121)]);
    const live = given(ex).host;
    for (const e of log) if (e.source === 'test') live.handle(e as never);
    const rebuilt = given(ex, log.map(fromStorage)).host;
    expect(live.state).toEqual(rebuilt.state);
    expect(bookOf(live.state, 'TEST', 'BTCUSD')?.position).toBeUndefined();
  });

  it('fill_outputs_when_folded_into_a_state_other_than_the_one_decided_on_then_same_as_folding_them_from_storage', () => {
    const past = logOf(ex, [limitBuy]);
    // A different state, with marks from a bar on which nothing filled.
    const other = given(ex, [...past, missesLimit]).host;
    const control = given(ex, [...past, missesLimit]).host;
    // decide on the state that saw the filling bar, without folding its outputs there.
    const decidedOn = given(ex, past).host.state;
    const drafts = ex.decide(reaches, ex.evolve(decidedOn, reaches));
    const outputs = drafts.map((d, i) => envelopeFor(d, reaches, ex.name, i));
    expect(outputs.map((e) => e.type)).toContain('OrderFilled');
    for (const e of outputs) other.fold(e);
    for (const e of outputs) control.fold(fromStorage(e));
    expect(other.state).toEqual(control.state);
    // The position took the excursions of the bar this state saw, not of the one decide saw.
    expect(bookOf(other.state, 'TEST', 'BTCUSD')?.position?.maxFavorableExcursion).toBeCloseTo(101 - 99, 9);
  });
});
