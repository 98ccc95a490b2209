import { Module, type DynamicModule } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import { CommandsController } from './commands.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CommandPublisher } from './commands/command-publisher';
import { COMMAND_SINK, GATEWAY_OPTIONS, resolveGatewayOptions, type GatewayOptions } from './gateway.options';
import { OrdersController } from './orders.controller';
import { PortfolioController } from './portfolio.controller';
import { ReadModels } from './queries/read-models';
import { TradingController } from './trading.controller';

const CONTROLLERS = [TradingController, OrdersController, ApprovalsController, CommandsController, PortfolioController];
const PROVIDERS = [ReadModels, CommandPublisher, ApiKeyGuard];

/**
 * The HTTP gateway under /v1: queries on the read models (scope read) and commands onto the
 * bus (scope trade, or admin for halt / resume / mode). The host application supplies the
 * DataSource, the CommandSink and the account; see configureGateway and setupOpenApi.
 */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    const resolved = resolveGatewayOptions(options);
    return {
      module: GatewayModule,
      controllers: CONTROLLERS,
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: resolved },
        { provide: COMMAND_SINK, useValue: resolved.sink },
        ...PROVIDERS,
      ],
      exports: [COMMAND_SINK],
    };
  }
}
