import { Body, ConflictException, Get, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { TERMINAL_ORDER_STATUSES } from '@tradeloop/contracts';
import type { VerifiedApiKey } from '@tradeloop/persistence';
import { Caller, RequiresScope } from './auth/auth.decorators';
import { CommandPublisher } from './commands/command-publisher';
import { CommandAcceptedView, ManualOrderBody, OrderIdParams } from './commands/command.dto';
import { ApiConflict, ApiNotFound, CommandRoute, GatewayController } from './http/gateway-controller.decorator';
import { ApiIdempotencyKey, IdempotencyKey, NoBody } from './http/request.decorators';
import { ListOrdersQuery } from './queries/query.dto';
import { ReadModels } from './queries/read-models';
import { OrderPage, OrderView, orderView } from './queries/views';

@GatewayController('v1/orders', 'orders')
export class OrdersController {
  constructor(
    @Inject(ReadModels) private readonly reads: ReadModels,
    @Inject(CommandPublisher) private readonly commands: CommandPublisher,
  ) {}

  @Get()
  @RequiresScope('read')
  @ApiOperation({ summary: 'Orders, newest first, filtered by status and symbol' })
  @ApiOkResponse({ type: OrderPage })
  list(@Query() query: ListOrdersQuery): Promise<OrderPage> {
    return this.reads.orders(query);
  }

  @Get(':id')
  @RequiresScope('read')
  @ApiOperation({ summary: 'One order' })
  @ApiOkResponse({ type: OrderView })
  @ApiNotFound('order')
  async get(@Param() params: OrderIdParams): Promise<OrderView> {
    const order = await this.reads.orderEntity(params.id);
    if (order === null) throw new NotFoundException(`no order ${JSON.stringify(params.id)}`);
    return orderView(order);
  }

  @Post()
  @RequiresScope('trade')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({
    summary: 'Submit a manual order (SubmitManualOrder)',
    description:
      'The order goes through risk, the governor and the executor like every other order. 202 means the command is on the bus; what became of it ' +
      'is found by the answered commandId: GET /v1/orders?correlationId=<commandId> once placed, GET /v1/denials?correlationId=<commandId> if risk refused it, ' +
      'GET /v1/displayed-orders?correlationId=<commandId> if the governor did not place it (display_only mode, trading halted or reducing), ' +
      'and GET /v1/approvals?correlationId=<commandId> if it waits for a person (fully_manual mode, or quality_based below the threshold); ' +
      'GET /v1/commands/<commandId> sums it up (pending, applied with the order id, or refused with the reason).',
  })
  submit(
    @Body() body: ManualOrderBody,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    return this.commands.publish(
      'SubmitManualOrder',
      {
        // Markets are named in upper case everywhere (from data file names, as the CLI's
        // --symbol/--venue and the orders CSV upper-case them): 'eurusd' at 'oanda' is EURUSD at OANDA.
        venue: body.venue.toUpperCase(),
        symbol: body.symbol.toUpperCase(),
        side: body.side,
        quantity: body.quantity,
        type: body.type,
        price: body.price,
        stopLoss: body.stopLoss,
        takeProfit: body.takeProfit,
        timeInForce: body.timeInForce,
        requestedBy: caller.name,
      },
      { caller, idempotencyKey },
    );
  }

  @Post(':id/cancel')
  @RequiresScope('trade')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Cancel a working order (CancelOrder)' })
  @ApiNotFound('order')
  @ApiConflict('The order is already filled, cancelled, rejected or expired.')
  async cancel(
    @Param() params: OrderIdParams,
    @NoBody() _body: undefined,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    const order = await this.reads.orderEntity(params.id);
    if (order === null) throw new NotFoundException(`no order ${JSON.stringify(params.id)}`);
    const request = { caller, idempotencyKey, target: order.orderId };
    if (TERMINAL_ORDER_STATUSES.includes(order.status) && !(await this.commands.keyKept('CancelOrder', request))) {
      throw new ConflictException(`order ${JSON.stringify(params.id)} is already ${order.status}: nothing to cancel`);
    }
    return this.commands.publish('CancelOrder', { orderId: order.orderId, by: caller.name }, request);
  }
}
