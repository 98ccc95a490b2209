import { DeciderHost, type Envelope } from '@tradeloop/kernel';
import type { Message, SignalDetectedData } from '@tradeloop/contracts';
import { runAll } from '@tradeloop/testing';
import { createScanner, SCANNER_STRATEGIES, type ScannerConfigInput } from './index';
import { loadBtcPerpFtx1m, loadEurusdOanda1m } from './test-support';

const eurusd = loadEurusdOanda1m();

function scan(bars: readonly Envelope[], config: ScannerConfigInput = {}) {
  return runAll(createScanner(config), bars).outputs as Message<'SignalDetected'>[];
}

function countBy(signals: readonly Message<'SignalDetected'>[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const k of SCANNER_STRATEGIES) c[k] = 0;
  for (const s of signals) c[s.data.strategy] += 1;
  return c;
}

describe('scanner over EURUSD OANDA 1m (2014-05-01..15, real quotes)', () => {
  const first = scan(eurusd);

  it('two_runs_when_compared_then_identical_signal_lists', () => {
    expect(eurusd.length).toBe(15366);
    const second = scan(eurusd);
    expect(second).toEqual(first);
  });

  it('signal_count_when_scanned_then_plausible_and_every_strategy_fires', () => {
    const counts = countBy(first);
    const dirs = { long: first.filter((s) => s.data.direction === 'long').length, short: first.filter((s) => s.data.direction === 'short').length };
    console.log(`EURUSD OANDA 1m: ${first.length} signals on ${eurusd.length} bars`, counts, dirs);
    expect(first.length).toBeGreaterThanOrEqual(50);
    expect(first.length).toBeLessThanOrEqual(600);
    for (const k of SCANNER_STRATEGIES) expect(counts[k]).toBeGreaterThanOrEqual(20);
    expect(Math.min(dirs.long, dirs.short)).toBeGreaterThan(first.length / 4);
  });

  it('every_signal_when_checked_then_levels_on_correct_sides_and_scores_in_bounds', () => {
    for (const { data: s } of first) {
      const dir = s.direction === 'long' ? 1 : -1;
      expect(dir * (s.entry - s.stop)).toBeGreaterThan(0);
      expect(dir * (s.target - s.entry)).toBeGreaterThan(0);
      expect(s.quality).toBeGreaterThanOrEqual(0);
      expect(s.quality).toBeLessThanOrEqual(100);
      expect(Math.round(s.quality * 10) / 10).toBe(s.quality);
      for (const v of Object.values(s.qualityBreakdown)) expect(v >= 0 && v <= 100 && Number.isInteger(v)).toBe(true);
      expect(s.confidence >= 0 && s.confidence <= 1).toBe(true);
      expect(Object.values(s.features).every(Number.isFinite)).toBe(true);
      expect(s.reason.length).toBeGreaterThan(20);
      expect(s.venue).toBe('oanda');
    }
  });

  it('signals_when_published_then_each_starts_its_own_chain_and_ids_are_unique', () => {
    const ids = new Set(first.map((s) => s.id));
    expect(ids.size).toBe(first.length);
    for (const s of first) expect(s.correlationId).toBe(s.id);
  });

  it('warm_up_when_first_bars_then_no_signal_before_bar_50', () => {
    const firstCause = eurusd.findIndex((b) => b.id === first[0].causationId);
    expect(firstCause).toBeGreaterThanOrEqual(49);
  });

  it('cooldown_when_default_then_same_strategy_signals_at_least_10_bars_apart_and_zero_cooldown_fires_more', () => {
    const index = new Map(eurusd.map((b, i) => [b.id, i]));
    const gaps = (signals: readonly Message<'SignalDetected'>[]) => {
      const last: Record<string, number> = {};
      const out: number[] = [];
      for (const s of signals) {
        const i = index.get(s.causationId)!;
        if (last[s.data.strategy] !== undefined) out.push(i - last[s.data.strategy]);
        last[s.data.strategy] = i;
      }
      return out;
    };
    expect(Math.min(...gaps(first))).toBeGreaterThanOrEqual(10);
    const free = scan(eurusd, { cooldownBars: 0 });
    expect(free.length).toBeGreaterThan(first.length);
    expect(Math.min(...gaps(free))).toBeLessThan(10);
  });

  it('state_rebuilt_from_log_when_continuing_then_same_signals_as_uninterrupted_run', () => {
    const cut = 9000;
    const before = eurusd.slice(0, cut);
    const log: Envelope[] = [];
    const live = new DeciderHost(createScanner());
    for (const b of before) log.push(b, ...live.handle(b));
    const rebuilt = new DeciderHost(createScanner());
    for (const m of log) rebuilt.fold(m);
    const after: Envelope[] = [];
    for (const b of eurusd.slice(cut)) after.push(...rebuilt.handle(b));
    const expected = first.filter((s) => Number(s.causationId.split('-').pop()) > cut);
    expect(after).toEqual(expected);
  });

  it('disabled_strategy_when_scanned_then_absent_and_others_unchanged', () => {
    const noWick = scan(eurusd, { strategies: { rejection_wick: false } });
    expect(noWick.some((s) => s.data.strategy === 'rejection_wick')).toBe(false);
    const strip = (xs: readonly Message<'SignalDetected'>[]) => xs.filter((s) => s.data.strategy !== 'rejection_wick').map((s) => s.data);
    expect(noWick.map((s) => s.data)).toEqual(strip(first));
  });
});

describe('scanner over BTC-PERP FTX 1m (crypto, 24/7)', () => {
  const btc = loadBtcPerpFtx1m();
  const signals = scan(btc);

  it('crypto_when_scanned_then_signals_use_flat_session_scores_and_2_decimal_prices', () => {
    const counts = countBy(signals);
    console.log(`BTC-PERP FTX 1m: ${signals.length} signals on ${btc.length} bars`, counts);
    for (const k of SCANNER_STRATEGIES) expect(counts[k]).toBeGreaterThan(0);
    const sessionScores = new Set(signals.map((s) => s.data.qualityBreakdown.session));
    expect(Math.min(...sessionScores)).toBeGreaterThanOrEqual(60);
    for (const { data } of signals) {
      expect(Math.abs(data.stop * 100 - Math.round(data.stop * 100))).toBeLessThan(1e-6);
      expect(data.reason).toMatch(/\d+\.\d\d/);
    }
  });

  it('streams_when_interleaved_with_eurusd_then_each_gives_its_own_signals', () => {
    const mixed: Envelope[] = [];
    const n = Math.max(btc.length, eurusd.length);
    for (let i = 0; i < n; i++) {
      if (i < eurusd.length) mixed.push(eurusd[i]);
      if (i < btc.length) mixed.push(btc[i]);
    }
    const out = scan(mixed);
    const data = (xs: readonly Message<'SignalDetected'>[], symbol: string): SignalDetectedData[] =>
      xs.filter((s) => s.data.symbol === symbol).map((s) => s.data);
    expect(data(out, 'EURUSD')).toEqual(data(scan(eurusd), 'EURUSD'));
    expect(data(out, 'BTC-PERP')).toEqual(data(signals, 'BTC-PERP'));
  });
});
