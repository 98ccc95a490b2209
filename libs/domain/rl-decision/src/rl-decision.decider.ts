import { Decider, Envelope, flat, nextBeta, NO_OUTPUTS } from '@tradeloop/kernel';
import { draft, DraftOf, Message, WIN_RATE_PRIOR } from '@tradeloop/contracts';
import { resolveRlDecisionConfig, RlDecisionConfig, RlDecisionConfigInput } from './rl-decision.config';
import { evaluate } from './rl-decision.policy';
import {
  AgentKeys,
  initialRlDecisionState,
  isDirection,
  pairPerformanceFrom,
  Posterior,
  RlDecisionState,
} from './rl-decision.state';

export type RlDecisionInput = Message<'SignalDetected' | 'ExperienceRecorded' | 'LearnedParametersPublished'>;
export type RlDecisionOutput = DraftOf<'DecisionMade'>;
export type RlDecisionDecider = Decider<RlDecisionState, RlDecisionInput, RlDecisionOutput> & {
  readonly config: RlDecisionConfig;
};

export const RL_DECISION = 'rl-decision';

const PRIOR = WIN_RATE_PRIOR;

// Read once: a property read through the package's re-export getter on every message showed in profiles.
const NONE: readonly never[] = NO_OUTPUTS;

/**
 * A Thompson-sampling agent per (strategy, symbol, direction): each signal draws a win rate
 * from the agent's Beta posterior, so well-understood agents exploit and uncertain ones
 * explore, and replay with the same seed reproduces every draw.
 *
 * Posterior bookkeeping: ExperienceRecorded updates the agent at once; LearnedParameters-
 * Published replaces every agent with the learning service's posterior (the source of
 * truth). Parameters include every experience recorded before them, so adopting them
 * overwrites — never adds to — the local updates; an experience that arrives after the
 * parameters that include it (same causationId) is ignored, as is a redelivered one.
 */
export function createRlDecision(input?: RlDecisionConfigInput): RlDecisionDecider {
  const config = resolveRlDecisionConfig(input);
  // Derived from the inputs alone, so it lives with the decider, not in the state.
  const keys = new AgentKeys();

  function posterior(state: RlDecisionState, key: string): Posterior {
    let p = state.agents.get(key);
    if (p === undefined) {
      p = { alpha: PRIOR.alpha, beta: PRIOR.beta };
      state.agents.set(key, p);
    }
    return p;
  }

  function onSignal(state: RlDecisionState, m: Message<'SignalDetected'>): void {
    const s = m.data;
    if (!isDirection(s.direction)) {
      state.draw = undefined;
      return;
    }
    const post = state.agents.get(keys.of(s.strategy, s.symbol, s.direction));
    const alpha = post ? post.alpha : PRIOR.alpha;
    const beta = post ? post.beta : PRIOR.beta;
    state.draw = { signalId: m.id, alpha, beta, p: nextBeta(state.rng, alpha, beta) };
  }

  function onExperience(state: RlDecisionState, m: Message<'ExperienceRecorded'>): void {
    if (!state.seenExperiences.add(m.id)) return;
    const e = m.data;
    if (e.origin !== 'strategy' || !isDirection(e.direction)) return;
    if (state.adoptedCauses.has(m.causationId)) return;
    const p = posterior(state, keys.of(e.strategy, e.symbol, e.direction));
    if (e.win) p.alpha += 1;
    else p.beta += 1;
  }

  function onParameters(state: RlDecisionState, m: Message<'LearnedParametersPublished'>): void {
    const { paramsVersion, parameters } = m.data;
    const asOf = m.data.asOf ?? 0;
    if (!Number.isSafeInteger(paramsVersion) || !Number.isSafeInteger(asOf)) return;
    // Tables only move forward in (asOf, paramsVersion): a redelivered or out-of-order older
    // table of the same learning state is older on both and must not roll the posterior back
    // over experiences already adopted. A learning state that started over counts versions
    // from 1 again, but as of a newer close than any table held: adopted at once, where
    // ordering by version alone ignored it until its count passed the old one.
    if (asOf < state.paramsAsOf || (asOf === state.paramsAsOf && paramsVersion <= state.paramsVersion)) return;
    state.adoptedCauses.add(m.causationId);
    const agents = new Map<string, Posterior>();
    for (const p of parameters) {
      if (!isDirection(p.direction)) continue;
      if (!(Number.isFinite(p.alpha) && p.alpha > 0 && Number.isFinite(p.beta) && p.beta > 0)) continue;
      agents.set(keys.of(p.strategy, p.symbol, p.direction), { alpha: p.alpha, beta: p.beta });
    }
    state.agents = agents;
    state.pairs = pairPerformanceFrom(parameters, config.pairExpectancyScale);
    state.paramsVersion = paramsVersion;
    state.paramsAsOf = asOf;
  }

  return {
    name: RL_DECISION,
    config,
    consumes: ['SignalDetected', 'ExperienceRecorded', 'LearnedParametersPublished'],
    initialState: () => initialRlDecisionState(config),

    evolve(state: RlDecisionState, m: RlDecisionInput | Envelope): RlDecisionState {
      switch (m.type) {
        case 'SignalDetected':
          onSignal(state, m as Message<'SignalDetected'>);
          break;
        case 'ExperienceRecorded':
          onExperience(state, m as Message<'ExperienceRecorded'>);
          break;
        case 'LearnedParametersPublished':
          onParameters(state, m as Message<'LearnedParametersPublished'>);
          break;
      }
      return state;
    },

    decide(input: RlDecisionInput, state: RlDecisionState): readonly RlDecisionOutput[] {
      switch (input.type) {
        case 'SignalDetected': {
          const s = input.data;
          const draw = state.draw !== undefined && state.draw.signalId === input.id ? state.draw : undefined;
          const ev = evaluate(s, draw, state.pairs.get(s.symbol), config);
          // Kept by every log and read model that stores the decision: one string each, not a rope.
          for (let i = 0; i < ev.reasons.length; i++) flat(ev.reasons[i]);
          return [
            draft('DecisionMade', {
              signalId: input.id,
              strategy: s.strategy,
              venue: s.venue,
              symbol: s.symbol,
              direction: s.direction,
              action: ev.action,
              confidence: ev.confidence,
              sizeMultiplier: ev.sizeMultiplier,
              reasons: ev.reasons,
              entry: s.entry,
              stop: s.stop,
              target: s.target,
              quality: s.quality,
              posteriorAlpha: draw ? draw.alpha : PRIOR.alpha,
              posteriorBeta: draw ? draw.beta : PRIOR.beta,
              sampledWinRate: draw ? draw.p : 0,
              paramsVersion: state.paramsVersion,
            }),
          ];
        }
        case 'ExperienceRecorded':
        case 'LearnedParametersPublished':
          return NONE;
        default: {
          const _exhaustive: never = input;
          return _exhaustive;
        }
      }
    },
  };
}
