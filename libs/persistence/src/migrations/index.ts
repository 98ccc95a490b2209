import { Initial1700000000000 } from './1700000000000-Initial';
import { ApiKeys1700000001000 } from './1700000001000-ApiKeys';
import { BrokerOrders1700000002000 } from './1700000002000-BrokerOrders';
import { AccountSequence1700000003000 } from './1700000003000-AccountSequence';
import { PositionVenue1700000004000 } from './1700000004000-PositionVenue';
import { ReadModelCurrencies1700000005000 } from './1700000005000-ReadModelCurrencies';
import { IdempotencyKeys1700000006000 } from './1700000006000-IdempotencyKeys';
import { Denials1700000007000 } from './1700000007000-Denials';
import { IdempotencyKeyRetention1700000008000 } from './1700000008000-IdempotencyKeyRetention';
import { GovernorStarts1700000009000 } from './1700000009000-GovernorStarts';
import { ExperienceCurrency1700000010000 } from './1700000010000-ExperienceCurrency';
import { DisplayedOrders1700000011000 } from './1700000011000-DisplayedOrders';
import { ClosedPositions1700000012000 } from './1700000012000-ClosedPositions';
import { ApprovalChains1700000013000 } from './1700000013000-ApprovalChains';
import { ApprovalReferencePrices1700000014000 } from './1700000014000-ApprovalReferencePrices';
import { Commands1700000015000 } from './1700000015000-Commands';
import { CommandResults1700000016000 } from './1700000016000-CommandResults';
import { AccountStarts1700000017000 } from './1700000017000-AccountStarts';

export { Initial1700000000000, APPEND_ONLY_MESSAGE } from './1700000000000-Initial';
export { ApiKeys1700000001000 } from './1700000001000-ApiKeys';
export { BrokerOrders1700000002000 } from './1700000002000-BrokerOrders';
export { AccountSequence1700000003000 } from './1700000003000-AccountSequence';
export { PositionVenue1700000004000 } from './1700000004000-PositionVenue';
export { ReadModelCurrencies1700000005000 } from './1700000005000-ReadModelCurrencies';
export { IdempotencyKeys1700000006000 } from './1700000006000-IdempotencyKeys';
export { Denials1700000007000 } from './1700000007000-Denials';
export { IdempotencyKeyRetention1700000008000 } from './1700000008000-IdempotencyKeyRetention';
export { GovernorStarts1700000009000 } from './1700000009000-GovernorStarts';
export { ExperienceCurrency1700000010000 } from './1700000010000-ExperienceCurrency';
export { DisplayedOrders1700000011000 } from './1700000011000-DisplayedOrders';
export { ClosedPositions1700000012000 } from './1700000012000-ClosedPositions';
export { ApprovalChains1700000013000 } from './1700000013000-ApprovalChains';
export { ApprovalReferencePrices1700000014000 } from './1700000014000-ApprovalReferencePrices';
export { Commands1700000015000 } from './1700000015000-Commands';
export { CommandResults1700000016000 } from './1700000016000-CommandResults';
export { AccountStarts1700000017000 } from './1700000017000-AccountStarts';

/** In timestamp order; TypeORM records each by name in `schema_migrations`. */
export const PERSISTENCE_MIGRATIONS = [
  Initial1700000000000,
  ApiKeys1700000001000,
  BrokerOrders1700000002000,
  AccountSequence1700000003000,
  PositionVenue1700000004000,
  ReadModelCurrencies1700000005000,
  IdempotencyKeys1700000006000,
  Denials1700000007000,
  IdempotencyKeyRetention1700000008000,
  GovernorStarts1700000009000,
  ExperienceCurrency1700000010000,
  DisplayedOrders1700000011000,
  ClosedPositions1700000012000,
  ApprovalChains1700000013000,
  ApprovalReferencePrices1700000014000,
  Commands1700000015000,
  CommandResults1700000016000,
  AccountStarts1700000017000,
];
