import { pushRoutes, relayAvailability, relayFulfillments } from '../../queues/outbound.js';
import { flowRoutes, relayFlow } from '../../queues/order-flow.js';
import type { Hub } from '../create-hub.js';

/**
 * Moves the ERP's outboxes (availability changes, fulfilments, order-to-cash steps) to the outbound queues every
 * coalescing window. Routes are computed from the config and bindings in force at each pass. A
 * connector with budgets (revisions per listing per day, feeds per hour) gets its changes through
 * the budget gate: routine ones wait for their slot, drops to zero go at once.
 */
export function outboxRelay(hub: Hub): { stop(): Promise<void> } {
  const { db, queues, logger } = hub;
  const gate = hub.budgets.gate(
    () => hub.connectors,
    (channel) => hub.current().channels.find((c) => c.id === channel)?.lowStockThreshold ?? 0,
  );
  let relaying = false;
  const pass = () => {
    if (relaying) return;
    relaying = true;
    const routes = pushRoutes(hub.current(), (id) => {
      const bound = hub.connectors.get(id);
      return bound?.pushes && bound.can('push.availability') ? { batchSize: bound.definition.pushBatchSize ?? 100 } : undefined;
    });
    Promise.all([
      relayAvailability(
        db,
        routes,
        (id, batches) => queues.enqueuePushes(id, batches),
        async (id) => Object.values(await queues.outbound(id).getJobCounts('wait', 'delayed', 'prioritized')).some((n) => n > 0),
        undefined,
        gate,
      ),
      relayFulfillments(db, (id, batches) => queues.enqueuePushes(id, batches)),
      relayFlow(db, flowRoutes(hub.current(), hub.connectors), (id, job, jobId) => queues.enqueuePushes(id, [job], () => jobId)),
    ])
      .catch((err: Error) => logger.warn({ err: err.message }, 'outbox relay failed; will try again'))
      .finally(() => {
        relaying = false;
      });
  };
  const timer = setInterval(pass, Math.max(hub.current().queues.coalesceMs, 50));
  return { stop: async () => clearInterval(timer) };
}
