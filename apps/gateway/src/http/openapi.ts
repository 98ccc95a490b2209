import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../auth/auth.constants';

export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs-json';

export function gatewayOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tradeloop gateway')
    .setDescription(
      'Queries on the read models and commands onto the bus. Every /v1 route needs an API key ' +
        '(`Authorization: Bearer tl_<id>_<secret>` or `X-API-Key`) with the scope named in `x-required-scope`: ' +
        'read < trade < admin. Commands answer 202 with the command id; what they lead to arrives as events ' +
        'and shows in the read models. Money, prices and quantities are decimal strings; times are epoch ms (UTC).',
    )
    .setVersion('1')
    // bearerFormat: the library's default is JWT, which these keys are not.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'tl_<id>_<secret>', description: 'API key: tl_<id>_<secret>' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key: tl_<id>_<secret>' }, API_KEY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the OpenAPI UI at /docs and the document at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => gatewayOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Tradeloop gateway API',
  });
}
