import { call, startTestGateway, type TestGateway } from './gateway.test-support';

/** Every route of the gateway with the scope it needs. */
const ROUTES: [method: string, path: string, scope: string][] = [
  ['get', '/v1/status', 'read'],
  ['get', '/v1/trading-state', 'read'],
  ['post', '/v1/trading/halt', 'admin'],
  ['post', '/v1/trading/resume', 'admin'],
  ['put', '/v1/trading/mode', 'admin'],
  ['get', '/v1/orders', 'read'],
  ['post', '/v1/orders', 'trade'],
  ['get', '/v1/orders/{id}', 'read'],
  ['post', '/v1/orders/{id}/cancel', 'trade'],
  ['get', '/v1/approvals', 'read'],
  ['post', '/v1/approvals/{approvalId}/approve', 'trade'],
  ['post', '/v1/approvals/{approvalId}/reject', 'trade'],
  ['get', '/v1/commands/{commandId}', 'read'],
  ['get', '/v1/positions', 'read'],
  ['get', '/v1/fills', 'read'],
  ['get', '/v1/experiences', 'read'],
  ['get', '/v1/denials', 'read'],
  ['get', '/v1/displayed-orders', 'read'],
];

describe('gateway OpenAPI', () => {
  let gw: TestGateway;
  let doc: any;

  beforeAll(async () => {
    gw = await startTestGateway();
    const r = await call(gw, 'GET', '/docs-json');
    expect(r.status).toBe(200);
    doc = r.body;
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('docs_json_when_fetched_without_a_key_then_lists_exactly_the_gateway_routes', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it.each(ROUTES)('%s_%s_then_documents_security_scope_and_responses', (method, path, scope) => {
    const op = doc.paths[path][method];
    expect(op['x-required-scope']).toBe(scope);
    expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
    const success = method === 'get' ? '200' : '202';
    expect(op.responses[success].content['application/json'].schema).toBeDefined();
    if (method !== 'get') {
      expect(op.responses['503']).toBeDefined();
      expect(op.parameters.map((p: any) => `${p.in}:${p.name}`)).toContain('header:Idempotency-Key');
    }
    for (const param of path.match(/\{(\w+)\}/g) ?? []) {
      expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'path', name: param.slice(1, -1), required: true })]));
    }
  });

  it('security_schemes_then_bearer_and_x_api_key_header', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
  });

  it('bearer_scheme_then_its_format_is_the_api_key_not_a_jwt', () => {
    // @nestjs/swagger's addBearerAuth says bearerFormat JWT unless told otherwise: the UI and
    // generated clients then ask for a JWT, and the gateway takes no JWT.
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBe('tl_<id>_<secret>');
  });

  it('request_dtos_then_documented_with_required_fields_and_types', () => {
    const ref = doc.paths['/v1/orders'].post.requestBody.content['application/json'].schema.$ref;
    const body = doc.components.schemas[ref.split('/').pop()];
    expect(body.required.sort()).toEqual(['quantity', 'side', 'symbol', 'type', 'venue']);
    expect(Object.keys(body.properties).sort()).toEqual(['price', 'quantity', 'side', 'stopLoss', 'symbol', 'takeProfit', 'timeInForce', 'type', 'venue']);
    expect(body.properties.quantity).toMatchObject({ type: 'string' });
    expect(body.properties.side).toMatchObject({ enum: ['buy', 'sell'] });
    expect(body.properties.timeInForce).toMatchObject({ enum: ['GTC', 'IOC', 'FOK', 'DAY'], default: 'GTC' });
    for (const said of [/DAY: until the end of the UTC day/, /IOC and FOK: fill on the first bar/, /A stop order takes GTC or DAY only/]) {
      expect(body.properties.timeInForce.description).toMatch(said);
    }
    for (const [path, method, dto] of [
      ['/v1/trading/halt', 'post', 'HaltTradingBody'],
      ['/v1/trading/resume', 'post', 'ResumeTradingBody'],
      ['/v1/trading/mode', 'put', 'SetExecutionModeBody'],
      ['/v1/approvals/{approvalId}/reject', 'post', 'RejectApprovalBody'],
    ]) {
      expect(doc.paths[path][method].requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${dto}`);
    }
    const query = doc.paths['/v1/orders'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    expect(query.sort()).toEqual(['correlationId', 'cursor', 'limit', 'status', 'symbol']);
    const denials = doc.paths['/v1/denials'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    expect(denials.sort()).toEqual(['correlationId', 'cursor', 'limit', 'reason', 'symbol']);
    const positions = doc.paths['/v1/positions'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    expect(positions.sort()).toEqual(['cursor', 'limit', 'status', 'symbol']);
    const displayed = doc.paths['/v1/displayed-orders'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    expect(displayed.sort()).toEqual(['correlationId', 'cursor', 'limit', 'reason', 'symbol']);
  });

  it('response_views_then_documented', () => {
    const schemas = doc.components.schemas;
    for (const name of ['OrderView', 'OrderPage', 'FillPage', 'PositionPage', 'ApprovalPage', 'ExperiencePage', 'DenialPage', 'DenialView', 'DisplayedOrderPage', 'DisplayedOrderView', 'StatusView', 'TradingStateView', 'CommandAcceptedView', 'ErrorView']) {
      expect(schemas[name]).toBeDefined();
    }
    expect(Object.keys(schemas.OrderView.properties)).toEqual(expect.arrayContaining(['orderId', 'status', 'filledQuantity', 'timeInForce']));
    expect(schemas.ErrorView.properties.fields).toBeDefined();
    // What would have been ordered, risk's rating of it and why it was not placed.
    expect(Object.keys(schemas.DisplayedOrderView.properties)).toEqual(
      expect.arrayContaining(['reason', 'side', 'quantity', 'type', 'limitPrice', 'stopPrice', 'stopLoss', 'takeProfit', 'riskLevel', 'origin', 'strategy', 'correlationId', 'requestId']),
    );
    // A closed position's figures: the history of closes, not only the current position per market.
    expect(Object.keys(schemas.PositionView.properties)).toEqual(
      expect.arrayContaining(['status', 'quantity', 'maxQuantity', 'averagePrice', 'exitPrice', 'realizedPnl', 'grossPnl', 'fees', 'holdingMs', 'closedAt', 'exitReason', 'origin', 'strategy', 'correlationId']),
    );
    expect(schemas.DisplayedOrderView.properties.reason.enum).toEqual(['DISPLAY_ONLY', 'TRADING_HALTED', 'REDUCE_ONLY']);
  });

  it('given_a_threshold_with_a_mode_that_does_not_use_it_when_the_mode_route_is_read_then_the_docs_say_it_is_kept_for_quality_based', () => {
    const op = doc.paths['/v1/trading/mode'].put;
    const threshold = doc.components.schemas.SetExecutionModeBody.properties.threshold;
    const kept = doc.components.schemas.TradingStateView.properties.threshold;
    expect(threshold).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    for (const text of [op.description, threshold.description]) {
      expect(text).toMatch(/accepted with every mode/i);
      expect(text).toMatch(/later switch to quality_based/);
    }
    // Each mode that does not compare quality with it is named, and what happens to it there.
    for (const mode of ['fully_automated', 'fully_manual', 'display_only']) expect(threshold.description).toContain(mode);
    expect(threshold.description).toMatch(/do not use it while they are in force/);
    expect(threshold.description).toMatch(/Absent: the governor keeps the threshold it has/);
    expect(kept.description).toMatch(/unused but kept for a later switch to quality_based/);
  });

  it('docs_ui_then_served_as_html', async () => {
    const r = await call(gw, 'GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(String(r.body)).toMatch(/swagger/i);
  });
});
