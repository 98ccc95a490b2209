import { Body, ConflictException, Get, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { ApprovalEntity, VerifiedApiKey } from '@tradeloop/persistence';
import { Caller, RequiresScope } from './auth/auth.decorators';
import { CommandPublisher } from './commands/command-publisher';
import { ApprovalIdParams, CommandAcceptedView, RejectApprovalBody } from './commands/command.dto';
import { ApiConflict, ApiNotFound, CommandRoute, GatewayController } from './http/gateway-controller.decorator';
import { ApiIdempotencyKey, IdempotencyKey, NoBody } from './http/request.decorators';
import { ListApprovalsQuery } from './queries/query.dto';
import { ReadModels } from './queries/read-models';
import { ApprovalPage } from './queries/views';

@GatewayController('v1/approvals', 'approvals')
export class ApprovalsController {
  constructor(
    @Inject(ReadModels) private readonly reads: ReadModels,
    @Inject(CommandPublisher) private readonly commands: CommandPublisher,
  ) {}

  @Get()
  @RequiresScope('read')
  @ApiOperation({
    summary: 'Approval requests, newest first (filter `status=requested` for the pending ones)',
    description:
      'Filtered by status, market (`symbol`, any case) and chain (`correlationId`): a manual order that waits for a person is found by the ' +
      'commandId POST /v1/orders answered (`?correlationId=<commandId>`), a strategy order by its signal id.',
  })
  @ApiOkResponse({ type: ApprovalPage })
  list(@Query() query: ListApprovalsQuery): Promise<ApprovalPage> {
    return this.reads.approvals(query);
  }

  @Post(':approvalId/approve')
  @RequiresScope('trade')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Approve a pending order (ApproveOrder)' })
  @ApiNotFound('approval')
  @ApiConflict('The approval was already granted, rejected or expired.')
  async approve(
    @Param() params: ApprovalIdParams,
    @NoBody() _body: undefined,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    const approval = await this.pending('ApproveOrder', params.approvalId, caller, idempotencyKey);
    return this.commands.publish(
      'ApproveOrder',
      { approvalId: approval.approvalId, by: caller.name },
      { caller, idempotencyKey, target: approval.approvalId },
    );
  }

  @Post(':approvalId/reject')
  @RequiresScope('trade')
  @CommandRoute()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Reject a pending order (RejectOrder)' })
  @ApiNotFound('approval')
  @ApiConflict('The approval was already granted, rejected or expired.')
  async reject(
    @Param() params: ApprovalIdParams,
    @Body() body: RejectApprovalBody,
    @Caller() caller: VerifiedApiKey,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<CommandAcceptedView> {
    const approval = await this.pending('RejectOrder', params.approvalId, caller, idempotencyKey);
    return this.commands.publish(
      'RejectOrder',
      { approvalId: approval.approvalId, by: caller.name, reason: body.reason },
      { caller, idempotencyKey, target: approval.approvalId },
    );
  }

  /**
   * The governor decides; this only spares the bus commands the read model already knows are moot.
   * A decided approval is still answered for a request whose Idempotency-Key is kept: a retry of
   * the command that may have decided it (CommandPublisher.keyKept).
   */
  private async pending(type: 'ApproveOrder' | 'RejectOrder', approvalId: string, caller: VerifiedApiKey, idempotencyKey: string | undefined): Promise<ApprovalEntity> {
    const approval = await this.reads.approvalEntity(approvalId);
    if (approval === null) throw new NotFoundException(`no approval ${JSON.stringify(approvalId)}`);
    if (approval.status !== 'requested' && !(await this.commands.keyKept(type, { caller, idempotencyKey, target: approval.approvalId }))) {
      throw new ConflictException(`approval ${JSON.stringify(approvalId)} is already ${approval.status}`);
    }
    return approval;
  }
}
