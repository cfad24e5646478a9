import type { Queryable } from '../../src/core/store/index.js';
import type { ShopifyStore } from '../sim/shopify/index.js';

/**
 * A large catalogue in a consistent state, seeded directly (no webhooks, no events): the simulated
 * shop shows each SKU's availableToSell at its first location (where the hub pushes) and 0 at the
 * second; the hub has the products with their Shopify ids, the onHand balances at two locations,
 * and the availability last emitted and pushed.
 */
export interface SeededSku {
  sku: string;
  productId: string;
  variantId: string;
  inventoryItemId: string;
  /** onHand at the hub's two locations. */
  onHand: [number, number];
  /** availableToSell on the channel (safety stock 0): the sum of both. */
  ats: number;
}

/** Deterministic quantities: SKU i holds (i % 7) + 3 and i % 5 units. */
export function quantitiesOf(i: number): [number, number] {
  return [(i % 7) + 3, i % 5];
}

/** Seeds `count` SKUs `<prefix>-<i>` in the simulator's store. */
export function seedShop(store: ShopifyStore, prefix: string, count: number): SeededSku[] {
  const items = Array.from({ length: count }, (_, i) => {
    const onHand = quantitiesOf(i);
    return { sku: `${prefix}-${String(i).padStart(6, '0')}`, onHand, ats: onHand[0] + onHand[1] };
  });
  const variants = store.seedProducts(items.map((x) => ({ sku: x.sku, levels: [x.ats, 0] })));
  return items.map((x, i) => ({ ...x, productId: variants[i]!.productId, variantId: variants[i]!.id, inventoryItemId: variants[i]!.inventoryItemId }));
}

/** Seeds the hub's side of the same catalogue, 5,000 rows per statement. */
export async function seedHub(
  db: Queryable,
  rows: readonly SeededSku[],
  options: { connectorId: string; channel: string; locations: readonly [string, string] },
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const skus = chunk.map((r) => r.sku);
    await db.query(
      `INSERT INTO product (sku, title, details)
       SELECT s, s, jsonb_build_object('externalIds', jsonb_build_object($1::text, jsonb_build_object('productId', p, 'variantId', v, 'inventoryItemId', it)))
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(s, p, v, it)`,
      [options.connectorId, skus, chunk.map((r) => r.productId), chunk.map((r) => r.variantId), chunk.map((r) => r.inventoryItemId)],
    );
    for (const [j, location] of options.locations.entries()) {
      await db.query(`INSERT INTO inventory_balance (sku, location, state, quantity) SELECT s, $1, 'onHand', q FROM unnest($2::text[], $3::int[]) AS t(s, q)`, [
        location,
        skus,
        chunk.map((r) => r.onHand[j]),
      ]);
    }
    await db.query(`INSERT INTO availability_state (sku, channel, available, version) SELECT s, $1, a, 1 FROM unnest($2::text[], $3::int[]) AS t(s, a)`, [
      options.channel,
      skus,
      chunk.map((r) => r.ats),
    ]);
    await db.query(
      `INSERT INTO availability_pushed (connector_id, channel, sku, version, available) SELECT $1, $2, s, 1, a FROM unnest($3::text[], $4::int[]) AS t(s, a)`,
      [options.connectorId, options.channel, skus, chunk.map((r) => r.ats)],
    );
  }
}
