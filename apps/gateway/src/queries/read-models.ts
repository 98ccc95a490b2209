import { Inject, Injectable } from '@nestjs/common';
import {
  countOpenPositions,
  countWorkingOrders,
  getAccount,
  getAccountStart,
  getApproval,
  getGovernorStart,
  getOrder,
  getTradingState,
  InvalidCursorError,
  listApprovals,
  listDenials,
  listDisplayedOrders,
  listExperiences,
  listFills,
  listOrders,
  listPositions,
  sqlStateOf,
  type ApprovalEntity,
  type OrderEntity,
  type Page,
} from '@tradeloop/persistence';
import { dec, marketKey as kernelMarketKey } from '@tradeloop/kernel';
import { GATEWAY_OPTIONS, type ResolvedGatewayOptions } from '../gateway.options';
import type { MarketPrice } from '../market-prices';
import { fieldProblem, RequestValidationError } from '../http/problems';
import type {
  ListApprovalsQuery,
  ListDenialsQuery,
  ListDisplayedOrdersQuery,
  ListExperiencesQuery,
  ListFillsQuery,
  ListOrdersQuery,
  ListPositionsQuery,
} from './query.dto';
import {
  approvalView,
  balanceView,
  denialView,
  displayedOrderView,
  experienceView,
  fillView,
  orderView,
  positionView,
  tradingStateView,
  type ApprovalMarket,
  type ApprovalPage,
  type DenialPage,
  type DisplayedOrderPage,
  type ExperiencePage,
  type FillPage,
  type OrderPage,
  type PositionPage,
  type StatusView,
  type TradingStateView,
} from './views';

/**
 * A symbol filter as the read models store it: markets are named in upper case everywhere (from
 * data file names; the CLI and manual orders upper-case them too), so ?symbol=eurusd means EURUSD.
 */
function marketName(symbol: string | undefined): string | undefined {
  return symbol?.toUpperCase();
}

function mapPage<E, V>(page: Page<E>, view: (e: E) => V): { items: V[]; nextCursor: string | null } {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

function marketKey(a: ApprovalEntity): string {
  return kernelMarketKey(a.order.venue, a.order.symbol);
}

/** How far the market is from the price risk approved the order at. */
function marketAgainst(referencePrice: string | null, market: MarketPrice | null | undefined): ApprovalMarket | null {
  if (referencePrice === null || market === null || market === undefined) return null;
  const move = dec(market.price).minus(referencePrice);
  return {
    marketPrice: market.price,
    marketPriceTs: market.ts,
    marketMove: move.toString(),
    marketMovePct: move.div(referencePrice).times(100).toDecimalPlaces(4).toNumber(),
  };
}

/** Postgres refusing a cursor's values as the key columns' types (text for a bigint, say). */
const BAD_VALUE_STATES = new Set(['22P02', '22003', '22008']);

/** A cursor the client altered or took from another listing: a 400 naming `cursor`. */
async function paged<T>(cursor: string | undefined, list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (err) {
    const badValue = cursor !== undefined && BAD_VALUE_STATES.has(sqlStateOf(err) ?? '');
    if (err instanceof InvalidCursorError || badValue) {
      throw new RequestValidationError([fieldProblem('cursor', 'query', 'is not a cursor of this listing (use nextCursor as given)')]);
    }
    throw err;
  }
}

/** The gateway's account's read models, as views. Every lookup is scoped to that account. */
@Injectable()
export class ReadModels {
  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: ResolvedGatewayOptions) {}

  private get db() {
    return this.options.dataSource;
  }

  private get account() {
    return this.options.account;
  }

  async status(): Promise<StatusView> {
    const [trading, start, account, accountStart, openOrders, openPositions] = await Promise.all([
      getTradingState(this.db, this.account),
      getGovernorStart(this.db, this.account),
      getAccount(this.db, this.account),
      getAccountStart(this.db, this.account),
      countWorkingOrders(this.db, this.account),
      countOpenPositions(this.db, this.account),
    ]);
    return {
      account: this.account,
      trading: tradingStateView(this.account, trading, start),
      balance: balanceView(account, accountStart, openPositions),
      openOrders,
      openPositions,
    };
  }

  async tradingState(): Promise<TradingStateView> {
    const [trading, start] = await Promise.all([getTradingState(this.db, this.account), getGovernorStart(this.db, this.account)]);
    return tradingStateView(this.account, trading, start);
  }

  async orders(q: ListOrdersQuery): Promise<OrderPage> {
    return paged(q.cursor, async () =>
      mapPage(
        await listOrders(this.db, this.account, { status: q.status, symbol: marketName(q.symbol), correlationId: q.correlationId, limit: q.limit, cursor: q.cursor }),
        orderView,
      ),
    );
  }

  /** The order if it exists and belongs to this gateway's account. */
  async orderEntity(orderId: string): Promise<OrderEntity | null> {
    const order = await getOrder(this.db, orderId);
    return order !== null && order.account === this.account ? order : null;
  }

  async approvalEntity(approvalId: string): Promise<ApprovalEntity | null> {
    const approval = await getApproval(this.db, approvalId);
    return approval !== null && approval.account === this.account ? approval : null;
  }

  async fills(q: ListFillsQuery): Promise<FillPage> {
    return paged(q.cursor, async () =>
      mapPage(await listFills(this.db, this.account, { symbol: marketName(q.symbol), orderId: q.orderId, limit: q.limit, cursor: q.cursor }), fillView),
    );
  }

  async denials(q: ListDenialsQuery): Promise<DenialPage> {
    return paged(q.cursor, async () =>
      mapPage(
        await listDenials(this.db, this.account, { symbol: marketName(q.symbol), reason: q.reason, correlationId: q.correlationId, limit: q.limit, cursor: q.cursor }),
        denialView,
      ),
    );
  }

  async displayedOrders(q: ListDisplayedOrdersQuery): Promise<DisplayedOrderPage> {
    return paged(q.cursor, async () =>
      mapPage(
        await listDisplayedOrders(this.db, this.account, { symbol: marketName(q.symbol), reason: q.reason, correlationId: q.correlationId, limit: q.limit, cursor: q.cursor }),
        displayedOrderView,
      ),
    );
  }

  async positions(q: ListPositionsQuery): Promise<PositionPage> {
    return paged(q.cursor, async () =>
      mapPage(await listPositions(this.db, this.account, { status: q.status, symbol: marketName(q.symbol), limit: q.limit, cursor: q.cursor }), positionView),
    );
  }

  async approvals(q: ListApprovalsQuery): Promise<ApprovalPage> {
    const page = await paged(q.cursor, () =>
      listApprovals(this.db, this.account, { status: q.status, symbol: marketName(q.symbol), correlationId: q.correlationId, limit: q.limit, cursor: q.cursor }),
    );
    const markets = await this.marketsOf(page.items);
    return mapPage(page, (a) => approvalView(a, a.status === 'requested' ? marketAgainst(a.referencePrice, markets.get(marketKey(a))) : null));
  }

  /** The last price of each market a pending approval of the page is for, looked up once each. */
  private async marketsOf(approvals: readonly ApprovalEntity[]): Promise<Map<string, MarketPrice | null>> {
    const prices = new Map<string, MarketPrice | null>();
    const lookup = this.options.marketPrices;
    if (lookup === undefined) return prices;
    const wanted = new Map<string, ApprovalEntity>();
    for (const a of approvals) if (a.status === 'requested' && a.referencePrice !== null) wanted.set(marketKey(a), a);
    await Promise.all([...wanted].map(async ([key, a]) => prices.set(key, await lookup(a.order.venue, a.order.symbol))));
    return prices;
  }

  async experiences(q: ListExperiencesQuery): Promise<ExperiencePage> {
    return paged(q.cursor, async () =>
      mapPage(
        await listExperiences(this.db, this.account, {
          strategy: q.strategy,
          symbol: marketName(q.symbol),
          direction: q.direction,
          closedFrom: q.closedFrom,
          limit: q.limit,
          cursor: q.cursor,
        }),
        experienceView,
      ),
    );
  }
}
