import { agentKey, AgentKeys } from './rl-decision.state';

describe('rl-decision agent keys', () => {
  it('agent_keys_when_looked_up_then_equal_to_agent_key_and_reused', () => {
    const keys = new AgentKeys();
    const long = keys.of('structure_break', 'EURUSD', 'long');
    expect(long).toBe(agentKey('structure_break', 'EURUSD', 'long'));
    expect(keys.of('structure_break', 'EURUSD', 'short')).toBe(agentKey('structure_break', 'EURUSD', 'short'));
    expect(keys.of('trend_momentum', 'EURUSD', 'long')).toBe(agentKey('trend_momentum', 'EURUSD', 'long'));
    expect(keys.of('structure_break', 'EURUSD', 'long')).toBe(long);
  });

  it('agent_keys_when_more_pairs_than_the_cache_holds_then_still_correct', () => {
    const keys = new AgentKeys();
    for (let i = 0; i < 10_050; i++) keys.of('s', `SYM${i}`, 'long');
    for (const i of [0, 5_000, 10_049]) {
      expect(keys.of('s', `SYM${i}`, 'short')).toBe(agentKey('s', `SYM${i}`, 'short'));
    }
  });
});
