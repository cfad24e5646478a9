import type { MappingLookup } from '../connectors/types.js';

/** What a connector instance's lookups are built from: the catalogue and its location map. */
export interface LookupTables {
  /** ERP SKUs known to the catalogue. */
  skus: ReadonlySet<string>;
  /** External variant id → ERP SKU, for this connector instance. */
  variants: ReadonlyMap<string, string>;
  /** External inventory item id → ERP SKU, for this connector instance. */
  inventoryItems: ReadonlyMap<string, string>;
  /** External location id → hub location id, from the instance's `settings.locations`. */
  locations: Readonly<Record<string, string>>;
}

/**
 * Lookups for a normalizer: a channel SKU is accepted when the catalogue has it, else the variant
 * id decides; anything else is unknown (null) and the normalizer reports it with the field path.
 */
export function createMappingLookup(tables: LookupTables): MappingLookup {
  return {
    sku({ sku, variantId, inventoryItemId }) {
      const trimmed = sku?.trim();
      if (trimmed && tables.skus.has(trimmed)) return trimmed;
      if (variantId) return tables.variants.get(String(variantId)) ?? null;
      if (inventoryItemId) return tables.inventoryItems.get(String(inventoryItemId)) ?? null;
      return null;
    },
    location(externalLocationId) {
      return tables.locations[String(externalLocationId)] ?? null;
    },
  };
}

/** Accepts every SKU and location as given: for previews that have no catalogue. */
export const identityLookup: MappingLookup = {
  sku: ({ sku, variantId, inventoryItemId }) => sku?.trim() || (variantId ? String(variantId) : inventoryItemId ? String(inventoryItemId) : null),
  location: (id) => String(id),
};
