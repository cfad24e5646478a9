/**
 * The error taxonomy shared by every layer. Queues only ask `err.retryable`:
 * retryable errors are retried with backoff, permanent ones go to the dead-letter queue at once.
 */

/** Stable, documented error codes (they appear in the dead-letter queue, the API and metrics). */
export type ErrorCode =
  | 'invalid_signature'
  | 'stale_delivery'
  | 'missing_field'
  | 'invalid_value'
  | 'unknown_sku'
  | 'unmapped_location'
  | 'unmapped_status'
  | 'unmapped_value'
  | 'contract_rejected'
  | 'not_found'
  | 'auth_failed'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'network_error'
  | 'lock_timeout'
  | 'database_unavailable'
  | 'dependency_missing'
  | 'illegal_transition'
  | 'invalid_config'
  | 'unexpected';

export interface HubErrorOptions {
  connectorId?: string;
  step?: string;
  /** Dotted path of the offending field, e.g. `lines[1].sku`. */
  field?: string;
  /** The offending value; callers pass nothing for secret fields. */
  value?: unknown;
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class HubError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retryable: boolean;
  readonly connectorId?: string;
  readonly step?: string;
  readonly field?: string;
  readonly value?: unknown;
  readonly retryAfterMs?: number;

  constructor(message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.connectorId = options.connectorId;
    this.step = options.step;
    this.field = options.field;
    this.value = options.value;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The stable shape stored in dead-letter entries and returned by the API. */
  toJSON(): Record<string, unknown> {
    return {
      errorClass: this.name,
      code: this.code,
      retryable: this.retryable,
      message: this.message,
      connectorId: this.connectorId,
      step: this.step,
      field: this.field,
      value: this.value,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export abstract class RetryableError extends HubError {
  readonly retryable = true;
}

export abstract class PermanentError extends HubError {
  readonly retryable = false;
}

export class NetworkError extends RetryableError {
  readonly code = 'network_error';
}
export class UpstreamUnavailableError extends RetryableError {
  readonly code = 'upstream_unavailable';
}
export class RateLimitedError extends RetryableError {
  readonly code = 'rate_limited';
}
export class LockTimeoutError extends RetryableError {
  readonly code = 'lock_timeout';
}
/** The database did not answer in time (a stalled server or network) or dropped the connection. */
export class DatabaseUnavailableError extends RetryableError {
  readonly code = 'database_unavailable';
}
/**
 * An event refers to something the hub has not received yet (a shipment for an order whose webhook
 * is still on its way). Retried with backoff; dead-lettered with this reason if it never arrives.
 */
export class DependencyMissingError extends RetryableError {
  readonly code = 'dependency_missing';
}

export class ValidationError extends PermanentError {
  readonly code: 'missing_field' | 'invalid_value';
  constructor(message: string, options: HubErrorOptions & { code?: 'missing_field' | 'invalid_value' } = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_value';
  }
}

export interface MappingIssue {
  code: 'unknown_sku' | 'unmapped_location' | 'unmapped_status' | 'unmapped_value' | 'invalid_value' | 'missing_field';
  field: string;
  value?: unknown;
  message: string;
}

/** A mapping failure; carries every issue found, not only the first. */
export class MappingError extends PermanentError {
  readonly code: MappingIssue['code'];
  readonly issues: MappingIssue[];
  constructor(issues: MappingIssue[], options: HubErrorOptions = {}) {
    const first = issues[0];
    if (!first) throw new Error('MappingError needs at least one issue');
    const prefix = options.connectorId ? `${options.connectorId}: ` : '';
    super(prefix + issues.map((i) => i.message).join('; '), { field: first.field, value: first.value, ...options });
    this.code = first.code;
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export class ContractError extends PermanentError {
  readonly code: 'contract_rejected' | 'not_found';
  constructor(message: string, options: HubErrorOptions & { code?: 'contract_rejected' | 'not_found' } = {}) {
    super(message, options);
    this.code = options.code ?? 'contract_rejected';
  }
}
export class AuthError extends PermanentError {
  readonly code = 'auth_failed';
}
export class InvalidSignatureError extends PermanentError {
  readonly code = 'invalid_signature';
}
/** A signed delivery whose own timestamp is too old to be a retry, or in the future: a replay or a broken clock; refused at ingress. */
export class StaleDeliveryError extends PermanentError {
  readonly code = 'stale_delivery';
}
export class IllegalTransitionError extends PermanentError {
  readonly code = 'illegal_transition';
}

/** A configuration that cannot be used; raised at boot or reload, never as a job failure. */
export class ConfigError extends PermanentError {
  readonly code = 'invalid_config';
  readonly problems: { path: string; message: string }[];
  constructor(message: string, problems: { path: string; message: string }[] = []) {
    super(message);
    this.problems = problems;
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof HubError ? err.retryable : true;
}
