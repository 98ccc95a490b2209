/**
 * An address set explicitly in the environment is a promise the operator made: if nothing
 * answers there the quickstart stops with a message naming the variable (password redacted)
 * instead of silently falling back to the in-process bus or the embedded store.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@tradeloop/nest-service';
import { freePort } from '@tradeloop/transport-nats/src/test-support';
import { QuickstartError, startQuickstart } from './quickstart';
import { tempStateDir } from './quickstart.test-support';

let stateDir: string;
let unreachableNats: string;
let unreachablePostgres: string;
const printed: string[] = [];

beforeAll(async () => {
  unreachableNats = `nats://127.0.0.1:${await freePort()}`;
  unreachablePostgres = `postgres://trader:s3cret-pw@127.0.0.1:${await freePort()}/tradeloop`;
});

beforeEach(() => {
  stateDir = tempStateDir('config');
  printed.length = 0;
});

afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

async function startFailure(env: Record<string, string>): Promise<Error> {
  const started = Date.now();
  const error = await startQuickstart({
    env: { HTTP_PORT: '0', LOG_LEVEL: 'silent', ...env },
    // Whatever is not set explicitly is probed here and falls back: only the explicit one may fail.
    defaultNatsUrl: unreachableNats,
    defaultDatabaseUrl: unreachablePostgres.replace('trader:s3cret-pw@', 'postgres@'),
    stateDir,
    print: (line) => printed.push(line),
  }).then(
    async (qs) => {
      await qs.close();
      return new Error('started, but should have refused');
    },
    (e: unknown) => e as Error,
  );
  expect(Date.now() - started).toBeLessThan(10_000);
  // Nothing left running or locked: a corrected start can follow at once.
  expect(existsSync(join(stateDir, 'quickstart.pid'))).toBe(false);
  expect(readdirSync(stateDir)).not.toContain('pglite');
  return error;
}

test('nats_url_when_set_explicitly_and_unreachable_then_refuses_naming_NATS_URL_instead_of_falling_back', async () => {
  const error = await startFailure({ NATS_URL: unreachableNats });
  expect(error).toBeInstanceOf(QuickstartError);
  expect(error.message).toMatch(new RegExp(`^NATS_URL is set to ${unreachableNats.replace(/\./g, '\\.')}, but no NATS JetStream answers there`));
  expect(error.message).not.toMatch(/DATABASE_URL/);
  expect(printed).toEqual([]);
});

test('database_url_when_set_explicitly_and_unreachable_then_refuses_naming_DATABASE_URL_with_the_password_redacted', async () => {
  const error = await startFailure({ DATABASE_URL: unreachablePostgres });
  expect(error).toBeInstanceOf(QuickstartError);
  expect(error.message).toMatch(/^DATABASE_URL is set to postgres:\/\/trader:\*\*\*@127\.0\.0\.1:\d+\/tradeloop, but PostgreSQL does not answer there/);
  expect(error.message).not.toContain('s3cret-pw');
  expect(error.message).not.toMatch(/NATS_URL/);
});

test('both_when_set_explicitly_and_unreachable_then_one_error_names_both', async () => {
  const error = await startFailure({ NATS_URL: unreachableNats, DATABASE_URL: unreachablePostgres });
  expect(error.message.split('\n').map((l) => l.split(' ')[0])).toEqual(['NATS_URL', 'DATABASE_URL']);
});

test('variables_when_invalid_then_refuses_naming_each_before_probing_anything', async () => {
  const error = await startFailure({ MARKET_DATA_SPEED: '-5', EXECUTION_MODE: 'yolo' });
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['EXECUTION_MODE', 'MARKET_DATA_SPEED']);
});

test('account_currency_the_data_cannot_be_converted_into_then_a_note_says_its_orders_will_be_denied', async () => {
  const qs = await startQuickstart({
    env: { HTTP_PORT: '0', LOG_LEVEL: 'silent', ACCOUNT_CURRENCY: 'JPY', MARKET_DATA_SPEED: '1' },
    defaultNatsUrl: unreachableNats,
    defaultDatabaseUrl: unreachablePostgres.replace('trader:s3cret-pw@', 'postgres@'),
    stateDir,
    print: (line) => printed.push(line),
  });
  await qs.close();
  expect(printed).toContain(
    '  note       EURUSD is quoted in USD and nothing in the data converts USD into the account currency JPY (add USDJPY or JPYUSD data): its orders will be denied',
  );
  expect(printed.some((l) => l.startsWith('  account    paper: 100000 JPY'))).toBe(true);
});
