import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { call, startTestGateway, type TestGateway } from './gateway.test-support';
import { configureGateway, GatewayModule } from './index';

const ORDER = { venue: 'oanda', symbol: 'EURUSD', side: 'buy', quantity: '1000', type: 'market' };

describe('gateway auth', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('request_without_key_then_401_with_www_authenticate_and_a_hint', async () => {
    const r = await call(gw, 'GET', '/v1/status');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="tradeloop"');
    expect(r.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"',
    });
  });

  it.each([
    ['a malformed key', () => 'not-a-key'],
    ['a revoked key', () => gw.keys.revoked],
    ['a wrong secret', () => `${gw.keys.admin.slice(0, -4)}AAAA`],
    ['an unknown id', () => gw.keys.admin.replace(/^tl_[0-9a-f]{16}/, 'tl_0000000000000000')],
  ])('request_with_%s_then_401_invalid_or_revoked', async (_what, key) => {
    const r = await call(gw, 'GET', '/v1/status', { key: key() });
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('invalid or revoked API key');
  });

  it('authorization_header_not_bearer_then_401_without_echoing_the_value', async () => {
    const r = await call(gw, 'GET', '/v1/status', { headers: { authorization: `Basic ${gw.keys.read}` } });
    expect(r.status).toBe(401);
    expect(r.body.message).toBe('the Authorization header must be "Bearer <key>"');
    expect(JSON.stringify(r.body)).not.toContain(gw.keys.read);
  });

  it('x_api_key_header_or_bearer_then_both_authenticate', async () => {
    expect((await call(gw, 'GET', '/v1/status', { headers: { 'x-api-key': gw.keys.read } })).status).toBe(200);
    expect((await call(gw, 'GET', '/v1/status', { key: gw.keys.read })).status).toBe(200);
    expect((await call(gw, 'GET', '/v1/status', { headers: { authorization: `bearer  ${gw.keys.read}` } })).status).toBe(200);
  });

  it('two_different_keys_in_two_headers_then_401', async () => {
    const r = await call(gw, 'GET', '/v1/status', { key: gw.keys.read, headers: { 'x-api-key': gw.keys.trade } });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/different keys/);
  });

  it('read_key_on_trade_route_then_403_naming_key_and_scope', async () => {
    const r = await call(gw, 'POST', '/v1/orders', { key: gw.keys.read, body: ORDER });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'API key "dashboard" lacks scope "trade" (it has: read)',
    });
    expect(gw.sink.sent).toHaveLength(0);
  });

  it('trade_key_on_admin_route_then_403_and_admin_key_then_202', async () => {
    const body = { reason: 'drill' };
    expect((await call(gw, 'POST', '/v1/trading/halt', { key: gw.keys.trade, body })).status).toBe(403);
    expect((await call(gw, 'PUT', '/v1/trading/mode', { key: gw.keys.trade, body: { mode: 'fully_manual' } })).status).toBe(403);
    expect(gw.sink.sent).toHaveLength(0);
    expect((await call(gw, 'POST', '/v1/trading/halt', { key: gw.keys.admin, body })).status).toBe(202);
  });

  it('scopes_when_ranked_then_admin_implies_trade_and_read_and_trade_implies_read', async () => {
    expect((await call(gw, 'GET', '/v1/orders', { key: gw.keys.admin })).status).toBe(200);
    expect((await call(gw, 'GET', '/v1/orders', { key: gw.keys.trade })).status).toBe(200);
    expect((await call(gw, 'POST', '/v1/orders', { key: gw.keys.admin, body: ORDER })).status).toBe(202);
    expect((await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: ORDER })).status).toBe(202);
  });

  it('bad_body_without_key_then_401_before_any_validation_detail', async () => {
    const r = await call(gw, 'POST', '/v1/orders', { body: { quantity: 'lots' } });
    expect(r.status).toBe(401);
    expect(r.body.fields).toBeUndefined();
  });

  it('keys_never_appear_in_logs_or_responses', async () => {
    const secrets = Object.values(gw.keys).map((k) => k.split('_').slice(2).join('_'));
    // exercise failures that log: a sink failure, a rejected key
    gw.sink.failure = new Error('nats: connection closed');
    try {
      await call(gw, 'POST', '/v1/orders', { key: gw.keys.trade, body: ORDER });
    } finally {
      gw.sink.failure = undefined;
    }
    const r = await call(gw, 'GET', '/v1/status', { key: `${gw.keys.admin}x` });
    const logs = gw.logger.lines.join('\n');
    expect(logs).toMatch(/not published/);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(JSON.stringify(r.body)).not.toContain(secret);
    }
  });
});

describe('gateway auth when the database is down', () => {
  it('any_request_then_503_not_401_and_no_driver_detail_in_the_body', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const dataSource = { getRepository: () => ({ findOneBy: () => Promise.reject(refused) }) } as never;
    @Module({ imports: [GatewayModule.forRoot({ dataSource, sink: { send: async () => undefined }, account: 'paper' })] })
    class DownModule {}
    const app = await NestFactory.create(DownModule, { logger: false });
    configureGateway(app);
    await app.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`${await app.getUrl()}/v1/status`, { headers: { 'x-api-key': `tl_0123456789abcdef_${'A'.repeat(43)}` } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the read-model database is unavailable; retry later',
      });
    } finally {
      await app.close();
    }
  });
});
