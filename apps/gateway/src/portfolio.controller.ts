import { Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequiresScope } from './auth/auth.decorators';
import { GatewayController } from './http/gateway-controller.decorator';
import { ListDenialsQuery, ListDisplayedOrdersQuery, ListExperiencesQuery, ListFillsQuery, ListPositionsQuery } from './queries/query.dto';
import { ReadModels } from './queries/read-models';
import { DenialPage, DisplayedOrderPage, ExperiencePage, FillPage, PositionPage } from './queries/views';

@GatewayController('v1', 'portfolio')
export class PortfolioController {
  constructor(@Inject(ReadModels) private readonly reads: ReadModels) {}

  @Get('positions')
  @RequiresScope('read')
  @ApiOperation({
    summary: 'Positions: the open ones (by symbol, the default), the closed ones (newest close first), or all',
    description:
      'status=closed is the history of closed positions, every one of them (entry and exit price, largest quantity, gross and net P&L, fees, holding time, ' +
      'excursions, exit reason, origin, strategy and chain), not only the last one of each market; status=all lists the open positions first, then the closed ones.',
  })
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

  @Get('denials')
  @RequiresScope('read')
  @ApiOperation({
    summary: "Risk's refusals (OrderDenied), newest first",
    description:
      'Why an order was not placed: POST /v1/orders answers 202 once the command is on the bus, and risk may then deny it. ' +
      '`correlationId=<commandId>` finds a manual order\'s denial (and GET /v1/orders?correlationId=<commandId> its order, if placed).',
  })
  @ApiOkResponse({ type: DenialPage })
  denials(@Query() query: ListDenialsQuery): Promise<DenialPage> {
    return this.reads.denials(query);
  }

  @Get('displayed-orders')
  @RequiresScope('read')
  @ApiOperation({
    summary: 'Orders the governor did not place (OrderDisplayed), newest first',
    description:
      'In display_only mode (the default with a real broker unless AUTO_EXECUTE) every order risk approves ends here instead of at the broker, ' +
      'and so does one that arrives while trading is HALTED, or that risk approved before REDUCING began. Each shows what would have been ordered ' +
      '(side, quantity, type, prices, bracket), risk\'s rating of it and why it was only displayed. ' +
      '`correlationId=<commandId>` finds a manual order\'s (POST /v1/orders answers 202 once the command is on the bus); a strategy order\'s chain is its signal id.',
  })
  @ApiOkResponse({ type: DisplayedOrderPage })
  displayedOrders(@Query() query: ListDisplayedOrdersQuery): Promise<DisplayedOrderPage> {
    return this.reads.displayedOrders(query);
  }

  @Get('experiences')
  @RequiresScope('read')
  @ApiOperation({ summary: 'Closed trades with their full decision context (append-only store), newest first' })
  @ApiOkResponse({ type: ExperiencePage })
  experiences(@Query() query: ListExperiencesQuery): Promise<ExperiencePage> {
    return this.reads.experiences(query);
  }
}
