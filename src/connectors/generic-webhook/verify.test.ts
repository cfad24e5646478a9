import { describe, expect, it } from 'vitest';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import { GenericWebhookConfigSchema } from './config.js';
import { genericWebhookConnector } from './index.js';
import { signGeneric, verifyGeneric } from './verify.js';

const SECRET = 'generic-secret-0123456789';
const config = (settings: Record<string, unknown>, credentials: Record<string, unknown> = { hmacSecret: SECRET }) => ({
  id: 'wms',
  ...GenericWebhookConfigSchema.parse({ settings: { topic: { value: 'stock' }, dedup: { expression: 'id' }, ...settings }, credentials }),
});
const request = (body: unknown, headers: Record<string, string>) => ({ rawBody: Buffer.from(JSON.stringify(body)), headers });

describe('generic-webhook verification', () => {
  const hmac = { verify: { hmac: { header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' } } };

  it('accepts an HMAC in the configured algorithm, encoding and prefix, and names the delivery', async () => {
    const body = { id: 42, kind: 'stock' };
    const sig = signGeneric(JSON.stringify(body), SECRET, { algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' });
    await expect(verifyGeneric(request(body, { 'x-sig': sig }), config(hmac))).resolves.toEqual({ topic: 'stock', dedupKey: 'stock:42' });
    await expect(verifyGeneric(request({ ...body, id: 43 }, { 'x-sig': sig }), config(hmac))).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it('accepts an API key header and reads topic and dedup key from headers', async () => {
    const cfg = config(
      { verify: { apiKey: { header: 'X-Api-Key' } }, topic: { header: 'X-Event' }, dedup: { header: 'X-Delivery' } },
      { apiKey: 'key-0123456789abcdef' },
    );
    const ok = request({}, { 'x-api-key': 'key-0123456789abcdef', 'x-event': 'receipt', 'x-delivery': 'd-1' });
    await expect(verifyGeneric(ok, cfg)).resolves.toEqual({ topic: 'receipt', dedupKey: 'receipt:d-1' });
    await expect(verifyGeneric({ ...ok, headers: { ...ok.headers, 'x-api-key': 'nope' } }, cfg)).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(verifyGeneric({ ...ok, headers: { 'x-api-key': 'key-0123456789abcdef', 'x-event': 'receipt' } }, cfg)).rejects.toThrow(ValidationError);
  });

  it('config: exactly one verification method, and only topics it defines have a normalizer', () => {
    expect(GenericWebhookConfigSchema.safeParse({ settings: { verify: {}, topic: { value: 'a' }, dedup: { header: 'x' } } }).success).toBe(false);
    const cfg = config({
      ...hmac,
      events: { stock: { type: 'inventory.level.reported', externalId: 'id', data: { sku: 'sku', location: 'loc', quantity: 'qty' } } },
    });
    expect(genericWebhookConnector.webhooks!.configuredTopic!('stock', cfg)).toBeTypeOf('function');
    expect(genericWebhookConnector.webhooks!.configuredTopic!('toString', cfg)).toBeUndefined();
  });
});
