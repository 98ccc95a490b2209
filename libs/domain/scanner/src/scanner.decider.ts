import { NEW_CHAIN, NO_OUTPUTS, type Decider, type Envelope } from '@tradeloop/kernel';
import { draft, type DraftOf, type Message, type SignalDetectedData } from '@tradeloop/contracts';
import { resolveScannerConfig, type ScannerConfigInput } from './scanner.config';
import { findStream, foldBar, initialScannerState, strategyIndex, streamFor, type ScannerState } from './scanner.state';
import { rejectionWick, structureBreak, trendMomentum } from './scanner.strategies';

export const SCANNER_NAME = 'scanner';

// Bound once: CommonJS re-exports (`export *`) read through a shared getter whose keyed load
// goes megamorphic, which is measurable when paid on every bar.
const NONE: readonly never[] = NO_OUTPUTS;

const STRUCTURE = strategyIndex('structure_break');
const WICK = strategyIndex('rejection_wick');
const MOMENTUM = strategyIndex('trend_momentum');

export type ScannerDecider = Decider<ScannerState, Message<'BarClosed'>, DraftOf<'SignalDetected'>>;

/**
 * The scanner: BarClosed → SignalDetected, each signal starting its own correlation chain.
 * One stream of state per (venue, symbol, timeframe). evolve folds bars into indicators and
 * market structure (in place) and the scanner's own signals into the cooldown clock; decide
 * only reads. Throws RangeError naming the field for an invalid config.
 */
export function createScanner(config: ScannerConfigInput = {}): ScannerDecider {
  const cfg = resolveScannerConfig(config);
  const volAlpha = 2 / (cfg.volatilityPeriod + 1);
  const cooldown = cfg.cooldownBars;
  const useStructure = cfg.strategies.structure_break;
  const useWick = cfg.strategies.rejection_wick;
  const useMomentum = cfg.strategies.trend_momentum;

  function evolve(state: ScannerState, message: Message<'BarClosed'> | Envelope): ScannerState {
    if (message.type === 'BarClosed') {
      const m = message as Message<'BarClosed'>;
      const s = streamFor(state, m.data, cfg);
      state.current = s;
      state.accepted = foldBar(s, m.data, m.ts, cfg, volAlpha);
    } else if (message.type === 'SignalDetected' && message.source === SCANNER_NAME) {
      // Our own output (live) or a logged one (rebuild): it starts the strategy's cooldown.
      const d = (message as Message<'SignalDetected'>).data;
      const s = findStream(state, d.venue, d.symbol, d.timeframe);
      const k = strategyIndex(d.strategy);
      if (s !== undefined && k >= 0) s.lastSignalBar[k] = s.barIndex;
    }
    return state;
  }

  function decide(input: Message<'BarClosed'>, state: ScannerState): readonly DraftOf<'SignalDetected'>[] {
    const s = state.current;
    if (!state.accepted || s === undefined || !s.warm || !(s.atrV > 0)) return NONE;
    const d = input.data;
    const i = s.barIndex;
    const last = s.lastSignalBar;
    let out: DraftOf<'SignalDetected'>[] | undefined;
    let sig: SignalDetectedData | null;
    if (useStructure && s.breakDir !== 0 && i - last[STRUCTURE] >= cooldown) {
      sig = structureBreak(s, d, input.ts, cfg);
      if (sig !== null) (out ??= []).push(draft('SignalDetected', sig, { correlationId: NEW_CHAIN }));
    }
    if (useWick && i - last[WICK] >= cooldown) {
      sig = rejectionWick(s, d, input.ts, cfg);
      if (sig !== null) (out ??= []).push(draft('SignalDetected', sig, { correlationId: NEW_CHAIN }));
    }
    if (useMomentum && s.rsiCross !== 0 && i - last[MOMENTUM] >= cooldown) {
      sig = trendMomentum(s, d, input.ts, cfg);
      if (sig !== null) (out ??= []).push(draft('SignalDetected', sig, { correlationId: NEW_CHAIN }));
    }
    return out ?? NONE;
  }

  return {
    name: SCANNER_NAME,
    consumes: ['BarClosed'],
    initialState: initialScannerState,
    evolve,
    decide,
  };
}
