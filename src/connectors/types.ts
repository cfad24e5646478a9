import type { z } from 'zod';
import type { HubError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CanonicalEvent, Order, Refund, Shipment } from '../core/model/index.js';
import type { MappingLookup } from '../mappings/lookup.js';

export const CONNECTOR_CATEGORIES = ['storefront', 'marketplace', '3pl', 'carrier', 'accounting', 'generic'] as const;
export type ConnectorCategory = (typeof CONNECTOR_CATEGORIES)[number];

export type ConnectorCapability =
  | 'webhooks'
  | 'poll'
  | 'push.availability'
  | 'push.fulfillment'
  | 'push.order'
  | 'push.invoice'
  | 'push.tracker'
  | 'reconcile.inventory'
  | 'reconcile.orders'
  | 'reconcile.warehouse';

/** A rate limit as the external API documents it. */
export interface RateLimitSpec {
  /** Requests allowed per `durationMs`. */
  max: number;
  durationMs: number;
  /** Response headers that carry a wait time, most specific first. */
  retryAfterHeaders?: string[];
}

/**
 * A limit the external API sets over a long window (per hour, per day), as opposed to a request
 * rate: `max` operations per `windowMs`, counted per connector instance or per SKU (listing).
 */
export interface BudgetSpec {
  name: string;
  max: number;
  windowMs: number;
  per: 'connector' | 'sku';
  /** The operation that spends it: `push.availability`, or a connector-specific name. */
  operation: string;
  /** The documentation page that states the limit. */
  doc: string;
}

/**
 * What a connector type declares about itself. A plain object checked by `defineConnector()`.
 * The hub config schema and the list of known types are derived from the registry of these.
 */
export interface ConnectorDefinition<TSchema extends z.ZodObject = z.ZodObject> {
  /** Kebab id used as `type` in config: `shopify`, `amazon-sp`, `generic-webhook`. */
  type: string;
  category: ConnectorCategory;
  displayName: string;
  version: string;
  /**
   * zod schema of the type-specific part of a connector instance in config (`settings`,
   * `credentials`). Put secrets under `credentials`: the whole object is redacted from logs.
   */
  configSchema: TSchema;
  /** The most an instance of this type can do; {@link discover} narrows it per instance. */
  capabilities: ConnectorCapability[];
  /**
   * The capabilities one instance has, computed from its config (a fulfilment-only endpoint does
   * not push availability). Default: all of {@link capabilities}. Routing, queues, reconciliation
   * and the API read this answer through the bound connector, never the static list.
   */
  discover?(config: z.infer<TSchema>): ConnectorCapability[];
  /**
   * The keys this type stores in a product's `externalIds[<instanceId>]` (`variantId`,
   * `inventoryItemId`; `sellerSku`, `asin`; `legacyItemId`, ...). The catalogue indexes each, so
   * a normalizer can look an item up by any of them.
   */
  externalIdKeys?: readonly string[];
  /**
   * Limits the API sets per hour or day (feeds per hour, revisions per listing per day); the outbound
   * step spends them. Budgets with `operation: 'push.availability'` are tracked by the hub: per SKU,
   * one per item sent; per connector, one per call. `push.fulfillment` ones count one per shipment
   * pushed, and the one {@link bulkPush} names counts one per bulk push.
   */
  budgets?: BudgetSpec[];
  /**
   * Availability pushes of more than `threshold(config)` items go as one bulk operation (a feed) that
   * spends the budget named `budget`; smaller ones go item by item. The outbound step sizes its jobs
   * from this: it sends a feed only while that budget lasts, and item calls otherwise.
   */
  bulkPush?: { budget: string; threshold(config: z.infer<TSchema>): number };
  /** Default client-side rate limit; config may override it per instance. */
  rateLimit: RateLimitSpec;
  /** Most availability items one push call carries (the API's batch limit). */
  pushBatchSize?: number;
  webhooks?: WebhookSpec<z.infer<TSchema>>;
  /** Builds the run-time client of one instance, dependencies injected. */
  createClient?(config: z.infer<TSchema> & { id: string }, deps: ClientDeps): ConnectorClient;
  /**
   * Problems a valid instance config still has on `now` (an API version leaving the vendor's support
   * window, say), as sentences naming the instance and the key. `hub config validate` prints them and
   * start-up logs them; they never refuse the config.
   */
  warnings?(config: z.infer<TSchema> & { id: string }, now: Date): string[];
}

export function defineConnector<TSchema extends z.ZodObject>(def: ConnectorDefinition<TSchema>): ConnectorDefinition<TSchema> {
  return def;
}

// ---------------------------------------------------------------------------------------------
// Inbound: verification and normalization
// ---------------------------------------------------------------------------------------------

/** A webhook request as the ingress saw it, before any parsing. */
export interface WebhookRequest {
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /**
   * The request URL's query parameters (the first value of each), for senders that cannot sign
   * and authenticate by a secret in the URL they were given (ShipStation's `?token=`).
   */
  query?: Record<string, string | undefined>;
}

/** What verification learned about a delivery. */
export interface VerifiedDelivery {
  /** Deduplication key of the event within this connector instance: a repeat is acknowledged and dropped. */
  dedupKey: string;
  /** Picks the normalizer: `orders/create`, `inventory_levels/update`, ... */
  topic: string;
  /** When the source says the event happened, if it says. */
  occurredAt?: string;
}

export type { MappingLookup } from '../mappings/lookup.js';

export interface NormalizeContext<TConfig = unknown> {
  connectorId: string;
  connectorType: string;
  /** The instance's parsed config (`settings`, `credentials`, ...). */
  config: TConfig;
  /** When the hub received the delivery (ISO UTC); normalizers never read the clock. */
  receivedAt: string;
  delivery: VerifiedDelivery;
  lookup: MappingLookup;
}

/**
 * Raw payload to canonical events. Pure: no I/O, no clock. Throws ValidationError or MappingError
 * naming the connector and the field path. Returning [] means "nothing to apply" (acknowledged).
 */
export type Normalizer<TConfig = unknown> = (body: unknown, ctx: NormalizeContext<TConfig>) => CanonicalEvent[];

/** A normalizer that awaits (expression evaluation) but is otherwise as pure as {@link Normalizer}. */
export type AsyncNormalizer<TConfig = unknown> = (body: unknown, ctx: NormalizeContext<TConfig>) => Promise<CanonicalEvent[]>;

export interface WebhookSpec<TConfig = unknown> {
  /** Header names (lower case) that carry signatures or tokens: redacted wherever headers are stored or shown. */
  signatureHeaders?: readonly string[];
  /** Checks the signature (constant time) and names the delivery; throws InvalidSignatureError. */
  verify(request: WebhookRequest, config: TConfig): VerifiedDelivery | Promise<VerifiedDelivery>;
  /** One normalizer per topic; an unknown topic is acknowledged and counted, not an error. */
  topics: Record<string, Normalizer<TConfig>>;
  /**
   * Topics an instance defines in its own config (generic connectors): the normalizer of `topic`
   * for this instance, or undefined when it has none. Consulted after `topics`.
   */
  configuredTopic?(topic: string, config: TConfig): AsyncNormalizer<TConfig> | undefined;
  /**
   * Business keys of a raw payload (order ids and numbers, SKUs), so a delivery that failed before
   * it became canonical events can still be found by order or SKU in the dead-letter queue.
   */
  keys?(topic: string, body: unknown): { orderKeys: string[]; skus: string[] };
  /**
   * Topics whose deliveries only name entities (QuickBooks notifications): the inbound worker
   * hands the body to the instance client's `fetchNotification`, records each payload it returns
   * in the inbox as a delivery of its own topic (deduplicated by its key), and normalizes those.
   */
  fetchTopics?: readonly string[];
}

/** A payload a client fetched for a notification, to be recorded and normalized like a webhook. */
export interface FetchedDelivery {
  /** The normalizer that reads `body`. */
  topic: string;
  /** Deduplication key within the instance: the same entity version fetched twice is recorded once. */
  dedupKey: string;
  /** The response text as the API sent it. */
  body: string;
}

/** The normalizer of `topic` for one instance: the type's own, else one its config defines. */
export function findNormalizer<TConfig>(
  spec: WebhookSpec<TConfig> | undefined,
  topic: string,
  config: TConfig,
): Normalizer<TConfig> | AsyncNormalizer<TConfig> | undefined {
  if (!spec) return undefined;
  return (Object.hasOwn(spec.topics, topic) ? spec.topics[topic] : undefined) ?? spec.configuredTopic?.(topic, config);
}

// ---------------------------------------------------------------------------------------------
// Outbound: pushes, backfill and channel truth
// ---------------------------------------------------------------------------------------------

/** The latest availability of one SKU on one channel, to be written (absolute) to the external system. */
export interface AvailabilityUpdate {
  sku: string;
  channel: string;
  available: number;
  /** Monotonic per (sku, channel): a push never replaces a newer value with an older one. */
  version: number;
  /** This SKU's ids in the connector's system (e.g. `{ variantId, inventoryItemId }`), learned from products. */
  externalIds: Record<string, string>;
}

export interface PushFailure {
  sku: string;
  error: HubError;
}

export interface PushResult {
  /** Items the external system accepted. */
  pushed: number;
  /** HTTP calls made. */
  calls: number;
  /** Items rejected permanently (e.g. a deleted variant): they go to the dead-letter queue, the rest is done. */
  failures: PushFailure[];
}

/**
 * Durable key-value state of one connector instance (rotated refresh tokens, say): `set` resolves
 * once the value is committed, so what a client stored survives a crash right after.
 */
export interface ConnectorState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

/** What a credential probe found: `ok` with what it reached, or the reason it failed. */
export interface ConnectorCheck {
  ok: boolean;
  message: string;
}

/** What became of one webhook subscription `registerWebhooks` asked for. */
export interface WebhookRegistration {
  topic: string;
  status: 'created' | 'exists' | 'failed';
  /** The subscription's id in the channel, when it has one. */
  id?: string;
  /** Why it failed (the channel's own words, without secrets). */
  message?: string;
}

export interface ClientDeps {
  logger: Logger;
  /** Durable state of this instance; absent in previews and some unit tests. */
  state?: ConnectorState;
  /** Injected for tests; defaults to Date.now / setTimeout. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation: channel truth, read back
// ---------------------------------------------------------------------------------------------

/** One item's stock on a channel: what the channel sells at each of its locations the hub reads. */
export interface ChannelStockItem {
  /** The channel's SKU as written there; null when the item has none. */
  sku: string | null;
  /** The item's ids in the connector's system, with the keys products store under `externalIds.<connectorId>`. */
  externalIds: Record<string, string>;
  /** Every level of the item, together (the reconciler judges a SKU on all of them). */
  levels: ChannelStockLevel[];
}

export interface ChannelStockLevel {
  /** The connector's location id; `settings.locations` maps it to a hub location. */
  location: string;
  /** Units the channel will sell from this location. */
  available: number;
  /**
   * True at the location the hub pushes availableToSell to: there the level should equal it.
   * Elsewhere the hub expects 0, since the channel sells the sum over its locations.
   */
  pushed: boolean;
}

/** On-hand units of one SKU at one warehouse location, as a 3PL or WMS counts them. */
export interface WarehouseStockLevel {
  /** The warehouse's SKU (normally the ERP SKU). */
  sku: string;
  /** The connector's location id, mapped by `settings.locations`, or a hub location id. */
  location: string;
  onHand: number;
  /** When the warehouse counted (ISO UTC); default: when the read started. */
  countedAt?: string;
}

/** An order as a channel's order list shows it: enough to tell whether the hub has it right. */
export interface ChannelOrderSummary {
  externalOrderId: string;
  orderNumber?: string;
  /** The channel's version of the order (ISO UTC), the one its normalizer uses as `source.version`. */
  updatedAt: string;
  cancelled: boolean;
}

/** A full raw order, in the shape the normalizer of `topic` reads, for the normal intake. */
export interface ChannelOrderPayload {
  externalOrderId: string;
  topic: string;
  body: unknown;
}

/** Per ERP SKU, the product's externalIds for one connector instance (e.g. `{ itemId }`). */
export type SkuExternalIds = Record<string, Record<string, string>>;

/** What a connector instance can do at run time; each method exists when its capability is declared. */
export interface ConnectorClient {
  /**
   * `push.order` (a 3PL): creates or updates the allocated order for the warehouse serving
   * `location`, keyed by the hub's order reference so a retry never makes a second order.
   */
  pushOrder?(order: Order, options: { location: string }): Promise<{ orderId: string }>;
  /** `push.tracker` (a carrier): a tracker for the shipment's tracking number and carrier, once per pair. */
  createTracker?(shipment: Pick<Shipment, 'externalShipmentId' | 'tracking'>): Promise<{ trackerId: string }>;
  /** `push.invoice` (accounting): books a shipped order once (an invoice or a sales receipt). */
  pushInvoice?(order: Order, options?: { externalIds?: SkuExternalIds; txnDate?: string }): Promise<{ kind: string; externalId: string }>;
  /** `push.invoice` (accounting): books a refund once as a credit memo. */
  pushCreditMemo?(refund: Refund, options?: { externalIds?: SkuExternalIds }): Promise<{ kind: string; externalId: string }>;
  pushAvailability?(updates: AvailabilityUpdate[]): Promise<PushResult>;
  pushFulfillment?(shipment: Shipment, externalIds: Record<string, string>): Promise<void>;
  /**
   * Raw order payloads changed since `cursor`, page by page, with the cursor to resume from.
   * `topic` names the webhook normalizer that turns each order into canonical events.
   */
  pollOrders?(cursor: string | null): AsyncIterable<{ orders: unknown[]; cursor: string; topic?: string }>;
  /**
   * `reconcile.inventory`: the channel's stock, page by page, streamed (a bulk export or pages,
   * never the whole catalogue at once). With `filter`, only the items with those external ids
   * (targeted re-sync).
   */
  readStockLevels?(filter?: { externalIds: Record<string, string>[] }): AsyncIterable<ChannelStockItem[]>;
  /** `reconcile.warehouse`: the warehouse's on-hand counts, page by page. */
  readWarehouseStock?(): AsyncIterable<WarehouseStockLevel[]>;
  /** `reconcile.orders`: orders changed since `since` (and up to `until` when given; inclusive, ISO UTC), page by page. */
  listOrders?(window: { since: string; until?: string }): AsyncIterable<ChannelOrderSummary[]>;
  /** `reconcile.orders`: the full payloads of these orders; ids the channel does not know are left out. */
  readOrders?(externalOrderIds: string[]): Promise<ChannelOrderPayload[]>;
  /** Probes the credentials and the endpoint with one cheap authenticated read: the first thing to run after configuring. */
  check?(): Promise<ConnectorCheck>;
  /** The entities a notification names, fetched (see `WebhookSpec.fetchTopics`). */
  fetchNotification?(topic: string, body: unknown): Promise<FetchedDelivery[]>;
  /**
   * `hub connectors setup`: the channel's catalogue (variants, SKUs, the ids pushes need) as
   * deliveries the connector's own normalizers take, page by page, read through a bulk export where
   * the API has one. The hub feeds them through the normal intake, so catalogue rules hold.
   */
  readCatalog?(): AsyncIterable<FetchedDelivery[]>;
  /**
   * `hub connectors setup`: subscribes `callbackUrl` to `topics` where the API allows it. Topics
   * already subscribed at that URL are reported `exists` and left alone, so a re-run changes nothing.
   */
  registerWebhooks?(callbackUrl: string, topics: readonly string[]): Promise<WebhookRegistration[]>;
  /** Running totals of the client's own throttling: time spent waiting on a rate limit, throttled answers. */
  stats?(): { throttleWaitMs: number; throttledResponses: number };
  close?(): Promise<void>;
}
