import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { skeletonConnector, skeletonPushes } from '../fixtures/connectors/skeleton/index.js';
import { parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** A new connector is a folder plus one registry line: the hub binds, verifies, applies and pushes with nothing else. */
describe('a connector added as a folder and one registry line', () => {
  const registry = [...connectorRegistry, skeletonConnector];
  let hub: TestHub;
  beforeAll(async () => {
    // parseTestConfig reads the shipped registry; the hub gets the extended one.
    const config = parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: skel-web, connector: canon, locations: [wh-east], safetyStock: 1 }]
connectors:
  - { id: canon, type: canonical, credentials: { webhookSecret: skeleton-test-secret-0123 } }
`);
    config.connectors.push(
      {
        ...config.connectors[0]!,
        id: 'skel-push',
        type: 'skeleton',
        settings: { channel: 'skel-web', pushes: true, locations: { A: 'wh-east' } },
        credentials: { secret: 'skel-secret' },
      },
      {
        ...config.connectors[0]!,
        id: 'skel-quiet',
        type: 'skeleton',
        settings: { channel: 'skel-web', pushes: false, locations: {} },
        credentials: { secret: 'skel-secret' },
      },
    );
    config.channels[0]!.connector = 'skel-push';
    hub = await startTestHub({ config, registry });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('binds each instance with the capabilities its config gives, and probes its credentials', async () => {
    expect([...hub.hub.connectors.get('skel-push')!.capabilities]).toEqual(['webhooks', 'push.availability']);
    expect(hub.hub.connectors.get('skel-quiet')!.pushes).toBe(false);
    expect(await hub.hub.connectors.get('skel-push')!.client()!.check!()).toEqual({ ok: true, message: 'credentials accepted' });
  });

  it('verifies and applies its webhook, then pushes availableToSell through its client', async () => {
    const body = JSON.stringify({ sku: 'SKEL-1', location: 'A', count: 6 });
    const post = (signature: string) =>
      fetch(`${hub.url}/webhooks/skel-push`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-skeleton-signature': signature }, body });
    expect((await post('forged')).status).toBe(401);
    expect((await post(createHmac('sha256', 'skel-secret').update(body).digest('hex'))).status).toBe(200);
    const pushed = await waitFor(() => skeletonPushes.get('skel-push')?.find((u) => u.sku === 'SKEL-1'), 'availability pushed');
    expect(pushed).toMatchObject({ sku: 'SKEL-1', channel: 'skel-web', available: 5 });
    expect(skeletonPushes.get('skel-quiet')).toBeUndefined();
  });
});
