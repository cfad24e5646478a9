import { pushRoutes, relayAvailability, relayFulfillments } from '../../queues/outbound.js';
import { flowRoutes, relayFlow } from '../../queues/order-flow.js';
import type { Hub } from '../create-hub.js';
import type { WorkerOptions } from './common.js';

/** Default of the relay's safety poll when outbox writes wake it (budget-held changes wait for a poll). */
export const RELAY_SAFETY_POLL_MS = 5000;

/**
 * Moves the ERP's outboxes (availability changes, fulfilments, order-to-cash steps) to the outbound queues.
 * An outbox write wakes it (`NOTIFY hub_outbox`, migration 0018); the pass runs one coalescing window
 * later so that the changes of that window go out together. A slow safety poll catches what no
 * notification announces (budget slots freeing up, a lost listening connection); a database that
 * cannot listen is polled every coalescing window instead. Routes are computed from the config and bindings in force at each pass. A
 * connector with budgets (revisions per listing per day, feeds per hour) gets its changes through
 * the budget gate: routine ones wait for their slot, drops to zero go at once.
 */
export async function outboxRelay(hub: Hub, options: Pick<WorkerOptions, 'relaySafetyPollMs'> = {}): Promise<{ stop(): Promise<void> }> {
  const { db, queues, logger } = hub;
  const gate = hub.budgets.gate(
    () => hub.connectors,
    (channel) => hub.current().channels.find((c) => c.id === channel)?.lowStockThreshold ?? 0,
  );
  let relaying = false;
  // A wake-up during a pass may announce rows that pass did not read: it runs once more after.
  let again = false;
  const pass = () => {
    if (relaying) {
      again = true;
      return;
    }
    relaying = true;
    again = false;
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
        if (again) wake();
      });
  };
  const windowMs = () => Math.max(hub.current().queues.coalesceMs, 50);
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;
  const wake = () => {
    if (stopped) return;
    pending ??= setTimeout(() => {
      pending = undefined;
      pass();
    }, windowMs());
  };
  const unlisten = await db.listen?.('hub_outbox', wake).catch((err: Error) => {
    logger.warn({ err: err.message }, 'outbox notifications unavailable; the relay polls every coalescing window');
    return undefined;
  });
  const timer = setInterval(pass, unlisten ? (options.relaySafetyPollMs ?? RELAY_SAFETY_POLL_MS) : windowMs());
  // Rows written while the relay was down were announced to nobody.
  wake();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(pending);
      await unlisten?.();
    },
  };
}
