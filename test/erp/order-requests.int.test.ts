import { describe, expect, it } from 'vitest';
import { applyEvent, getOrder, listOrderRequests } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import { adjust, applyAll, ev, order, testContext, uniq, useErpDb } from './helpers.js';

describe.each(TEST_DB_KINDS)('order cancellation requests on %s', (kind) => {
  let db: Db;
  const ctx = testContext();
  useErpDb(kind, (d) => (db = d), { verify: false });

  it('records a buyer cancellation request for an operator and keeps the order allocated', async () => {
    const sku = uniq('S');
    await applyAll(db, ctx, [adjust(sku, 'wh-a', 5)]);
    const id = uniq('o');
    await applyEvent(db, order(id, [[sku, 2]]), ctx);
    const request = ev('order.cancellation.requested', {
      channel: 'web',
      externalOrderId: id,
      requestedAt: '2026-12-01T10:00:00.000Z',
      requestedBy: 'buyer',
      reason: 'ordered by mistake',
    });
    const out = await applyEvent(db, request, ctx);
    expect(out.status).toBe('applied');
    expect(out.movements).toEqual([]);
    expect((await getOrder(db, 'web', id))?.status).toBe('allocated');
    expect(await listOrderRequests(db, { channel: 'web', externalOrderId: id })).toEqual([
      {
        channel: 'web',
        externalOrderId: id,
        kind: 'cancellation',
        requestedAt: '2026-12-01T10:00:00.000Z',
        requestedBy: 'buyer',
        reason: 'ordered by mistake',
        status: 'open',
      },
    ]);
    // The same request delivered again under another key is recorded once.
    const again = await applyEvent(db, ev('order.cancellation.requested', { ...request.data }), ctx);
    expect(again.status).toBe('duplicate');
    expect(await listOrderRequests(db, { externalOrderId: id })).toHaveLength(1);
  });
});
