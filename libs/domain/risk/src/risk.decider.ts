import { type Decider, NO_OUTPUTS } from '@tradeloop/kernel';
import { draft, type DraftOf, type Message } from '@tradeloop/contracts';
import { type RiskConfig, resolveRiskConfig } from './risk.config';
import { assessDecision, assessManual, type Verdict } from './risk.assess';
import { evolveRisk } from './risk.evolve';
import { initialRiskState, type RiskState } from './risk.state';

export const RISK_CONSUMES = [
  'DecisionMade',
  'SubmitManualOrder',
  'BarClosed',
  'OrderSubmitted',
  'OrderFilled',
  'OrderCancelled',
  'OrderRejected',
  'OrderExpired',
  'PositionClosed',
  'AccountUpdated',
  'TradingStateChanged',
  'OrderDisplayed',
  'ApprovalRejected',
  'ApprovalExpired',
] as const;

export type RiskInput = Message<(typeof RISK_CONSUMES)[number]>;
export type RiskOutput = DraftOf<'RiskApproved' | 'OrderDenied'>;

// Read once: a property read through the package's re-export getter on every bar showed in profiles.
const NONE: readonly never[] = NO_OUTPUTS;

function verdictDraft(v: Verdict): readonly RiskOutput[] {
  return [v.approved ? draft('RiskApproved', v.data) : draft('OrderDenied', v.data)];
}

/**
 * Risk: the single writer of one account's limits. Every order — strategy or manual — is
 * answered with exactly one RiskApproved (sized, with its bracket and risk level) or one
 * OrderDenied (reason code and a sentence with the numbers). Approvals reserve their notional
 * until the order ends, so concurrent signals cannot together exceed a limit.
 */
export function createRisk(config: Partial<RiskConfig> = {}): Decider<RiskState, RiskInput, RiskOutput> {
  const cfg = resolveRiskConfig(config);
  return {
    name: 'risk',
    consumes: RISK_CONSUMES,
    initialState: () => initialRiskState(cfg),
    evolve: (state, message) => evolveRisk(state, message, cfg),
    decide(input, state) {
      switch (input.type) {
        case 'BarClosed':
          return NONE;
        case 'DecisionMade':
          return input.data.action === 'take' ? verdictDraft(assessDecision(input, state, cfg)) : NONE;
        case 'SubmitManualOrder':
          return verdictDraft(assessManual(input, state, cfg));
        case 'OrderSubmitted':
        case 'OrderFilled':
        case 'OrderCancelled':
        case 'OrderRejected':
        case 'OrderExpired':
        case 'PositionClosed':
        case 'AccountUpdated':
        case 'TradingStateChanged':
        case 'OrderDisplayed':
        case 'ApprovalRejected':
        case 'ApprovalExpired':
          return NONE;
        default: {
          // The compiler proves every consumed type is handled; anything else says nothing.
          const _exhaustive: never = input;
          return NONE;
        }
      }
    },
  };
}
