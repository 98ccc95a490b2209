import type { DataSource } from 'typeorm';

/** Postgres identifiers: a plain name of at most 63 bytes (longer ones are silently truncated). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new RangeError(`${what} must match ${IDENTIFIER.source}, got ${JSON.stringify(name)}`);
  }
  return name;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The schema the DataSource was configured with, or undefined for the connection's search_path. */
export function schemaOf(ds: DataSource): string | undefined {
  return (ds.options as { schema?: string }).schema;
}

/** `"schema"."name"` when a schema is configured, else `"name"`. */
export function qualify(schema: string | undefined, name: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

export interface TableNames {
  readonly orders: string;
  readonly fills: string;
  readonly positions: string;
  readonly closedPositions: string;
  readonly accounts: string;
  readonly approvals: string;
  readonly tradingState: string;
  readonly processedMessages: string;
  readonly tradeExperiences: string;
  readonly denials: string;
  readonly riskApprovals: string;
  readonly displayedOrders: string;
  readonly idempotencyKeys: string;
  readonly commands: string;
  readonly commandResults: string;
}

const cache = new WeakMap<DataSource, TableNames>();

/** Schema-qualified table names for raw SQL (the ORM qualifies its own queries). */
export function tablesOf(ds: DataSource): TableNames {
  let names = cache.get(ds);
  if (!names) {
    const s = schemaOf(ds);
    names = {
      orders: qualify(s, 'orders'),
      fills: qualify(s, 'fills'),
      positions: qualify(s, 'positions'),
      closedPositions: qualify(s, 'closed_positions'),
      accounts: qualify(s, 'accounts'),
      approvals: qualify(s, 'approvals'),
      tradingState: qualify(s, 'trading_state'),
      processedMessages: qualify(s, 'processed_messages'),
      tradeExperiences: qualify(s, 'trade_experiences'),
      denials: qualify(s, 'denials'),
      riskApprovals: qualify(s, 'risk_approvals'),
      displayedOrders: qualify(s, 'displayed_orders'),
      idempotencyKeys: qualify(s, 'idempotency_keys'),
      commands: qualify(s, 'commands'),
      commandResults: qualify(s, 'command_results'),
    };
    cache.set(ds, names);
  }
  return names;
}
