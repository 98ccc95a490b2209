import type { DataSource } from 'typeorm';
import { presentedKey } from './auth/api-key.guard';
import { commandIdFor, GatewayModule } from './index';

const ds = { getRepository: () => undefined } as unknown as DataSource;
const sink = { send: async () => undefined };

describe('GatewayModule.forRoot', () => {
  it.each([
    [{ dataSource: ds, sink, account: '' }, /options\.account must be a non-empty string/],
    [{ dataSource: undefined, sink, account: 'paper' }, /options\.dataSource must be a TypeORM DataSource/],
    [{ dataSource: ds, sink: {}, account: 'paper' }, /options\.sink must have send/],
    [{ dataSource: ds, sink, account: 'paper', clock: 5 }, /options\.clock must be a function/],
    [{ dataSource: ds, sink, account: 'paper', sinkTimeoutMs: 0 }, /options\.sinkTimeoutMs must be a positive number, got 0/],
    [{ dataSource: ds, sink, account: 'paper', idempotencyKeyTtlMs: 0 }, /options\.idempotencyKeyTtlMs must be a positive integer \(ms\), got 0/],
    [{ dataSource: ds, sink, account: 'paper', idempotencyKeyTtlMs: 1.5 }, /options\.idempotencyKeyTtlMs must be a positive integer \(ms\), got 1\.5/],
    [{ dataSource: ds, sink, account: 'paper', wallClock: 'now' }, /options\.wallClock must be a function/],
  ])('bad_options_%#_then_throws_naming_the_option', (options, message) => {
    expect(() => GatewayModule.forRoot(options as never)).toThrow(message);
  });

  it('good_options_then_a_module_with_the_gateway_controllers', () => {
    const m = GatewayModule.forRoot({ dataSource: ds, sink, account: 'paper' });
    expect(m.module).toBe(GatewayModule);
    expect(m.controllers?.map((c) => c.name).sort()).toEqual(['ApprovalsController', 'CommandsController', 'OrdersController', 'PortfolioController', 'TradingController']);
  });
});

describe('presentedKey', () => {
  it.each([
    [{}, {}],
    [{ authorization: 'Bearer tl_k' }, { key: 'tl_k' }],
    [{ authorization: 'bearer \t tl_k ' }, { key: 'tl_k' }],
    [{ 'x-api-key': ' tl_k ' }, { key: 'tl_k' }],
    [{ authorization: 'Bearer tl_k', 'x-api-key': 'tl_k' }, { key: 'tl_k' }],
    [{ 'x-api-key': '' }, {}],
  ])('headers_%j_then_%j', (headers, expected) => {
    expect(presentedKey(headers)).toEqual(expected);
  });

  it.each([
    [{ authorization: 'Basic abc' }, /must be "Bearer <key>"/],
    [{ authorization: 'Bearer a b' }, /must be "Bearer <key>"/],
    [{ authorization: 'Bearer a', 'x-api-key': 'b' }, /different keys/],
    [{ 'x-api-key': ['a', 'b'] }, /exactly one/],
  ])('headers_%j_then_problem', (headers, problem) => {
    const r = presentedKey(headers);
    expect(r.key).toBeUndefined();
    expect(r.problem).toMatch(problem);
  });
});

describe('commandIdFor', () => {
  it('same_inputs_then_same_id_and_any_input_changed_then_another', () => {
    const T = 1_780_000_000_000;
    const base = commandIdFor('k1', 'CancelOrder', 'idem', T, 'ord-1');
    expect(commandIdFor('k1', 'CancelOrder', 'idem', T, 'ord-1')).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const others = [
      commandIdFor('k2', 'CancelOrder', 'idem', T, 'ord-1'),
      commandIdFor('k1', 'ApproveOrder', 'idem', T, 'ord-1'),
      commandIdFor('k1', 'CancelOrder', 'idem2', T, 'ord-1'),
      commandIdFor('k1', 'CancelOrder', 'idem', T, 'ord-2'),
      // The same key claimed again once it expired names another command.
      commandIdFor('k1', 'CancelOrder', 'idem', T + 86_400_000, 'ord-1'),
    ];
    expect(new Set([base, ...others]).size).toBe(6);
  });
});
