import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ShopifyStore, SimProduct, SimVariant } from './store.js';

/**
 * Bulk query operations, as the connector's reconciliation uses them: `bulkOperationRunQuery` of an
 * `inventoryItems` query, read back with `node(id:)`, and a JSONL result file with one line per
 * inventory item (aliased `inventoryLevel(locationId:)` fields carry the levels). One bulk query
 * runs at a time (OPERATION_IN_PROGRESS otherwise), as before API version 2026-01. The file is
 * written from the store when downloaded, streamed with backpressure.
 * https://shopify.dev/docs/api/usage/bulk-operations/queries
 */
export interface SimBulkOperation {
  id: string;
  query: string;
  createdAt: number;
  readyAt: number;
  canceled: boolean;
}

const LEVEL_ALIAS = /(\w+)\s*:\s*inventoryLevel\s*\(\s*locationId\s*:\s*(?:"gid:\/\/shopify\/Location\/(\d+)"|\$(\w+))\s*\)/g;

export class BulkOperations {
  readonly operations: SimBulkOperation[] = [];
  /** How long an operation runs before it completes (default 0: done at the first status read). */
  delayMs = 0;
  /** Files downloaded (for tests that check the export was used). */
  downloads = 0;

  constructor(
    private readonly store: ShopifyStore,
    private readonly now: () => number = Date.now,
  ) {}

  run(query: string): { bulkOperation: { id: string; status: string } | null; userErrors: { field: string[]; message: string; code: string }[] } {
    const refuse = (code: string, message: string) => ({ bulkOperation: null, userErrors: [{ field: ['query'], message, code }] });
    if (this.operations.some((op) => this.status(op) === 'RUNNING' || this.status(op) === 'CREATED')) {
      return refuse('OPERATION_IN_PROGRESS', 'A bulk query operation for this app and shop is already in progress.');
    }
    if (!/^\s*{\s*(inventoryItems|productVariants)\b/.test(query))
      return refuse('INVALID', 'The simulator runs bulk queries of inventoryItems and productVariants only.');
    const op: SimBulkOperation = { id: this.store.id(), query, createdAt: this.now(), readyAt: this.now() + this.delayMs, canceled: false };
    this.operations.push(op);
    return { bulkOperation: { id: `gid://shopify/BulkOperation/${op.id}`, status: 'CREATED' }, userErrors: [] };
  }

  find(id: string): SimBulkOperation | undefined {
    return this.operations.find((op) => op.id === id);
  }

  status(op: SimBulkOperation): 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELED' {
    if (op.canceled) return 'CANCELED';
    return this.now() >= op.readyAt ? 'COMPLETED' : 'RUNNING';
  }

  /** The BulkOperation object for `node(id:)`. */
  render(op: SimBulkOperation, baseUrl: string): Record<string, unknown> {
    const status = this.status(op);
    let count = 0;
    // Variants and inventory items are one to one: either export has one line per variant.
    if (status === 'COMPLETED') for (const _ of this.store.inventoryItems()) count += 1;
    return {
      id: `gid://shopify/BulkOperation/${op.id}`,
      status,
      errorCode: null,
      objectCount: String(count),
      url: status === 'COMPLETED' && count > 0 ? `${baseUrl}/bulk/${op.id}.jsonl` : null,
    };
  }

  /** Writes the result file of a completed operation. */
  async stream(op: SimBulkOperation, res: ServerResponse): Promise<void> {
    this.downloads += 1;
    const aliases = BulkOperations.aliases(op.query);
    const products = /^\s*{\s*productVariants\b/.test(op.query) ? new Map(this.store.products.map((p) => [p.id, p])) : null;
    res.writeHead(200, { 'Content-Type': 'application/jsonl' });
    let chunk = '';
    for (const variant of this.store.inventoryItems()) {
      chunk += `${JSON.stringify(products ? this.variant(variant, products.get(variant.productId)!) : this.item(variant, aliases))}\n`;
      if (chunk.length > 64 * 1024) {
        if (!res.write(chunk)) await once(res, 'drain');
        chunk = '';
      }
    }
    res.end(chunk);
  }

  /** An InventoryItem with the fields the connector selects. https://shopify.dev/docs/api/admin-graphql/2025-07/objects/InventoryItem */
  item(variant: SimVariant, aliases: readonly { alias: string; locationId: string }[]): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: `gid://shopify/InventoryItem/${variant.inventoryItemId}`,
      sku: variant.sku,
      tracked: true,
      variant: { id: `gid://shopify/ProductVariant/${variant.id}` },
    };
    for (const { alias, locationId } of aliases) {
      const level = this.store.level(variant.inventoryItemId, locationId);
      out[alias] = level ? { quantities: [{ name: 'available', quantity: level.available }] } : null;
    }
    return out;
  }

  /**
   * A ProductVariant line of a catalogue export, its product nested (an object, not a connection).
   * https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant
   */
  variant(variant: SimVariant, product: SimProduct): Record<string, unknown> {
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    return {
      id: `gid://shopify/ProductVariant/${variant.id}`,
      sku: variant.sku,
      title: variant.title,
      barcode: variant.barcode,
      updatedAt: iso(variant.updatedAt),
      inventoryItem: { id: `gid://shopify/InventoryItem/${variant.inventoryItemId}` },
      product: { id: `gid://shopify/Product/${product.id}`, title: product.title, status: product.status.toUpperCase(), updatedAt: iso(product.updatedAt) },
    };
  }

  /** Aliased levels asked for in any query text (also used by `nodes(ids:)`). */
  static aliases(query: string, variables: Record<string, unknown> = {}): { alias: string; locationId: string }[] {
    const fromVariable = (name: string) => /^gid:\/\/shopify\/Location\/(\d+)$/.exec(String(variables[name]))?.[1] ?? '';
    return [...query.matchAll(LEVEL_ALIAS)].map((m) => ({ alias: m[1] as string, locationId: m[2] ?? fromVariable(m[3] as string) }));
  }
}
