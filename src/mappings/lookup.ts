/**
 * Lookups a normalizer may use, resolved before it runs so that it stays pure.
 * A `null` answer is a mapping failure the normalizer reports with the field path.
 */
export interface MappingLookup {
  /**
   * ERP SKU for a channel SKU and/or the item's ids in the connector's system (keyed as the
   * connector type declares them in `externalIdKeys`: `variantId`, `inventoryItemId`, `asin`,
   * `legacyItemId`, ...); null when unknown. A channel SKU the catalogue knows wins; then each id
   * is tried in the order given.
   */
  sku(ref: { sku?: string | null; externalIds?: Readonly<Record<string, string | null | undefined>> }): string | null;
  /** Hub location id for an external location id; null when unmapped. */
  location(externalLocationId: string): string | null;
}

/** What a connector instance's lookups are built from: the catalogue and its location map. */
export interface LookupTables {
  /** ERP SKUs known to the catalogue. */
  skus: ReadonlySet<string>;
  /** Per external id key (`variantId`, `asin`, ...): the instance's id → ERP SKU. */
  external: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** External location id → hub location id, from the instance's `settings.locations`. */
  locations: Readonly<Record<string, string>>;
}

/**
 * Lookups for a normalizer: a channel SKU is accepted when the catalogue has it, else the external
 * ids decide; anything else is unknown (null) and the normalizer reports it with the field path.
 * Keys come from payloads, so only own entries count (`constructor` is not a location).
 */
export function createMappingLookup(tables: LookupTables): MappingLookup {
  return {
    sku({ sku, externalIds }) {
      const trimmed = sku?.trim();
      if (trimmed && tables.skus.has(trimmed)) return trimmed;
      for (const [key, id] of Object.entries(externalIds ?? {})) {
        if (id === null || id === undefined || id === '') continue;
        const found = tables.external.get(key)?.get(String(id));
        if (found !== undefined) return found;
      }
      return null;
    },
    location(externalLocationId) {
      const id = String(externalLocationId);
      return Object.hasOwn(tables.locations, id) ? (tables.locations[id] ?? null) : null;
    },
  };
}

/**
 * Lookups for previews that have no catalogue: a SKU is taken as written (else the first external
 * id given stands in for it), and locations go through `locations` when given, else as written.
 */
export function previewLookup(locations: Readonly<Record<string, string>> | null): MappingLookup {
  const mapped = locations === null ? null : createMappingLookup({ skus: new Set(), external: new Map(), locations });
  return {
    sku: ({ sku, externalIds }) => sku?.trim() || Object.values(externalIds ?? {}).find((id) => id !== null && id !== undefined && id !== '') || null,
    location: (id) => (mapped === null ? String(id) : mapped.location(id)),
  };
}
