import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { InvalidSignatureError, RateLimitedError, ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { NormalizeContext } from '../types.js';
import { EasyPostConfigSchema, type EasyPostConfig } from './config.js';
import { normalizeTrackerUpdated } from './inbound/tracker-updated.js';
import { createEasyPostConnectorClient } from './index.js';
import { verifyEasyPostWebhook } from './verify.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

// "ﬁ" and "é" written precomposed; NFKD turns them into "f"+"i" and "e"+U+0301.
const SECRET = 'ﬁle-s\u00e9cret';
const SECRET_NFKD_BYTES = Buffer.from('file-se\u0301cret', 'utf8');
const config = (secret = SECRET): EasyPostConfig => EasyPostConfigSchema.parse({ settings: {}, credentials: { apiKey: 'EZAK_test', webhookSecret: secret } });
const event = JSON.parse(readFileSync(new URL('./fixtures/tracker-updated-delivered.json', import.meta.url), 'utf8')) as {
  body: Record<string, unknown> & { result: Record<string, unknown> };
};
const raw = Buffer.from(JSON.stringify(event.body));
const sign = (body: Buffer, key: Buffer) => `hmac-sha256-hex=${createHmac('sha256', key).update(body).digest('hex')}`;

expectEveryMockUsed();

describe('EasyPost webhook verification', () => {
  it('accepts a body signed with the NFKD form of the secret, and names the delivery by the event id', () => {
    const delivery = verifyEasyPostWebhook({ headers: { 'x-hmac-signature': sign(raw, SECRET_NFKD_BYTES) }, rawBody: raw }, config());
    expect(delivery).toEqual({ dedupKey: 'event:evt_4f1b2c3d4e5f', topic: 'tracker.updated', occurredAt: '2026-07-16T19:26:52.000Z' });
  });

  it('accepts the same signature whichever normal form the configured secret was typed in', () => {
    const header = { 'x-hmac-signature': sign(raw, SECRET_NFKD_BYTES) };
    expect(() => verifyEasyPostWebhook({ headers: header, rawBody: raw }, config('file-se\u0301cret'))).not.toThrow();
  });

  it('refuses a signature made with the un-normalized secret', () => {
    const header = { 'x-hmac-signature': sign(raw, Buffer.from(SECRET, 'utf8')) };
    expect(() => verifyEasyPostWebhook({ headers: header, rawBody: raw }, config())).toThrow(InvalidSignatureError);
  });

  it.each([
    ['no header', {}],
    ['the hex without its prefix', { 'x-hmac-signature': sign(raw, SECRET_NFKD_BYTES).slice('hmac-sha256-hex='.length) }],
    ['a signature of another body', { 'x-hmac-signature': sign(Buffer.from(`${raw.toString()} `), SECRET_NFKD_BYTES) }],
    ['garbage', { 'x-hmac-signature': 'hmac-sha256-hex=zz' }],
  ])('refuses %s', (_name, headers) => {
    expect(() => verifyEasyPostWebhook({ headers, rawBody: raw }, config())).toThrow(InvalidSignatureError);
  });

  it('gives a retried event the same key, so the inbox drops the duplicate', () => {
    const retried = Buffer.from(JSON.stringify({ ...event.body, status: 'retrying', pending_urls: [] }));
    const a = verifyEasyPostWebhook({ headers: { 'x-hmac-signature': sign(raw, SECRET_NFKD_BYTES) }, rawBody: raw }, config());
    const b = verifyEasyPostWebhook({ headers: { 'x-hmac-signature': sign(retried, SECRET_NFKD_BYTES) }, rawBody: retried }, config());
    expect(b.dedupKey).toBe(a.dedupKey);
  });
});

function ctx(c: EasyPostConfig = config()): NormalizeContext<EasyPostConfig> {
  return {
    connectorId: 'easypost',
    connectorType: 'easypost',
    config: c,
    receivedAt: '2026-07-16T19:27:00.000Z',
    delivery: { dedupKey: '', topic: 'tracker.updated' },
    lookup: { sku: () => null, location: () => null },
  };
}

describe('EasyPost tracker.updated normalizer', () => {
  it("reports the package's status (delivered), not the event's delivery status, joined on tracking code and carrier", () => {
    const [e] = normalizeTrackerUpdated(event.body, ctx());
    expect(e).toMatchObject({
      type: 'shipment.tracking.updated',
      idempotencyKey: 'easypost:event:evt_4f1b2c3d4e5f',
      occurredAt: '2026-07-16T19:26:51.000Z',
      source: { externalId: 'trk_8b5833c2c3e6428ab09a48a31c1a9071', version: '2026-07-16T19:26:51.000Z' },
      data: { tracking: { number: '9400111899561704681189', company: 'USPS' }, status: 'delivered' },
    });
    expect(e?.data).not.toHaveProperty('externalShipmentId');
  });

  it('carries no URL of the tracker into the event', () => {
    const text = JSON.stringify(normalizeTrackerUpdated(event.body, ctx()));
    expect(text).not.toContain('track.easypost.com');
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('ignores events of the other mode', () => {
    const testMode = { ...event.body, mode: 'test', result: { ...event.body.result, mode: 'test' } };
    expect(normalizeTrackerUpdated(testMode, ctx())).toEqual([]);
  });

  it('rejects an event without a tracker, naming the field', () => {
    const { result: _r, ...noResult } = event.body;
    try {
      normalizeTrackerUpdated(noResult, ctx());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe('result');
    }
  });
});

describe('EasyPost createTracker', () => {
  const client = () => createEasyPostConnectorClient({ id: 'easypost', ...config() }, { logger: createLogger({ level: 'silent', pretty: false }) });
  const shipment = { externalShipmentId: '33974374', tracking: { number: '9400111899561704681189', company: 'USPS' } };
  const tracker: Record<string, unknown> = { ...event.body.result, status: 'pre_transit' };

  it('creates a tracker for the tracking number and carrier when there is none', async () => {
    nock('https://api.easypost.com/v2')
      .get('/trackers')
      .query({ tracking_code: '9400111899561704681189', carrier: 'USPS', page_size: '5' })
      .reply(200, { trackers: [], has_more: false })
      .post('/trackers', { tracker: { tracking_code: '9400111899561704681189', carrier: 'USPS' } })
      .reply(201, tracker);
    await expect(client().createTracker(shipment)).resolves.toEqual({
      trackerId: tracker['id'],
      trackingCode: '9400111899561704681189',
      carrier: 'USPS',
      status: 'pre_transit',
      existing: false,
    });
  });

  it('returns the existing tracker on a retry instead of creating a second one', async () => {
    nock('https://api.easypost.com/v2')
      .get('/trackers')
      .query(true)
      .reply(200, { trackers: [tracker], has_more: false });
    await expect(client().createTracker(shipment)).resolves.toMatchObject({ trackerId: tracker['id'], existing: true });
  });

  it("maps the hub carrier name to EasyPost's", async () => {
    nock('https://api.easypost.com/v2')
      .get('/trackers')
      .query({ tracking_code: 'JD0140', carrier: 'DHLExpress', page_size: '5' })
      .reply(200, { trackers: [], has_more: false })
      .post('/trackers', { tracker: { tracking_code: 'JD0140', carrier: 'DHLExpress' } })
      .reply(201, { ...tracker, tracking_code: 'JD0140', carrier: 'DHLExpress' });
    await expect(client().createTracker({ externalShipmentId: '9', tracking: { number: 'JD0140', company: 'DHL Express' } })).resolves.toMatchObject({
      carrier: 'DHLExpress',
    });
  });

  it('hands a 429 to the queue with its Retry-After', async () => {
    nock('https://api.easypost.com/v2')
      .get('/trackers')
      .query(true)
      .reply(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'Retry-After': '7' });
    const err = await client()
      .createTracker(shipment)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
  });
});
