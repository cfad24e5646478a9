import { describe, expect, it } from 'vitest';
import { applyEvent, getOrder } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import { adjust, applyAll, balanceAt, ev, money, order, ship, statusOf, testContext, uniq, useErpDb } from './helpers.js';

describe.each(TEST_DB_KINDS)('ERP shipments, refunds and invoices on %s', (kind) => {
  let db: Db;
  const ctx = testContext();
  useErpDb(kind, (d) => (db = d));

  it('shipment.confirmed consumes allocation and onHand at the shipping location, partially then fully', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyAll(db, ctx, [adjust(a, 'wh-a', 10), order(id, [[a, 4]])]);
    const first = await applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: a, quantity: 1 }]), ctx);
    expect(first.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: 'allocated', to: 'partially_shipped' }]);
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ onHand: 9, allocated: 3, available: 6 });
    // Shipping consumed reserved units: available to sell is unchanged, so nothing is pushed.
    expect(first.availabilityChanges).toEqual([]);
    const rest = await applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: a, quantity: 3 }]), ctx);
    expect(rest.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: 'partially_shipped', to: 'shipped' }]);
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ onHand: 6, allocated: 0 });
  });

  it('a shipment from another location than allocated frees the original allocation for other orders', async () => {
    const a = uniq('A');
    const [id, waiting] = [uniq('o'), uniq('o')];
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 2),
      adjust(a, 'wh-b', 5),
      order(id, [[a, 2]], { placedAt: '2026-01-01T00:00:00.000Z' }),
      order(waiting, [[a, 6]], { placedAt: '2026-01-02T00:00:00.000Z' }),
    ]);
    expect((await getOrder(db, 'web', id))!.lines[0]!.items[0]!.allocations).toEqual([{ location: 'wh-a', quantity: 2 }]);
    const out = await applyEvent(db, ship(id, uniq('s'), 'wh-b', [{ sku: a, quantity: 2 }]), ctx);
    expect(out.movements.map((m) => [m.location, m.state, m.delta, m.reason])).toContainEqual(['wh-a', 'allocated', -2, 'shipment.rerouted']);
    expect(await statusOf(db, id)).toBe('shipped');
    // wh-b: 5 - 2 shipped, of which the waiting order held 3 and gets the 2 freed at wh-a.
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ onHand: 2, allocated: 2 });
    expect(await balanceAt(db, ctx, a, 'wh-b')).toMatchObject({ onHand: 3, allocated: 3 });
    expect((await getOrder(db, 'web', waiting))!.lines[0]!.items[0]!.backordered).toBe(1);
  });

  it('rejects shipments for unknown lines, more than ordered and stock the location does not hold; an unknown order is retryable (it may arrive later)', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyAll(db, ctx, [adjust(a, 'wh-a', 3), order(id, [[a, 3]])]);
    await expect(applyEvent(db, ship(uniq('none'), uniq('s'), 'wh-a', [{ sku: a, quantity: 1 }]), ctx)).rejects.toMatchObject({
      field: 'data.externalOrderId',
      code: 'dependency_missing',
      retryable: true,
    });
    await expect(applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: 'OTHER', quantity: 1 }]), ctx)).rejects.toMatchObject({ field: 'data.lines[0].sku' });
    await expect(applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: a, quantity: 4 }]), ctx)).rejects.toMatchObject({ field: 'data.lines[0].quantity' });
    await expect(applyEvent(db, ship(id, uniq('s'), 'wh-b', [{ sku: a, quantity: 1 }]), ctx)).rejects.toThrow(/wh-b holds only 0/);
    await expect(applyEvent(db, ship(id, uniq('s'), 'mars', [{ sku: a, quantity: 1 }]), ctx)).rejects.toMatchObject({ field: 'data.location' });
    expect(await statusOf(db, id)).toBe('allocated');
  });

  it('shipping a cancelled order is an illegal transition', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 1),
      order(id, [[a, 1]]),
      ev('order.cancelled', { channel: 'web', externalOrderId: id, cancelledAt: '2026-01-02T00:00:00.000Z' }),
    ]);
    await expect(applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: a, quantity: 1 }]), ctx)).rejects.toMatchObject({
      name: 'IllegalTransitionError',
      message: expect.stringMatching(/from cancelled to shipped/),
    });
  });

  it('the same shipment delivered under another key is a duplicate; tracking updates attach to it', async () => {
    const a = uniq('A');
    const [id, sid] = [uniq('o'), uniq('s')];
    await applyAll(db, ctx, [adjust(a, 'wh-a', 5), order(id, [[a, 2]])]);
    await applyEvent(db, ship(id, sid, 'wh-a', [{ sku: a, quantity: 1 }]), ctx);
    const again = await applyEvent(db, ship(id, sid, 'wh-a', [{ sku: a, quantity: 1 }]), ctx);
    expect(again).toMatchObject({ status: 'duplicate', movements: [] });
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ onHand: 4, allocated: 1 });
    const tracking = ev('shipment.tracking.updated', {
      channel: 'web',
      externalOrderId: id,
      externalShipmentId: sid,
      tracking: { number: '1Z999', company: 'UPS' },
      status: 'in_transit',
    });
    expect((await applyEvent(db, tracking, ctx)).status).toBe('applied');
    const row = await db.query<{ tracking: { number: string }; tracking_status: string }>(
      'SELECT tracking, tracking_status FROM shipment WHERE external_shipment_id = $1',
      [sid],
    );
    expect(row.rows[0]).toEqual({ tracking: { number: '1Z999', company: 'UPS' }, tracking_status: 'in_transit' });
    const unknown = ev('shipment.tracking.updated', { channel: 'web', externalOrderId: id, externalShipmentId: 'nope', tracking: { number: '1' } });
    await expect(applyEvent(db, unknown, ctx)).rejects.toMatchObject({ field: 'data.externalShipmentId' });
  });

  it('refund.created is recorded once and moves no stock', async () => {
    const refundId = uniq('rf');
    const refund = (key?: string) =>
      ev(
        'refund.created',
        { externalRefundId: refundId, channel: 'web', externalOrderId: 'o-1', createdAt: '2026-01-04T00:00:00.000Z', amount: money('12.50'), lines: [] },
        { key },
      );
    const out = await applyEvent(db, refund(), ctx);
    expect(out).toMatchObject({ status: 'applied', movements: [] });
    expect((await applyEvent(db, refund(), ctx)).status).toBe('duplicate');
    const row = await db.query<{ amount: string }>('SELECT amount FROM refund WHERE external_refund_id = $1', [refundId]);
    expect(row.rows).toEqual([{ amount: '12.50' }]);
  });

  it('invoice.posted closes a shipped order, and an order invoiced early closes when it ships', async () => {
    const a = uniq('A');
    const [shippedFirst, invoicedFirst] = [uniq('o'), uniq('o')];
    const invoice = (orderId: string) =>
      ev('invoice.posted', {
        externalInvoiceId: uniq('inv'),
        channel: 'web',
        externalOrderId: orderId,
        postedAt: '2026-01-05T00:00:00.000Z',
        total: money('10.00'),
        lines: [{ sku: a, quantity: 1, unitPrice: money('10.00') }],
      });
    await applyAll(db, ctx, [adjust(a, 'wh-a', 2), order(shippedFirst, [[a, 1]]), order(invoicedFirst, [[a, 1]])]);
    await applyEvent(db, ship(shippedFirst, uniq('s'), 'wh-a', [{ sku: a, quantity: 1 }]), ctx);
    const closed = await applyEvent(db, invoice(shippedFirst), ctx);
    expect(closed.orderChanges).toEqual([{ channel: 'web', externalOrderId: shippedFirst, from: 'shipped', to: 'closed' }]);
    await applyEvent(db, invoice(invoicedFirst), ctx);
    expect(await statusOf(db, invoicedFirst)).toBe('allocated');
    const shipped = await applyEvent(db, ship(invoicedFirst, uniq('s'), 'wh-a', [{ sku: a, quantity: 1 }]), ctx);
    expect(shipped.orderChanges).toEqual([{ channel: 'web', externalOrderId: invoicedFirst, from: 'allocated', to: 'closed' }]);
  });
});
