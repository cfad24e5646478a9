import { describe, expect, it } from 'vitest';
import { InvalidSignatureError } from '../../core/errors.js';
import { testConfig } from './test-kit.js';
import { signQuickBooks, verifyQuickBooksWebhook } from './verify.js';

const config = testConfig();
const legacy = JSON.stringify({
  eventNotifications: [
    { realmId: '1', dataChangeEvent: { entities: [{ name: 'Invoice', id: '130', operation: 'Create', lastUpdated: '2026-03-02T18:15:00.000Z' }] } },
  ],
});
const cloud = JSON.stringify([
  { specversion: '1.0', id: 'b', type: 'qbo.invoice.created.v1', time: '2026-03-02T18:15:00Z', intuitentityid: '130', intuitaccountid: '1', data: {} },
  { specversion: '1.0', id: 'a', type: 'qbo.payment.created.v1', time: '2026-03-02T18:16:00Z', intuitentityid: '190', intuitaccountid: '1', data: {} },
]);
const request = (body: string, signature?: string) => ({
  headers: signature === undefined ? {} : { 'intuit-signature': signature },
  rawBody: Buffer.from(body),
});

describe('intuit-signature verification', () => {
  it.each([
    ['legacy eventNotifications', legacy],
    ['CloudEvents array', cloud],
  ])('accepts a %s signed with the verifier token', (_name, body) => {
    const delivery = verifyQuickBooksWebhook(request(body, signQuickBooks(body, 'verifier-token')), config);
    expect(delivery.topic).toBe('notification');
    expect(delivery.occurredAt).toBe('2026-03-02T18:15:00.000Z');
  });

  it.each([
    ['no header', undefined],
    ['another token', signQuickBooks(legacy, 'other-token')],
    ['a body changed after signing', signQuickBooks(`${legacy} `, 'verifier-token')],
    ['not base64', '%%%'],
    ['a truncated signature', signQuickBooks(legacy, 'verifier-token').slice(0, 20)],
  ])('refuses %s', (_name, signature) => {
    expect(() => verifyQuickBooksWebhook(request(legacy, signature), config)).toThrow(InvalidSignatureError);
  });

  it('refuses everything when no verifier token is configured', () => {
    const bare = testConfig({}, { webhookVerifierToken: undefined });
    expect(() => verifyQuickBooksWebhook(request(legacy, signQuickBooks(legacy, 'verifier-token')), bare)).toThrow(/webhookVerifierToken is not configured/);
  });

  it('gives a redelivered notification the same key, and a different one a different key', () => {
    const key = (body: string) => verifyQuickBooksWebhook(request(body, signQuickBooks(body, 'verifier-token')), config).dedupKey;
    expect(key(legacy)).toBe(key(legacy));
    expect(key(cloud)).toBe(key(JSON.stringify(JSON.parse(cloud).reverse())));
    expect(key(cloud)).not.toBe(key(legacy));
  });
});
