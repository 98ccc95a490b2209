import { given, msg } from '@tradeloop/testing';
import type { Message } from '@tradeloop/contracts';
import { createExecutor } from './executor.decider';
import { equityOf, portfolioOf } from './executor.read';
import { bookOf } from './executor.state';
import { approved, closeOf, logOf, MIN, T0 } from './test-support';

/** A EURUSD quote bar at `venue`, the ask one pip above the bid. */
function eurusd(venue: string, i: number, bid: readonly [number, number, number, number]): Message<'BarClosed'> {
  const a = (x: number) => Math.round((x + 0.0001) * 1e5) / 1e5;
  return msg(
    'BarClosed',
    { venue, symbol: 'EURUSD', timeframe: '1m', openTime: T0 + i * MIN, open: bid[0], high: bid[1], low: bid[2], close: bid[3], volume: 0, askOpen: a(bid[0]), askHigh: a(bid[1]), askLow: a(bid[2]), askClose: a(bid[3]) },
    { id: `bar-${venue}-${i}`, ts: closeOf(i) },
  );
}

describe('one symbol at two venues', () => {
  const ex = createExecutor({ currency: 'USD' });
  const atFxcm = approved({ side: 'buy', quantity: '10000', symbol: 'EURUSD', venue: 'FXCM' }, 'fx', closeOf(0));

  it('an_order_at_one_venue_when_the_other_venues_bar_comes_first_then_it_fills_only_on_its_own_venues_bar', () => {
    const g = given(ex, logOf(ex, [atFxcm]));
    g.when(eurusd('OANDA', 1, [1.2, 1.201, 1.199, 1.2005])).thenNothing();
    const then = g.when(eurusd('FXCM', 1, [1.1, 1.101, 1.099, 1.1005])).thenTypes('OrderFilled', 'PositionOpened', 'AccountUpdated');
    expect(then.first('OrderFilled')).toMatchObject({ venue: 'FXCM', price: '1.1001' }); // FXCM's ask at the open, not OANDA's 1.2001
    expect(then.published[0].causationId).toBe('bar-FXCM-1');
  });

  it('orders_at_both_venues_then_two_positions_each_marked_on_its_own_venues_bars', () => {
    const atOanda = approved({ side: 'sell', quantity: '5000', symbol: 'EURUSD', venue: 'OANDA' }, 'oa', closeOf(0));
    const past = logOf(ex, [atFxcm, atOanda, eurusd('OANDA', 1, [1.2, 1.201, 1.199, 1.2]), eurusd('FXCM', 1, [1.1, 1.101, 1.099, 1.1])]);
    const g = given(ex, past);
    expect(bookOf(g.host.state, 'FXCM', 'EURUSD')?.position).toMatchObject({ direction: 'long', averagePrice: expect.anything() });
    expect(bookOf(g.host.state, 'OANDA', 'EURUSD')?.position).toMatchObject({ direction: 'short' });
    expect(portfolioOf(g.host.state).positions).toEqual([
      { venue: 'FXCM', symbol: 'EURUSD', direction: 'long', quantity: '10000', averagePrice: '1.1001' },
      { venue: 'OANDA', symbol: 'EURUSD', direction: 'short', quantity: '5000', averagePrice: '1.2' },
    ]);
    // A move at OANDA marks only the OANDA short (at its ask close); the FXCM long keeps its mark.
    g.when(eurusd('OANDA', 2, [1.2, 1.21, 1.199, 1.21]));
    const fxcmLong = 10000 * (1.1 - 1.1001);
    const oandaShort = -5000 * (1.2101 - 1.2);
    expect(equityOf(g.host.state)).toBeCloseTo(100000 + fxcmLong + oandaShort, 6);
  });
});
