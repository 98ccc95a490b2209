import type { Message } from '@tradeloop/contracts';
import { mergeByTime } from './index';

function bar(symbol: string, ts: number, tag = ''): Message<'BarClosed'> {
  const id = `${symbol}:${ts}${tag}`;
  return {
    id,
    type: 'BarClosed',
    version: 1,
    ts,
    correlationId: id,
    causationId: id,
    account: 'paper',
    source: 'market-data',
    data: { venue: 'V', symbol, timeframe: '1m', openTime: ts - 60_000, open: 1, high: 1, low: 1, close: 1, volume: 0 },
  };
}

const ids = (ms: readonly { id: string }[]): string[] => ms.map((m) => m.id);

describe('mergeByTime', () => {
  it('lists_of_several_files_when_merged_then_time_ordered_with_ties_to_the_earlier_file', () => {
    const eur = [bar('EURUSD', 1), bar('EURUSD', 3), bar('EURUSD', 4)];
    const xau = [bar('XAUUSD', 2), bar('XAUUSD', 3), bar('XAUUSD', 5)];
    expect(ids(mergeByTime(xau, eur))).toEqual(['EURUSD:1', 'XAUUSD:2', 'XAUUSD:3', 'EURUSD:3', 'EURUSD:4', 'XAUUSD:5']);
    expect(ids(mergeByTime(eur, xau))).toEqual(['EURUSD:1', 'XAUUSD:2', 'EURUSD:3', 'XAUUSD:3', 'EURUSD:4', 'XAUUSD:5']);
  });

  it('one_list_with_several_symbols_at_one_time_when_merged_then_symbol_order_then_original_order', () => {
    const mixed = [bar('XAUUSD', 1), bar('EURUSD', 1, 'a'), bar('EURUSD', 1, 'b'), bar('AUDUSD', 0)];
    expect(ids(mergeByTime(mixed))).toEqual(['AUDUSD:0', 'EURUSD:1a', 'EURUSD:1b', 'XAUUSD:1']);
    expect(ids(mixed)).toEqual(['XAUUSD:1', 'EURUSD:1a', 'EURUSD:1b', 'AUDUSD:0']);
  });

  it('empty_and_single_lists_when_merged_then_contents_unchanged', () => {
    const only = [bar('EURUSD', 1), bar('EURUSD', 2)];
    expect(mergeByTime()).toEqual([]);
    expect(mergeByTime([], only, [])).toEqual(only);
  });

  it('same_inputs_when_merged_twice_then_identical_output', () => {
    const a = Array.from({ length: 500 }, (_, i) => bar('A', Math.floor(i / 3)));
    const b = Array.from({ length: 500 }, (_, i) => bar('B', Math.floor(i / 2)));
    const first = mergeByTime(a, b);
    expect(ids(mergeByTime(a, b))).toEqual(ids(first));
    expect(first).toHaveLength(1000);
    expect(first.every((m, i) => i === 0 || m.ts >= first[i - 1].ts)).toBe(true);
  });
});
