import type { DataSource } from 'typeorm';
import { APP_ROLE_PRIVILEGES, resolveSchema } from './app-role';
import { MIGRATIONS_TABLE } from './data-source';
import { PERSISTENCE_MIGRATIONS } from './migrations';
import { qualify, quoteIdent } from './sql-names';

/** Every migration of this build by name, oldest first. */
export function migrationNames(): string[] {
  return PERSISTENCE_MIGRATIONS.map((M) => new M().name);
}

/** What a service that does not migrate finds when it checks the database before it starts. */
export interface SchemaCheck {
  readonly schema: string;
  /** The role connected (current_user). */
  readonly role: string;
  /** The schema exists. */
  readonly exists: boolean;
  /**
   * Migrations of this build the schema lacks, oldest first ([] at the latest); undefined when
   * the migrations table could not be read (see missingPrivileges).
   */
  readonly pending: readonly string[] | undefined;
  /** Migrations the schema has that this build does not know (a newer release migrated it). */
  readonly unknown: readonly string[];
  /** Privileges of the services' set (APP_ROLE_PRIVILEGES) the role lacks, e.g. `INSERT on "s"."orders"`. */
  readonly missingPrivileges: readonly string[];
}

/**
 * Reads, without changing anything (no lock, no CREATE), whether the schema is at this build's
 * latest migration and whether the connected role holds the services' privileges on the tables
 * that exist. Initialises the DataSource if needed.
 */
export async function checkSchema(ds: DataSource): Promise<SchemaCheck> {
  if (!ds.isInitialized) await ds.initialize();
  const known = migrationNames();
  const schema = await resolveSchema(ds);
  const [who]: { role: string; exists: boolean }[] = await ds.query(
    'SELECT current_user AS role, EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists',
    [schema],
  );
  const base = { schema, role: who.role, unknown: [] as string[] };
  if (!who.exists) return { ...base, exists: false, pending: known, missingPrivileges: [] };
  const [usage]: { ok: boolean }[] = await ds.query(`SELECT has_schema_privilege($1, 'USAGE') AS ok`, [schema]);
  if (!usage.ok) return { ...base, exists: true, pending: undefined, missingPrivileges: [`USAGE on schema ${quoteIdent(schema)}`] };

  // Tables a pending migration has not created yet are left to `pending`.
  const wanted = Object.entries(APP_ROLE_PRIVILEGES).flatMap(([table, privileges]) => privileges.map((p) => [qualify(schema, table), p] as const));
  const missing: { tbl: string; priv: string }[] = await ds.query(
    `SELECT x.tbl, x.priv FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(tbl, priv, n)
      WHERE to_regclass(x.tbl) IS NOT NULL AND NOT has_table_privilege(to_regclass(x.tbl), x.priv)
      ORDER BY x.n`,
    [wanted.map(([t]) => t), wanted.map(([, p]) => p)],
  );
  const missingPrivileges = missing.map((m) => `${m.priv} on ${m.tbl}`);
  const migrations = qualify(schema, MIGRATIONS_TABLE);
  const [table]: { present: boolean }[] = await ds.query('SELECT to_regclass($1) IS NOT NULL AS present', [migrations]);
  if (table.present && missing.some((m) => m.tbl === migrations && m.priv === 'SELECT')) {
    return { ...base, exists: true, pending: undefined, missingPrivileges };
  }
  const applied: string[] = table.present ? (await ds.query(`SELECT "name" FROM ${migrations}`)).map((r: { name: string }) => r.name) : [];
  const done = new Set(applied);
  const knownSet = new Set(known);
  return {
    ...base,
    exists: true,
    pending: known.filter((n) => !done.has(n)),
    unknown: applied.filter((n) => !knownSet.has(n)).sort(),
    missingPrivileges,
  };
}

/** The schema is not ready for services that do not migrate; the message says what is missing and what to run. */
export class SchemaNotReadyError extends Error {
  override readonly name = 'SchemaNotReadyError';
  constructor(readonly check: SchemaCheck) {
    super(describeSchemaProblems(check).join('; '));
  }
}

/** Each thing that keeps a service from starting on this schema, as a sentence with its remedy ([] when ready). */
export function describeSchemaProblems(check: SchemaCheck): string[] {
  const problems: string[] = [];
  const { schema, role, pending } = check;
  if (!check.exists) {
    problems.push(`schema "${schema}" does not exist: run \`tradeloop migrate\` (as the role that is to own the tables) before starting the services`);
    return problems;
  }
  if (pending !== undefined && pending.length > 0) {
    const total = migrationNames().length;
    const what = pending.length === total ? `has none of the ${total} migrations of this release` : `is missing ${pending.length} of the ${total} migrations of this release`;
    problems.push(`schema "${schema}" ${what} (${pending.join(', ')}): run \`tradeloop migrate\` (as the tables' owner) before starting the services`);
  }
  if (check.missingPrivileges.length > 0) {
    problems.push(
      `role "${role}" lacks ${check.missingPrivileges.join(', ')}: grant the services' privileges with \`tradeloop migrate --grant-app-role ${role}\` (as the tables' owner)`,
    );
  }
  return problems;
}

/** checkSchema, throwing SchemaNotReadyError unless the schema is at the latest migration and the role holds its privileges. */
export async function assertSchemaReady(ds: DataSource): Promise<SchemaCheck> {
  const check = await checkSchema(ds);
  if (describeSchemaProblems(check).length > 0) throw new SchemaNotReadyError(check);
  return check;
}
