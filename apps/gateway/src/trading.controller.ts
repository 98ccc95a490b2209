import { Body, Get, Inject, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { VerifiedApiKey } from '@tradeloop/persistence';
import { Caller, RequiresScope } from './auth/auth.decorators';
import { CommandPublisher } from './commands/command-publisher';
import { CommandAcceptedView, HaltTradingBody, ResumeTradingBody, SetExecutionModeBody } from './commands/command.dto';
import { CommandRoute, GatewayController } from './http/gateway-controller.decorator';
import { ApiIdempotencyKey, IdempotencyKey, NoQuery } from './http/request.decorators';
import { ReadModels } from './queries/read-models';
import { StatusView, TradingStateView } from './queries/views';

@GatewayController('v1', 'trading')
export class TradingController {
  constructor(
    @Inject(ReadModels) private readonly reads: ReadModels,
    @Inject(CommandPublisher) private readonly commands: CommandPublisher,
  ) {}

  @Get('status')
  @RequiresScope('read')
  @ApiOperation({ summary: 'Trading state, execution mode, balance and open order/position counts' })
  @ApiOkResponse({ type: StatusView })
  status(@NoQuery() _query: undefined): Promise<StatusView> {
    return this.reads.status();
  }

  @Get('trading-state')
  @RequiresScope('read')
  @ApiOperation({ summary: 'The governor’s trading state (ACTIVE / REDUCING / HALTED) and execution mode' })
  @ApiOkResponse({ type: TradingStateView })
  tradingState(@NoQuery() _query: undefined): Promise<TradingStateView> {
    return this.reads.tradingState();
  }

  @Post('trading/halt')
  @RequiresScope('admin')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({
    summary: 'Halt trading (HaltTrading)',
    description: 'HALTED blocks every new order; with cancelWorkingOrders (the kill switch) working orders are cancelled too.',
  })
  halt(
    @Body() body: HaltTradingBody,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    return this.commands.publish(
      'HaltTrading',
      { by: caller.name, reason: body.reason, cancelWorkingOrders: body.cancelWorkingOrders ?? false },
      { caller, idempotencyKey },
    );
  }

  @Post('trading/resume')
  @RequiresScope('admin')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Resume trading, fully (ACTIVE) or position-reducing only (REDUCING) (ResumeTrading)' })
  resume(
    @Body() body: ResumeTradingBody,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    return this.commands.publish(
      'ResumeTrading',
      { by: caller.name, reason: body.reason, state: body.state ?? 'ACTIVE' },
      { caller, idempotencyKey },
    );
  }

  @Put('trading/mode')
  @RequiresScope('admin')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({
    summary: 'Set the execution mode and quality threshold (SetExecutionMode)',
    description:
      'fully_automated executes every order risk approved; quality_based executes those whose quality is at or above ' +
      'the threshold and asks a person about the rest; fully_manual asks about every order; display_only executes none. ' +
      'A threshold is accepted with every mode: only quality_based uses it, and the governor keeps it for a later switch ' +
      'to quality_based (sent without a threshold, that switch uses the one kept).',
  })
  setMode(
    @Body() body: SetExecutionModeBody,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    return this.commands.publish(
      'SetExecutionMode',
      { mode: body.mode, threshold: body.threshold, by: caller.name },
      { caller, idempotencyKey },
    );
  }
}
