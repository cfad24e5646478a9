import { describe, expect, it } from 'vitest';
import { CanonicalEventSchema, OrderSchema, ProductSchema, zodIssues, type Issue } from './index.js';

const order = {
  channel: 'web',
  externalOrderId: '820982911946154508',
  orderNumber: '#1001',
  placedAt: '2026-11-24T08:00:00.000Z',
  currency: 'USD',
  total: { amount: '59.90', currency: 'USD' },
  lines: [{ externalLineId: '1', sku: 'TSHIRT-M', quantity: 2, unitPrice: { amount: '29.95', currency: 'USD' } }],
};

function issuesOf(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): Issue[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return zodIssues(result.error as never);
}

describe('canonical order', () => {
  it('accepts a well-formed order and keeps external ids as strings', () => {
    const parsed = OrderSchema.parse(order);
    expect(parsed.externalOrderId).toBe('820982911946154508');
    expect(parsed.lines[0]?.title).toBe('');
  });

  it('rejects a fractional quantity and names the line field', () => {
    const issues = issuesOf(OrderSchema, { ...order, lines: [{ ...order.lines[0], quantity: 1.5 }] });
    expect(issues).toContainEqual({ path: 'lines[0].quantity', message: 'must be a whole number of units' });
  });

  it('rejects a negative quantity and names the field', () => {
    const issues = issuesOf(OrderSchema, { ...order, lines: [{ ...order.lines[0], quantity: -1 }] });
    expect(issues.map((i) => i.path)).toEqual(['lines[0].quantity']);
  });

  it('rejects money given as a float and names the field', () => {
    const issues = issuesOf(OrderSchema, { ...order, total: { amount: 59.9, currency: 'USD' } });
    expect(issues.map((i) => i.path)).toEqual(['total.amount']);
  });

  it('rejects a timestamp with an offset instead of UTC', () => {
    const issues = issuesOf(OrderSchema, { ...order, placedAt: '2026-11-24T03:00:00-05:00' });
    expect(issues).toContainEqual({ path: 'placedAt', message: 'must be an ISO 8601 UTC timestamp ending in Z' });
  });

  it('requires a reason when a line has no mapped SKU', () => {
    const issues = issuesOf(OrderSchema, { ...order, lines: [{ ...order.lines[0], sku: null }] });
    expect(issues.map((i) => i.path)).toEqual(['lines[0].skuUnmappedReason']);
    expect(OrderSchema.safeParse({ ...order, lines: [{ ...order.lines[0], sku: null, skuUnmappedReason: 'no SKU' }] }).success).toBe(true);
  });
});

describe('canonical event envelope', () => {
  const envelope = {
    id: 'evt-1',
    idempotencyKey: 'shopify-main:order:1:2026-11-24T08:00:00.000Z',
    source: { connector: 'shopify-main', connectorType: 'shopify', externalId: '1', version: '2026-11-24T08:00:00.000Z' },
    occurredAt: '2026-11-24T08:00:00.000Z',
  };

  it('validates the data against the schema of its type', () => {
    expect(CanonicalEventSchema.safeParse({ ...envelope, type: 'order.upserted', data: order }).success).toBe(true);
    const issues = issuesOf(CanonicalEventSchema, {
      ...envelope,
      type: 'inventory.adjusted',
      data: { sku: 'A', location: 'wh-east', delta: 2.5, reason: 'count' },
    });
    expect(issues.map((i) => i.path)).toEqual(['data.delta']);
  });

  it('rejects an unknown event type', () => {
    const result = CanonicalEventSchema.safeParse({ ...envelope, type: 'order.teleported', data: {} });
    expect(result.success).toBe(false);
  });

  it('accepts return dispositions restock, quarantine and scrap only', () => {
    const ret = (disposition: string) => ({
      ...envelope,
      type: 'return.received',
      data: {
        externalReturnId: 'r1',
        channel: 'web',
        location: 'wh-east',
        receivedAt: '2026-11-24T08:00:00.000Z',
        lines: [{ sku: 'A', quantity: 1, disposition }],
      },
    });
    for (const d of ['restock', 'quarantine', 'scrap']) expect(CanonicalEventSchema.safeParse(ret(d)).success).toBe(true);
    expect(issuesOf(CanonicalEventSchema, ret('resell')).map((i) => i.path)).toEqual(['data.lines[0].disposition']);
  });
});

describe('product', () => {
  it('rejects a bundle component with zero quantity', () => {
    const issues = issuesOf(ProductSchema, { sku: 'KIT', components: [{ sku: 'A', quantity: 0 }] });
    expect(issues).toContainEqual({ path: 'components[0].quantity', message: 'must be at least 1' });
  });
});
