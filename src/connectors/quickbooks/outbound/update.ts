import { createHash } from 'node:crypto';
import { ContractError } from '../../../core/errors.js';
import { type QboClient, QBO_STALE_OBJECT, QboFaultError } from '../client.js';
import { stringifyQboJson } from '../money.js';
import { QboSalesTxnSchema, type QboSalesTxn } from '../shapes.js';

/**
 * A sparse update under optimistic locking: read the entity for its SyncToken, send the patch
 * with it; a stale token (5010: someone changed the entity in between) re-reads and tries again,
 * up to `retries` times, then fails with a ContractError saying so. The requestid covers the
 * patch and the SyncToken it was based on, so a resend is the same request.
 * https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features (SyncToken, sparse update)
 */
export async function updateWithSyncToken(
  client: QboClient,
  connectorId: string,
  entity: 'Invoice' | 'SalesReceipt' | 'CreditMemo',
  id: string,
  patch: Record<string, unknown>,
  retries: number,
): Promise<QboSalesTxn> {
  const digest = createHash('sha256').update(stringifyQboJson(patch)).digest('hex').slice(0, 16);
  for (let attempt = 0; ; attempt += 1) {
    const { entity: current } = await client.read(entity, id, QboSalesTxnSchema);
    try {
      const requestId = `upd-${entity}-${id}-${current.SyncToken}-${digest}`.slice(0, 50);
      const { entity: updated } = await client.write(entity, { ...patch, Id: id, SyncToken: current.SyncToken, sparse: true }, requestId, QboSalesTxnSchema);
      return updated;
    } catch (err) {
      if (!(err instanceof QboFaultError && err.faultCode === QBO_STALE_OBJECT)) throw err;
      if (attempt >= retries) {
        throw new ContractError(`${connectorId}: ${entity} ${id} kept changing in QuickBooks (stale SyncToken after ${attempt + 1} tries); not updated`, {
          connectorId,
          field: 'SyncToken',
        });
      }
    }
  }
}

/** Ship date and tracking number on a booked invoice or sales receipt. */
export function recordShipment(
  client: QboClient,
  connectorId: string,
  document: { kind: 'Invoice' | 'SalesReceipt'; externalId: string },
  shipment: { shippedAt: string; trackingNumber?: string },
  retries: number,
): Promise<QboSalesTxn> {
  const patch = { ShipDate: shipment.shippedAt.slice(0, 10), ...(shipment.trackingNumber ? { TrackingNum: shipment.trackingNumber } : {}) };
  return updateWithSyncToken(client, connectorId, document.kind, document.externalId, patch, retries);
}
