import type { Product } from '../model/index.js';
import { ValidationError } from '../errors.js';
import type { Queryable } from '../store/index.js';
import type { ApplySession } from './session.js';

/** A product as the ERP core keeps it. */
export interface ProductRecord {
  sku: string;
  title: string;
  active: boolean;
  isBundle: boolean;
  autoCreated: boolean;
  components: { sku: string; quantity: number }[];
}

/** A product row as {@link PRODUCT_COLUMNS} selects it. */
export interface ProductRow {
  sku: string;
  title: string;
  active: boolean;
  is_bundle: boolean;
  auto_created: boolean;
  bundles?: string[] | null;
}

/** The columns of `product p` a ProductRecord is read from, with the bundles containing each. */
export const PRODUCT_COLUMNS = `p.sku, p.title, p.active, p.is_bundle, p.auto_created,
  ARRAY(SELECT c.bundle_sku FROM product_component c WHERE c.component_sku = p.sku ORDER BY 1) AS bundles`;

/**
 * Products by SKU, with bundle components; unknown SKUs are absent from the map. With
 * `containedIn`, each product also says which bundles contain it (same statement).
 */
export async function loadProducts(q: Queryable, skus: readonly string[], containedIn?: Map<string, string[]>): Promise<Map<string, ProductRecord>> {
  if (skus.length === 0) return new Map();
  const { rows } = await q.query<ProductRow>(
    containedIn
      ? `SELECT ${PRODUCT_COLUMNS} FROM product p WHERE sku = ANY($1::text[])`
      : 'SELECT sku, title, active, is_bundle, auto_created FROM product WHERE sku = ANY($1::text[])',
    [[...new Set(skus)]],
  );
  return productsFrom(q, rows, containedIn);
}

/** ProductRecords from product rows; the components of the bundles among them are read in one more statement. */
export async function productsFrom(q: Queryable, rows: readonly ProductRow[], containedIn?: Map<string, string[]>): Promise<Map<string, ProductRecord>> {
  const out = new Map<string, ProductRecord>();
  for (const r of rows) {
    out.set(r.sku, { sku: r.sku, title: r.title, active: r.active, isBundle: r.is_bundle, autoCreated: r.auto_created, components: [] });
    containedIn?.set(r.sku, r.bundles ?? []);
  }
  const bundles = rows.filter((r) => r.is_bundle).map((r) => r.sku);
  if (bundles.length > 0) {
    const comps = await q.query<{ bundle_sku: string; component_sku: string; quantity: number }>(
      'SELECT bundle_sku, component_sku, quantity FROM product_component WHERE bundle_sku = ANY($1::text[]) ORDER BY bundle_sku, component_sku',
      [bundles],
    );
    for (const c of comps.rows) out.get(c.bundle_sku)!.components.push({ sku: c.component_sku, quantity: c.quantity });
  }
  return out;
}

/** {@link loadProducts} through the transaction's cache: a SKU is read at most once per event. */
export async function sessionProducts(s: ApplySession, skus: readonly string[]): Promise<Map<string, ProductRecord>> {
  const missing = [...new Set(skus)].filter((sku) => !s.productCache.has(sku));
  if (missing.length > 0) {
    const loaded = await loadProducts(s.tx, missing);
    for (const sku of missing) s.productCache.set(sku, loaded.get(sku) ?? null);
  }
  const out = new Map<string, ProductRecord>();
  for (const sku of skus) {
    const p = s.productCache.get(sku);
    if (p) out.set(sku, p);
  }
  return out;
}

/** Bundles that contain any of `skus`. */
export async function bundlesContaining(q: Queryable, skus: readonly string[]): Promise<string[]> {
  if (skus.length === 0) return [];
  const { rows } = await q.query<{ bundle_sku: string }>('SELECT DISTINCT bundle_sku FROM product_component WHERE component_sku = ANY($1::text[])', [
    [...new Set(skus)],
  ]);
  return rows.map((r) => r.bundle_sku);
}

/**
 * Makes sure a SKU can hold stock. Policy: a SKU unknown to the ERP is created on its first
 * stock event (marked `auto_created`), because a warehouse count must not be lost while the
 * catalogue sync lags behind; unknown channel SKUs are stopped earlier, by the mapping step.
 * A bundle holds no stock of its own, so stock events for a bundle are rejected.
 */
export async function ensureStockSku(s: ApplySession, sku: string, field: string): Promise<void> {
  let product = s.productCache.get(sku);
  if (!product) {
    // One round trip: the CTE's row when created now, else the existing row (same snapshot, so never both).
    const { rows } = await s.tx.query<{ title: string; active: boolean; is_bundle: boolean; auto_created: boolean }>(
      `WITH created AS (
         INSERT INTO product (sku, auto_created) VALUES ($1, true) ON CONFLICT DO NOTHING
         RETURNING title, active, is_bundle, auto_created
       )
       SELECT title, active, is_bundle, auto_created FROM created
       UNION ALL SELECT title, active, is_bundle, auto_created FROM product WHERE sku = $1`,
      [sku],
    );
    // A concurrent creator that committed while this statement waited on the conflict is not in its
    // snapshot: neither branch returns a row. A new statement sees it.
    const r =
      rows[0] ??
      (
        await s.tx.query<{ title: string; active: boolean; is_bundle: boolean; auto_created: boolean }>(
          'SELECT title, active, is_bundle, auto_created FROM product WHERE sku = $1',
          [sku],
        )
      ).rows[0]!;
    if (r.is_bundle) {
      s.productCache.delete(sku);
    } else {
      product = { sku, title: r.title, active: r.active, isBundle: false, autoCreated: r.auto_created, components: [] };
      s.productCache.set(sku, product);
    }
  }
  if (!product || product.isBundle) {
    throw new ValidationError(`${field}: "${sku}" is a bundle; bundles hold no stock, report their components`, { field, value: sku });
  }
}

/** `product.upserted`: creates or updates a product and replaces its bundle components. */
export async function applyProductUpserted(s: ApplySession, p: Product): Promise<string> {
  const isBundle = p.components.length > 0;
  p.components.forEach((c, i) => {
    if (p.components.findIndex((o) => o.sku === c.sku) !== i) {
      throw new ValidationError(`data.components[${i}].sku: "${c.sku}" is listed twice`, { field: `data.components[${i}].sku`, value: c.sku });
    }
    if (c.sku === p.sku) {
      throw new ValidationError(`data.components[${i}].sku: a bundle cannot contain itself`, { field: `data.components[${i}].sku`, value: c.sku });
    }
  });
  if (isBundle) {
    await s.flush(); // a batch's movements so far must be in the table this reads
    const held = await s.tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_balance WHERE sku = $1 AND quantity <> 0`, [p.sku]);
    if ((held.rows[0]?.n ?? 0) > 0) {
      throw new ValidationError(`data.components: "${p.sku}" holds stock and cannot become a bundle`, { field: 'data.components', value: p.sku });
    }
    const comps = await sessionProducts(
      s,
      p.components.map((c) => c.sku),
    );
    p.components.forEach((c, i) => {
      if (comps.get(c.sku)?.isBundle) {
        throw new ValidationError(`data.components[${i}].sku: "${c.sku}" is itself a bundle; bundles do not nest`, {
          field: `data.components[${i}].sku`,
          value: c.sku,
        });
      }
    });
  }
  const details = { barcode: p.barcode, price: p.price, externalIds: p.externalIds };
  await s.tx.query(
    `INSERT INTO product (sku, title, active, is_bundle, auto_created, details) VALUES ($1, $2, $3, $4, false, $5)
     ON CONFLICT (sku) DO UPDATE SET title = excluded.title, active = excluded.active, is_bundle = excluded.is_bundle,
       auto_created = false, details = excluded.details, updated_at = now()`,
    [p.sku, p.title, p.active, isBundle, JSON.stringify(details)],
  );
  await s.tx.query('DELETE FROM product_component WHERE bundle_sku = $1', [p.sku]);
  if (isBundle) {
    const skus = p.components.map((c) => c.sku);
    // Components may be announced after their bundle; create them so the bundle can reference them.
    await s.tx.query(`INSERT INTO product (sku, auto_created) SELECT unnest($1::text[]), true ON CONFLICT DO NOTHING`, [skus]);
    await s.tx.query(
      `INSERT INTO product_component (bundle_sku, component_sku, quantity)
       SELECT $1, c.sku, c.quantity FROM unnest($2::text[], $3::int[]) AS c(sku, quantity)`,
      [p.sku, skus, p.components.map((c) => c.quantity)],
    );
  }
  s.productCache.delete(p.sku);
  for (const c of p.components) s.productCache.delete(c.sku);
  s.productChanged.add(p.sku);
  return isBundle ? `bundle ${p.sku} with ${p.components.length} components` : `product ${p.sku}`;
}
