import type { NextFunction, Request, Response } from 'express';
import type { HubConfig } from '../core/config/load.js';
import { isLoopback } from '../core/config/exposure.js';
import { bearerToken, type TokenTable } from './ops/auth.js';
import { sendError } from './ops/errors.js';
import type { RefusalLog } from './refusals.js';

/**
 * Guards /metrics by `server.metricsAccess`. The caller's address is `req.ip`, which honours
 * `server.trustProxy`: behind a proxy on the same machine, set trustProxy, or every caller looks
 * local. Any configured API token (any role) may read metrics.
 */
export function metricsAccess(config: () => HubConfig, tokens: TokenTable, refusals: RefusalLog) {
  return (req: Request, res: Response, next: NextFunction) => {
    const mode = config().server.metricsAccess;
    if (mode === 'public') return next();
    const local = isLoopback(req.ip ?? req.socket.remoteAddress ?? '');
    if (mode === 'loopback-or-token' && local) return next();
    if (mode === 'loopback') {
      if (local) return next();
      refusals.refuse('metrics', 'not_loopback', req);
      return sendError(res, 403, 'forbidden', 'metrics are served to loopback callers only (server.metricsAccess: loopback)');
    }
    const presented = bearerToken(req);
    if (tokens.verify(presented)) return next();
    refusals.refuse('metrics', presented ? 'invalid_token' : 'no_token', req);
    return sendError(res, 401, 'unauthorized', 'send an API token as "Authorization: Bearer <token>" (server.metricsAccess)');
  };
}
