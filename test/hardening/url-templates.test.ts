import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContractError } from '../../src/core/errors.js';
import { genericHttpConnector } from '../../src/connectors/generic-http/index.js';

let server: Server;
let url = '';
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

function client(availability: Record<string, unknown>) {
  const config = genericHttpConnector.configSchema.parse({ settings: { availability }, credentials: {} });
  return genericHttpConnector.createClient!({ ...config, id: 'wms' }, { logger: undefined as never });
}
const update = (sku: string, itemId = sku) => ({ sku, channel: 'web', available: 1, version: 1, externalIds: { itemId } });

describe('generic-http URL templates', () => {
  it.each(['..', '.'])('refuses a placeholder value "%s" (a dot segment) for good and sends nothing', async (sku) => {
    const c = client({ url: `${url}/api/v1/items/{{ sku }}/stock`, method: 'PUT' });
    const result = await c.pushAvailability!([update(sku), update('OK-1')]);
    expect(seen).toEqual(['/api/v1/items/OK-1/stock']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.error).toBeInstanceOf(ContractError);
    expect(result.failures[0]!.error.message).toMatch(/dot segment/);
  });

  it('refuses a dot segment formed with the template text around a placeholder', async () => {
    const c = client({ url: `${url}/api/.{{ sku }}/admin`, method: 'PUT' });
    const result = await c.pushAvailability!([update('.'), update('x')]);
    expect(seen).toEqual(['/api/.x/admin']);
    expect(result.failures.map((f) => f.sku)).toEqual(['.']);
  });

  it('encodes slashes, percent signs and query characters in placeholder values', async () => {
    const c = client({ url: `${url}/items/{{ sku }}?loc={{ externalIds.itemId }}`, method: 'PUT' });
    await c.pushAvailability!([update('../../admin', 'a&b=c#d'), update('%2e%2e')]);
    expect(seen).toEqual(['/items/..%2F..%2Fadmin?loc=a%26b%3Dc%23d', '/items/%252e%252e?loc=%252e%252e']);
  });

  it('refuses a header placeholder holding a line break', async () => {
    const c = client({ url: `${url}/items/{{ sku }}`, method: 'PUT', headers: { 'X-Item': '{{ externalIds.itemId }}' } });
    const result = await c.pushAvailability!([update('A-1', 'x\r\nX-Injected: 1')]);
    expect(seen).toEqual([]);
    expect(result.failures[0]!.error).toBeInstanceOf(ContractError);
  });
});
