import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ConnectorClient } from '../connectors/types.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import { failJob, type FailureTracked } from './failures.js';
import { recordDelivery } from './inbox.js';
import { RECONCILE_QUEUE } from './names.js';
import type { HubQueues } from './runtime.js';

export const POLL_ORDERS_JOB = 'poll-orders';

export interface PollJobData extends FailureTracked {
  connectorId: string;
}

async function readCursor(db: Db, connectorId: string, kind: string): Promise<string | null> {
  const { rows } = await db.query<{ cursor: string }>('SELECT cursor FROM connector_cursor WHERE connector_id = $1 AND kind = $2', [connectorId, kind]);
  return rows[0]?.cursor ?? null;
}

async function saveCursor(db: Db, connectorId: string, kind: string, cursor: string): Promise<void> {
  await db.query(
    `INSERT INTO connector_cursor (connector_id, kind, cursor) VALUES ($1, $2, $3)
     ON CONFLICT (connector_id, kind) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
    [connectorId, kind, cursor],
  );
}

/**
 * Backfill: reads orders changed since the saved cursor and feeds each one through the inbox like
 * a webhook, so it is deduplicated (same content, same key) and applied idempotently. The cursor
 * advances only after a page is recorded, so a crash re-reads rather than skips.
 */
export async function pollOrders(
  job: Job<PollJobData>,
  deps: { db: Db; client: ConnectorClient; queues: HubQueues; deadLetters: Queue; logger: Logger },
): Promise<{ orders: number; recorded: number }> {
  const { connectorId } = job.data;
  try {
    if (!deps.client.pollOrders) return { orders: 0, recorded: 0 };
    let orders = 0;
    let recorded = 0;
    for await (const page of deps.client.pollOrders(await readCursor(deps.db, connectorId, 'orders'))) {
      for (const order of page.orders) {
        orders += 1;
        const body = JSON.stringify(order);
        const topic = page.topic ?? 'orders/updated';
        const dedupKey = `poll:${createHash('sha256').update(body).digest('hex')}`;
        const r = await recordDelivery(deps.db, { connectorId, dedupKey, topic, body });
        if (r.duplicate) continue;
        recorded += 1;
        await deps.queues.enqueueInbound({ inboxId: r.id, connectorId, topic, body });
      }
      await saveCursor(deps.db, connectorId, 'orders', page.cursor);
      await job.updateProgress({ orders, recorded });
    }
    deps.logger.info({ connectorId, orders, recorded }, 'order backfill done');
    return { orders, recorded };
  } catch (err) {
    return failJob(job, err, { queue: RECONCILE_QUEUE, step: 'reconcile', connectorId }, deps.deadLetters);
  }
}
