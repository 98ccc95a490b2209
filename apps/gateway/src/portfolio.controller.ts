import { Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequiresScope } from './auth/auth.decorators';
import { GatewayController } from './http/gateway-controller.decorator';
import { ListExperiencesQuery, ListFillsQuery, ListPositionsQuery } from './queries/query.dto';
import { ReadModels } from './queries/read-models';
import { ExperiencePage, FillPage, PositionPage } from './queries/views';

@GatewayController('v1', 'portfolio')
export class PortfolioController {
  constructor(@Inject(ReadModels) private readonly reads: ReadModels) {}

  @Get('positions')
  @RequiresScope('read')
  @ApiOperation({ summary: 'Positions by symbol (open ones by default)' })
  @ApiOkResponse({ type: PositionPage })
  positions(@Query() query: ListPositionsQuery): Promise<PositionPage> {
    return this.reads.positions(query);
  }

  @Get('fills')
  @RequiresScope('read')
  @ApiOperation({ summary: 'Fills, newest first' })
  @ApiOkResponse({ type: FillPage })
  fills(@Query() query: ListFillsQuery): Promise<FillPage> {
    return this.reads.fills(query);
  }

  @Get('experiences')
  @RequiresScope('read')
  @ApiOperation({ summary: 'Closed trades with their full decision context (append-only store), newest first' })
  @ApiOkResponse({ type: ExperiencePage })
  experiences(@Query() query: ListExperiencesQuery): Promise<ExperiencePage> {
    return this.reads.experiences(query);
  }
}
