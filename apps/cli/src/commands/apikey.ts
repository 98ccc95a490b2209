import { Command, InvalidArgumentError } from 'commander';
import type { DataSource } from 'typeorm';
import type { ApiKeyInfo, ApiKeyScope } from '@tradeloop/persistence';
// The argument rules only: the database code (TypeORM, pg) loads when a subcommand runs, not
// with every `tradeloop` start (cli.e2e.spec.ts checks it).
import { API_KEY_NAME_PATTERN, API_KEY_SCOPES, normalizeScopes } from '@tradeloop/persistence/src/api-key-rules';
import type { Io } from '../backtest.command';
import { describeUrl } from './database';

const persistence = (): Promise<typeof import('@tradeloop/persistence')> => import('@tradeloop/persistence');

/*
 * `tradeloop apikey create|revoke|list`: gateway API keys in PostgreSQL. A key is printed once,
 * by `create`; the database keeps only a hash of it. The database URL (which may hold a
 * password) is never printed.
 */

interface DatabaseOptions {
  databaseUrl?: string;
  schema?: string;
  migrate?: boolean;
}

interface CreateOptions extends DatabaseOptions {
  name: string;
  scopes: ApiKeyScope[];
  json?: boolean;
}

interface RevokeOptions extends DatabaseOptions {
  name?: string;
  id?: string;
}

interface ListOptions extends DatabaseOptions {
  json?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const UNDEFINED_TABLE = '42P01';

function parseScopes(value: string): ApiKeyScope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  try {
    return normalizeScopes(scopes);
  } catch (e) {
    throw new InvalidArgumentError(`--scopes: ${(e as Error).message}`);
  }
}

function parseName(value: string): string {
  if (!API_KEY_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      `--name must be 1-64 characters of letters, digits and . _ : @ - (starting with a letter or digit), got "${value}"`,
    );
  }
  return value;
}

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

function addDatabaseOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL)')
    .option('--schema <name>', 'schema of the tables (default: $DATABASE_SCHEMA, else the search_path)')
    .option('--migrate', 'apply pending migrations first (creates the api_keys table on a new database)');
}

interface Context {
  readonly cmd: Command;
  readonly io: Io;
  readonly env: Env;
}

/** Bad options: commander prints the message and the CLI exits 1. */
function usageError(cmd: Command, message: string): never {
  return cmd.error(`error: ${message}`);
}

/** Opens the database the options name (bad options: exit 1 with the reason), runs `work`, closes it. */
async function withDatabase<T>(ctx: Context, opts: DatabaseOptions, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const { cmd, io, env } = ctx;
  const url = opts.databaseUrl ?? env['DATABASE_URL'] ?? '';
  if (url.trim() === '') usageError(cmd, 'no database: pass --database-url <url> or set DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(url)) usageError(cmd, '--database-url / DATABASE_URL must be a postgres:// URL');
  const schema = opts.schema ?? env['DATABASE_SCHEMA'] ?? '';
  const { createDataSource, runMigrations, sqlStateOf } = await persistence();
  let ds: DataSource | undefined;
  try {
    ds = createDataSource({ url, schema: schema === '' ? undefined : schema, poolSize: 1, applicationName: 'tradeloop-cli' });
  } catch (e) {
    usageError(cmd, `--schema: ${(e as Error).message}`);
  }
  try {
    await ds.initialize();
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL at ${describeUrl(url)}: ${(e as Error).message}`);
  }
  try {
    if (opts.migrate) {
      const applied = await runMigrations(ds);
      if (applied.length > 0) io.err(`applied migrations: ${applied.join(', ')}\n`);
    }
    return await work(ds);
  } catch (e) {
    if (sqlStateOf(e) === UNDEFINED_TABLE) {
      throw new Error(
        `no api_keys table${schema ? ` in schema "${schema}"` : ''}: the migrations have not run there (run \`tradeloop migrate\`, or pass --migrate)`,
      );
    }
    throw e;
  } finally {
    await ds.destroy();
  }
}

function table(keys: readonly ApiKeyInfo[]): string {
  const rows = [
    ['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'],
    ...keys.map((k) => [k.id, k.name, k.scopes.join(','), iso(k.createdAt), iso(k.revokedAt)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export function apikeyCommand(io: Io, env: Env = process.env): Command {
  const apikey = new Command('apikey')
    .description('Manage the gateway’s API keys (only a hash is stored: a key is shown once, when it is created)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  addDatabaseOptions(
    apikey
      .command('create')
      .description(`Create a key and print it once; scopes: ${API_KEY_SCOPES.join(' < ')} (each implies the ones before)`)
      .requiredOption('--name <name>', 'unique name; commands the key sends are recorded as "by" this name', parseName)
      .requiredOption('--scopes <list>', `comma-separated: ${API_KEY_SCOPES.join(', ')}`, parseScopes)
      .option('--json', 'print {id, name, scopes, key} as JSON'),
  ).action(async function (this: Command, opts: CreateOptions) {
    const { ApiKeyNameTakenError, createApiKey } = await persistence();
    const created = await withDatabase({ cmd: this, io, env }, opts, async (ds) => {
      try {
        return await createApiKey(ds, { name: opts.name, scopes: opts.scopes });
      } catch (e) {
        if (e instanceof ApiKeyNameTakenError) throw new Error(e.message);
        throw e;
      }
    });
    if (opts.json) {
      io.out(JSON.stringify({ id: created.id, name: created.name, scopes: created.scopes, key: created.key }) + '\n');
    } else {
      io.out(`created API key "${created.name}" (id ${created.id}, scopes ${created.scopes.join(',')})\n${created.key}\n`);
    }
    io.err('store the key now: only its hash is kept, it cannot be shown again\n');
  });

  addDatabaseOptions(
    apikey
      .command('revoke')
      .description('Revoke a key by --name or --id; the gateway refuses it from then on')
      .option('--name <name>', 'the key’s name')
      .option('--id <id>', 'the key’s id (the part after tl_)'),
  ).action(async function (this: Command, opts: RevokeOptions) {
    if ((opts.name === undefined) === (opts.id === undefined)) usageError(this, 'pass exactly one of --name or --id');
    const ref = opts.id !== undefined ? { id: opts.id } : { name: opts.name! };
    const revokedAt = Date.now();
    const { revokeApiKey } = await persistence();
    const info = await withDatabase({ cmd: this, io, env }, opts, (ds) => revokeApiKey(ds, ref, revokedAt));
    if (info === null) throw new Error(`no API key with ${opts.id !== undefined ? `id "${opts.id}"` : `name "${opts.name}"`}`);
    io.out(
      info.revokedAt === revokedAt
        ? `revoked API key "${info.name}" (id ${info.id})\n`
        : `API key "${info.name}" (id ${info.id}) was already revoked at ${iso(info.revokedAt)}\n`,
    );
  });

  addDatabaseOptions(
    apikey
      .command('list')
      .description('List keys (names, scopes, creation and revocation times; never the keys)')
      .option('--json', 'print a JSON array'),
  ).action(async function (this: Command, opts: ListOptions) {
    const { listApiKeys } = await persistence();
    const keys = await withDatabase({ cmd: this, io, env }, opts, (ds) => listApiKeys(ds));
    io.out(opts.json ? JSON.stringify(keys) + '\n' : keys.length === 0 ? 'no API keys\n' : table(keys));
  });

  return apikey;
}
