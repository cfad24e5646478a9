import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ContractError, MappingError } from '../../core/errors.js';
import type { Shipment } from '../../core/model/index.js';
import type { AvailabilityUpdate } from '../types.js';
import { confirmShipment } from './outbound/confirm-shipment.js';
import { pushAvailability } from './outbound/push-availability.js';
import { BASE, api, lwa, reply, setup } from './test-support.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const ITEM = (sku: string) => `/listings/2021-08-01/items/A3TH9S8BH6GOGM/${encodeURIComponent(sku)}`;
const update = (sku: string, available: number, version = 1, externalIds: Record<string, string> = {}): AvailabilityUpdate => ({
  sku,
  channel: 'amazon',
  available,
  version,
  externalIds,
});
const S3 = 'https://tortuga-prod-na.s3-external-1.amazonaws.com';

expectEveryMockUsed();

describe('amazon-sp pushAvailability: patchListingsItem for a few SKUs', () => {
  it('patches fulfillment_availability per seller SKU, newest version per SKU, never below zero', async () => {
    const { client, config, clock } = setup();
    lwa(1);
    const bodies: Record<string, unknown> = {};
    for (const sku of ['TSHIRT-M', 'AMZ/MUG 1']) {
      nock(BASE)
        .patch(ITEM(sku), (body) => ((bodies[sku] = body), true))
        .query({ marketplaceIds: 'ATVPDKIKX0DER', includedData: 'issues' })
        .reply(...reply(api('patch-accepted')));
    }
    const result = await pushAvailability(
      client,
      config.settings,
      config.id,
      [update('TSHIRT-M', 7, 1), update('TSHIRT-M', 5, 2), update('AMZ/MUG 1', -2, 1)],
      clock,
    );
    expect(result).toEqual({ pushed: 3, calls: 2, failures: [] });
    expect(bodies['TSHIRT-M']).toEqual({
      productType: 'PRODUCT',
      patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 5 }] }],
    });
    expect(bodies['AMZ/MUG 1']).toMatchObject({ patches: [{ value: [{ quantity: 0 }] }] });
  });

  it('fails only the SKUs Amazon rejects in a partial batch (INVALID submission, unknown listing); the rest is set', async () => {
    const { client, config, clock } = setup();
    lwa(1);
    nock(BASE)
      .patch(ITEM('TSHIRT-M'))
      .query(true)
      .reply(...reply(api('patch-accepted')));
    nock(BASE)
      .patch(ITEM('MUG-BLUE'))
      .query(true)
      .reply(...reply(api('patch-invalid')));
    nock(BASE)
      .patch(ITEM('GONE-SKU'))
      .query(true)
      .reply(...reply(api('patch-not-found')));
    const result = await pushAvailability(client, config.settings, config.id, [update('TSHIRT-M', 3), update('MUG-BLUE', 4), update('GONE-SKU', 1)], clock);
    expect(result.pushed).toBe(1);
    expect(result.failures.map((f) => [f.sku, f.error.code, f.error.retryable])).toEqual([
      ['MUG-BLUE', 'contract_rejected', false],
      ['GONE-SKU', 'not_found', false],
    ]);
    expect(result.failures[0]!.error.message).toMatch(/4000001/);
  });

  it('throws a retryable failure for the whole push (the queue repeats the absolute quantities)', async () => {
    const { client, config, clock } = setup();
    lwa(1);
    nock(BASE)
      .patch(ITEM('TSHIRT-M'))
      .query(true)
      .times(3)
      .reply(503, { errors: [{ code: 'ServiceUnavailable' }] });
    await expect(pushAvailability(client, config.settings, config.id, [update('TSHIRT-M', 3)], clock)).rejects.toMatchObject({
      retryable: true,
      code: 'upstream_unavailable',
    });
  });

  it('uses externalIds.sellerSku and productType when the product has them', async () => {
    const { client, config, clock } = setup();
    lwa(1);
    let body: unknown;
    nock(BASE)
      .patch(ITEM('AMZ-TEE-M'), (b) => ((body = b), true))
      .query(true)
      .reply(...reply(api('patch-accepted')));
    await pushAvailability(client, config.settings, config.id, [update('TSHIRT-M', 2, 1, { sellerSku: 'AMZ-TEE-M', productType: 'SHIRT' })], clock);
    expect(body).toMatchObject({ productType: 'SHIRT' });
  });
});

describe('amazon-sp pushAvailability: JSON_LISTINGS_FEED for many SKUs', () => {
  it('sends one feed, reads the processing report back, and fails only the SKU of the ERROR message', async () => {
    const { client, config, clock } = setup({ feedThreshold: 20, feedPollMs: 30_000 });
    lwa(1);
    let uploaded: { header: unknown; messages: { messageId: number; sku: string; operationType: string; patches: unknown[] }[] } | undefined;
    nock(BASE)
      .post('/feeds/2021-06-30/documents', { contentType: 'application/json; charset=UTF-8' })
      .reply(201, { feedDocumentId: 'amzn1.tortuga.4.na.in-1', url: `${S3}/in-1?sig=x` });
    // The presigned URL gets the document, never the SP-API access token.
    nock(S3, { badheaders: ['x-amz-access-token'] })
      .put('/in-1', (b) => ((uploaded = b as typeof uploaded), true))
      .query(true)
      .reply(200, '');
    nock(BASE)
      .post('/feeds/2021-06-30/feeds', { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: ['ATVPDKIKX0DER'], inputFeedDocumentId: 'amzn1.tortuga.4.na.in-1' })
      .reply(202, { feedId: '50014018561' });
    nock(BASE)
      .get('/feeds/2021-06-30/feeds/50014018561')
      .reply(200, { feedId: '50014018561', feedType: 'JSON_LISTINGS_FEED', createdTime: '2026-12-01T12:00:00Z', processingStatus: 'IN_PROGRESS' });
    nock(BASE).get('/feeds/2021-06-30/feeds/50014018561').reply(200, {
      feedId: '50014018561',
      feedType: 'JSON_LISTINGS_FEED',
      createdTime: '2026-12-01T12:00:00Z',
      processingStatus: 'DONE',
      resultFeedDocumentId: 'amzn1.tortuga.4.na.out-1',
    });
    nock(BASE)
      .get('/feeds/2021-06-30/documents/amzn1.tortuga.4.na.out-1')
      .reply(200, { feedDocumentId: 'amzn1.tortuga.4.na.out-1', url: `${S3}/out-1?sig=y` });
    nock(S3)
      .get('/out-1')
      .query(true)
      .reply(200, JSON.stringify(api('feed-report-partial').body));

    const updates = Array.from({ length: 25 }, (_, i) => update(`SKU-${i}`, i));
    const result = await pushAvailability(client, config.settings, config.id, updates, clock);
    expect(uploaded?.messages).toHaveLength(25);
    expect(uploaded?.header).toEqual({ sellerId: 'A3TH9S8BH6GOGM', version: '2.0', issueLocale: 'en_US' });
    expect(uploaded?.messages[3]).toEqual({
      messageId: 4,
      sku: 'SKU-3',
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }] }],
    });
    expect(clock.sleeps).toContain(30_000);
    // Message 2 (SKU-1) had an ERROR; message 3's WARNING does not fail SKU-2.
    expect(result.pushed).toBe(24);
    expect(result.failures.map((f) => f.sku)).toEqual(['SKU-1']);
    expect(result.failures[0]!.error).toBeInstanceOf(ContractError);
  });
});

describe('amazon-sp confirmShipment', () => {
  const shipment: Shipment = {
    externalShipmentId: 'wh-east-9001',
    channel: 'amazon',
    externalOrderId: '902-3159896-1390916',
    location: 'wh-east',
    shippedAt: '2026-12-01T15:00:00.000Z',
    lines: [
      { externalLineId: '68828574383266', sku: 'TSHIRT-M', quantity: 2 },
      { externalLineId: '79039765272157', sku: 'MUG-BLUE', quantity: 1 },
    ],
    tracking: { number: '1Z999AA10123456784', company: 'UPS' },
  };

  it('confirms the shipped items with carrier and tracking, with a stable numeric package reference', async () => {
    const { client, config } = setup();
    lwa(1);
    const bodies: unknown[] = [];
    nock(BASE)
      .post('/orders/v0/orders/902-3159896-1390916/shipmentConfirmation', (b) => (bodies.push(b), true))
      .times(2)
      .reply(204);
    await confirmShipment(client, config.settings, config.id, shipment);
    await confirmShipment(client, config.settings, config.id, shipment);
    expect(bodies[0]).toMatchObject({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        carrierCode: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shipDate: '2026-12-01T15:00:00.000Z',
        orderItems: [
          { orderItemId: '68828574383266', quantity: 2 },
          { orderItemId: '79039765272157', quantity: 1 },
        ],
      },
    });
    const ref = (bodies[0] as { packageDetail: { packageReferenceId: string } }).packageDetail.packageReferenceId;
    expect(ref).toMatch(/^[1-9]\d*$/);
    expect((bodies[1] as { packageDetail: { packageReferenceId: string } }).packageDetail.packageReferenceId).toBe(ref);
  });

  it('refuses a shipment without tracking or OrderItemIds before calling Amazon', async () => {
    const { client, config } = setup();
    const bad: Shipment = { ...shipment, tracking: undefined, lines: [{ sku: 'TSHIRT-M', quantity: 1 }] };
    const err = await confirmShipment(client, config.settings, config.id, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).issues.map((i) => i.field)).toEqual(['tracking.number', 'lines[0].externalLineId']);
  });
});
