import type { ConnectorInstance } from '../core/config/load.js';
import type { Queryable } from '../core/store/index.js';
import { createMappingLookup, type MappingLookup } from '../mappings/lookup.js';

/**
 * An in-memory snapshot of the catalogue (SKUs and external variant ids per connector) that
 * normalizers look up synchronously. Refreshed on a schedule and whenever a lookup misses, so a
 * product learned a moment ago is found on the retry.
 */
export class Catalog {
  private skus = new Set<string>();
  /** Per connector instance, per external id key: id → SKU. Every key a product stores is indexed. */
  private external = new Map<string, Map<string, Map<string, string>>>();
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
    const external = new Map<string, Map<string, Map<string, string>>>();
    for (const row of rows) {
      skus.add(row.sku);
      for (const [connector, ids] of Object.entries(row.external ?? {})) {
        let byKey = external.get(connector);
        if (!byKey) external.set(connector, (byKey = new Map()));
        for (const [key, id] of Object.entries(ids ?? {})) {
          if (id === null || id === undefined || id === '') continue;
          let index = byKey.get(key);
          if (!index) byKey.set(key, (index = new Map()));
          index.set(String(id), row.sku);
        }
      }
    }
    this.skus = skus;
    this.external = external;
    this.loadedAt = Date.now();
  }

  lookupFor(instance: ConnectorInstance): MappingLookup {
    const locations = (instance.settings['locations'] as Record<string, string> | undefined) ?? {};
    return createMappingLookup({ skus: this.skus, external: this.external.get(instance.id) ?? new Map(), locations });
  }
}
