import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGeneric } from '../../src/connectors/generic-webhook/verify.js';
import { parseConfig } from '../../src/core/config/load.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { CANONICAL_SECRET, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

const EXAMPLES = join(import.meta.dirname, '../../config/examples');
const SECRET = 'acme-test-secret-0123456789';

/** The shipped example, as an operator would deploy it, plus a canonical feed to create orders with. */
function exampleConfig() {
  const result = parseConfig(readFileSync(join(EXAMPLES, 'acme-3pl.yaml'), 'utf8'), { ACME_WEBHOOK_SECRET: SECRET }, EXAMPLES);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const canonical = parseTestConfig(`connectors:\n  - { id: events, type: canonical, credentials: { webhookSecret: ${CANONICAL_SECRET} } }`);
  result.config.connectors.push(...canonical.connectors);
  return result.config;
}

describe('generic-webhook: a 3PL onboarded by config (config/examples/acme-3pl.yaml)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ config: exampleConfig() });
  });
  afterAll(async () => hub?.stop());

  const post = async (kind: string, body: unknown, opts: { secret?: string } = {}) => {
    const raw = JSON.stringify(body);
    const res = await fetch(`${hub.url}/webhooks/acme-3pl`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-acme-event': kind,
        'x-acme-signature': signGeneric(raw, opts.secret ?? SECRET, { encoding: 'base64' }),
      },
      body: raw,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const onHand = async (sku: string, location = 'acme-reno') => {
    const { rows } = await hub.db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = $2 AND state = 'onHand'`, [
      sku,
      location,
    ]);
    return Number(rows[0]?.quantity ?? 0);
  };
  const sample = (name: string) => JSON.parse(readFileSync(join(EXAMPLES, 'acme-3pl', name), 'utf8')) as Record<string, unknown>;

  it('applies a signed receipt notice through the queues: cases of 12 become units in the ledger; a repeat is dropped', async () => {
    const receipt = sample('receipt-notice.json');
    expect((await post('receipt.completed', receipt)).json).toMatchObject({ status: 'accepted' });
    await waitFor(async () => (await onHand('MUG-WHT')) === 10, 'receipt applied');
    expect(await onHand('TEE-BLK-M')).toBe(48);
    expect((await post('receipt.completed', receipt)).json).toMatchObject({ status: 'duplicate' });
  });

  it('confirms a shipment of an existing order: onHand drops at the mapped 3PL site', async () => {
    expect(
      (
        await hub.postEvents(
          event('order.upserted', {
            channel: 'web',
            externalOrderId: '1001',
            orderNumber: '#1001',
            placedAt: '2026-03-03T08:00:00.000Z',
            currency: 'USD',
            total: { amount: '30.00', currency: 'USD' },
            lines: [
              { externalLineId: 'L1', sku: 'TEE-BLK-M', quantity: 2, unitPrice: { amount: '10.00', currency: 'USD' } },
              { externalLineId: 'L2', sku: 'MUG-WHT', quantity: 1, unitPrice: { amount: '10.00', currency: 'USD' } },
            ],
          }),
        )
      ).status,
    ).toBe(200);
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM sales_order WHERE external_order_id = '1001'`)).rows.length > 0, 'order stored');
    expect((await post('shipment.confirmed', sample('shipment-notice.json'))).json).toMatchObject({ status: 'accepted' });
    await waitFor(async () => (await onHand('TEE-BLK-M')) === 46, 'shipment applied');
    expect(await onHand('MUG-WHT')).toBe(9);
  });

  it('rejects a bad signature at the door and ignores an unconfigured notice kind', async () => {
    expect((await post('receipt.completed', { notice_id: 'X' }, { secret: 'wrong-secret-0123456789' })).status).toBe(401);
    expect((await post('inventory.snapshot', { notice_id: 'Y' })).json).toMatchObject({ status: 'ignored' });
  });

  it('dead-letters a notice with an unknown item, naming connector, field, value and rule', async () => {
    const receipt = { ...sample('receipt-notice.json'), notice_id: 'RCV-BAD-1', lines: [{ item: 'ACM-99999', qty_received: 1 }] };
    expect((await post('receipt.completed', receipt)).json).toMatchObject({ status: 'accepted' });
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { connector: 'acme-3pl' })).items[0], 'dead letter');
    expect(entry).toMatchObject({ step: 'map', errorCode: 'unknown_sku' });
    expect(entry.message).toContain(
      'acme-3pl: receipt.completed [0]data.sku: SKU "ACM-99999" is not in the SKU map (5 rows) (rule: map sku via settings.skuMap',
    );
  });
});
