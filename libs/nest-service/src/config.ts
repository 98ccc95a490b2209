import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync, type ValidationError } from 'class-validator';
import { EXECUTION_MODES, type ExecutionMode } from '@tradeloop/contracts';
import { defaultGovernorConfig } from '@tradeloop/governor';
import { DEFAULT_IDEMPOTENCY_KEY_TTL_MS } from '@tradeloop/persistence';
import { InstrumentsError, parseInstruments, readInstrumentsFile, type InstrumentTable } from '@tradeloop/runtime';

/** A configuration variable failed validation; the message names each one and what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly { variable: string; problem: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
  }
}

const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || typeof value === 'boolean') return value;
  const v = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
/**
 * The longest TTL either setting takes (APPROVAL_TTL_MS, IDEMPOTENCY_KEY_TTL_MS): 365 days. Far
 * beyond any wait for a person or a retry, and it keeps an approval's deadline (`expiresAt` =
 * event time + TTL) a valid epoch-ms timestamp: the governor itself only refuses TTLs past
 * Number.MAX_SAFE_INTEGER, with a message that names no variable.
 */
const MAX_TTL_MS = 365 * 24 * 60 * 60 * 1000;

/** pino's levels. Every rule below gives its own message: class-validator's defaults start with the variable's name, which the error already says. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/**
 * IDEMPOTENCY_KEY_TTL_MS is at least a minute, so a client's retry after a timed-out request
 * (the gateway waits 10 s for the bus) finds its key and cannot become a second command.
 */
const MIN_IDEMPOTENCY_KEY_TTL_MS = 60_000;
const PORT_PROBLEM = 'must be an integer port from 0 to 65535';
const APPROVAL_TTL_PROBLEM = `must be a whole number of milliseconds from 1 to ${MAX_TTL_MS} (365 days)`;
const IDEMPOTENCY_KEY_TTL_PROBLEM = `must be a whole number of milliseconds from ${MIN_IDEMPOTENCY_KEY_TTL_MS} (1 minute) to ${MAX_TTL_MS} (365 days)`;

const toNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);

/**
 * An optional numeric variable in [min, max]: parsed from its text, an integer or any number, and
 * one message for all three rules (describe() says it once however many of them fail).
 */
function NumberIn(min: number, max: number, message: string, integer = false): PropertyDecorator {
  const kind = integer ? IsInt({ message }) : IsNumber({}, { message });
  return (target, key) => {
    for (const d of [IsOptional(), Transform(toNumber), kind, Min(min, { message }), Max(max, { message })]) d(target, key);
  };
}

export const DATABASE_MIGRATIONS_MODES = ['apply', 'check'] as const;
export type DatabaseMigrations = (typeof DATABASE_MIGRATIONS_MODES)[number];

/**
 * Every variable a Tradeloop service reads, validated once at start (DESIGN: "each service
 * reads and validates its variables once at boot"). Defaults give the paper setup on this
 * machine: NATS and PostgreSQL at their default local addresses.
 */
export class ServiceEnv {
  /** The range APPROVAL_TTL_MS accepts, for settings derived from it (the quickstart's pace-scaled default). */
  static readonly APPROVAL_TTL_MS_RANGE: { readonly min: number; readonly max: number } = Object.freeze({ min: 1, max: MAX_TTL_MS });

  @IsOptional() @IsString() @Matches(/^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$|^[^\s:/,]+:\d+$/, { message: 'must be a NATS server URL such as nats://127.0.0.1:4222' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  @IsOptional() @IsString() @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a PostgreSQL schema name' })
  DATABASE_SCHEMA?: string;

  /**
   * What a service that uses PostgreSQL does with the migrations at start. `apply` (the default):
   * it runs the pending ones itself (advisory-locked), so it must connect as the tables' owner.
   * `check`: it changes nothing and refuses to start unless the schema is at this release's latest
   * migration and its role holds the services' privileges, naming what is missing; the migrations
   * then run once per release as a step of their own (`tradeloop migrate`, as the owner) and the
   * services connect as a least-privilege role.
   */
  @IsOptional()
  @IsIn(DATABASE_MIGRATIONS_MODES, { message: 'must be apply (the service runs the migrations at start) or check (it only checks them: run `tradeloop migrate` first)' })
  DATABASE_MIGRATIONS: DatabaseMigrations = 'apply';

  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]*$/, { message: 'may contain only letters, digits, _ and -' })
  NATS_NAMESPACE: string = '';

  /** Replicas of every stream (area streams and inboxes): 1 on a single server, 3 on the production cluster. */
  @NumberIn(1, 5, 'must be an integer from 1 to 5 (stream replicas)', true)
  NATS_STREAM_REPLICAS: number = 1;

  @NumberIn(0, 65535, PORT_PROBLEM, true)
  HTTP_PORT?: number;

  @IsOptional() @IsIn([...LOG_LEVELS], { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';

  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]+$/, { message: 'may contain only letters, digits, _ and -' })
  ACCOUNT: string = 'paper';

  @IsOptional() @IsIn(EXECUTION_MODES as unknown as string[], { message: `must be one of ${EXECUTION_MODES.join(', ')}` })
  EXECUTION_MODE: ExecutionMode = 'quality_based';

  @NumberIn(0, 100, 'must be a number 0–100')
  QUALITY_THRESHOLD: number = 70;

  /** The paper broker's money is simulated, so paper runs with execution on (DESIGN §6). */
  @IsOptional() @Transform(toBool) @IsBoolean({ message: 'must be true or false' })
  AUTO_EXECUTE: boolean = true;

  /**
   * How long a person has to answer the governor's ApprovalRequested, in ms of EVENT time (the
   * request expires at its RiskApproved's ts + this). On a live feed event time is wall time, so
   * the governor's default, 300000, is 5 minutes; a replay at N× pace shortens it N-fold (the
   * quickstart scales its own default with MARKET_DATA_SPEED). Recorded with the pipeline's
   * configuration (ServiceStarted, RunStarted) when it is not the default.
   */
  @NumberIn(1, MAX_TTL_MS, APPROVAL_TTL_PROBLEM, true)
  APPROVAL_TTL_MS: number = defaultGovernorConfig.approvalTtlMs;

  /**
   * Who may approve or reject an order the governor asks a person about: comma-separated names,
   * as the gateway sends them (the API key's name) and the notifier (its person's id). Anyone else
   * is answered CommandRejected NOT_AN_APPROVER. Unset: anyone the gateway lets through (the trade
   * scope). Recorded with the governor's configuration, so replays apply the same list.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._:@-]{0,63})*$/, {
    message: 'must be comma-separated approver names (API key names: a letter or digit, then letters, digits and ._:@-, at most 64), such as alice,ops-desk',
  })
  APPROVERS?: string;

  /**
   * The gateway: how long an Idempotency-Key is kept after its first use, in ms of WALL time
   * (Stripe keeps them 24 h). Within it a retry gets the same command and a different request is
   * refused; after it the key may name a new command, and expired keys are deleted.
   */
  @NumberIn(MIN_IDEMPOTENCY_KEY_TTL_MS, MAX_TTL_MS, IDEMPOTENCY_KEY_TTL_PROBLEM, true)
  IDEMPOTENCY_KEY_TTL_MS: number = DEFAULT_IDEMPOTENCY_KEY_TTL_MS;

  @NumberIn(0.000001, 0.1, 'must be a number in (0, 0.1]')
  RISK_PER_TRADE: number = 0.01;

  // Positive: risk sizes every order from equity, so an account of 0 could never trade.
  @IsOptional() @IsString() @Matches(/^(?=.*[1-9])\d+(\.\d+)?$/, { message: 'must be a positive decimal such as 100000' })
  STARTING_CASH: string = '100000';

  /*
   * Risk's limits, as `tradeloop backtest` takes them (--max-position, …, apps/cli/src/risk-limits.ts):
   * the same ranges and meaning. Unset: risk's default, and nothing recorded (ServiceStarted).
   */
  /** Largest position on one market, a fraction of equity (MAX_POSITION). */
  @NumberIn(Number.MIN_VALUE, 100, 'must be a fraction of equity above 0, at most 100')
  RISK_MAX_POSITION?: number;

  /** Largest gross exposure, positions and working orders, a fraction of equity (EXPOSURE_LIMIT). */
  @NumberIn(Number.MIN_VALUE, 100, 'must be a fraction of equity above 0, at most 100')
  RISK_MAX_EXPOSURE?: number;

  /** No new entries once today's realised loss reaches this fraction of start-of-day equity (DAILY_LOSS_LIMIT). */
  @NumberIn(Number.MIN_VALUE, 1, 'must be a fraction of equity above 0, at most 1')
  RISK_DAILY_LOSS_LIMIT?: number;

  /** Orders that add risk approved per UTC day (DAILY_TRADE_LIMIT). */
  @NumberIn(0, 1_000_000, 'must be a whole number from 0 to 1000000', true)
  RISK_DAILY_TRADES?: number;

  /** No new entries after this many losing trades in a row (LOSS_STREAK). */
  @NumberIn(1, 1_000_000, 'must be a whole number from 1 to 1000000', true)
  RISK_LOSS_STREAK?: number;

  /** No new entry on a symbol for this long after a losing close on it, ms of event time (COOLDOWN). */
  @NumberIn(0, MAX_TTL_MS, `must be a whole number of milliseconds from 0 to ${MAX_TTL_MS} (365 days)`, true)
  RISK_COOLDOWN_MS?: number;

  /** Largest order notional, in the account currency (MAX_ORDER_VALUE). */
  @IsOptional() @IsString() @Matches(/^(?=.*[1-9])\d+(\.\d+)?$/, { message: 'must be a positive decimal amount such as 1000000' })
  RISK_MAX_ORDER_VALUE?: string;

  /** Largest order quantity, in instrument units (MAX_ORDER_QUANTITY). */
  @IsOptional() @IsString() @Matches(/^(?=.*[1-9])\d+(\.\d+)?$/, { message: 'must be a positive decimal quantity such as 10000000' })
  RISK_MAX_ORDER_QTY?: string;

  @IsOptional() @IsString() @Matches(/^[A-Z]{3,5}$/, { message: 'must be a currency code such as USD' })
  ACCOUNT_CURRENCY: string = 'USD';

  @NumberIn(0, 1000, 'must be a number of basis points from 0 to 1000')
  FEE_BPS: number = 0;

  @NumberIn(0, 1000, 'must be a number of basis points from 0 to 1000')
  SLIPPAGE_BPS: number = 0;

  @IsOptional() @Transform(toNumber) @IsInt({ message: 'must be an integer' })
  SEED: number = 42;

  @IsOptional() @IsIn(['event', 'wall'], { message: 'must be event (the newest event time in the inbox) or wall (the wall clock)' })
  TIMER_CLOCK: 'event' | 'wall' = 'event';

  // Parsed in full at start: a URL that only looked like one would fail at the first delivery,
  // and a parse error there would quote it (webhook URLs carry their secret in the path).
  @IsOptional()
  @IsString()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'must be an http(s) URL' })
  // fetch refuses a URL with user information, so every delivery would fail (and its error quote
  // the password): refused at start instead, without echoing it.
  @Matches(/^(?![a-z][a-z0-9+.-]*:\/\/[^/?#]*@)/i, {
    message: 'must not carry user:password@ (fetch cannot send it); put the secret in the path or query, as webhook services do',
  })
  NOTIFIER_WEBHOOK_URL?: string;

  /**
   * Instrument metadata over the built-in instruments (tick size, lot size, minimum quantity,
   * contract size, …), as `tradeloop backtest --instruments` takes it: the path of a JSON or YAML
   * file, or (INSTRUMENTS) the same text inline; one of the two. Read and checked at start; the
   * table is `instruments`, recorded with the pipeline's configuration (ServiceStarted).
   */
  @IsOptional() @IsString()
  INSTRUMENTS_FILE?: string;

  @IsOptional() @IsString()
  INSTRUMENTS?: string;

  /** What INSTRUMENTS_FILE or INSTRUMENTS gives (not a variable): undefined when neither sets an instrument. */
  instruments?: InstrumentTable;

  /** CPU priority (nice, -20..19) of the service's main thread; default per service (DEFAULT_NICE). */
  @NumberIn(-20, 19, 'must be an integer nice value from -20 to 19', true)
  PROCESS_NICE?: number;
}

/** Validates `env` (default process.env); throws ConfigError naming every bad variable. */
export function loadServiceEnv(env: Record<string, string | undefined> = process.env): ServiceEnv {
  // Every variable the class declares a rule for (optional ones without a default included).
  const known = new Set(getMetadataStorage().getTargetValidationMetadatas(ServiceEnv, '', true, false).map((m) => m.propertyName));
  const picked: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '' && known.has(k)) picked[k] = v;
  const cfg = plainToInstance(ServiceEnv, picked);
  const problems = validateSync(cfg, { whitelist: false }).map(describe);
  const instruments = instrumentsOf(cfg, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (instruments !== undefined && Object.keys(instruments).length > 0) cfg.instruments = instruments;
  return cfg;
}

/** The table INSTRUMENTS_FILE or INSTRUMENTS gives; a problem names the variable, the file and line, the symbol and the field. */
function instrumentsOf(env: ServiceEnv, problems: { variable: string; problem: string }[]): InstrumentTable | undefined {
  const file = typeof env.INSTRUMENTS_FILE === 'string' ? env.INSTRUMENTS_FILE.trim() : undefined;
  const inline = typeof env.INSTRUMENTS === 'string' ? env.INSTRUMENTS : undefined;
  if (file !== undefined && inline !== undefined) {
    problems.push({ variable: 'INSTRUMENTS', problem: 'and INSTRUMENTS_FILE are both set: give the instruments one way' });
    return undefined;
  }
  try {
    if (file !== undefined) return readInstrumentsFile(file);
    // "INSTRUMENTS:2: XAUUSD.tickSize …" reads "INSTRUMENTS line 2: XAUUSD.tickSize …".
    if (inline !== undefined) return parseInstruments(inline, 'INSTRUMENTS');
  } catch (e) {
    if (!(e instanceof InstrumentsError)) throw e;
    const [variable, problem] =
      file !== undefined ? ['INSTRUMENTS_FILE', e.message] : ['INSTRUMENTS', e.message.replace(/^INSTRUMENTS(?::(\d+))?: /, (_m, line?: string) => (line ? `line ${line}: ` : ''))];
    problems.push({ variable, problem });
  }
  return undefined;
}

function describe(e: ValidationError): { variable: string; problem: string } {
  // Rules of one variable often share their message (an integer, at least, at most …): say it once.
  const problem = [...new Set(Object.values(e.constraints ?? {}))].join(', ');
  // URLs may carry credentials: never echo them.
  const shown = /URL$/.test(e.property) ? '' : ` (got ${JSON.stringify(e.value)})`;
  return { variable: e.property, problem: `${problem}${shown}` };
}

/**
 * The URL (or a comma-separated list of them, as NATS_URL takes) without its secrets, for logs
 * and messages: the password of `user:password@`, the token of a NATS URL (`nats://token@host`;
 * in other URLs `user@host` names a user and is kept), and every query parameter's value
 * (`?password=…`, `?token=…`).
 *
 * Written for URLs people actually type, not only valid ones: a password with `,`, `/`, `@` or
 * `:` in it, unencoded, must not leak either. So the user information runs to the LAST `@`
 * before the query, and a list is split only where a comma starts a new `scheme://`. Where that
 * reads a path's `@` as the end of user information, it hides too much, never too little.
 */
export function redactUrl(url: string): string {
  return url
    .split(/,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i)
    .map(redactOne)
    .join(',');
}

function redactOne(url: string): string {
  const m = /^(\s*[a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(url);
  if (m === null) return url;
  const scheme = m[1];
  const rest = m[2];
  const q = rest.search(/[?#]/);
  const head = q < 0 ? rest : rest.slice(0, q);
  const tail = q < 0 ? '' : rest.slice(q).replace(/([?&;][^=&;#]*=)[^&;#]*/g, '$1***');
  const at = head.lastIndexOf('@');
  if (at < 0) return `${scheme}://${head}${tail}`;
  const userinfo = head.slice(0, at);
  const host = head.slice(at + 1);
  const colon = userinfo.indexOf(':');
  let shown: string;
  if (colon >= 0) shown = `${userinfo.slice(0, colon)}:***`;
  else shown = /^\s*(nats|tls|ws|wss)$/i.test(scheme) ? '***' : userinfo;
  return `${scheme}://${shown}@${host}${tail}`;
}
