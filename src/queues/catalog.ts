import type { MappingLookup } from '../connectors/types.js';
import type { ConnectorInstance } from '../core/config/load.js';
import type { Queryable } from '../core/store/index.js';
import { createMappingLookup } from '../mappings/lookup.js';

/**
 * An in-memory snapshot of the catalogue (SKUs and external variant ids per connector) that
 * normalizers look up synchronously. Refreshed on a schedule and whenever a lookup misses, so a
 * product learned a moment ago is found on the retry.
 */
export class Catalog {
  private skus = new Set<string>();
  /** Per connector: `variant:<id>` and `item:<id>` → SKU. */
  private external = new Map<string, { variants: Map<string, string>; items: Map<string, string> }>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly maxAgeMs = 30_000,
  ) {}

  /** Reloads when older than `maxAgeMs` (or always with `force`); concurrent callers share one load. */
  async refresh(force = false, now = Date.now()): Promise<void> {
    if (!force && now - this.loadedAt < this.maxAgeMs) return;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  private async load(): Promise<void> {
    const { rows } = await this.db.query<{ sku: string; external: Record<string, Record<string, string>> | null }>(
      `SELECT sku, details->'externalIds' AS external FROM product`,
    );
    const skus = new Set<string>();
    const external = new Map<string, { variants: Map<string, string>; items: Map<string, string> }>();
    for (const row of rows) {
      skus.add(row.sku);
      for (const [connector, ids] of Object.entries(row.external ?? {})) {
        let maps = external.get(connector);
        if (!maps) external.set(connector, (maps = { variants: new Map(), items: new Map() }));
        if (ids?.['variantId']) maps.variants.set(String(ids['variantId']), row.sku);
        if (ids?.['inventoryItemId']) maps.items.set(String(ids['inventoryItemId']), row.sku);
      }
    }
    this.skus = skus;
    this.external = external;
    this.loadedAt = Date.now();
  }

  lookupFor(instance: ConnectorInstance): MappingLookup {
    const locations = (instance.settings['locations'] as Record<string, string> | undefined) ?? {};
    const maps = this.external.get(instance.id);
    return createMappingLookup({ skus: this.skus, variants: maps?.variants ?? new Map(), inventoryItems: maps?.items ?? new Map(), locations });
  }
}
