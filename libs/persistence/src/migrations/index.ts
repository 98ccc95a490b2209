import { Initial1700000000000 } from './1700000000000-Initial';
import { ApiKeys1700000001000 } from './1700000001000-ApiKeys';
import { BrokerOrders1700000002000 } from './1700000002000-BrokerOrders';

export { Initial1700000000000, APPEND_ONLY_MESSAGE } from './1700000000000-Initial';
export { ApiKeys1700000001000 } from './1700000001000-ApiKeys';
export { BrokerOrders1700000002000 } from './1700000002000-BrokerOrders';

/** In timestamp order; TypeORM records each by name in `schema_migrations`. */
export const PERSISTENCE_MIGRATIONS = [Initial1700000000000, ApiKeys1700000001000, BrokerOrders1700000002000];
