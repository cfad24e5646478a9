import { describe, expect, it } from 'vitest';
import { applyEvent, getInventory, getOrder } from '../../src/core/erp/index.js';
import { CanonicalEventSchema } from '../../src/core/model/index.js';
import type { Db } from '../../src/core/store/index.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import { adjust, atsOf, balanceAt, ev, money, order, testContext, uniq, useErpDb } from './helpers.js';

/** Issue 16: what a channel says reaches the ERP as said (oversold levels, cancellations, refund cancels). */
describe.each(TEST_DB_KINDS)('ERP keeps what channels report on %s', (kind) => {
  let db: Db;
  const ctx = testContext();
  useErpDb(kind, (d) => (db = d));

  const channelLevel = (sku: string, quantity: number, occurredAt = '2026-11-24T17:40:00.000Z') => {
    const e = ev(
      'inventory.level.reported',
      { sku, location: 'wh-a', quantity, reporter: 'channel', figure: 'available', channel: 'web' },
      { connector: 'shopify-main', version: occurredAt },
    );
    return { ...e, occurredAt };
  };

  it('stores an oversold channel level as reported (-2 available) and shows it beside availableToSell; the ledger is untouched', async () => {
    const sku = uniq('OVERSOLD');
    await applyEvent(db, adjust(sku, 'wh-a', 3), ctx);
    const out = await applyEvent(db, channelLevel(sku, -2), ctx);
    expect(out.status).toBe('applied');
    expect(out.movements).toEqual([]);
    const view = await getInventory(db, sku, ctx);
    const web = view.availableToSell.find((a) => a.channel === 'web');
    expect(web).toEqual({
      channel: 'web',
      available: 3,
      reported: [{ connector: 'shopify-main', location: 'wh-a', figure: 'available', quantity: -2, reportedAt: '2026-11-24T17:40:00.000Z' }],
    });
    // Another channel's row does not show it.
    expect(view.availableToSell.find((a) => a.channel === 'wholesale')?.reported).toEqual([]);
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 3 });
  });

  it('keeps the latest report: a newer level replaces the oversold one', async () => {
    const sku = uniq('OVERSOLD2');
    await applyEvent(db, channelLevel(sku, -2, '2026-11-24T17:40:00.000Z'), ctx);
    await applyEvent(db, channelLevel(sku, 4, '2026-11-24T18:00:00.000Z'), ctx);
    const view = await getInventory(db, sku, ctx);
    expect(view.availableToSell.find((a) => a.channel === 'web')?.reported).toMatchObject([{ quantity: 4, reportedAt: '2026-11-24T18:00:00.000Z' }]);
  });

  it('refuses a negative warehouse count, and a warehouse report of a channel figure, naming the field', () => {
    const base = {
      id: 'e',
      type: 'inventory.level.reported',
      idempotencyKey: 'k',
      source: { connector: 'wms', connectorType: 'test', externalId: 'x' },
      occurredAt: '2026-11-24T00:00:00.000Z',
    };
    const negative = CanonicalEventSchema.safeParse({ ...base, data: { sku: 'S', location: 'wh-a', quantity: -1, reporter: 'warehouse' } });
    expect(negative.success).toBe(false);
    expect(negative.error?.issues[0]?.path).toEqual(['data', 'quantity']);
    const figure = CanonicalEventSchema.safeParse({ ...base, data: { sku: 'S', location: 'wh-a', quantity: 1, reporter: 'warehouse', figure: 'available' } });
    expect(figure.error?.issues[0]?.path).toEqual(['data', 'figure']);
    // A channel reporting an onHand count is a count too: never negative.
    const channelOnHand = CanonicalEventSchema.safeParse({
      ...base,
      data: { sku: 'S', location: 'wh-a', quantity: -1, reporter: 'channel', figure: 'onHand' },
    });
    expect(channelOnHand.success).toBe(false);
  });

  it('records a cancellation of an order it never saw with the number, currency and total the payload gave', async () => {
    const id = uniq('never-seen');
    const cancel = ev('order.cancelled', {
      channel: 'web',
      externalOrderId: id,
      cancelledAt: '2026-11-24T16:00:00.000Z',
      reason: 'customer',
      orderNumber: '#1002',
      currency: 'EUR',
      total: { amount: '59.90', currency: 'EUR' },
      placedAt: '2026-11-24T08:00:00.000Z',
    });
    expect((await applyEvent(db, cancel, ctx)).status).toBe('applied');
    const view = await getOrder(db, 'web', id);
    expect(view).toMatchObject({ orderNumber: '#1002', status: 'cancelled', placedAt: '2026-11-24T08:00:00.000Z' });
    const { rows } = await db.query<{ currency: string; total: string }>(
      'SELECT currency, total::text AS total FROM sales_order WHERE external_order_id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ currency: 'EUR', total: '59.90' });
  });

  describe('a refund line that cancels unfulfilled units', () => {
    const refund = (orderId: string, refundId: string, createdAt: string, lineId: string, quantity: number) =>
      ev(
        'refund.created',
        {
          externalRefundId: refundId,
          channel: 'web',
          externalOrderId: orderId,
          createdAt,
          amount: money('5.00'),
          lines: [],
          cancelledLines: [{ externalLineId: lineId, quantity }],
        },
        { connector: 'shopify-main', version: createdAt },
      );
    const snapshot = (orderId: string, quantity: number, version: string) => {
      const e = order(orderId, [['__SKU__', quantity]], { version });
      return { ...e, source: { ...e.source, connector: 'shopify-main', externalId: orderId } };
    };
    const withSku = <T extends { data: { lines: { sku: string | null }[] } }>(e: T, sku: string): T => ({
      ...e,
      data: { ...e.data, lines: e.data.lines.map((l) => ({ ...l, sku })) },
    });

    it('releases the reservation at once, once, and a later snapshot neither re-reserves nor double-releases', async () => {
      const sku = uniq('REFCANCEL');
      const id = uniq('o');
      await applyEvent(db, adjust(sku, 'wh-a', 5), ctx);
      await applyEvent(db, withSku(snapshot(id, 3, '2026-11-24T08:00:00.000Z'), sku), ctx);
      expect((await atsOf(db, ctx, sku))['web']).toBe(2);

      const refundId = uniq('r');
      const first = await applyEvent(db, refund(id, refundId, '2026-11-24T09:00:00.000Z', `${id}-L1`, 1), ctx);
      expect(first.status).toBe('applied');
      expect(first.movements).toEqual([expect.objectContaining({ sku, state: 'allocated', delta: -1 })]);
      expect((await atsOf(db, ctx, sku))['web']).toBe(3);
      expect(first.availabilityChanges).toContainEqual(expect.objectContaining({ sku, channel: 'web', available: 3 }));

      // The same refund redelivered under another key is a duplicate and releases nothing more.
      expect((await applyEvent(db, refund(id, refundId, '2026-11-24T09:00:00.000Z', `${id}-L1`, 1), ctx)).status).toBe('duplicate');
      // A snapshot from before the refund, delivered late, is stale: it cannot reserve the cancelled unit again.
      expect((await applyEvent(db, withSku(snapshot(id, 3, '2026-11-24T08:30:00.000Z'), sku), ctx)).status).toBe('stale');
      // The snapshot after the refund says 2: already so, nothing moves.
      const after = await applyEvent(db, withSku(snapshot(id, 2, '2026-11-24T09:00:05.000Z'), sku), ctx);
      expect(after.status).toBe('applied');
      expect(after.movements).toEqual([]);
      expect((await balanceAt(db, ctx, sku, 'wh-a')).allocated).toBe(2);
    });

    it('releases nothing when the order snapshot that already counts the cancel came first', async () => {
      const sku = uniq('REFCANCEL2');
      const id = uniq('o');
      await applyEvent(db, adjust(sku, 'wh-a', 5), ctx);
      await applyEvent(db, withSku(snapshot(id, 3, '2026-11-24T08:00:00.000Z'), sku), ctx);
      await applyEvent(db, withSku(snapshot(id, 2, '2026-11-24T09:00:05.000Z'), sku), ctx);
      const out = await applyEvent(db, refund(id, uniq('r'), '2026-11-24T09:00:00.000Z', `${id}-L1`, 1), ctx);
      expect(out.status).toBe('applied');
      expect(out.movements).toEqual([]);
      expect((await balanceAt(db, ctx, sku, 'wh-a')).allocated).toBe(2);
      expect((await getOrder(db, 'web', id))?.lines[0]?.items[0]).toMatchObject({ required: 2 });
    });
  });
});
