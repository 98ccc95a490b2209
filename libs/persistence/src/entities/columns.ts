import type { ColumnOptions, PrimaryColumnOptions, ValueTransformer } from 'typeorm';

/*
 * Column options with the database type always spelled out: the entities must map the same
 * way whether or not the compiler emitted decorator metadata (tsc, SWC, esbuild differ).
 */

/**
 * Epoch milliseconds live in `bigint` columns; pg returns int8 as a string. Event times stay far
 * below 2^53, so a number is exact. (TypeORM's `parseInt8` would flip a process-wide pg default.)
 */
const epochMsTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};

export function textCol(name: string, nullable = false): ColumnOptions {
  return { name, type: 'text', nullable };
}

export function textKey(name: string): PrimaryColumnOptions {
  return { name, type: 'text', nullable: false };
}

/** Unconstrained `numeric`: exact, and pg hands the value back as the decimal string it stored. */
export function decimalCol(name: string, nullable = false): ColumnOptions {
  return { name, type: 'numeric', nullable };
}

export function epochMsCol(name: string, nullable = false): ColumnOptions {
  return { name, type: 'bigint', nullable, transformer: epochMsTransformer };
}

/** Scores and ratios that are not money (quality, threshold, R multiple). */
export function floatCol(name: string, nullable = false): ColumnOptions {
  return { name, type: 'double precision', nullable };
}

export function boolCol(name: string): ColumnOptions {
  return { name, type: 'boolean', nullable: false };
}

export function jsonbCol(name: string): ColumnOptions {
  return { name, type: 'jsonb', nullable: false };
}
