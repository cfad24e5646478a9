import { z } from 'zod';
import { ContractError } from '../../core/errors.js';
import type { ConnectorCheck, FetchedDelivery, WebhookRegistration } from '../types.js';
import type { ShopifyClient } from './client.js';
import { legacyId } from './ids.js';
import { readJsonl, runBulkQuery, type BulkOptions } from './reconcile/bulk.js';

/**
 * Access scopes the connector needs, each satisfied by any of its alternatives (a write scope
 * grants the read one). https://shopify.dev/docs/api/usage/access-scopes
 * - products: the catalogue export and products/* webhooks
 * - inventory: inventorySetQuantities and inventory_levels/update
 * - orders: orders/* and refunds/create webhooks, order reconciliation
 * - fulfilment orders: fulfillmentCreate https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
 */
export const SHOPIFY_SCOPES: readonly (readonly string[])[] = [
  ['read_products', 'write_products'],
  ['write_inventory'],
  ['read_orders', 'write_orders'],
  ['write_merchant_managed_fulfillment_orders', 'write_assigned_fulfillment_orders', 'write_third_party_fulfillment_orders'],
];

/** https://shopify.dev/docs/api/admin-graphql/latest/queries/currentAppInstallation */
const CHECK_QUERY = `query hubCheck { shop { name myshopifyDomain } currentAppInstallation { accessScopes { handle } } }`;
const CheckSchema = z.object({
  shop: z.object({ name: z.string(), myshopifyDomain: z.string().optional() }),
  currentAppInstallation: z.object({ accessScopes: z.array(z.object({ handle: z.string() })) }),
});

/** One cheap authenticated read: the token works, and the app holds every scope the connector uses. */
export async function checkShopify(client: ShopifyClient, connectorId: string): Promise<ConnectorCheck> {
  const data = await client.graphql({ name: 'hubCheck', query: CHECK_QUERY, data: CheckSchema, idempotent: true, estimatedCost: 2 });
  const granted = new Set(data.currentAppInstallation.accessScopes.map((s) => s.handle));
  const missing = SHOPIFY_SCOPES.filter((any) => !any.some((s) => granted.has(s))).map((any) => any.join(' or '));
  const shop = `${data.shop.name} (${data.shop.myshopifyDomain ?? 'shop'}, API ${client.apiVersion})`;
  if (missing.length) return { ok: false, message: `${connectorId}: ${shop}: the app lacks access scope ${missing.join('; ')}` };
  return { ok: true, message: `${shop}: token accepted, scopes granted` };
}

/**
 * Every variant with its SKU, inventory item and product, one object per line (a nested object,
 * no connection, so each JSONL line is a whole variant).
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
 */
const CATALOG_BULK_QUERY = `{ productVariants { edges { node { id sku title barcode updatedAt inventoryItem { id } product { id title status updatedAt } } } } }`;
const VariantLineSchema = z.object({
  id: z.string(),
  sku: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  barcode: z.string().nullable().optional(),
  updatedAt: z.string().optional(),
  inventoryItem: z.object({ id: z.string() }),
  product: z.object({ id: z.string(), title: z.string(), status: z.string(), updatedAt: z.string() }),
});

/** Products handed to the intake at a time. */
const PAGE = 200;

/**
 * The catalogue as `products/update` deliveries (the REST product shape the products webhook
 * sends, https://shopify.dev/docs/api/admin-rest/latest/resources/product), one per product,
 * read through a bulk export. Bulk files list a product's variants together, in order; each
 * delivery's key is the product and its latest change, so reading an unchanged shop again records
 * nothing new.
 */
export async function* readShopifyCatalog(client: ShopifyClient, connectorId: string, bulk: BulkOptions): AsyncGenerator<FetchedDelivery[]> {
  const url = await runBulkQuery(client, connectorId, CATALOG_BULK_QUERY, bulk);
  if (!url) return;
  const open: { product: { id: string; title: string; status: string; updated_at: string; variants: Record<string, unknown>[] } | null } = { product: null };
  const page: FetchedDelivery[] = [];
  const flush = () => {
    const { product } = open;
    if (!product) return;
    const latest = [product.updated_at, ...product.variants.map((v) => (typeof v['updated_at'] === 'string' ? v['updated_at'] : ''))].sort().at(-1);
    page.push({ topic: 'products/update', dedupKey: `setup:product:${product.id}:${latest}`, body: JSON.stringify(product) });
    open.product = null;
  };
  for await (const { line, value } of readJsonl(url, connectorId, bulk.requestTimeoutMs)) {
    const parsed = VariantLineSchema.safeParse(value);
    if (!parsed.success)
      throw new ContractError(`${connectorId}: catalogue export line ${line}: not a product variant`, { connectorId, field: `line ${line}` });
    const v = parsed.data;
    const productId = legacyId(v.product.id);
    if (open.product?.id !== productId) {
      flush();
      if (page.length >= PAGE) yield page.splice(0);
      open.product = { id: productId, title: v.product.title, status: v.product.status.toLowerCase(), updated_at: v.product.updatedAt, variants: [] };
    }
    open.product.variants.push({
      id: legacyId(v.id),
      title: v.title ?? null,
      sku: v.sku ?? null,
      barcode: v.barcode ?? null,
      inventory_item_id: legacyId(v.inventoryItem.id),
      ...(v.updatedAt ? { updated_at: v.updatedAt } : {}),
    });
  }
  flush();
  if (page.length) yield page;
}

/** https://shopify.dev/docs/api/admin-graphql/latest/queries/webhookSubscriptions (`uri` replaces callbackUrl: https://shopify.dev/changelog/consolidate-webhook-graphql-surfaces) */
const LIST_QUERY = `query hubWebhooks($uri: String) { webhookSubscriptions(first: 100, uri: $uri) { nodes { id topic uri } } }`;
const ListSchema = z.object({
  webhookSubscriptions: z.object({ nodes: z.array(z.object({ id: z.string(), topic: z.string(), uri: z.string().nullable().optional() })) }),
});
/** https://shopify.dev/docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate */
const CREATE_MUTATION = `mutation hubWebhookCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;
const CreateSchema = z.object({
  webhookSubscriptionCreate: z.object({
    webhookSubscription: z.object({ id: z.string() }).nullable(),
    userErrors: z.array(z.object({ message: z.string() })),
  }),
});

/** `orders/create` → `ORDERS_CREATE`, the WebhookSubscriptionTopic enum value. */
export const topicEnum = (topic: string) => topic.replace(/[/]/g, '_').toUpperCase();

/** Subscribes `uri` to each topic not yet subscribed there; the rest are reported as they stand. */
export async function registerShopifyWebhooks(client: ShopifyClient, uri: string, topics: readonly string[]): Promise<WebhookRegistration[]> {
  const existing = await client.graphql({
    name: 'webhookSubscriptions',
    query: LIST_QUERY,
    variables: { uri },
    data: ListSchema,
    idempotent: true,
    estimatedCost: 5,
  });
  const there = new Map(existing.webhookSubscriptions.nodes.filter((n) => (n.uri ?? uri) === uri).map((n) => [n.topic, n.id]));
  const out: WebhookRegistration[] = [];
  for (const topic of topics) {
    const id = there.get(topicEnum(topic));
    if (id) {
      out.push({ topic, status: 'exists', id });
      continue;
    }
    const created = await client.graphql({
      name: 'webhookSubscriptionCreate',
      query: CREATE_MUTATION,
      variables: { topic: topicEnum(topic), uri },
      data: CreateSchema,
      idempotent: false,
      estimatedCost: 10,
    });
    const { webhookSubscription, userErrors } = created.webhookSubscriptionCreate;
    out.push(
      webhookSubscription
        ? { topic, status: 'created', id: webhookSubscription.id }
        : {
            topic,
            status: 'failed',
            message: userErrors
              .map((e) => e.message)
              .join('; ')
              .slice(0, 300),
          },
    );
  }
  return out;
}
