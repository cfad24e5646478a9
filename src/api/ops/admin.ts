import { listAudit } from '../../core/audit.js';
import type { Request } from 'express';
import { z } from 'zod';
import { redactConfig } from '../../core/config/redact-config.js';
import { SESSION_COOKIE, bearerToken } from './auth.js';
import { defineRoute, type OpsRoute } from './route.js';
import { AlertsResponseSchema, AuditPageSchema, ConfigResponseSchema, SessionSchema } from './schemas.js';

/** bull-board is the only consumer of the cookie: scoped to its path, unreadable by scripts. */
const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, path: '/admin/queues', secure: req.secure });

/** Who is calling, the session cookie for bull-board, the audit log, alerts and the config. */
export const adminRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/session',
    tag: 'session',
    role: 'viewer',
    summary: 'The name and role of the token presented',
    response: SessionSchema,
    handler: async ({ principal }) => principal!,
  }),
  defineRoute({
    method: 'post',
    path: '/session',
    tag: 'session',
    role: 'viewer',
    action: 'session.login',
    summary: 'Dashboard login: checks the token and sets the bull-board cookie',
    description: `Sets the HttpOnly, SameSite=Strict cookie ${SESSION_COOKIE} (path /admin/queues) holding the token, because bull-board's page cannot send an Authorization header. The ops API itself accepts only the Bearer header. Viewers get it too, so that bull-board answers them 403 naming the role it needs rather than asking them to log in.`,
    response: SessionSchema,
    async handler({ principal, req, res }) {
      res.cookie(SESSION_COOKIE, bearerToken(req)!, { ...cookieOptions(req), maxAge: 12 * 3600_000 });
      return principal!;
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/session',
    tag: 'session',
    role: 'viewer',
    action: 'session.logout',
    summary: 'Dashboard logout: clears the bull-board cookie',
    response: SessionSchema,
    async handler({ principal, req, res }) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return principal!;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/audit',
    tag: 'audit',
    role: 'viewer',
    summary: 'The audit log, newest first',
    query: z.object({
      actor: z.string().min(1).optional(),
      action: z.string().min(1).optional(),
      outcome: z.enum(['ok', 'refused', 'failed', 'dry-run']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      before: z.coerce.number().int().positive().optional().describe('Continue after this id (nextBefore of the previous page)'),
    }),
    response: AuditPageSchema,
    async handler({ deps, query }) {
      const items = await listAudit(deps.db, query);
      return { items, nextBefore: items.length === query.limit ? items.at(-1)!.id : null };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/alerts',
    tag: 'alerts',
    role: 'viewer',
    summary: 'Alert rules configured and the incidents open now',
    response: AlertsResponseSchema,
    async handler({ deps }) {
      const active = await deps.reads.stale.read('alerts', () => deps.alerts.active());
      return {
        rules: deps.alerts.rules(),
        notifying: deps.alerts.notifying,
        active: active.value ?? [],
        stale: active.stale,
        staleReason: active.reason,
        redisAsOf: active.asOf,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/config',
    tag: 'admin',
    role: 'admin',
    summary: 'The running configuration, every secret redacted',
    response: ConfigResponseSchema,
    async handler({ deps }) {
      // Redaction follows the schema marks and the values taken from the environment (see redactConfig).
      const shown = redactConfig(deps.config);
      return { ...shown, auth: { tokens: deps.config.auth.tokens.map((t) => ({ name: t.name, role: t.role })) } };
    },
  }),
];
