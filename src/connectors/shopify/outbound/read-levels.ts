import { z } from 'zod';
import type { CallMeter, ShopifyClient } from '../client.js';

/** Inventory items per `nodes` call (Shopify accepts up to 250 ids). */
const IDS_PER_CALL = 250;

const LevelItemSchema = z
  .object({
    id: z.string(),
    level: z
      .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) })
      .nullable()
      .optional(),
  })
  .nullable();
const ResponseSchema = z.object({ nodes: z.array(LevelItemSchema) });

/**
 * Shopify's `available` now for each (inventory item, location) pair, both global ids; a pair
 * missing from the answer is an item Shopify does not know or does not stock there. Read before a
 * compare-and-set push, and again after a stale answer.
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/nodes
 * https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryItem#field-inventoryLevel
 */
export async function readAvailable(
  client: ShopifyClient,
  pairs: readonly { inventoryItemId: string; locationId: string }[],
  meter: CallMeter,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const byLocation = new Map<string, string[]>();
  for (const p of pairs) byLocation.set(p.locationId, [...(byLocation.get(p.locationId) ?? []), p.inventoryItemId]);
  for (const [locationId, ids] of byLocation) {
    for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
      const chunk = ids.slice(i, i + IDS_PER_CALL);
      const { nodes } = await client.graphql({
        name: 'inventoryLevelsByIds',
        query: `query inventoryLevelsByIds($ids: [ID!]!, $locationId: ID!) { nodes(ids: $ids) { ... on InventoryItem { id level: inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } } } }`,
        variables: { ids: chunk, locationId },
        data: ResponseSchema,
        idempotent: true,
        estimatedCost: 2 + chunk.length * 2,
        meter,
      });
      for (const node of nodes) {
        const quantity = node?.level?.quantities.find((q) => q.name === 'available')?.quantity;
        if (node && quantity !== undefined) out.set(`${node.id}|${locationId}`, quantity);
      }
    }
  }
  return out;
}
