import { describe, expect, it } from 'vitest';
import { getDeadLetter, listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { event, waitFor } from '../helpers/hub.js';
import { useOpsHub, TOKENS } from './helpers.js';

/**
 * The dead-letter table and bull-board agree: a delivery an admin retries in bull-board that now
 * goes through closes its dead letter (no entry left open for work that was applied).
 */
describe('a retry in bull-board that goes through', () => {
  const ops = useOpsHub();

  it('closes the open dead letter of the delivery, as replayed by system', async () => {
    // A site nobody configured yet: the apply step refuses it for good.
    await ops.hub.postEvents(event('inventory.adjusted', { sku: 'BB-AGREE-1', location: 'wh-north', delta: 3, reason: 'receipt' }));
    const dl = await waitFor(async () => (await listDeadLetters(ops.hub.db, { sku: 'BB-AGREE-1' })).items[0], 'dead letter', 30_000);
    const next = structuredClone(ops.hub.config);
    next.locations.push({ ...next.locations[0]!, id: 'wh-north' });
    ops.hub.hub.apply(next);

    const res = await fetch(`${ops.hub.url}/admin/queues/api/queues/hub.inbound/inbox-${dl.inboxId}/retry`, {
      method: 'PUT',
      headers: { cookie: `hub_token=${TOKENS.admin}` },
    });
    expect(res.status).toBeLessThan(300);
    const closed = await waitFor(
      async () => {
        const d = await getDeadLetter(ops.hub.db, dl.id);
        return d?.status === 'replayed' ? d : undefined;
      },
      'dead letter closed',
      30_000,
    );
    expect(closed).toMatchObject({ resolvedBy: 'system', resolution: { via: 'the delivery was retried outside the hub replay and applied' } });
    const { rows } = await ops.hub.db.query<{ quantity: number }>(
      `SELECT quantity FROM inventory_balance WHERE sku = 'BB-AGREE-1' AND location = 'wh-north' AND state = 'onHand'`,
    );
    expect(rows[0]?.quantity).toBe(3);
    expect((await listDeadLetters(ops.hub.db, { sku: 'BB-AGREE-1' })).total).toBe(0);
  });
});
