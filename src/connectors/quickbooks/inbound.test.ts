import { readFileSync, readdirSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../core/errors.js';
import { CanonicalEventSchema } from '../../core/model/index.js';
import { normalizePayload } from '../../cli/normalize.js';
import { parseJsonPreservingIds } from '../http/json.js';
import type { NormalizeContext } from '../types.js';
import { createQboClient } from './client.js';
import { fetchNotified } from './fetch.js';
import { quickBooksWebhooks } from './index.js';
import { readNotification } from './inbound/notification.js';
import { REFRESH_TOKEN_KEY } from './oauth.js';
import { API, COMPANY, REALM, TOKEN_HOST, TOKEN_PATH, logger, recordingState, testConfig } from './test-kit.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const dir = (sub: string) => new URL(`./fixtures/${sub}/`, import.meta.url);
const read = (url: URL) => readFileSync(url, 'utf8');
const config = testConfig();
const context = (topic: string): NormalizeContext<typeof config> => ({
  connectorId: 'qbo-main',
  connectorType: 'quickbooks',
  config,
  receivedAt: '2026-03-11T00:00:00.000Z',
  delivery: { dedupKey: 'test', topic },
  lookup: { sku: () => null, location: () => null },
});

expectEveryMockUsed();

describe('read responses → canonical events', () => {
  const cases = [
    ...readdirSync(dir('api/invoice'))
      .filter((f) => !f.includes('.expected'))
      .map((f) => ({ topic: 'invoice', file: `api/invoice/${f}` })),
    ...readdirSync(dir('api/payment'))
      .filter((f) => !f.includes('.expected'))
      .map((f) => ({ topic: 'payment', file: `api/payment/${f}` })),
  ];
  it.each(cases)('$file', ({ topic, file }) => {
    // The body as the inbound worker parses it: numbers a double cannot hold keep their text.
    const fixture = parseJsonPreservingIds(read(new URL(`./fixtures/${file}`, import.meta.url))) as { body: unknown };
    const expected = JSON.parse(read(new URL(`./fixtures/${file.replace('.json', '.expected.json')}`, import.meta.url))) as unknown;
    const normalize = quickBooksWebhooks.topics[topic]!;
    let outcome: unknown;
    try {
      outcome = normalize(fixture.body, context(topic));
      for (const event of outcome as unknown[]) expect(CanonicalEventSchema.safeParse(event).success).toBe(true);
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      outcome = { error: { code: err.code, field: err.field } };
    }
    expect(outcome).toEqual(expected);
  });

  it('hub normalize quickbooks invoice <file> prints the events of one Invoice read response', async () => {
    // The read response as QuickBooks sends it (the fixture's body, amounts as written).
    const text = read(new URL('./fixtures/api/invoice/shipped-order.json', import.meta.url));
    const raw = text.slice(text.indexOf('"body": ') + 8, text.lastIndexOf('}'));
    expect(raw).toContain('1234567890172.347');
    const outcome = await normalizePayload('quickbooks', 'invoice', raw);
    expect(outcome.exitCode).toBe(0);
    const [event] = outcome.output as { data: { total: { amount: string }; lines: unknown[] } }[];
    expect(event!.data.total.amount).toBe('1234567890172.347');
    expect(event!.data.lines).toHaveLength(4);
  });
});

describe('notifications', () => {
  it('collapses an entity named twice in one legacy notification and ignores other companies', () => {
    const body = JSON.parse(read(new URL('./fixtures/webhooks/notification/legacy-repeated-invoice.json', import.meta.url))).body;
    expect(readNotification(body, REALM, 'qbo-main')).toEqual([
      { entity: 'Invoice', id: '130', operation: 'Update', lastUpdated: '2026-03-03T17:00:00.000Z' },
      { entity: 'Payment', id: '190', operation: 'Create', lastUpdated: '2026-03-10T19:00:00.000Z' },
      { entity: 'Customer', id: '58', operation: 'Update', lastUpdated: '2026-03-03T17:00:00.000Z' },
    ]);
  });

  it('reads the CloudEvents array the same way', () => {
    const body = JSON.parse(read(new URL('./fixtures/webhooks/notification/cloudevents-invoice-created.json', import.meta.url))).body;
    expect(readNotification(body, REALM, 'qbo-main')).toEqual([
      { entity: 'Invoice', id: '130', operation: 'Update', lastUpdated: '2026-03-03T17:00:00.000Z' },
      { entity: 'Payment', id: '190', operation: 'Create', lastUpdated: '2026-03-10T19:00:00.000Z' },
    ]);
  });

  it('rejects a body in neither format, naming the field', () => {
    expect(() => readNotification({ eventNotifications: [{ realmId: REALM }] }, REALM, 'qbo-main')).toThrow(/qbo-main: notification is neither/);
  });

  it('fetches each collapsed entity once, keyed by its version, and skips entities it does not record', async () => {
    const kit = recordingState({ [REFRESH_TOKEN_KEY]: 'rt' });
    nock(TOKEN_HOST).post(TOKEN_PATH).reply(200, { access_token: 'at', refresh_token: 'rt', expires_in: 3600 });
    const invoiceText = JSON.stringify(JSON.parse(read(new URL('./fixtures/api/invoice/shipped-order.json', import.meta.url))).body);
    nock(API).get(`${COMPANY}/invoice/130`).query(true).once().reply(200, invoiceText);
    nock(API)
      .get(`${COMPANY}/payment/190`)
      .query(true)
      .once()
      .reply(200, JSON.parse(read(new URL('./fixtures/api/payment/applied-to-invoice.json', import.meta.url))).body);
    const client = createQboClient(config, { logger, state: kit.state });
    const body = JSON.parse(read(new URL('./fixtures/webhooks/notification/legacy-repeated-invoice.json', import.meta.url))).body;
    const fetched = await fetchNotified(client, 'qbo-main', body);
    expect(fetched.map((f) => [f.topic, f.dedupKey])).toEqual([
      ['invoice', 'Invoice:130:2'],
      ['payment', 'Payment:190:0'],
    ]);
    expect(fetched[0]!.body).toBe(invoiceText);
  });
});
