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
import { actorOf, bearerToken, cookieToken, hasRole, type Principal, type TokenTable } from './ops/auth.js';
import { sendError } from './ops/errors.js';
import { topology } from './queue-stats.js';
import type { RefusalLog } from './refusals.js';
import { redactPayload } from './redact-payload.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Board actions refused to everyone: adding a job or editing a job's data writes work that never
 * passed a signature check, the inbox or the dead-letter queue (the ledger would move on an
 * unsigned, unrecorded event); obliterating a queue destroys work in flight. Fixes go through the
 * dead-letter API (replay with edits, discard), which validates and audits them.
 */
const FORBIDDEN: { method: string; path: RegExp; why: string }[] = [
  { method: 'POST', path: /\/api\/queues\/[^/]+\/add$/, why: 'adding jobs by hand bypasses signature checks, the inbox and dead letters' },
  {
    method: 'PATCH',
    path: /\/api\/queues\/[^/]+\/[^/]+\/update-data$/,
    why: "editing a job's data bypasses validation; replay the dead letter with edits instead",
  },
  { method: 'PATCH', path: /\/api\/queues\/[^/]+\/job-schedulers\/[^/]+$/, why: "editing a scheduler's job data bypasses validation" },
  { method: 'PUT', path: /\/api\/queues\/[^/]+\/obliterate$/, why: 'obliterating a queue destroys work in flight' },
];

export interface BullBoardDeps {
  /** Queues on a connection that fails fast when Redis is down (the board then answers an error instead of hanging). */
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  tokens: TokenTable;
  db: Db;
  logger: Logger;
  refusals: RefusalLog;
  /** Longest a board request may wait on Redis before it is answered 503. */
  timeoutMs: number;
}

function board(deps: BullBoardDeps, readOnlyMode: boolean): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    // A retry here that fails again updates the open dead letter; one that goes through closes it (src/hub/workers/inbound.ts).
    queues: topology(deps.connectors).map(
      (q) =>
        new BullMQAdapter(deps.queues.get(q.name), {
          readOnlyMode,
          description: 'Dead letters, grouped by cause, with dry run and bulk replay: the dashboard (/dashboard/#dead-letters)',
        }),
    ),
    serverAdapter: adapter,
    options: {
      uiConfig: {
        boardTitle: readOnlyMode ? 'commerce-hub (read-only)' : 'commerce-hub (admin)',
        hideDocsLink: true,
        miscLinks: [{ text: 'Operations dashboard', url: '/dashboard/' }],
      },
    },
  });
  return adapter.getRouter() as Router;
}

/** Answers 503 when the board has not answered within `ms`; a late answer is dropped. */
function answerWithin(ms: number) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      sendError(res, 503, 'redis_unavailable', `Redis did not answer within ${ms} ms; try again`);
      const drop = () => res;
      Object.assign(res, { status: drop, json: drop, send: drop, render: drop });
    }, ms);
    res.on('close', () => clearTimeout(timer));
    next();
  };
}

/**
 * bull-board at /admin/queues. Operators get it read-only (bull-board's own read-only mode), and
 * admins a board that can act, where each action is audited with its payload; adding or editing
 * jobs and obliterating queues are refused to everyone (see FORBIDDEN). Viewers are refused: the
 * board shows raw job data, personal data included, which viewers see only masked on the
 * dead-letter page. The page cannot send an Authorization header, so the HttpOnly cookie the
 * dashboard login sets is accepted too.
 */
export function bullBoardRouter(deps: BullBoardDeps): Router {
  const readOnly = board(deps, true);
  const admin = board(deps, false);
  const router = express.Router();

  const auditAction = (req: Request, res: Response, principal: Principal, forbidden?: string) => {
    const outcome = forbidden ? 'refused' : res.statusCode < 400 ? 'ok' : res.statusCode >= 500 ? 'failed' : 'refused';
    const details = {
      method: req.method,
      status: res.statusCode,
      body: redactPayload(req.body ?? null),
      ...(forbidden ? { reason: forbidden } : {}),
      // A command Redis did not answer in time may still run when it does: say so rather than "failed".
      ...(res.statusCode === 503 ? { note: 'Redis did not answer in time; the action may still take effect when it does' } : {}),
    };
    audit(deps.db, { actor: actorOf(principal), action: 'bull-board', target: req.originalUrl.split('?')[0]!.slice(0, 200), outcome, details }).catch(
      (err: Error) => deps.logger.error({ err: err.message }, 'audit write failed'),
    );
  };

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
    answerWithin(deps.timeoutMs),
    express.json({ limit: '256kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      const presented = bearerToken(req) ?? cookieToken(req);
      const principal = deps.tokens.verify(presented);
      if (!principal) {
        deps.refusals.refuse('bull-board', presented ? 'invalid_token' : 'no_token', req);
        return sendError(res, 401, 'unauthorized', 'log in on the dashboard (/dashboard/) with an operator token first');
      }
      if (!hasRole(principal.role, 'operator')) {
        return sendError(
          res,
          403,
          'forbidden',
          `token "${principal.name}" has role ${principal.role}; bull-board shows raw job data and needs operator (the dead-letter page shows it masked)`,
        );
      }
      const mutating = req.method !== 'GET' && req.method !== 'HEAD';
      if (!mutating) return (hasRole(principal.role, 'admin') ? admin : readOnly)(req, res, next);
      if (!hasRole(principal.role, 'admin')) {
        auditAction(req, Object.assign(res, { statusCode: 403 }), principal, 'bull-board is read-only for operators');
        return sendError(
          res,
          403,
          'read_only',
          `bull-board is read-only for ${principal.role}s; replay or discard dead letters through the dashboard or /api/dead-letters (audited)`,
        );
      }
      const forbidden = FORBIDDEN.find((f) => f.method === req.method && f.path.test(req.path));
      if (forbidden) {
        auditAction(req, Object.assign(res, { statusCode: 403 }), principal, forbidden.why);
        return sendError(res, 403, 'forbidden_action', `refused: ${forbidden.why}`);
      }
      res.on('finish', () => auditAction(req, res, principal));
      return admin(req, res, next);
    },
  );
  return router;
}
