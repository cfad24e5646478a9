import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_SECRET, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

describe('generic-http: stock pushed to a configured REST endpoint through the outbound queue', () => {
  let hub: TestHub;
  let server: Server;
  const levels = new Map<string, { quantity: number; auth: string | undefined }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const sku = decodeURIComponent(req.url!.split('/').pop()!);
        levels.set(sku, { quantity: (JSON.parse(raw) as { quantity: number }).quantity, auth: req.headers['authorization'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hub = await startTestHub({
      config: parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: wholesale, connector: portal, locations: [wh-east], safetyStock: 1 }]
connectors:
  - { id: events, type: canonical, credentials: { webhookSecret: ${CANONICAL_SECRET} } }
  - id: portal
    type: generic-http
    settings:
      availability:
        url: "${url}/inventory/{{ sku }}"
        method: PUT
        headers: { Authorization: "Bearer {{ $credentials.token }}" }
        body: '{ "quantity": available }'
        success: { status: [204] }
    credentials: { token: portal-token-0123456789 }
    rateLimit: { max: 20, durationMs: 1000 }
`),
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('pushes availableToSell (on hand minus safety stock) with the templated URL, header and body', async () => {
    await hub.postEvents(event('inventory.adjusted', { sku: 'BOX/1', location: 'wh-east', delta: 7, reason: 'receipt' }));
    const level = await waitFor(() => levels.get('BOX/1'), 'push received');
    expect(level).toEqual({ quantity: 6, auth: 'Bearer portal-token-0123456789' });
  });
});
