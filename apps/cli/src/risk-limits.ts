import { Command, InvalidArgumentError } from 'commander';
import { defaultRiskConfig, type RiskConfig } from '@tradeloop/risk';
import { parseMoney, parseNumber } from './options';

/**
 * Risk's limits as command-line options (backtest, and replay's what-if). Only the options given
 * reach the configuration, so a run without them records exactly what it always recorded.
 */

type LimitField = 'maxPositionPct' | 'maxExposurePct' | 'dailyLossLimitPct' | 'dailyTradeLimit' | 'lossStreakLimit' | 'cooldownMs' | 'maxOrderValue' | 'maxOrderQuantity';

export type RiskLimitOptions = {
  maxPosition?: number;
  maxExposure?: number;
  dailyLossLimit?: number;
  dailyTrades?: number;
  lossStreak?: number;
  cooldown?: number;
  maxOrderValue?: string;
  maxOrderQty?: string;
};

function parseFraction(name: string, max: number) {
  const parse = parseNumber(name, 0, max);
  return (value: string): number => {
    const n = parse(value);
    if (n === 0) throw new InvalidArgumentError(`${name} must be above 0, got ${value}`);
    return n;
  };
}

const LIMITS: ReadonlyArray<{
  readonly flags: string;
  readonly key: keyof RiskLimitOptions;
  readonly field: LimitField;
  readonly what: string;
  readonly parse: (value: string) => number | string;
}> = [
  { flags: '--max-position <fraction>', key: 'maxPosition', field: 'maxPositionPct', what: 'largest position on one market, as a fraction of equity', parse: parseFraction('--max-position', 100) },
  { flags: '--max-exposure <fraction>', key: 'maxExposure', field: 'maxExposurePct', what: 'largest gross exposure (positions and working orders), as a fraction of equity', parse: parseFraction('--max-exposure', 100) },
  { flags: '--daily-loss-limit <fraction>', key: 'dailyLossLimit', field: 'dailyLossLimitPct', what: "no new entries once today's realised loss reaches this fraction of start-of-day equity", parse: parseFraction('--daily-loss-limit', 1) },
  { flags: '--daily-trades <n>', key: 'dailyTrades', field: 'dailyTradeLimit', what: 'orders approved per UTC day', parse: parseNumber('--daily-trades', 0, 1_000_000, true) },
  { flags: '--loss-streak <n>', key: 'lossStreak', field: 'lossStreakLimit', what: 'no new entries after this many losing trades in a row (until a win or the next UTC day)', parse: parseNumber('--loss-streak', 1, 1_000_000, true) },
  { flags: '--cooldown <ms>', key: 'cooldown', field: 'cooldownMs', what: 'no new entry on a symbol for this long after a losing close on it, ms of event time', parse: parseNumber('--cooldown', 0, 365 * 24 * 3_600_000, true) },
  { flags: '--max-order-value <amount>', key: 'maxOrderValue', field: 'maxOrderValue', what: 'largest order notional, in the account currency', parse: parseMoney('--max-order-value') },
  { flags: '--max-order-qty <quantity>', key: 'maxOrderQty', field: 'maxOrderQuantity', what: 'largest order quantity, in instrument units', parse: parseMoney('--max-order-qty') },
];

/** Adds the limit options to `cmd`, each help line ending with its default (or `prefix` first, for replay's what-if). */
export function withRiskLimitOptions(cmd: Command, prefix = ''): Command {
  for (const l of LIMITS) cmd.option(l.flags, `${prefix}${l.what} (default ${String(defaultRiskConfig[l.field])})`, l.parse);
  return cmd;
}

/** The risk settings the options given set, by RiskConfig field. */
export function riskLimitsOf(opts: RiskLimitOptions): Partial<RiskConfig> {
  const out: Record<string, number | string> = {};
  for (const l of LIMITS) {
    const v = opts[l.key];
    if (v !== undefined) out[l.field] = v;
  }
  return out as Partial<RiskConfig>;
}

/** `maxPositionPct 0.5, cooldownMs 0`: the settings as risk's configuration names them. */
export function limitsText(limits: Partial<RiskConfig>): string {
  return Object.entries(limits)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
