import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { createShipStationClient } from './client.js';
import { ShipStationConfigSchema } from './config.js';
import { allowedResourceUrl, readNotifiedShipments } from './resource.js';
import { verifyShipStationWebhook } from './verify.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const TOKEN = 'tok-0123456789abcdef';
const config = ShipStationConfigSchema.parse({
  settings: { locations: { '16079': 'wh-east' }, resourceHosts: ['ssapi.shipstation.com', 'ssapi*.shipstation.com'] },
  credentials: { apiKey: 'key', apiSecret: 'secret', webhookToken: TOKEN },
});
const notify = JSON.parse(readFileSync(new URL('./fixtures/webhooks/ship-notify.json', import.meta.url), 'utf8')) as { body: { resource_url: string } };
const raw = Buffer.from(JSON.stringify(notify.body));

expectEveryMockUsed();

describe('shipstation webhook verification', () => {
  it('accepts the token from the header and names the delivery by its resource_url', () => {
    const delivery = verifyShipStationWebhook({ headers: { 'x-hub-webhook-token': TOKEN }, rawBody: raw }, config);
    expect(delivery).toEqual({ topic: 'SHIP_NOTIFY', dedupKey: `SHIP_NOTIFY:${notify.body.resource_url}` });
  });

  it('accepts the token from the URL query once the ingress passes it', () => {
    expect(verifyShipStationWebhook({ headers: {}, rawBody: raw, query: { token: TOKEN } }, config).topic).toBe('SHIP_NOTIFY');
  });

  it('gives a redelivered notification the same key, so the inbox drops it', () => {
    const a = verifyShipStationWebhook({ headers: { 'x-hub-webhook-token': TOKEN }, rawBody: raw }, config);
    const b = verifyShipStationWebhook({ headers: { 'x-hub-webhook-token': TOKEN }, rawBody: Buffer.from(JSON.stringify(notify.body)) }, config);
    expect(b.dedupKey).toBe(a.dedupKey);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'x-hub-webhook-token': 'tok-0123456789abcdeX' }],
    ['a prefix of the token', { 'x-hub-webhook-token': TOKEN.slice(0, 10) }],
  ])('refuses %s as an invalid signature', (_name, headers) => {
    expect(() => verifyShipStationWebhook({ headers, rawBody: raw }, config)).toThrow(InvalidSignatureError);
  });

  it('refuses a body without resource_url as bad input, after the token', () => {
    expect(() =>
      verifyShipStationWebhook({ headers: { 'x-hub-webhook-token': TOKEN }, rawBody: Buffer.from('{"resource_type":"SHIP_NOTIFY"}') }, config),
    ).toThrow(ValidationError);
  });
});

describe('SHIP_NOTIFY resource', () => {
  it.each([
    ['another host', 'https://evil.example.com/shipments?batchId=1'],
    ['a look-alike host', 'https://ssapi.shipstation.com.evil.example/shipments?batchId=1'],
    ['plain http', 'http://ssapi.shipstation.com/shipments?batchId=1'],
    ['embedded credentials', 'https://user:pw@ssapi.shipstation.com/shipments?batchId=1'],
    ['another resource', 'https://ssapi.shipstation.com/accounts/listtags'],
    ['a numbered host with letters', 'https://ssapiX.shipstation.com/shipments?batchId=1'],
  ])('refuses %s without sending anything', async (_name, url) => {
    const client = createShipStationClient({ ...config, id: 'ss-main' }, { logger: createLogger({ level: 'silent', pretty: false }) });
    await expect(readNotifiedShipments(client, config.settings, 'ss-main', url)).rejects.toBeInstanceOf(ValidationError);
    expect(client.stats.calls).toBe(0);
  });

  it('allows the numbered hosts the pattern names', () => {
    expect(allowedResourceUrl('https://ssapi11.shipstation.com/shipments?batchId=1', config.settings, 'ss-main').host).toBe('ssapi11.shipstation.com');
  });

  it('fetches with the API credentials and shipment items included, every page', async () => {
    const auth = `Basic ${Buffer.from('key:secret').toString('base64')}`;
    const page = (n: number) => ({
      shipments: [{ shipmentId: n, orderKey: 'web/1', createDate: '2026-07-14T09:00:00.0000000', shipmentItems: [] }],
      total: 2,
      page: n,
      pages: 2,
    });
    nock('https://ssapi.shipstation.com', { reqheaders: { authorization: auth } })
      .get('/shipments')
      .query({ storeID: '123456', batchId: '12345678', includeShipmentItems: 'true', page: '1' })
      .reply(200, page(1))
      .get('/shipments')
      .query({ storeID: '123456', batchId: '12345678', includeShipmentItems: 'true', page: '2' })
      .reply(200, page(2));
    const client = createShipStationClient({ ...config, id: 'ss-main' }, { logger: createLogger({ level: 'silent', pretty: false }) });
    const result = await readNotifiedShipments(client, config.settings, 'ss-main', notify.body.resource_url);
    expect(result.shipments.map((s) => s.shipmentId)).toEqual(['1', '2']);
  });
});
