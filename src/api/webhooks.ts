import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { HubError, InvalidSignatureError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BoundConnector } from '../queues/bind.js';
import type { GroupCommitter } from '../queues/group-commit.js';
import type { HubMetrics } from '../core/metrics.js';
import { parseJsonPreservingIds } from '../connectors/http/json.js';

export interface WebhookDeps {
  connectors: ReadonlyMap<string, BoundConnector>;
  metrics: HubMetrics;
  logger: Logger;
  bodyLimit: string;
  /** Records deliveries durably (group commit) and enqueues them. */
  intake: GroupCommitter;
}

function reject(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Bytes in a body limit such as `1mb`, `512kb` or `1048576` (the units body-parser understands). */
export function limitBytes(limit: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!m) throw new Error(`server.bodyLimit: "${limit}" is not a size like 1mb`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * unit);
}

/** A metric label for a connector id from a URL: only configured ids, so anonymous callers cannot add series. */
function label(deps: WebhookDeps, connectorId: string | undefined): string {
  return connectorId !== undefined && deps.connectors.has(connectorId) ? connectorId : 'unknown';
}

/** Body-parser errors that are the client's doing, and the bounded reason each is counted under. */
const CLIENT_ERRORS: Record<string, string> = {
  'request.aborted': 'aborted',
  'encoding.unsupported': 'bad_encoding',
  'charset.unsupported': 'bad_encoding',
  'request.size.invalid': 'bad_request',
  'stream.encoding.set': 'bad_request',
};

/**
 * `POST /webhooks/:connectorId`: find the connector BEFORE reading the body (unknown → 404, a
 * declared length over the limit → 413, neither reads a byte of it), verify with the connector's
 * verifier, record durably and deduplicated in the inbox (group commit), then acknowledge.
 * Nothing is acknowledged before it is on disk.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const maxBytes = limitBytes(deps.bodyLimit);
  const raw = express.raw({ type: () => true, limit: deps.bodyLimit });
  router.post(
    '/webhooks/:connectorId',
    (req: Request<{ connectorId: string }>, res: Response, next: NextFunction) => {
      const { connectorId } = req.params;
      const entry = deps.connectors.get(connectorId);
      if (!entry?.receivesWebhooks) {
        deps.metrics.webhookRejections.inc({ connector: label(deps, connectorId), reason: 'unknown_connector' });
        // The body stays unread: close the connection rather than drain it.
        res.set('connection', 'close');
        return reject(res, 404, 'unknown_connector', `no enabled connector "${connectorId}" receives webhooks`);
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        deps.metrics.webhookRejections.inc({ connector: connectorId, reason: 'too_large' });
        res.set('connection', 'close');
        return reject(res, 413, 'too_large', `body exceeds ${deps.bodyLimit}`);
      }
      next();
    },
    raw,
    async (req: Request<{ connectorId: string }>, res: Response) => {
      const { connectorId } = req.params;
      const entry = deps.connectors.get(connectorId);
      if (!entry) return reject(res, 404, 'unknown_connector', `no enabled connector "${connectorId}" receives webhooks`);
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const query: Record<string, string | undefined> = {};
      for (const [k, v] of new URL(req.originalUrl, 'http://hub').searchParams) query[k] ??= v;
      let delivery;
      try {
        delivery = await entry.verify({ headers, rawBody, query });
      } catch (err) {
        const signature = err instanceof InvalidSignatureError;
        const code = err instanceof HubError ? err.code : 'invalid_request';
        deps.metrics.webhookRejections.inc({ connector: connectorId, reason: code });
        deps.logger.warn({ connectorId, code }, 'webhook rejected at verification');
        return reject(res, signature ? 401 : 400, code, err instanceof HubError ? err.message : 'request could not be verified');
      }
      const body = rawBody.toString('utf8');
      try {
        // The workers' own parser (depth limit, duplicate keys): what is acknowledged here, they can read.
        parseJsonPreservingIds(body);
      } catch (err) {
        deps.metrics.webhookRejections.inc({ connector: connectorId, reason: 'malformed_json' });
        return reject(res, 400, 'malformed_json', `body is not JSON: ${(err as Error).message}`);
      }
      const fetches = entry.fetchesTopic(delivery.topic);
      if (!entry.normalizer(delivery.topic) && !fetches) {
        deps.metrics.webhookAcks.inc({ connector: connectorId, outcome: 'ignored' });
        return res.status(200).json({ status: 'ignored', topic: delivery.topic });
      }
      const recorded = await deps.intake.record({ connectorId, dedupKey: delivery.dedupKey, topic: delivery.topic, body, single: fetches });
      const outcome = recorded.duplicate ? 'duplicate' : 'accepted';
      deps.metrics.webhookAcks.inc({ connector: connectorId, outcome });
      return res.status(200).json({ status: outcome, id: recorded.id });
    },
  );
  // Body parser failures (too large, aborted, bad encoding) and anything unexpected: a JSON error, no stack.
  router.use('/webhooks/:connectorId', (err: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const connector = label(deps, (req.params as { connectorId?: string }).connectorId);
    if (err.type === 'entity.too.large') {
      deps.metrics.webhookRejections.inc({ connector, reason: 'too_large' });
      return reject(res, 413, 'too_large', `body exceeds ${deps.bodyLimit}`);
    }
    const clientReason = (err.type && CLIENT_ERRORS[err.type]) ?? (err.status && err.status < 500 ? 'bad_request' : undefined);
    if (clientReason) {
      // The sender's problem, not the hub's: no error log, a counter to see it by.
      deps.metrics.webhookClientErrors.inc({ reason: clientReason });
      deps.logger.debug({ connectorId: connector, reason: clientReason, err: err.message }, 'webhook request unreadable');
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
      if (!res.headersSent && !req.destroyed) reject(res, status, clientReason, 'the request could not be read');
      return;
    }
    deps.logger.error({ connectorId: connector, err: err.message }, 'webhook intake failed');
    deps.metrics.webhookRejections.inc({ connector, reason: 'unavailable' });
    return reject(res, 503, 'unavailable', 'the delivery was not recorded; retry later');
  });
  return router;
}
