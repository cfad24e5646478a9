import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ContractError, UpstreamUnavailableError } from '../../core/errors.js';
import type { Shipment } from '../../core/model/index.js';
import type { AvailabilityUpdate } from '../types.js';
import { BASE, api, setup, tokenEndpoint } from './testing.js';
import { createShippingFulfillment } from './outbound/create-fulfillment.js';
import { pushAvailability } from './outbound/push-availability.js';

const PUSH = '/sell/inventory/v1/bulk_update_price_quantity';
const update = (sku: string, available: number, externalIds: Record<string, string> = {}, version = 1): AvailabilityUpdate => ({
  sku,
  channel: 'ebay',
  available,
  version,
  externalIds,
});
type Body = { requests: { sku: string; shipToLocationAvailability: { quantity: number }; offers?: { offerId: string; availableQuantity: number }[] }[] };

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('eBay pushAvailability (bulkUpdatePriceQuantity)', () => {
  it('sends at most 25 items per call and reports every item pushed', async () => {
    const { client } = setup();
    tokenEndpoint();
    const bodies: Body[] = [];
    nock(BASE)
      .post(PUSH, (b: Body) => (bodies.push(b), true))
      .times(3)
      .reply(200, () => ({ responses: bodies.at(-1)!.requests.map((r) => ({ statusCode: 200, sku: r.sku })) }));
    const result = await pushAvailability(
      client,
      'ebay-main',
      Array.from({ length: 60 }, (_, i) => update(`SKU-${i}`, i)),
    );
    expect(bodies.map((b) => b.requests.length)).toEqual([25, 25, 10]);
    expect(result).toEqual({ pushed: 60, calls: 3, failures: [] });
    expect(bodies[0]!.requests[3]).toEqual({ sku: 'SKU-3', shipToLocationAvailability: { quantity: 3 } });
  });

  it('handles per-SKU errors one by one: a bad SKU fails alone and the others stand (207)', async () => {
    const { client } = setup();
    tokenEndpoint();
    const bodies: Body[] = [];
    const fixture = api('bulk-update-partial');
    nock(BASE)
      .post(PUSH, (b: Body) => (bodies.push(b), true))
      .reply(fixture.status, fixture.body);
    const result = await pushAvailability(client, 'ebay-main', [update('TSHIRT-M', 9), update('GONE-1', 4), update('MUG-1', 0, { offerId: '5005317010' })]);
    expect(result.pushed).toBe(2);
    expect(result.calls).toBe(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.sku).toBe('GONE-1');
    expect(result.failures[0]!.error).toBeInstanceOf(ContractError);
    expect(result.failures[0]!.error).toMatchObject({ code: 'not_found', retryable: false, connectorId: 'ebay-main', value: 'GONE-1' });
    expect(result.failures[0]!.error.message).toMatch(/25702/);
    // The published offer is set too, so the listing never shows more than the hub allows.
    expect(bodies[0]!.requests[2]).toEqual({
      sku: 'MUG-1',
      shipToLocationAvailability: { quantity: 0 },
      offers: [{ offerId: '5005317010', availableQuantity: 0 }],
    });
  });

  it('writes the eBay SKU from the product external ids, and only the newest value of a SKU', async () => {
    const { client } = setup();
    tokenEndpoint();
    const bodies: Body[] = [];
    nock(BASE)
      .post(PUSH, (b: Body) => (bodies.push(b), true))
      .reply(200, { responses: [{ statusCode: 200, sku: 'EBAY-TS-M' }] });
    const result = await pushAvailability(client, 'ebay-main', [
      update('TSHIRT-M', 5, { sku: 'EBAY-TS-M' }, 2),
      update('TSHIRT-M', 7, { sku: 'EBAY-TS-M' }, 1),
    ]);
    expect(bodies[0]!.requests).toEqual([{ sku: 'EBAY-TS-M', shipToLocationAvailability: { quantity: 5 } }]);
    expect(result).toEqual({ pushed: 2, calls: 1, failures: [] });
  });

  it('resends only the SKUs answered with a retryable status, then counts them pushed', async () => {
    const { client } = setup();
    tokenEndpoint();
    const bodies: Body[] = [];
    nock(BASE)
      .post(PUSH, (b: Body) => (bodies.push(b), true))
      .reply(207, {
        responses: [
          { statusCode: 200, sku: 'A' },
          { statusCode: 500, sku: 'B', errors: [{ errorId: 25001, message: 'A system error has occurred' }] },
        ],
      });
    nock(BASE)
      .post(PUSH, (b: Body) => (bodies.push(b), true))
      .reply(200, { responses: [{ statusCode: 200, sku: 'B' }] });
    const result = await pushAvailability(client, 'ebay-main', [update('A', 1), update('B', 2)]);
    expect(bodies.map((b) => b.requests.map((r) => r.sku))).toEqual([['A', 'B'], ['B']]);
    expect(result).toEqual({ pushed: 2, calls: 2, failures: [] });
  });

  it('throws a retryable error when the whole batch fails upstream, for the queue to repeat it', async () => {
    const { client } = setup({ retries: 0 });
    tokenEndpoint();
    nock(BASE)
      .post(PUSH)
      .reply(500, { errors: [{ errorId: 25001, message: 'A system error has occurred' }] });
    const err = await pushAvailability(client, 'ebay-main', [update('A', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('throws AuthError (not per-SKU failures) when eBay refuses the token twice', async () => {
    const { client } = setup();
    tokenEndpoint(2);
    nock(BASE)
      .post(PUSH)
      .times(2)
      .reply(401, { errors: [{ errorId: 1001, message: 'Invalid access token' }] });
    const err = await pushAvailability(client, 'ebay-main', [update('A', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
  });
});

describe('eBay createShippingFulfillment', () => {
  const shipment: Shipment = {
    externalShipmentId: 'wh-1',
    channel: 'ebay',
    externalOrderId: '12-10001-00001',
    location: 'wh-east',
    shippedAt: '2026-11-21T10:00:00.000Z',
    lines: [
      { sku: 'TSHIRT-M', quantity: 3 },
      { externalLineId: '10000000001002', sku: 'MUG-1', quantity: 1 },
    ],
    tracking: { number: '9400111899223100000000', company: 'USPS' },
  };
  const orderPath = '/sell/fulfillment/v1/order/12-10001-00001';
  const order = () => (api('get-orders-page-1').body['orders'] as unknown[])[0];

  it('sends the tracking number, carrier code and eBay line items', async () => {
    const { client, config } = setup();
    tokenEndpoint();
    let sent: Record<string, unknown> | undefined;
    nock(BASE).get(`${orderPath}/shipping_fulfillment`).reply(200, { fulfillments: [], total: 0 });
    nock(BASE).get(orderPath).reply(200, order());
    nock(BASE)
      .post(`${orderPath}/shipping_fulfillment`, (b: Record<string, unknown>) => ((sent = b), true))
      .reply(201, {}, { Location: `${BASE}${orderPath}/shipping_fulfillment/9400111899223100000000` });
    await createShippingFulfillment(client, config.settings, 'ebay-main', shipment, {});
    expect(sent).toEqual({
      lineItems: [
        { lineItemId: '10000000001001', quantity: 3 },
        { lineItemId: '10000000001002', quantity: 1 },
      ],
      shippedDate: '2026-11-21T10:00:00.000Z',
      trackingNumber: '9400111899223100000000',
      shippingCarrierCode: 'USPS',
    });
  });

  it('sends nothing when the order already carries this tracking number (an earlier attempt succeeded)', async () => {
    const { client, config } = setup();
    tokenEndpoint();
    nock(BASE).get(`${orderPath}/shipping_fulfillment`).reply(200, api('shipping-fulfillments').body);
    await createShippingFulfillment(client, config.settings, 'ebay-main', { ...shipment, tracking: { number: '1Z999AA10123456784', company: 'UPS' } }, {});
    // Only the read was answered: a POST would have met no interceptor and failed the call.
    expect(nock.isDone()).toBe(true);
  });

  it('refuses permanently a shipment line that matches no eBay line item, naming it', async () => {
    const { client, config } = setup();
    tokenEndpoint();
    nock(BASE).get(`${orderPath}/shipping_fulfillment`).reply(200, { fulfillments: [], total: 0 });
    nock(BASE).get(orderPath).reply(200, order());
    const err = await createShippingFulfillment(client, config.settings, 'ebay-main', { ...shipment, lines: [{ sku: 'NOPE', quantity: 1 }] }, {}).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ field: 'lines[0]', retryable: false });
  });

  it('reports an unknown order as a permanent not_found', async () => {
    const { client, config } = setup();
    tokenEndpoint();
    nock(BASE)
      .get(`${orderPath}/shipping_fulfillment`)
      .reply(404, { errors: [{ errorId: 32100, message: 'Invalid order ID' }] });
    const err = await createShippingFulfillment(client, config.settings, 'ebay-main', shipment, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found', retryable: false });
  });
});
