import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickBooksConnectorClient } from '../../../src/connectors/quickbooks/index.js';
import { REFRESH_TOKEN_KEY } from '../../../src/connectors/quickbooks/oauth.js';
import { createLogger } from '../../../src/core/logger.js';
import { connectorState } from '../../../src/queues/connector-state.js';
import { type TestHub, startTestHub, waitFor } from '../../helpers/hub.js';
import { type QboSimulator, startQboSimulator } from './server.js';

let sim: QboSimulator;
let hub: TestHub;

beforeAll(async () => {
  sim = await startQboSimulator();
  hub = await startTestHub({
    yaml: `
locations:
  - { id: wh-east, kind: warehouse }
channels:
  - { id: web, locations: [wh-east], safetyStock: 0 }
connectors:
  - id: qbo
    type: quickbooks
    settings:
      realmId: "${sim.realmId}"
      baseUrl: ${sim.url}
      tokenUrl: ${sim.url}/oauth2/v1/tokens/bearer
      channel: web
      defaultCustomerId: "1"
      itemMap: { entries: { SKU-1: "11" } }
    credentials: { clientId: ${sim.clientId}, clientSecret: ${sim.clientSecret}, refreshToken: rt-initial, webhookVerifierToken: ${sim.verifierToken} }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
`,
  });
});
afterAll(async () => {
  await hub?.stop();
  await sim?.close();
});

const invoiceRow = async (id: string) =>
  (
    await hub.db.query<{ total: string; balance: string | null; external_order_id: string | null }>(
      'SELECT total::text, balance::text, external_order_id FROM invoice WHERE connector = $1 AND external_invoice_id = $2',
      ['qbo', id],
    )
  ).rows[0];

describe('QuickBooks notifications at POST /webhooks/qbo', () => {
  it('a signed legacy notification becomes an applied invoice.posted, and a CloudEvents payment is recorded against it', async () => {
    const invoice = sim.put('Invoice', {
      DocNumber: '1001',
      PrivateNote: 'hub:web/5550001',
      CustomerRef: { value: '1' },
      CurrencyRef: { value: 'USD' },
      Line: [
        { DetailType: 'SalesItemLineDetail', Amount: 39.98, SalesItemLineDetail: { ItemRef: { value: '11' }, Qty: 2, UnitPrice: 19.99 } },
        { DetailType: 'SubTotalLineDetail', Amount: 39.98, SubTotalLineDetail: {} },
      ],
    });
    const refs = [
      { entity: 'Invoice', id: invoice.Id, operation: 'Create' },
      { entity: 'Invoice', id: invoice.Id, operation: 'Update' },
    ];
    expect(await sim.notify(`${hub.url}/webhooks/qbo`, refs, 'legacy')).toBe(200);
    const row = await waitFor(() => invoiceRow(invoice.Id), 'the invoice recorded', 30_000);
    expect(row).toEqual({ total: '39.98', balance: null, external_order_id: '5550001' });
    // Named again (a redelivery, or in CloudEvents form): the same invoice version is recorded once.
    expect(await sim.notify(`${hub.url}/webhooks/qbo`, refs, 'cloudevents')).toBe(200);
    const invoiceDeliveries = () =>
      hub.db
        .query<{ status: string }>("SELECT status FROM inbox WHERE connector_id = 'qbo' AND topic = 'notification' ORDER BY id")
        .then((r) => r.rows.map((x) => x.status));
    await waitFor(
      async () => (await invoiceDeliveries()).every((s) => s === 'processed') && (await invoiceDeliveries()).length === 2,
      'both notifications processed',
      30_000,
    );
    const fetched = await hub.db.query("SELECT 1 FROM inbox WHERE connector_id = 'qbo' AND topic = 'invoice'");
    expect(fetched.rowCount).toBe(1);

    const payment = sim.put('Payment', {
      CustomerRef: { value: '1' },
      TotalAmt: 20,
      TxnDate: '2026-03-10',
      Line: [{ Amount: 20, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
    });
    expect(await sim.notify(`${hub.url}/webhooks/qbo`, [{ entity: 'Payment', id: payment.Id, operation: 'Create' }], 'cloudevents')).toBe(200);
    const paid = await waitFor(
      async () =>
        (
          await hub.db.query<{ amount: string }>('SELECT amount::text FROM invoice_payment WHERE connector = $1 AND external_invoice_id = $2', [
            'qbo',
            invoice.Id,
          ])
        ).rows[0],
      'the payment recorded',
      30_000,
    );
    expect(paid.amount).toBe('20.00');
  });

  it('answers 401 to a notification signed with another token and records nothing', async () => {
    const before = (await hub.db.query<{ n: string }>('SELECT count(*)::text AS n FROM inbox WHERE connector_id = $1', ['qbo'])).rows[0]!.n;
    expect(await sim.notify(`${hub.url}/webhooks/qbo`, [{ entity: 'Invoice', id: '1', operation: 'Create' }], 'legacy', 'wrong-token')).toBe(401);
    const after = (await hub.db.query<{ n: string }>('SELECT count(*)::text AS n FROM inbox WHERE connector_id = $1', ['qbo'])).rows[0]!.n;
    expect(after).toBe(before);
  });

  it('the rotated refresh token is in the durable connector state, and a second client starts from it', async () => {
    const stored = await connectorState(hub.db, 'qbo').get(REFRESH_TOKEN_KEY);
    expect(stored).toBe(sim.refreshToken);
    const instance = hub.config.connectors.find((c) => c.id === 'qbo')!;
    const client = createQuickBooksConnectorClient(instance as never, {
      logger: createLogger({ level: 'silent', pretty: false }),
      state: connectorState(hub.db, 'qbo'),
    });
    // The same order twice; the second time its line has no title.
    const invoice = (title: string) => ({
      channel: 'web',
      externalOrderId: '7770001',
      orderNumber: '#2001',
      placedAt: '2026-03-01T09:00:00.000Z',
      currency: 'USD',
      total: { amount: '19.99', currency: 'USD' },
      lines: [{ externalLineId: 'l1', sku: 'SKU-1', quantity: 1, unitPrice: { amount: '19.99', currency: 'USD' }, title }],
    });
    const booked = await client.pushInvoice(invoice('Widget'));
    const again = await client.pushInvoice(invoice(''));
    expect(again).toMatchObject({ externalId: booked.externalId, created: false });
    expect(sim.counters.creates['Invoice']).toBe(1);
    expect(await connectorState(hub.db, 'qbo').get(REFRESH_TOKEN_KEY)).toBe(sim.refreshToken);
  });
});
