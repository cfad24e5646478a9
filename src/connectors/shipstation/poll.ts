import { checkInstantCursor } from '../http/poll-cursor.js';
import type { ShipStationClient } from './client.js';
import type { ShipStationSettings } from './config.js';
import { localToUtc, utcToLocal } from './dates.js';
import { SHIPMENTS_TOPIC } from './inbound/shipments.js';
import { ShipStationShipmentsPageSchema } from './shapes.js';

/** Without a cursor, the backfill starts this far back. */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

// List Shipments takes up to 500 per page; 100 keeps one response small.
const PAGE_SIZE = 100;

/**
 * Backfill over GET /shipments: labels created at or after `cursor`, oldest first, with their
 * items. Each shipment is yielded as a one-shipment page (the `shipments` topic's shape), so one
 * bad shipment fails alone and an unchanged shipment read again is a duplicate delivery. The
 * bound is inclusive; the cursor is the newest createDate seen, in UTC.
 * https://www.shipstation.com/docs/api/shipments/list/
 */
export async function* pollShipmentsSince(
  client: ShipStationClient,
  settings: ShipStationSettings,
  cursor: string | null,
  now: () => number = Date.now,
): AsyncGenerator<{ orders: unknown[]; cursor: string; topic: string }> {
  // The cursor: the label creation instant (UTC) up to which shipments have been read.
  checkInstantCursor(cursor, 'shipstation');
  let since = cursor ?? new Date(now() - FIRST_POLL_LOOKBACK_MS).toISOString();
  const createDateStart = utcToLocal(since, settings.sourceTimeZone).slice(0, 19);
  for (let page = 1; ; page += 1) {
    const body = await client.request({
      name: 'listShipments',
      method: 'GET',
      path: '/shipments',
      query: { createDateStart, sortBy: 'CreateDate', sortDir: 'ASC', includeShipmentItems: true, page, pageSize: PAGE_SIZE },
      response: ShipStationShipmentsPageSchema,
      idempotent: true,
    });
    for (const s of body.shipments) {
      const created = localToUtc(s.createDate, settings.sourceTimeZone);
      if (created && created > since) since = created;
    }
    if (body.shipments.length > 0) {
      yield { orders: body.shipments.map((s) => ({ shipments: [s], total: 1, page: 1, pages: 1 })), cursor: since, topic: SHIPMENTS_TOPIC };
    }
    if (body.shipments.length === 0 || (body.pages ?? 1) <= page) return;
  }
}
