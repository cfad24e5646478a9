import { ValidationError } from '../../core/errors.js';
import type { ShipStationClient } from './client.js';
import type { ShipStationSettings } from './config.js';
import { type ShipStationShipmentsPage, ShipStationShipmentsPageSchema } from './shapes.js';

/** Pages read from one notification before giving up (a label batch is at most a few pages). */
const MAX_PAGES = 50;

function hostMatches(pattern: string, host: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('\\d*')}$`,
  );
  return re.test(host);
}

/**
 * The resource URL of a notification, if the hub may fetch it: a shipments query (`/shipments`) on
 * an allow-listed ShipStation host (or the configured API base), over HTTPS (plain HTTP only on
 * the configured base, e.g. a local simulator), without embedded credentials. The hub sends its
 * API credentials there, so anything else is refused as a ValidationError naming `resource_url`.
 */
export function allowedResourceUrl(resourceUrl: string, settings: ShipStationSettings, connectorId: string): URL {
  const refuse = (why: string) =>
    new ValidationError(`${connectorId}: SHIP_NOTIFY resource_url refused: ${why}`, { connectorId, step: 'normalize', field: 'resource_url' });
  let url: URL;
  try {
    url = new URL(resourceUrl);
  } catch {
    throw refuse('not a URL');
  }
  const base = new URL(settings.baseUrl);
  const host = url.host.toLowerCase();
  const isBase = host === base.host.toLowerCase() && url.protocol === base.protocol;
  if (url.username || url.password) throw refuse('it embeds credentials');
  if (!isBase && url.protocol !== 'https:') throw refuse(`scheme ${url.protocol} is not https`);
  if (!isBase && !settings.resourceHosts.some((p) => hostMatches(p.toLowerCase(), host))) throw refuse(`host ${host} is not in settings.resourceHosts`);
  if (url.pathname.replace(/\/+$/, '').toLowerCase() !== '/shipments') throw refuse(`path ${url.pathname} is not /shipments`);
  return url;
}

/**
 * Reads the shipments a SHIP_NOTIFY names, every page, with their items (the notification's own
 * URL says includeShipmentItems=False). Returned as one GET /shipments page.
 * https://www.shipstation.com/docs/api/shipments/list/
 */
export async function readNotifiedShipments(
  client: ShipStationClient,
  settings: ShipStationSettings,
  connectorId: string,
  resourceUrl: string,
): Promise<ShipStationShipmentsPage> {
  const url = allowedResourceUrl(resourceUrl, settings, connectorId);
  for (const key of Array.from(url.searchParams.keys())) if (/^(includeshipmentitems|page)$/i.test(key)) url.searchParams.delete(key);
  url.searchParams.set('includeShipmentItems', 'true');
  const shipments: ShipStationShipmentsPage['shipments'] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const pageUrl = new URL(url);
    pageUrl.searchParams.set('page', String(page));
    const body = await client.request({
      name: 'SHIP_NOTIFY resource',
      method: 'GET',
      path: pageUrl,
      response: ShipStationShipmentsPageSchema,
      idempotent: true,
    });
    shipments.push(...body.shipments);
    if (body.shipments.length === 0 || (body.pages ?? 1) <= page) break;
  }
  return { shipments, total: shipments.length, page: 1, pages: 1 };
}
