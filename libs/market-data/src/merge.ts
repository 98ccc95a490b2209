import type { Envelope } from '@tradeloop/kernel';

interface Keyed<T> {
  readonly item: T;
  readonly symbol: string;
  readonly index: number;
}

function symbolOf(m: Envelope): string {
  const data = m.data as { symbol?: unknown } | null;
  return data !== null && typeof data === 'object' && typeof data.symbol === 'string' ? data.symbol : '';
}

/** Stable sort of one list by (ts, symbol); the identity when already in that order (the usual case). */
function ordered<T extends Envelope>(list: readonly T[]): readonly T[] {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1];
    const b = list[i];
    if (b.ts < a.ts || (b.ts === a.ts && symbolOf(b) < symbolOf(a))) {
      const keyed: Keyed<T>[] = list.map((item, index) => ({ item, symbol: symbolOf(item), index }));
      keyed.sort((x, y) => x.item.ts - y.item.ts || (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0) || x.index - y.index);
      return keyed.map((k) => k.item);
    }
  }
  return list;
}

/**
 * Merges several message lists (one per file) into one list ordered by `ts`. Ties go to the
 * list given first, then to the lower symbol, then to the original order, so a replay of the
 * same files in the same order is byte-identical. Each list is usually already ordered, making
 * this a k-way merge: O(n·k), with k the number of files.
 */
export function mergeByTime<T extends Envelope>(...lists: readonly (readonly T[])[]): T[] {
  const sources = lists.map(ordered);
  const total = sources.reduce((n, l) => n + l.length, 0);
  const out: T[] = new Array(total);
  const pos = new Array<number>(sources.length).fill(0);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestTs = Infinity;
    for (let k = 0; k < sources.length; k++) {
      const p = pos[k];
      // Strict < keeps the earlier list on equal timestamps.
      if (p < sources[k].length && (best === -1 || sources[k][p].ts < bestTs)) {
        best = k;
        bestTs = sources[k][p].ts;
      }
    }
    out[n] = sources[best][pos[best]++];
  }
  return out;
}
