import { LockTimeoutError } from '../errors.js';

/** SQLSTATEs that mean "try the transaction again": lock_not_available, serialization_failure, deadlock_detected. */
const RETRYABLE_SQLSTATES = new Set(['55P03', '40001', '40P01']);

/** Maps a driver error to the hub taxonomy: contention becomes a retryable LockTimeoutError. */
export function mapDbError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) {
    return new LockTimeoutError(`database contention (${code}): ${(err as Error).message}`, { cause: err });
  }
  return err;
}
