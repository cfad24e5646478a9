import { inboundBacklog } from '../../queues/inbox.js';
import { allQueueStats } from '../queue-stats.js';
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
      'Waiting, active, delayed and failed jobs, completions and final failures in the last minute and the age of the oldest waiting job for every queue; per connector, the inbound deliveries not yet processed and its outbound queue.',
    response: QueuesResponseSchema,
    async handler({ deps }) {
      const [queues, backlog] = await Promise.all([allQueueStats(deps.queues, deps.redis, deps.connectors), inboundBacklog(deps.db)]);
      return {
        at: new Date().toISOString(),
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
