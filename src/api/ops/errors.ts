import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { HubError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { ReplayRequestError } from '../../queues/replay.js';
import { ReconcileRequestError } from '../../reconcile/approvals.js';

/** An error the API answers with its own status and a stable snake_case code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** `{ error: { code, message } }`, the one error shape of the ops API. */
export function sendError(res: Response, status: number, code: string, message: string, details?: Record<string, unknown>): void {
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}) } });
}

/** zod issues as one line each: `body.ids[0]: expected number`. */
export function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${where}${path}: ${i.message}`;
    })
    .join('; ');
}

/** Failures of a call to a channel, by the taxonomy's code: the API answers 502 (429 when the channel throttled) with the cause. */
const CHANNEL_FAILURES: Record<string, string> = {
  network_error: 'channel_unreachable',
  upstream_unavailable: 'channel_unavailable',
  auth_failed: 'channel_auth_failed',
  contract_rejected: 'channel_refused',
  not_found: 'channel_refused',
  rate_limited: 'channel_rate_limited',
};

/** Maps what body parsers and handlers throw to a status and code; never exposes a stack. */
export function classifyError(err: unknown): { status: number; code: string; message: string; details?: Record<string, unknown> } {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  // A channel the API called (a reconcile dry run, a re-sync) failed: say so and why, not "see the hub log".
  if (err instanceof HubError && CHANNEL_FAILURES[err.code]) {
    const retryAfterSeconds = err.retryAfterMs ? Math.ceil(err.retryAfterMs / 1000) : undefined;
    return {
      status: err.code === 'rate_limited' ? 429 : 502,
      code: CHANNEL_FAILURES[err.code]!,
      message: err.message,
      details: { cause: err.code, ...(err.connectorId ? { connectorId: err.connectorId } : {}), ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
    };
  }
  if (err instanceof ReplayRequestError) return { status: 400, code: 'invalid_request', message: err.message };
  if (err instanceof ReconcileRequestError) {
    const [status, code] = err.reason === 'not_found' ? [404, 'not_found'] : err.reason === 'conflict' ? [409, 'conflict'] : [400, 'invalid_request'];
    return { status, code, message: err.message };
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return { status: 413, code: 'too_large', message: 'request body exceeds the size limit' };
  if (e?.type === 'entity.parse.failed') return { status: 400, code: 'malformed_json', message: 'request body is not valid JSON' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: 'invalid_request', message: 'request could not be read' };
  }
  return { status: 500, code: 'internal_error', message: 'internal error; see the hub log' };
}

/** Last-resort handler for the whole app: a JSON error, logged, without a stack in the response. */
export function jsonErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const c = classifyError(err);
    if (c.status >= 500) logger.error({ err: (err as Error)?.message, path: req.path }, 'request failed');
    if (res.headersSent) return void res.end();
    if (c.status === 429 && typeof c.details?.['retryAfterSeconds'] === 'number') res.setHeader('Retry-After', String(c.details['retryAfterSeconds']));
    sendError(res, c.status, c.code, c.message, c.details);
  };
}
