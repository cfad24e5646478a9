import { inboundBacklog } from '../../queues/inbox.js';
import { defineRoute, type OpsRoute } from './route.js';
import { HistoryResponseSchema, QueuesResponseSchema } from './schemas.js';

/** Queue health: live counts and rates, and the sampled last hour for charts. */
export const queueRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/queues',
    tag: 'queues',
    role: 'viewer',
    summary: 'Queue health per queue and per connector',
    description:
      'Waiting, active, delayed and failed jobs, completions and final failures in the last minute and the age of the oldest waiting job for every queue; per connector, the inbound deliveries not yet processed and its outbound queue. When Redis does not answer within queues.opsTimeoutMs, the queue figures are the last good ones (or none) and stale is true; the inbound backlog comes from the database and stays current.',
    response: QueuesResponseSchema,
    async handler({ deps }) {
      const [read, backlog] = await Promise.all([deps.reads.queueStats(deps.connectors), inboundBacklog(deps.db)]);
      const queues = read.value ?? [];
      return {
        at: new Date().toISOString(),
        stale: read.stale,
        staleReason: read.reason,
        redisAsOf: read.asOf,
        queues,
        connectors: deps.config.connectors.map((c) => {
          const b = backlog.get(c.id);
          return {
            connector: c.id,
            inboundWaiting: b?.waiting ?? 0,
            oldestInboundWaitingAgeSeconds: b?.oldestAgeSeconds ?? null,
            outbound: queues.find((q) => q.kind === 'outbound' && q.connector === c.id) ?? null,
          };
        }),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/queues/history',
    tag: 'queues',
    role: 'viewer',
    summary: 'Throughput and latency over the last hour',
    description: 'Samples taken every intervalMs by this API process (an in-memory ring buffer of one hour; it starts empty when the process starts).',
    response: HistoryResponseSchema,
    async handler({ deps }) {
      return deps.history.snapshot();
    },
  }),
];
