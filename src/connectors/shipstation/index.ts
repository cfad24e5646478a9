import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { Order } from '../../core/model/index.js';
import { type AsyncNormalizer, type ClientDeps, type ConnectorClient, type WebhookSpec, defineConnector } from '../types.js';
import { type ShipStationClient, createShipStationClient } from './client.js';
import { type ShipStationConfig, ShipStationConfigSchema } from './config.js';
import { SHIPMENTS_TOPIC, normalizeShipments } from './inbound/shipments.js';
import { type ShipStationPushedOrder, pushOrder } from './outbound/push-order.js';
import { pollShipmentsSince } from './poll.js';
import { readNotifiedShipments } from './resource.js';
import { ShipStationWebhookSchema, type ShipStationShipmentsPage } from './shapes.js';
import { WEBHOOK_TOKEN_HEADER, verifyShipStationWebhook } from './verify.js';

/** The notification that a label was created: the only webhook the hub subscribes to. */
export const SHIP_NOTIFY = 'SHIP_NOTIFY';

/** What a ShipStation instance can do at run time (the order-to-cash flow calls `pushOrder`). */
export interface ShipStationConnectorClient extends Required<Pick<ConnectorClient, 'pollOrders' | 'stats' | 'check'>> {
  /**
   * createorder for an allocated order at `options.location` (a hub location in
   * `settings.locations`); `orderKey` = `<channel>/<externalOrderId>`, so a retry updates the
   * same ShipStation order. Throws MappingError (location not served), ValidationError (nothing
   * to ship), AuthError, ContractError, RateLimitedError, UpstreamUnavailableError, NetworkError.
   */
  pushOrder(order: Order, options: { location: string }): Promise<ShipStationPushedOrder>;
  /** The shipments a SHIP_NOTIFY names (allow-listed hosts only), with items, as one GET /shipments page. */
  readNotifiedShipments(resourceUrl: string): Promise<ShipStationShipmentsPage>;
}

// One HTTP client (one rate window) per instance in a process: the SHIP_NOTIFY resolution below
// uses the client the runtime built for the instance when there is one.
const clients = new WeakMap<object, ShipStationClient>();

function httpClientFor(config: ShipStationConfig & { id: string }, deps?: ClientDeps): ShipStationClient {
  let client = clients.get(config);
  if (!client) {
    client = createShipStationClient(config, deps ?? { logger: createLogger({ level: 'silent', pretty: false }) });
    clients.set(config, client);
  }
  return client;
}

export function createShipStationConnectorClient(config: ShipStationConfig & { id: string }, deps: ClientDeps): ShipStationConnectorClient {
  const client = createShipStationClient(config, deps);
  clients.set(config, client);
  return {
    pushOrder: (order, options) => pushOrder(client, config.settings, config.id, order, options),
    readNotifiedShipments: (url) => readNotifiedShipments(client, config.settings, config.id, url),
    pollOrders: (cursor) => pollShipmentsSince(client, config.settings, cursor, deps.now),
    stats: () => ({ throttleWaitMs: client.stats.throttleWaitMs, throttledResponses: client.stats.throttledResponses }),
    // One cheap read with the credentials. https://docs.shipstation.com/apis/shipstation-v1/docs/warehouses/list-warehouses
    check: async () => {
      try {
        const warehouses = await client.request({
          name: 'listWarehouses',
          method: 'GET',
          path: '/warehouses',
          response: z.array(z.object({ warehouseId: z.union([z.string(), z.number()]) }).loose()),
          idempotent: true,
        });
        const served = Object.keys(config.settings.locations);
        const known = new Set(warehouses.map((w) => String(w.warehouseId)));
        const missing = served.filter((id) => !known.has(id));
        return missing.length === 0
          ? { ok: true, message: `credentials accepted; ${warehouses.length} warehouse(s), all ${served.length} configured found` }
          : { ok: false, message: `credentials accepted, but warehouse(s) ${missing.join(', ')} in settings.locations do not exist` };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

/**
 * SHIP_NOTIFY → the shipments its resource_url names → `shipment.confirmed`. Not pure: it reads
 * the API (the notification carries nothing else). A failed read is retried by the queue like
 * any delivery; a refused URL is a ValidationError.
 */
const resolveShipNotify: AsyncNormalizer<ShipStationConfig> = async (body, ctx) => {
  const parsed = ShipStationWebhookSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(`${ctx.connectorId}: SHIP_NOTIFY body has no resource_url`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: 'resource_url',
      code: 'missing_field',
    });
  }
  const config = ctx.config as ShipStationConfig & { id: string };
  const page = await readNotifiedShipments(httpClientFor(config), config.settings, ctx.connectorId, parsed.data.resource_url);
  return normalizeShipments(page, ctx);
};

export const shipStationWebhooks: WebhookSpec<ShipStationConfig> = {
  signatureHeaders: [WEBHOOK_TOKEN_HEADER],
  verify: verifyShipStationWebhook,
  topics: { [SHIPMENTS_TOPIC]: normalizeShipments },
  configuredTopic: (topic) => (topic === SHIP_NOTIFY ? resolveShipNotify : undefined),
  keys: (topic, body) => {
    if (topic !== SHIPMENTS_TOPIC) return { orderKeys: [], skus: [] };
    const shipments = ((body as { shipments?: unknown[] } | null)?.shipments ?? []) as {
      orderKey?: unknown;
      orderNumber?: unknown;
      shipmentItems?: { sku?: unknown }[] | null;
    }[];
    const strings = (values: unknown[]) => values.filter((v): v is string => typeof v === 'string' && v !== '');
    return {
      orderKeys: strings(shipments.flatMap((s) => [s.orderKey, s.orderNumber])),
      skus: strings(shipments.flatMap((s) => (s.shipmentItems ?? []).map((i) => i.sku))),
    };
  },
};

/**
 * ShipStation (V1 API), a 3PL: allocated orders out (createorder, keyed by the hub's order
 * reference), shipments in (SHIP_NOTIFY webhooks authenticated by a URL token, and a backfill
 * over GET /shipments), as `shipment.confirmed` with carrier, service and tracking.
 * Register the webhook (SHIP_NOTIFY) at `POST /webhooks/<connectorId>?token=<credentials.webhookToken>`.
 * V1 has no stock levels per warehouse (no inventory endpoint), so no `reconcile.warehouse`.
 */
export const shipStationConnector = defineConnector({
  type: 'shipstation',
  category: '3pl',
  displayName: 'ShipStation',
  version: '0.1.0',
  configSchema: ShipStationConfigSchema,
  capabilities: ['webhooks', 'poll', 'push.order'],
  // https://docs.shipstation.com/apis/shipstation-v1/docs/start-here/requirements#api-rate-limits
  rateLimit: { max: 40, durationMs: 60_000, retryAfterHeaders: ['x-rate-limit-reset', 'retry-after'] },
  webhooks: shipStationWebhooks,
  createClient: createShipStationConnectorClient,
});
