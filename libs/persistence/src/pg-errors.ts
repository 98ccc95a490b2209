/** SQLSTATEs a transaction may be retried on: nothing was committed and a rerun can succeed. */
export const SERIALIZATION_FAILURE = '40001';
export const DEADLOCK_DETECTED = '40P01';

/** The SQLSTATE of a pg error, whether raw or wrapped in TypeORM's QueryFailedError. */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryableTransactionError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}
