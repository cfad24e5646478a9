import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ContractError, MappingError } from '../../core/errors.js';
import { createQuickBooksConnectorClient } from './index.js';
import { REFRESH_TOKEN_KEY } from './oauth.js';
import type { BookableOrder } from './outbound/documents.js';
import { API, COMPANY, TOKEN_HOST, TOKEN_PATH, logger, recordingState, testConfig } from './test-kit.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const order: BookableOrder = {
  channel: 'web',
  externalOrderId: '5550001',
  orderNumber: '#1001',
  placedAt: '2026-03-01T09:00:00.000Z',
  currency: 'USD',
  financialStatus: 'pending',
  total: { amount: '68.89', currency: 'USD' },
  shipping: { amount: '5.00', currency: 'USD' },
  tax: { amount: '3.91', currency: 'USD' },
  customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
  lines: [
    { externalLineId: 'l1', sku: 'SKU-1', quantity: 2, unitPrice: { amount: '19.99', currency: 'USD' }, title: 'Widget' },
    { externalLineId: 'l2', sku: 'SKU-2', quantity: 1, unitPrice: { amount: '20.00', currency: 'USD' }, title: 'Gadget' },
  ],
};
const invoice = (id: string, syncToken = '0') => ({
  Id: id,
  SyncToken: syncToken,
  DocNumber: '1001',
  PrivateNote: 'hub:web/5550001',
  TotalAmt: 68.89,
  CurrencyRef: { value: 'USD' },
  CustomerRef: { value: '58' },
  Line: [],
});
const empty = { QueryResponse: {}, time: '2026-03-02T10:00:00-08:00' };

function setup(state = recordingState({ [REFRESH_TOKEN_KEY]: 'rt' }), settings: Record<string, unknown> = {}) {
  nock(TOKEN_HOST).post(TOKEN_PATH).reply(200, { access_token: 'at', refresh_token: 'rt', expires_in: 3600 });
  return { kit: state, client: createQuickBooksConnectorClient(testConfig(settings), { logger, state: state.state }) };
}
const isQuery = (text: RegExp) => (q: Record<string, unknown>) => text.test(String(q['query']));

expectEveryMockUsed();

describe('pushInvoice', () => {
  it('books an invoice with mapped items, the shipping line, the channel tax and a found-or-created customer', async () => {
    const { client, kit } = setup();
    let sent: Record<string, unknown> | undefined;
    nock(API)
      .get(`${COMPANY}/query`)
      .query(isQuery(/from Invoice where DocNumber = '1001'/))
      .reply(200, empty);
    nock(API)
      .get(`${COMPANY}/query`)
      .query(isQuery(/PrimaryEmailAddr = 'ada@example.com'/))
      .reply(200, empty);
    nock(API)
      .get(`${COMPANY}/query`)
      .query(isQuery(/DisplayName = 'Ada Lovelace'/))
      .reply(200, empty);
    nock(API)
      .post(`${COMPANY}/customer`)
      .query((q) => typeof q['requestid'] === 'string')
      .reply(200, { Customer: { Id: '58', SyncToken: '0', DisplayName: 'Ada Lovelace' } });
    nock(API)
      .post(`${COMPANY}/invoice`, (b) => ((sent = b as Record<string, unknown>), true))
      .query((q) => /^hub-[0-9a-f]{40}$/.test(String(q['requestid'])) && q['minorversion'] === '75')
      .reply(200, { Invoice: invoice('130') });

    const booked = await client.pushInvoice(order);
    expect(booked).toMatchObject({ kind: 'Invoice', externalId: '130', created: true, total: { amount: '68.89', currency: 'USD' } });
    expect(sent).toMatchObject({
      CustomerRef: { value: '58' },
      DocNumber: '1001',
      PrivateNote: 'hub:web/5550001',
      TxnDate: '2026-03-01',
      TxnTaxDetail: { TotalTax: 3.91 },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 39.98,
          SalesItemLineDetail: { ItemRef: { value: '11' }, Qty: 2, UnitPrice: 19.99, TaxCodeRef: { value: 'TAX' } },
        },
        { DetailType: 'SalesItemLineDetail', Amount: 20, SalesItemLineDetail: { ItemRef: { value: '12' }, Qty: 1 } },
        { DetailType: 'SalesItemLineDetail', Amount: 5, Description: 'Shipping', SalesItemLineDetail: { ItemRef: { value: 'SHIPPING_ITEM_ID' } } },
      ],
    });
    expect(kit.values.get('order:web:5550001')).toBe('Invoice:130');
  });

  it('books a sales receipt for an order paid at checkout', async () => {
    const { client } = setup(undefined, { defaultCustomerId: '1' });
    nock(API)
      .get(`${COMPANY}/query`)
      .query(isQuery(/from SalesReceipt where DocNumber/))
      .reply(200, empty);
    nock(API)
      .post(`${COMPANY}/salesreceipt`)
      .query(true)
      .reply(200, { SalesReceipt: { ...invoice('77'), TotalAmt: 68.89 } });
    const booked = await client.pushInvoice({ ...order, financialStatus: 'paid', customer: undefined });
    expect(booked).toMatchObject({ kind: 'SalesReceipt', externalId: '77', created: true });
  });

  it('never books a replayed order twice: the stored id is read back instead', async () => {
    const { client } = setup(recordingState({ [REFRESH_TOKEN_KEY]: 'rt', 'order:web:5550001': 'Invoice:130' }));
    nock(API)
      .get(`${COMPANY}/invoice/130`)
      .query(true)
      .reply(200, { Invoice: invoice('130', '3') });
    const booked = await client.pushInvoice(order);
    expect(booked).toMatchObject({ externalId: '130', created: false, syncToken: '3' });
  });

  it('finds a document created before a crash lost the stored id, by DocNumber and marker', async () => {
    const { client, kit } = setup();
    nock(API)
      .get(`${COMPANY}/query`)
      .query(isQuery(/from Invoice where DocNumber = '1001'/))
      .reply(200, { QueryResponse: { Invoice: [invoice('130')] } });
    const booked = await client.pushInvoice(order);
    expect(booked).toMatchObject({ externalId: '130', created: false });
    expect(kit.values.get('order:web:5550001')).toBe('Invoice:130');
  });

  it('resends a create whose answer was lost with the same requestid', async () => {
    const { client } = setup(undefined, { defaultCustomerId: '1', docNumber: 'none' });
    const ids: string[] = [];
    nock(API)
      .post(`${COMPANY}/invoice`)
      .query((q) => (ids.push(String(q['requestid'])), true))
      .reply(503, 'busy');
    nock(API)
      .post(`${COMPANY}/invoice`)
      .query((q) => (ids.push(String(q['requestid'])), true))
      .reply(200, { Invoice: invoice('130') });
    await client.pushInvoice({ ...order, customer: undefined });
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('names every SKU without a QuickBooks item and books nothing', async () => {
    const { client } = setup();
    nock(API).get(`${COMPANY}/query`).query(true).reply(200, empty);
    const bad = { ...order, lines: [order.lines[0]!, { ...order.lines[1]!, sku: 'SKU-9' }, { ...order.lines[1]!, externalLineId: 'l3', sku: 'SKU-8' }] };
    const err = (await client.pushInvoice(bad).catch((e: unknown) => e)) as MappingError;
    expect(err).toBeInstanceOf(MappingError);
    expect(err.issues.map((i) => i.field)).toEqual(['lines[1].sku', 'lines[2].sku']);
  });
});

describe('recordShipment (SyncToken)', () => {
  it('re-reads and retries when the SyncToken went stale', async () => {
    const { client } = setup();
    const sentTokens: string[] = [];
    nock(API)
      .get(`${COMPANY}/invoice/130`)
      .query(true)
      .reply(200, { Invoice: invoice('130', '1') });
    nock(API)
      .post(`${COMPANY}/invoice`, (b: { SyncToken: string }) => (sentTokens.push(b.SyncToken), true))
      .query(true)
      .reply(400, {
        Fault: {
          Error: [{ Message: 'Stale Object Error', Detail: 'You and Bob were working on this at the same time.', code: '5010' }],
          type: 'ValidationFault',
        },
      });
    nock(API)
      .get(`${COMPANY}/invoice/130`)
      .query(true)
      .reply(200, { Invoice: invoice('130', '2') });
    nock(API)
      .post(
        `${COMPANY}/invoice`,
        (b: { SyncToken: string; sparse: boolean; TrackingNum: string }) => (sentTokens.push(b.SyncToken), b.sparse && b.TrackingNum === '1Z999'),
      )
      .query(true)
      .reply(200, { Invoice: invoice('130', '3') });
    await client.recordShipment({ kind: 'Invoice', externalId: '130' }, { shippedAt: '2026-03-03T12:00:00Z', trackingNumber: '1Z999' });
    expect(sentTokens).toEqual(['1', '2']);
  });

  it('gives up with a clear error when the document keeps changing', async () => {
    const { client } = setup(undefined, { syncTokenRetries: 1 });
    const stale = { Fault: { Error: [{ Message: 'Stale Object Error', code: '5010' }] } };
    nock(API)
      .get(`${COMPANY}/invoice/130`)
      .query(true)
      .times(2)
      .reply(200, { Invoice: invoice('130', '1') });
    nock(API).post(`${COMPANY}/invoice`).query(true).times(2).reply(400, stale);
    const err = await client.recordShipment({ kind: 'Invoice', externalId: '130' }, { shippedAt: '2026-03-03T12:00:00Z' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect((err as Error).message).toMatch(/stale SyncToken after 2 tries/);
  });
});

describe('pushCreditMemo', () => {
  it("books a refund once against the customer of the order's invoice", async () => {
    const { client, kit } = setup(recordingState({ [REFRESH_TOKEN_KEY]: 'rt', 'order:web:5550001': 'Invoice:130' }));
    let sent: Record<string, unknown> | undefined;
    nock(API)
      .get(`${COMPANY}/invoice/130`)
      .query(true)
      .reply(200, { Invoice: invoice('130') });
    nock(API)
      .post(`${COMPANY}/creditmemo`, (b) => ((sent = b as Record<string, unknown>), true))
      .query(true)
      .reply(200, { CreditMemo: { ...invoice('900'), TotalAmt: 19.99 } });
    const refund = {
      channel: 'web',
      externalRefundId: 'r1',
      externalOrderId: '5550001',
      createdAt: '2026-03-05T08:00:00.000Z',
      amount: { amount: '19.99', currency: 'USD' },
      lines: [{ sku: 'SKU-1', quantity: 1, amount: { amount: '19.99', currency: 'USD' } }],
    };
    const booked = await client.pushCreditMemo(refund);
    expect(booked).toMatchObject({ kind: 'CreditMemo', externalId: '900', total: { amount: '19.99' } });
    expect(sent).toMatchObject({ CustomerRef: { value: '58' }, Line: [{ Amount: 19.99, SalesItemLineDetail: { ItemRef: { value: '11' }, Qty: 1 } }] });
    expect(kit.values.get('refund:web:r1')).toBe('CreditMemo:900');
  });
});
