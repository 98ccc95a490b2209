export { GatewayModule } from './gateway.module';
export {
  COMMAND_SINK,
  GATEWAY_OPTIONS,
  DEFAULT_SINK_TIMEOUT_MS,
  type CommandSink,
  type GatewayOptions,
} from './gateway.options';
export { configureGateway } from './http/configure';
export { setupOpenApi, gatewayOpenApiDocument, OPENAPI_UI_PATH, OPENAPI_JSON_PATH } from './http/openapi';
export { commandIdFor, GATEWAY_SOURCE, type CommandType } from './commands/command-publisher';
export { marketDataPrices, lastPriceOf, type MarketPrice, type MarketPrices } from './market-prices';
