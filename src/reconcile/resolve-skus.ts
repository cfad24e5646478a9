import type { Queryable } from '../core/store/index.js';

/** What a channel says about one item: its SKU there and its ids in the connector's system. */
export interface ItemRef {
  sku: string | null;
  externalIds: Record<string, string>;
}

/**
 * ERP SKU of each item, like the mapping lookup of normalizers but one page at a time from the
 * database (the catalogue is never loaded whole): the channel SKU when the ERP has that product,
 * else the product whose `externalIds.<connectorId>` holds the item's variant id, else its
 * inventory item id (or any other id key the connector gives). `null` when none matches.
 */
export async function resolveSkus(db: Queryable, connectorId: string, items: readonly ItemRef[]): Promise<(string | null)[]> {
  const out: (string | null)[] = items.map(() => null);
  const bySku = [...new Set(items.map((i) => i.sku?.trim()).filter((s): s is string => !!s))];
  if (bySku.length > 0) {
    const { rows } = await db.query<{ sku: string }>('SELECT sku FROM product WHERE sku = ANY($1::text[])', [bySku]);
    const known = new Set(rows.map((r) => r.sku));
    items.forEach((item, i) => {
      const sku = item.sku?.trim();
      if (sku && known.has(sku)) out[i] = sku;
    });
  }
  const keys = [...new Set(items.flatMap((item, i) => (out[i] === null ? Object.keys(item.externalIds) : [])))];
  keys.sort((a, b) => rank(a) - rank(b));
  for (const key of keys) {
    const missing = items.map((item, i) => (out[i] === null ? item.externalIds[key] : undefined));
    const values = [...new Set(missing.filter((v): v is string => !!v))];
    if (values.length === 0) continue;
    // Rare (a renamed SKU, an unknown item), so a scan of the product table is acceptable here.
    const { rows } = await db.query<{ sku: string; ext: string }>(
      `SELECT sku, details->'externalIds'->$1->>$2 AS ext FROM product WHERE details->'externalIds'->$1->>$2 = ANY($3::text[])`,
      [connectorId, key, values],
    );
    const found = new Map(rows.map((r) => [r.ext, r.sku]));
    missing.forEach((value, i) => {
      if (value && out[i] === null) out[i] = found.get(value) ?? null;
    });
  }
  return out;
}

/** Variant ids before inventory item ids, as the normalizers' lookup does. */
const rank = (key: string) => (key === 'variantId' ? 0 : key === 'inventoryItemId' ? 1 : 2);
