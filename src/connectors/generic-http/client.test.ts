import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../core/errors.js';
import { genericHttpConnector } from './index.js';

/** A loopback API: records requests and answers from a script (default 200 `{ "ok": true }`). */
let server: Server;
let url = '';
const requests: { method: string; url: string; headers: Record<string, unknown>; body: unknown }[] = [];
const script: { status: number; body?: unknown; headers?: Record<string, string> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      const answer = script.shift() ?? { status: 200, body: { ok: true } };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  requests.length = 0;
  script.length = 0;
});

function client(settings: Record<string, unknown>) {
  const config = genericHttpConnector.configSchema.parse({ settings, credentials: { token: 'secret-token-0123456789' } });
  return genericHttpConnector.createClient!({ ...config, id: 'wms' }, { logger: undefined as never });
}
const update = (sku: string, available: number) => ({ sku, channel: 'web', available, version: 1, externalIds: { itemId: `it/${sku}` } });

describe('generic-http pushes', () => {
  it('renders URL, header and body templates per SKU and honours a success expression', async () => {
    const c = client({
      availability: {
        url: `${url}/stock/{{ externalIds.itemId }}`,
        method: 'PUT',
        headers: { Authorization: 'Bearer {{ $credentials.token }}' },
        body: '{ "sku": sku, "onHand": available }',
        success: { status: [200], expression: 'body.ok = true' },
      },
    });
    script.push({ status: 200, body: { ok: true } }, { status: 200, body: { ok: false } });
    const result = await c.pushAvailability!([update('TEE-1', 5), update('MUG-1', 0)]);
    expect(requests.map((r) => [r.method, r.url, r.headers['authorization'], r.body])).toEqual([
      ['PUT', '/stock/it%2FTEE-1', 'Bearer secret-token-0123456789', { sku: 'TEE-1', onHand: 5 }],
      ['PUT', '/stock/it%2FMUG-1', 'Bearer secret-token-0123456789', { sku: 'MUG-1', onHand: 0 }],
    ]);
    expect(result).toMatchObject({ pushed: 1, calls: 2 });
    expect(result.failures[0]).toMatchObject({ sku: 'MUG-1' });
    expect(result.failures[0]!.error.message).toContain('success.expression "body.ok = true" is not true');
  });

  it('sends a batch in one request, reports a 429 as retryable after its Retry-After, and drops a 404 SKU as permanent', async () => {
    const batch = client({ availability: { url: `${url}/stock`, body: '{ "levels": items.{ "sku": sku, "qty": available } }', batch: true } });
    await batch.pushAvailability!([update('A', 1), update('B', 2)]);
    expect(requests[0]!.body).toEqual({
      levels: [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
      ],
    });
    script.push({ status: 429, headers: { 'retry-after': '3' } });
    const err = await batch.pushAvailability!([update('A', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(3000);
    const single = client({ availability: { url: `${url}/stock/{{ sku }}` } });
    script.push({ status: 404 });
    const result = await single.pushAvailability!([update('GONE', 1), update('OK', 2)]);
    expect(result.failures.map((f) => [f.sku, f.error.code])).toEqual([['GONE', 'not_found']]);
  });

  it('pushes a fulfilment with the shipment as input', async () => {
    const c = client({
      fulfillment: { url: `${url}/orders/{{ externalOrderId }}/shipments`, body: '{ "tracking": tracking.number, "items": $count(lines) }' },
    });
    expect('pushAvailability' in c && c.pushAvailability !== undefined).toBe(false);
    await c.pushFulfillment!(
      {
        externalShipmentId: 'S1',
        channel: 'web',
        externalOrderId: '1001',
        location: 'wh',
        shippedAt: '2026-01-01T00:00:00.000Z',
        lines: [{ sku: 'A', quantity: 1 }],
        tracking: { number: '1Z' },
      },
      {},
    );
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/orders/1001/shipments', body: { tracking: '1Z', items: 1 } });
  });
});
