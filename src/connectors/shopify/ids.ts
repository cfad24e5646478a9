/**
 * Shopify names a resource two ways: the numeric id of webhook payloads (`655441491`) and the
 * GraphQL global id (`gid://shopify/Location/655441491`). Config and learned external ids may hold
 * either; GraphQL calls need the global id.
 * https://shopify.dev/docs/api/usage/gids
 */

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/;

export type ShopifyResource = 'Location' | 'InventoryItem' | 'ProductVariant' | 'Product' | 'Order' | 'LineItem' | 'Fulfillment' | 'Customer';

/** The global id of a resource, from a numeric id or a global id. */
export function toGid(resource: ShopifyResource, id: string | number): string {
  const text = String(id);
  if (GID.test(text)) return text;
  return `gid://shopify/${resource}/${text}`;
}

/** The numeric id inside a global id; a numeric id is returned as is. */
export function legacyId(id: string | number): string {
  const text = String(id);
  const match = GID.exec(text);
  return match ? (match[2] as string) : text;
}
