import { Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { getCommand } from '@tradeloop/persistence';
import { RequiresScope } from './auth/auth.decorators';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from './gateway.options';
import { ApiNotFound, GatewayController } from './http/gateway-controller.decorator';
import { IsId, MAX_ID_LENGTH } from './http/rules';
import { commandStatus, CommandStatusView } from './queries/command-status';

export class CommandIdParams {
  @ApiProperty({ type: String, maxLength: MAX_ID_LENGTH, description: 'The commandId a command route answered (202).' })
  @IsId()
  readonly commandId!: string;
}

@GatewayController('v1/commands', 'commands')
export class CommandsController {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions) {}

  @Get(':commandId')
  @RequiresScope('read')
  @ApiOperation({
    summary: 'What became of a command sent through this gateway',
    description:
      'Every command route answers 202 once the command is on the bus; this says what it then did. An approve and a reject of one approval ' +
      'sent together are both accepted, the governor applies the first and ignores the second: the second reads `ignored: approval already granted by …`. ' +
      'A manual order reads pending (risk, a person or the executor to answer), applied (placed, with its order id), or refused (denied by risk, not placed by the governor, ' +
      'its approval rejected or expired, rejected by the executor), with the reason.',
  })
  @ApiOkResponse({ type: CommandStatusView })
  @ApiNotFound('command')
  async get(@Param() params: CommandIdParams): Promise<CommandStatusView> {
    const db = this.options.dataSource;
    const command = await getCommand(db, params.commandId);
    if (command === null || command.account !== this.options.account) throw new NotFoundException(`no command ${JSON.stringify(params.commandId)}`);
    return commandStatus(db, this.options.account, command);
  }
}
