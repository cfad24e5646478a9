import type { z } from 'zod';
import { ContractError } from '../../core/errors.js';
import type { FetchedDelivery } from '../types.js';
import type { QboClient } from './client.js';
import { readNotification } from './inbound/notification.js';
import { QboPaymentSchema, QboSalesTxnSchema } from './shapes.js';

/** Entities whose changes the hub records, and the normalizer topic of each one's read response. */
export const FETCHED_ENTITIES = {
  Invoice: { topic: 'invoice', schema: QboSalesTxnSchema },
  SalesReceipt: { topic: 'salesreceipt', schema: QboSalesTxnSchema },
  Payment: { topic: 'payment', schema: QboPaymentSchema },
} as const;

/**
 * Reads the entities a notification names (either format), once each after collapsing, and
 * returns their read responses as deliveries keyed by entity, id and SyncToken: a version seen in
 * an earlier notification is recorded once. Deleted and merged entities, entities the hub does
 * not record and entities gone by the time they are read are skipped. Credit memos are not read
 * back: the hub's own come from refunds it already has, and echoing them would count a refund twice.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export async function fetchNotified(client: QboClient, connectorId: string, body: unknown): Promise<FetchedDelivery[]> {
  const out: FetchedDelivery[] = [];
  for (const ref of readNotification(body, client.realmId, connectorId)) {
    const spec = FETCHED_ENTITIES[ref.entity as keyof typeof FETCHED_ENTITIES];
    if (!spec || ref.operation === 'Delete' || ref.operation === 'Merge') continue;
    let read;
    try {
      read = await client.read<{ SyncToken: string }>(ref.entity, ref.id, spec.schema as z.ZodType<{ SyncToken: string }>);
    } catch (err) {
      if (err instanceof ContractError && err.code === 'not_found') continue;
      throw err;
    }
    out.push({ topic: spec.topic, dedupKey: `${ref.entity}:${ref.id}:${read.entity.SyncToken}`, body: read.raw });
  }
  return out;
}
