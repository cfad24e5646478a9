import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { outboundQueue } from '../../queues/names.js';
import { connectorStatuses } from '../connector-status.js';
import { hasOutboundQueue } from '../queue-stats.js';
import { within } from '../stale.js';
import { ApiError } from './errors.js';
import { defineRoute, type OpsDeps, type OpsRoute } from './route.js';
import { checkConnectors, setupConnector } from '../../hub/onboard.js';
import { ConnectorCheckSchema, ConnectorStatusSchema, ConnectorsResponseSchema, SetupReportSchema } from './schemas.js';

const IdParam = z.object({ id: z.string().min(1) });
const WindowQuery = z.object({
  windowMinutes: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60)
    .describe('Window of the error rate'),
});

/** Statuses with the outbound queues' paused flags read through the fail-fast Redis (last known ones when it does not answer). */
async function statuses(deps: OpsDeps, windowMinutes: number) {
  const paused = await deps.reads.pausedStates(deps.connectors);
  const list = await connectorStatuses(deps, windowMinutes, paused.value ?? new Map());
  return { connectors: list, stale: paused.stale, staleReason: paused.reason, redisAsOf: paused.asOf };
}

async function statusOf(deps: OpsDeps, id: string, windowMinutes = 60) {
  const status = (await statuses(deps, windowMinutes)).connectors.find((c) => c.id === id);
  if (!status) throw new ApiError(404, 'not_found', `no connector "${id}" in config`);
  return status;
}

/**
 * After a pause or resume Redis did not confirm in time, looks again for a while: a command that
 * reached Redis may still have run. If it did, the audit log says so (the API answered 503).
 */
function followUp(deps: OpsDeps, id: string, paused: boolean, actor: string): void {
  let tries = 0;
  const timer = setInterval(() => {
    tries += 1;
    within(deps.reads.queues.get(outboundQueue(id)).isPaused(), deps.reads.timeoutMs, 'Redis')
      .then(async (now) => {
        clearInterval(timer);
        if (now !== paused) return;
        await audit(deps.db, {
          actor,
          action: paused ? 'connector.pause' : 'connector.resume',
          target: `connector:${id}`,
          outcome: 'ok',
          details: { late: true, note: 'took effect after the API had answered 503 (Redis answered late)' },
        });
      })
      .catch(() => {
        if (tries >= 12) clearInterval(timer);
      });
  }, 5000);
  timer.unref();
}

/**
 * Pausing is BullMQ's queue pause: workers stop taking the connector's outbound jobs, which
 * keep accumulating. The flag lives in Redis, so it holds across hub restarts until resumed.
 * The command goes through a connection that never queues it for later: when Redis does not
 * answer in time the call fails (503) and is audited as failed.
 */
function setPaused(paused: boolean) {
  return async ({ deps, params, actor }: { deps: OpsDeps; params: { id: string }; actor: string }) => {
    const connector = deps.connectors.get(params.id);
    if (!connector) throw new ApiError(404, 'not_found', `no enabled connector "${params.id}"`);
    if (!hasOutboundQueue(connector))
      throw new ApiError(409, 'no_outbound_queue', `connector "${params.id}" pushes nothing, so it has no queue to ${paused ? 'pause' : 'resume'}`);
    const queue = deps.reads.queues.get(outboundQueue(params.id));
    let abandoned = false;
    const command = (async () => {
      await queue.waitUntilReady();
      // Given up on while Redis was unreachable: never sent afterwards.
      if (abandoned) throw new Error('abandoned');
      await (paused ? queue.pause() : queue.resume());
    })();
    try {
      await within(command, deps.reads.timeoutMs, 'Redis');
    } catch (err) {
      abandoned = true;
      followUp(deps, params.id, paused, actor);
      throw new ApiError(
        503,
        'redis_unavailable',
        `${(err as Error).message}; the queue was not ${paused ? 'paused' : 'resumed'} (check GET /api/connectors/${params.id} later)`,
      );
    }
    deps.logger.info({ connectorId: params.id }, paused ? 'connector outbound queue paused' : 'connector outbound queue resumed');
    return statusOf(deps, params.id);
  };
}

/** Connector status, last success, error rate; pause and resume of their outbound queues. */
export const connectorRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/connectors',
    tag: 'connectors',
    role: 'viewer',
    summary: 'Every configured connector with its status, last success and error rate',
    description: 'When Redis does not answer in time, paused flags are the last known ones (or null) and stale is true.',
    query: WindowQuery,
    response: ConnectorsResponseSchema,
    handler: ({ deps, query }) => statuses(deps, query.windowMinutes),
  }),
  defineRoute({
    method: 'get',
    path: '/connectors/{id}',
    tag: 'connectors',
    role: 'viewer',
    summary: 'One connector with its status, last success and error rate',
    params: IdParam,
    query: WindowQuery,
    response: ConnectorStatusSchema,
    handler: ({ deps, params, query }) => statusOf(deps, params.id, query.windowMinutes),
  }),
  defineRoute({
    method: 'post',
    path: '/connectors/{id}/pause',
    tag: 'connectors',
    role: 'operator',
    action: 'connector.pause',
    target: (p) => `connector:${p.id}`,
    summary: "Pause a connector's outbound queue (kept across restarts)",
    description:
      'Answers 503 when Redis does not answer within queues.opsTimeoutMs; the pause is then not sent later (if Redis had received it and runs it late, the audit log records that).',
    errors: { 409: 'The connector pushes nothing, so it has no outbound queue', 503: 'Redis did not answer within queues.opsTimeoutMs' },
    params: IdParam,
    response: ConnectorStatusSchema,
    handler: setPaused(true),
  }),
  defineRoute({
    method: 'post',
    path: '/connectors/{id}/resume',
    tag: 'connectors',
    role: 'operator',
    action: 'connector.resume',
    target: (p) => `connector:${p.id}`,
    summary: "Resume a connector's outbound queue",
    errors: { 409: 'The connector pushes nothing, so it has no outbound queue', 503: 'Redis did not answer within queues.opsTimeoutMs' },
    params: IdParam,
    response: ConnectorStatusSchema,
    handler: setPaused(false),
  }),
  defineRoute({
    method: 'post',
    path: '/connectors/{id}/check',
    tag: 'connectors',
    role: 'operator',
    action: 'connector.check',
    target: (p) => `connector:${p.id}`,
    summary: "Probe a connector's credentials and endpoint with one authenticated read",
    description: 'A failed probe answers 200 with `ok: false` and the reason: the probe ran, the channel said no.',
    params: IdParam,
    response: ConnectorCheckSchema,
    async handler({ deps, params }) {
      if (!deps.connectors.get(params.id)?.client()) throw new ApiError(404, 'not_found', `no enabled connector "${params.id}" with a client`);
      const [result] = await checkConnectors(deps, [params.id]);
      return result!;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/connectors/{id}/setup',
    tag: 'connectors',
    role: 'admin',
    action: 'connector.setup',
    target: (p) => `connector:${p.id}`,
    summary: 'Onboard a store: catalogue through the intake, levels into drift for review, webhook subscriptions; safe to repeat',
    description:
      'Checks the connector, reads its catalogue through the bulk export and feeds it through the normal intake, waits for the workers to apply it, ' +
      'reads current levels into drift (report only, nothing healed), and subscribes `server.publicUrl`/webhooks/{id} to its topics. Steps that cannot run are listed in `notes`.',
    errors: {
      409: 'The connector type has no setup (no catalogue export, no webhook registration)',
      429: 'The channel throttled a call; Retry-After says when to try again',
      502: 'The channel could not be reached or refused a call; the message says which and why',
    },
    params: IdParam,
    response: SetupReportSchema,
    async handler({ deps, params }) {
      const bound = deps.connectors.get(params.id);
      if (!bound?.client()) throw new ApiError(404, 'not_found', `no enabled connector "${params.id}" with a client`);
      const client = bound.client()!;
      if (!client.readCatalog && !client.registerWebhooks)
        throw new ApiError(409, 'no_setup', `connector type ${bound.definition.type} has no setup (no catalogue export, no webhook registration)`);
      return setupConnector(deps, params.id, { trigger: 'manual' });
    },
  }),
];
