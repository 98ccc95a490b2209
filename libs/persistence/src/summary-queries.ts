import { In } from 'typeorm';
import type { OrderStatus } from '@tradeloop/contracts';
import { ApprovalEntity, OrderEntity, PositionEntity } from './entities';
import type { Reader } from './queries';

/*
 * Single-row lookups and counts for the gateway's status and command checks, next to the paged
 * lists in queries.ts.
 */

/** Orders that may still fill: what risk counts against limits and a kill switch cancels. */
export const WORKING_ORDER_STATUSES: readonly OrderStatus[] = ['submitted', 'accepted', 'partially_filled'];

/** Working orders of the account (served by orders_working_idx). */
export async function countWorkingOrders(db: Reader, account: string): Promise<number> {
  return db.getRepository(OrderEntity).countBy({ account, status: In([...WORKING_ORDER_STATUSES]) });
}

export async function countOpenPositions(db: Reader, account: string): Promise<number> {
  return db.getRepository(PositionEntity).countBy({ account, status: 'open' });
}

export async function getApproval(db: Reader, approvalId: string): Promise<ApprovalEntity | null> {
  return db.getRepository(ApprovalEntity).findOneBy({ approvalId });
}
