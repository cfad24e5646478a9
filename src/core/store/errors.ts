import { LockTimeoutError, ValidationError } from '../errors.js';

/** SQLSTATEs that mean "try the transaction again": lock_not_available, serialization_failure, deadlock_detected. */
const RETRYABLE_SQLSTATES = new Set(['55P03', '40001', '40P01']);

/**
 * SQLSTATEs that mean "this value can never be stored", however often it is tried: class 22 (data
 * exception: 22003 numeric_value_out_of_range, 22001 string too long, 22021/22P05 a NUL or invalid
 * character, 22008 datetime overflow, ...), 23514 check_violation and 54000 program_limit_exceeded
 * (an index row too large). Retrying them would only delay the dead letter.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
function isPermanentDataError(code: string): boolean {
  return code.startsWith('22') || code === '23514' || code === '54000';
}

/**
 * Maps a driver error to the hub taxonomy: contention becomes a retryable LockTimeoutError, a value
 * the database cannot hold a permanent ValidationError (its message is the database's, which names
 * the type or constraint, never the value).
 */
export function mapDbError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (RETRYABLE_SQLSTATES.has(code)) {
    return new LockTimeoutError(`database contention (${code}): ${(err as Error).message}`, { cause: err });
  }
  if (isPermanentDataError(code)) {
    // Some messages quote the offending input (`invalid input syntax for type integer: "…"`); it stays out.
    const message = String((err as Error).message).replace(/:\s*".*"\s*$/s, '');
    return new ValidationError(`the database refused a value (SQLSTATE ${code}): ${message}`, { field: 'data', cause: err });
  }
  return err;
}
