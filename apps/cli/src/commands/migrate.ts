import { Command, InvalidArgumentError } from 'commander';
import type { DataSource } from 'typeorm';
import type * as Persistence from '@tradeloop/persistence';
import type { Io } from '../backtest.command';
import { describeUrl } from './database';

/*
 * `tradeloop migrate`: the database migrations as a step of their own (a Kubernetes Job, a
 * compose one-shot, a release pipeline), run once per release as the role that owns the tables,
 * so that the services can connect as a least-privilege role with DATABASE_MIGRATIONS=check.
 * With --grant-app-role it also gives that role exactly the privileges the services need. The
 * database URL (which may hold a password) is never printed. TypeORM and pg load when the
 * command runs, not with every `tradeloop` start.
 */

const persistence = (): Promise<typeof Persistence> => import('@tradeloop/persistence');

type Env = Readonly<Record<string, string | undefined>>;

interface MigrateOptions {
  databaseUrl?: string;
  schema?: string;
  grantAppRole?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INSUFFICIENT_PRIVILEGE = '42501';

function parseRole(value: string): string {
  if (!IDENTIFIER.test(value)) throw new InvalidArgumentError(`--grant-app-role must be a PostgreSQL role name (letters, digits and _, at most 63), got "${value}"`);
  return value;
}

export function migrateCommand(io: Io, env: Env = process.env): Command {
  return new Command('migrate')
    .description(
      'Apply the pending database migrations (all in one transaction) and say which; run it once per release as the role that owns the tables, ' +
        'then start the services as a least-privilege role with DATABASE_MIGRATIONS=check',
    )
    .option('--database-url <url>', 'PostgreSQL URL of the role that owns (or is to own) the tables (default: $DATABASE_URL)')
    .option('--schema <name>', 'schema of the tables, created if missing (default: $DATABASE_SCHEMA, else the search_path)')
    .option(
      '--grant-app-role <role>',
      "then give this existing role exactly the services' privileges: read and write the read models, only INSERT and SELECT on trade_experiences, " +
        'read schema_migrations; revokes anything else it held on the tables (default: $DATABASE_APP_ROLE)',
      parseRole,
    )
    .action(async function (this: Command, opts: MigrateOptions) {
      const url = opts.databaseUrl ?? env['DATABASE_URL'] ?? '';
      if (url.trim() === '') this.error('error: no database: pass --database-url <url> or set DATABASE_URL');
      if (!/^postgres(ql)?:\/\//.test(url)) this.error('error: --database-url / DATABASE_URL must be a postgres:// URL');
      const schema = opts.schema ?? env['DATABASE_SCHEMA'] ?? '';
      let role = opts.grantAppRole;
      if (role === undefined && (env['DATABASE_APP_ROLE'] ?? '') !== '') {
        try {
          role = parseRole(env['DATABASE_APP_ROLE']!);
        } catch (e) {
          this.error(`error: DATABASE_APP_ROLE: ${(e as Error).message.replace(/^--grant-app-role /, '')}`);
        }
      }
      await migrate({ url, schema: schema === '' ? undefined : schema, role }, io, this);
    });
}

async function migrate(opts: { url: string; schema?: string; role?: string }, io: Io, cmd: Command): Promise<void> {
  const { createDataSource, runMigrations, grantAppRole, resolveSchema, migrationNames, sqlStateOf, AppRoleError, APP_ROLE_PRIVILEGES, EXPERIENCE_TABLE, MIGRATIONS_TABLE } =
    await persistence();
  const where = describeUrl(opts.url);
  let ds: DataSource;
  try {
    ds = createDataSource({ url: opts.url, schema: opts.schema, poolSize: 1, applicationName: 'tradeloop-migrate' });
  } catch (e) {
    return cmd.error(`error: --schema / DATABASE_SCHEMA: ${(e as Error).message}`);
  }
  try {
    await ds.initialize();
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL at ${where}: ${(e as Error).message}`);
  }
  try {
    const schema = await resolveSchema(ds);
    const at = `schema "${schema}" at ${where}`;
    let applied: string[];
    try {
      applied = await runMigrations(ds);
    } catch (e) {
      const hint =
        sqlStateOf(e) === INSUFFICIENT_PRIVILEGE
          ? ' — the role in the URL may not create or change these tables: run `tradeloop migrate` as the role that owns them (or is to own them)'
          : '';
      throw new Error(`migrating ${at} failed, nothing was applied (the pending migrations run in one transaction): ${(e as Error).message}${hint}`);
    }
    io.out(
      applied.length === 0
        ? `${at} is up to date: all ${migrationNames().length} migrations applied before\n`
        : `${at}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}\n`,
    );
    if (opts.role === undefined) return;
    try {
      await grantAppRole(ds, opts.role);
    } catch (e) {
      if (e instanceof AppRoleError) throw new Error(`cannot grant role "${opts.role}" the services' privileges: ${e.message}`);
      throw new Error(`granting role "${opts.role}" the services' privileges on ${at} failed, nothing was granted: ${(e as Error).message}`);
    }
    const readWrite = Object.keys(APP_ROLE_PRIVILEGES).filter((t) => t !== EXPERIENCE_TABLE && t !== MIGRATIONS_TABLE).length;
    io.out(
      `granted role "${opts.role}" on schema "${schema}": USAGE (no CREATE); SELECT, INSERT, UPDATE, DELETE on ${readWrite} tables; ` +
        `SELECT, INSERT only on ${EXPERIENCE_TABLE} (append-only); SELECT on ${MIGRATIONS_TABLE}; nothing else\n`,
    );
  } finally {
    await ds.destroy();
  }
}
