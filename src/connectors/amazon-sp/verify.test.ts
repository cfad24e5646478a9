import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidSignatureError } from '../../core/errors.js';
import { testConfig } from './test-support.js';
import { signRelayDelivery, verifyAmazonRelay } from './verify.js';

const config = testConfig();
const SECRET = config.credentials.relaySecret;
const NOW = Date.parse('2026-11-30T22:14:05Z');
const notification = (JSON.parse(readFileSync(new URL('./fixtures/notifications/buyer-requested-cancel.json', import.meta.url), 'utf8')) as { body: unknown })
  .body;

function delivery(body: unknown, ts = Math.floor(NOW / 1000), secret = SECRET) {
  const rawBody = Buffer.from(JSON.stringify(body));
  return {
    rawBody,
    headers: { 'x-relay-timestamp': String(ts), 'x-relay-signature': signRelayDelivery(rawBody, ts, secret), 'content-type': 'application/json' },
  };
}

describe('amazon-sp relay verification', () => {
  it('accepts a signed notification, keyed by NotificationId: a redelivery gets the same key', () => {
    const first = verifyAmazonRelay(delivery(notification), config, () => NOW);
    const again = verifyAmazonRelay(delivery(notification, Math.floor(NOW / 1000) + 30), config, () => NOW + 30_000);
    expect(first).toEqual({ topic: 'ORDER_CHANGE', dedupKey: 'ORDER_CHANGE:d0e9e693-c3ad-4373-979f-ed4ec98dd746', occurredAt: '2026-11-30T22:14:03.109Z' });
    expect(again.dedupKey).toBe(first.dedupKey);
  });

  it('reads the notification inside an EventBridge event', () => {
    const event = { version: '0', id: 'x', 'detail-type': 'ORDER_CHANGE', source: 'aws.partner/sellingpartnerapi.amazon.com', detail: notification };
    expect(verifyAmazonRelay(delivery(event), config, () => NOW).dedupKey).toBe('ORDER_CHANGE:d0e9e693-c3ad-4373-979f-ed4ec98dd746');
  });

  it('refuses a wrong secret, a changed body, a missing signature and a stale timestamp', () => {
    const forged = delivery(notification, Math.floor(NOW / 1000), 'another-secret-0123456789');
    expect(() => verifyAmazonRelay(forged, config, () => NOW)).toThrow(InvalidSignatureError);
    const changed = delivery(notification);
    changed.rawBody = Buffer.from(changed.rawBody.toString().replace('Unshipped', 'Shipped__'));
    expect(() => verifyAmazonRelay(changed, config, () => NOW)).toThrow(/does not match/);
    const unsigned = delivery(notification);
    delete (unsigned.headers as Record<string, string | undefined>)['x-relay-signature'];
    expect(() => verifyAmazonRelay(unsigned, config, () => NOW)).toThrow(/missing X-Relay-Signature/);
    const old = delivery(notification, Math.floor(NOW / 1000) - 301);
    expect(() => verifyAmazonRelay(old, config, () => NOW)).toThrow(/300 s/);
  });
});
