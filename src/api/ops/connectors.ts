import { z } from 'zod';
import { outboundQueue } from '../../queues/names.js';
import { connectorStatuses } from '../connector-status.js';
import { hasOutboundQueue } from '../queue-stats.js';
import { ApiError } from './errors.js';
import { defineRoute, type OpsDeps, type OpsRoute } from './route.js';
import { ConnectorStatusSchema, ConnectorsResponseSchema } from './schemas.js';

const IdParam = z.object({ id: z.string().min(1) });
const WindowQuery = z.object({ windowMinutes: z.coerce.number().positive().max(7 * 24 * 60).default(60).describe('Window of the error rate') });

async function statusOf(deps: OpsDeps, id: string, windowMinutes = 60) {
  const status = (await connectorStatuses(deps, windowMinutes)).find((c) => c.id === id);
  if (!status) throw new ApiError(404, 'not_found', `no connector "${id}" in config`);
  return status;
}

/**
 * Pausing is BullMQ's queue pause: workers stop taking the connector's outbound jobs, which
 * keep accumulating. The flag lives in Redis, so it holds across hub restarts until resumed.
 */
function setPaused(paused: boolean) {
  return async ({ deps, params }: { deps: OpsDeps; params: { id: string } }) => {
    const connector = deps.connectors.get(params.id);
    if (!connector) throw new ApiError(404, 'not_found', `no enabled connector "${params.id}"`);
    if (!hasOutboundQueue(connector)) throw new ApiError(409, 'no_outbound_queue', `connector "${params.id}" pushes nothing, so it has no queue to ${paused ? 'pause' : 'resume'}`);
    const queue = deps.queues.get(outboundQueue(params.id));
    await (paused ? queue.pause() : queue.resume());
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
    query: WindowQuery,
    response: ConnectorsResponseSchema,
    async handler({ deps, query }) {
      return { connectors: await connectorStatuses(deps, query.windowMinutes) };
    },
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
    params: IdParam,
    response: ConnectorStatusSchema,
    handler: setPaused(false),
  }),
];
