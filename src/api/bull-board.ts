import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import { audit } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import type { BoundConnector } from '../queues/bind.js';
import type { HubQueues } from '../queues/runtime.js';
import { actorOf, bearerToken, cookieToken, hasRole, type TokenTable } from './ops/auth.js';
import { sendError } from './ops/errors.js';
import { topology } from './queue-stats.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues for operators. Its page cannot send an Authorization header, so it
 * accepts the token from the HttpOnly cookie the dashboard login sets (or a Bearer header, for
 * scripts). What it changes (retry, clean, pause, ...) bypasses the ops API, so every non-GET
 * request is written to the audit log here, with the token name and the HTTP outcome.
 */
export function bullBoardRouter(deps: { queues: HubQueues; connectors: ReadonlyMap<string, BoundConnector>; tokens: TokenTable; db: Db; logger: Logger }): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: topology(deps.connectors).map((q) => new BullMQAdapter(deps.queues.get(q.name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'commerce-hub', hideDocsLink: true, miscLinks: [{ text: 'Operations dashboard', url: '/dashboard/' }] } },
  });

  const router = express.Router();
  router.use(
    BULL_BOARD_PATH,
    // Its page uses inline styles and a web font stylesheet; scripts stay same-origin only.
    helmet({
      contentSecurityPolicy: {
        directives: {
          'style-src': ["'self'", "'unsafe-inline'", 'https:'],
          'font-src': ["'self'", 'https:', 'data:'],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': null,
        },
      },
    }),
    (req: Request, res: Response, next: NextFunction) => {
      const principal = deps.tokens.verify(bearerToken(req) ?? cookieToken(req));
      const mutating = req.method !== 'GET' && req.method !== 'HEAD';
      if (mutating) {
        res.on('finish', () => {
          const outcome = res.statusCode < 400 ? 'ok' : res.statusCode >= 500 ? 'failed' : 'refused';
          audit(deps.db, { actor: actorOf(principal), action: 'bull-board', target: req.originalUrl.split('?')[0] ?? null, outcome, details: { method: req.method, status: res.statusCode } }).catch(
            (err: Error) => deps.logger.error({ err: err.message }, 'audit write failed'),
          );
        });
      }
      if (!principal) return sendError(res, 401, 'unauthorized', 'log in on the dashboard (/dashboard/) with an operator token first');
      if (!hasRole(principal.role, 'operator')) return sendError(res, 403, 'forbidden', `token "${principal.name}" has role ${principal.role}; bull-board needs operator`);
      next();
    },
    adapter.getRouter() as Router,
  );
  return router;
}
