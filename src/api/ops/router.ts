import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { audit, type AuditEntry } from '../../core/audit.js';
import { actorOf, bearerToken, hasRole, type Principal, type TokenTable } from './auth.js';
import { ApiError, classifyError, describeIssues, sendError } from './errors.js';
import { expressPath, type OpsDeps, type OpsRoute } from './route.js';
import type { RefusalLog } from '../refusals.js';

interface CallState {
  route: OpsRoute;
  /** Kept here: an error handler sees its own (empty) params, not the route's. */
  params: Record<string, string>;
  principal?: Principal;
}

const state = (res: Response): CallState => res.locals['ops'] as CallState;

/**
 * The ops API: per route, authenticate (Bearer token), authorize (role), parse the JSON body,
 * validate params/query/body with zod, run the handler. Mutating calls are audited with the
 * token name and outcome, refusals included; GETs are not. A caller without a valid token is
 * not an actor: it is counted and audited at a bounded rate by `refusals`.
 */
export function opsRouter(routes: readonly OpsRoute[], deps: OpsDeps, tokens: TokenTable, bodyLimit: string, refusals: RefusalLog): Router {
  const router = express.Router();
  const json = express.json({ limit: bodyLimit, type: () => true });

  const record = async (res: Response, outcome: AuditEntry['outcome'], details: Record<string, unknown>) => {
    const { route, principal, params } = state(res);
    if (route.method === 'get') return;
    let target: string | null = null;
    try {
      target = route.target && route.params ? route.target(route.params.parse(params)) : null;
    } catch {
      target = Object.values(params).join('/') || null;
    }
    await audit(deps.db, {
      actor: actorOf(principal),
      action: route.action!,
      target,
      outcome,
      details: { method: route.method.toUpperCase(), path: res.req.originalUrl.split('?')[0], ...details },
    }).catch((err: Error) => deps.logger.error({ err: err.message, action: route.action }, 'audit write failed'));
  };

  for (const route of routes) {
    const authorize = (req: Request, res: Response, next: NextFunction) => {
      res.locals['ops'] = { route, params: { ...req.params } as Record<string, string> } satisfies CallState;
      if (route.role === 'public') return next();
      const presented = bearerToken(req);
      const principal = tokens.verify(presented);
      if (!principal) {
        refusals.refuse('api', presented ? 'invalid_token' : 'no_token', req);
        return next(new ApiError(401, 'unauthorized', 'send a valid API token as "Authorization: Bearer <token>"'));
      }
      state(res).principal = principal;
      if (!hasRole(principal.role, route.role)) {
        return next(new ApiError(403, 'forbidden', `token "${principal.name}" has role ${principal.role}; this needs ${route.role}`));
      }
      next();
    };
    const handle = async (req: Request, res: Response) => {
      const parse = (where: string, schema: z.ZodType | undefined, value: unknown): never => {
        if (!schema) return undefined as never;
        const r = schema.safeParse(value);
        if (!r.success) throw new ApiError(400, 'invalid_request', describeIssues(where, r.error));
        return r.data as never;
      };
      const params = parse('params', route.params, req.params);
      const query = parse('query', route.query, req.query);
      const body = parse('body', route.body, route.method === 'get' ? undefined : req.body);
      const principal = state(res).principal;
      const result = await route.handler({ params, query, body, principal, actor: actorOf(principal), deps, req, res });
      if (!route.auditsItself) await record(res, 'ok', {});
      res.status(route.status ?? 200).json(result);
    };
    const chain = [authorize, ...(route.method === 'get' ? [] : [json]), handle];
    router[route.method](`/api${expressPath(route.path)}`, ...chain);
  }

  router.use('/api', (_req, _res, next) => next(new ApiError(404, 'not_found', 'no such API route; see /api/openapi.json')));

  router.use('/api', async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const c = classifyError(err);
    // Refusals and failures are audited even on routes whose domain call audits its successes.
    // Anonymous refusals were counted (and, within the budget, audited) where they happened.
    const anonymous = c.status === 401 && !res.locals['ops']?.principal;
    if (res.locals['ops'] && !anonymous) await record(res, c.status >= 500 ? 'failed' : 'refused', { status: c.status, code: c.code, message: c.message });
    if (c.status >= 500) deps.logger.error({ err: (err as Error)?.message, path: req.path }, 'ops request failed');
    sendError(res, c.status, c.code, c.message, c.details);
  });
  return router;
}
