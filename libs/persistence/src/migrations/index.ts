import { Initial1700000000000 } from './1700000000000-Initial';

export { Initial1700000000000, APPEND_ONLY_MESSAGE } from './1700000000000-Initial';

/** In timestamp order; TypeORM records each by name in `schema_migrations`. */
export const PERSISTENCE_MIGRATIONS = [Initial1700000000000];
