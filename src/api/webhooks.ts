import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { HubError, InvalidSignatureError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import { recordDelivery } from '../queues/inbox.js';
import type { BoundConnector } from '../queues/bind.js';
import type { HubQueues } from '../queues/runtime.js';
import type { HubMetrics } from '../core/metrics.js';
import { parseJsonPreservingIds } from '../connectors/http/json.js';

export interface WebhookDeps {
  db: Db;
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  metrics: HubMetrics;
  logger: Logger;
  bodyLimit: string;
  /** Longest the ack waits for Redis; the inbox row is already durable, the sweeper enqueues it later. */
  enqueueTimeoutMs?: number;
}

function reject(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * `POST /webhooks/:connectorId`: verify with the connector's verifier, record durably and
 * deduplicated in the inbox, then acknowledge. Nothing is acknowledged before it is on disk.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  router.post(
    '/webhooks/:connectorId',
    express.raw({ type: () => true, limit: deps.bodyLimit }),
    async (req: Request<{ connectorId: string }>, res: Response) => {
      const { connectorId } = req.params;
      const entry = deps.connectors.get(connectorId);
      if (!entry?.receivesWebhooks) {
        deps.metrics.webhookRejections.inc({ connector: connectorId, reason: 'unknown_connector' });
        return reject(res, 404, 'unknown_connector', `no enabled connector "${connectorId}" receives webhooks`);
      }
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
      if (!entry.normalizer(delivery.topic) && !entry.fetchesTopic(delivery.topic)) {
        deps.metrics.webhookAcks.inc({ connector: connectorId, outcome: 'ignored' });
        return res.status(200).json({ status: 'ignored', topic: delivery.topic });
      }
      const recorded = await recordDelivery(deps.db, { connectorId, dedupKey: delivery.dedupKey, topic: delivery.topic, body });
      if (recorded.duplicate) {
        deps.metrics.webhookAcks.inc({ connector: connectorId, outcome: 'duplicate' });
        return res.status(200).json({ status: 'duplicate', id: recorded.id });
      }
      await enqueueWithin(
        deps.queues.enqueueInbound({ inboxId: recorded.id, connectorId, topic: delivery.topic, body }),
        deps.enqueueTimeoutMs ?? 1000,
      ).catch((err: Error) => deps.logger.warn({ connectorId, inboxId: recorded.id, err: err.message }, 'enqueue delayed; the inbox sweeper will enqueue it'));
      deps.metrics.webhookAcks.inc({ connector: connectorId, outcome: 'accepted' });
      return res.status(200).json({ status: 'accepted', id: recorded.id });
    },
  );
  // Body parser failures (too large, bad encoding) and anything unexpected: a JSON error, no stack.
  router.use('/webhooks/:connectorId', (err: { type?: string; status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const connector = String((req.params as { connectorId?: string }).connectorId ?? '');
    if (err.type === 'entity.too.large') {
      deps.metrics.webhookRejections.inc({ connector, reason: 'too_large' });
      return reject(res, 413, 'too_large', `body exceeds ${deps.bodyLimit}`);
    }
    deps.logger.error({ connectorId: connector, err: err.message }, 'webhook intake failed');
    deps.metrics.webhookRejections.inc({ connector, reason: 'unavailable' });
    return reject(res, err.status && err.status < 500 ? err.status : 503, 'unavailable', 'the delivery was not recorded; retry later');
  });
  return router;
}

function enqueueWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not enqueued within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
