import { createHash } from 'node:crypto';
import type { ChannelOrderPayload } from '../connectors/types.js';
import { getInboxRow, recordDelivery } from '../queues/inbox.js';
import type { ReconcileDeps } from './types.js';

/** What became of one backfilled order: its inbox row, and whether that content was recorded before. */
export interface BackfillResult {
  externalOrderId: string;
  inboxId: number;
  duplicate: boolean;
  /** The inbox row's status: `dead` means this very content already failed (see the dead-letter queue). */
  status: 'received' | 'processed' | 'dead';
}

/**
 * Feeds full channel orders through the normal intake: each is recorded in the inbox like a
 * webhook (deduplicated by content, so the same order state is recorded once however often it is
 * backfilled) and enqueued for the inbound worker, which normalizes and applies it idempotently.
 */
export async function backfillOrders(
  deps: Pick<ReconcileDeps, 'db' | 'queues'>,
  connectorId: string,
  payloads: readonly ChannelOrderPayload[],
): Promise<BackfillResult[]> {
  const out: BackfillResult[] = [];
  for (const p of payloads) {
    const body = JSON.stringify(p.body);
    const dedupKey = `reconcile:${createHash('sha256').update(body).digest('hex')}`;
    const recorded = await recordDelivery(deps.db, { connectorId, dedupKey, topic: p.topic, body });
    // Without queues (a CLI without Redis) the inbox sweeper of the workers picks the row up.
    if (!recorded.duplicate) await deps.queues?.enqueueInbound({ inboxId: recorded.id, connectorId, topic: p.topic, body });
    const status = recorded.duplicate ? ((await getInboxRow(deps.db, recorded.id))?.status ?? 'received') : 'received';
    out.push({ externalOrderId: p.externalOrderId, inboxId: recorded.id, duplicate: recorded.duplicate, status });
  }
  return out;
}
