import { DataSource, type EntityManager } from 'typeorm';
import { MIGRATIONS_TABLE } from './data-source';
import { assertIdentifier, qualify, quoteIdent, schemaOf } from './sql-names';

/*
 * The least-privilege role the services connect as when the migrations run as a step of their
 * own (`tradeloop migrate`, as the tables' owner) and the services only check the schema
 * (DATABASE_MIGRATIONS=check). The role owns nothing: it cannot create, alter or drop tables,
 * disable the experience store's trigger, or TRUNCATE; and on the trade-experience store it may
 * only INSERT and SELECT, so an UPDATE or DELETE there is refused by its privileges before the
 * append-only trigger is even reached.
 */

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

const READ_WRITE: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** The append-only trade-experience store. */
export const EXPERIENCE_TABLE = 'trade_experiences';

/**
 * Every table the migrations create and what the services' role may do to it. The read models
 * (and the gateway's keys and commands, the processed-message records) are read and written;
 * the experience store is appended to and read; the migrations table is only read, by the
 * services' start-up check. A migration that adds a table must add it here
 * (app-role.int.spec.ts fails otherwise).
 */
export const APP_ROLE_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = Object.freeze({
  account_starts: READ_WRITE,
  accounts: READ_WRITE,
  api_keys: READ_WRITE,
  approvals: READ_WRITE,
  broker_orders: READ_WRITE,
  closed_positions: READ_WRITE,
  command_results: READ_WRITE,
  commands: READ_WRITE,
  denials: READ_WRITE,
  displayed_orders: READ_WRITE,
  fills: READ_WRITE,
  governor_starts: READ_WRITE,
  idempotency_keys: READ_WRITE,
  orders: READ_WRITE,
  positions: READ_WRITE,
  processed_messages: READ_WRITE,
  risk_approvals: READ_WRITE,
  trading_state: READ_WRITE,
  [EXPERIENCE_TABLE]: ['SELECT', 'INSERT'],
  [MIGRATIONS_TABLE]: ['SELECT'],
});

/**
 * The SQL that gives `role` exactly the services' privileges on the tables of `schema`: usage of
 * the schema (no CREATE), then everything it held on the schema's tables and sequences revoked
 * and APP_ROLE_PRIVILEGES granted, so a rerun after a new migration (or over a role that was
 * granted too much) leaves exactly this set. Run by the tables' owner, in one transaction.
 */
export function appRoleGrantStatements(schema: string, role: string): string[] {
  assertIdentifier(schema, 'schema');
  assertIdentifier(role, 'app role');
  const s = quoteIdent(schema);
  const r = quoteIdent(role);
  const byPrivileges = new Map<string, string[]>();
  for (const [table, privileges] of Object.entries(APP_ROLE_PRIVILEGES)) {
    const key = privileges.join(', ');
    byPrivileges.set(key, [...(byPrivileges.get(key) ?? []), qualify(schema, table)]);
  }
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${r}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${r}`,
    ...[...byPrivileges].map(([privileges, tables]) => `GRANT ${privileges} ON ${tables.join(', ')} TO ${r}`),
  ];
}

/** The app role cannot be given the services' privileges (missing, or it would keep more than them). */
export class AppRoleError extends Error {
  override readonly name = 'AppRoleError';
}

/** The schema the DataSource's tables live in: its `schema`, else the connection's current_schema(). */
export async function resolveSchema(manager: DataSource | EntityManager): Promise<string> {
  const ds = manager instanceof DataSource ? manager : manager.dataSource;
  const configured = schemaOf(ds);
  if (configured !== undefined) return configured;
  const rows: { schema: string | null }[] = await manager.query('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema) throw new AppRoleError('no schema: the search_path names none that exists; set DATABASE_SCHEMA');
  return schema;
}

/**
 * Gives `role` exactly the services' privileges on the migrated tables (appRoleGrantStatements),
 * in one transaction, and returns the statements run. Refuses a role that does not exist, and
 * one the privileges would not limit: a superuser, or the tables' owner or a member of it (the
 * role `tradeloop migrate` runs as must not be the one the services connect as).
 */
export async function grantAppRole(ds: DataSource, role: string): Promise<string[]> {
  assertIdentifier(role, 'app role');
  if (!ds.isInitialized) await ds.initialize();
  return ds.transaction(async (tx) => {
    const schema = await resolveSchema(tx);
    const found: { super: boolean; owner: string | null; member_of_owner: boolean | null }[] = await tx.query(
      `SELECT r.rolsuper AS super, o.rolname AS owner,
              CASE WHEN o.oid IS NULL THEN NULL ELSE pg_has_role(r.oid, o.oid, 'MEMBER') END AS member_of_owner
         FROM pg_roles r
         LEFT JOIN pg_class c ON c.oid = to_regclass($2)
         LEFT JOIN pg_roles o ON o.oid = c.relowner
        WHERE r.rolname = $1`,
      [role, qualify(schema, MIGRATIONS_TABLE)],
    );
    const r = found[0];
    if (r === undefined) {
      throw new AppRoleError(`role "${role}" does not exist: create it first (CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '…'), then run this again`);
    }
    if (r.owner === null) throw new AppRoleError(`schema "${schema}" has no ${MIGRATIONS_TABLE} table: apply the migrations before granting`);
    if (r.super) throw new AppRoleError(`role "${role}" is a superuser: no privilege limits it; the services need a role of their own without SUPERUSER`);
    if (r.member_of_owner) {
      throw new AppRoleError(
        `role "${role}" ${role === r.owner ? 'owns' : `is a member of "${r.owner}", which owns`} the tables of schema "${schema}": ` +
          'the services need a role of their own that owns nothing (it could otherwise alter or drop tables and disable the append-only trigger)',
      );
    }
    const statements = appRoleGrantStatements(schema, role);
    for (const sql of statements) await tx.query(sql);
    return statements;
  });
}
