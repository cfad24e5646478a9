import { describe, expect, it } from 'vitest';
import { flowRouteFor } from './flow.js';
import { parseConfig } from './load.js';

const config = (flow: string) => `
locations: [{ id: wh-east, kind: warehouse }, { id: wh-west, kind: warehouse }]
channels: [{ id: web, locations: [wh-east] }, { id: ebay, locations: [wh-west] }]
connectors:
  - id: easypost
    type: easypost
    settings: {}
    credentials: { apiKey: k, webhookSecret: s }
  - id: easypost-2
    type: easypost
    settings: {}
    credentials: { apiKey: k, webhookSecret: s }
  - id: qbo
    type: quickbooks
    settings: { realmId: "1" }
    credentials: { clientId: c, clientSecret: s, refreshToken: r }
flow:
${flow}
`;

describe('flow: block', () => {
  it('routes carriers and accounting per channel and location', () => {
    const result = parseConfig(
      config(
        `  carriers: [{ connector: easypost, locations: [wh-east] }, { connector: easypost-2, locations: [wh-west] }]\n  accounting: [{ connector: qbo, channels: [web] }]`,
      ),
      {},
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const flow = result.config.flow;
    expect(flowRouteFor(flow, 'carriers', 'web', 'wh-west')?.connector).toBe('easypost-2');
    expect(flowRouteFor(flow, 'carriers', 'ebay', 'wh-east')?.connector).toBe('easypost');
    expect(flowRouteFor(flow, 'accounting', 'web', null)?.connector).toBe('qbo');
    expect(flowRouteFor(flow, 'accounting', 'ebay', null)).toBeUndefined();
  });

  it('refuses unknown references, a connector of the wrong category and a channel booked twice, each with its key path', () => {
    const result = parseConfig(
      config(
        `  carriers: [{ connector: qbo }, { connector: nobody, channels: [amazon] }]\n  accounting: [{ connector: qbo, locations: [wh-north] }, { connector: easypost, channels: [web] }]`,
      ),
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { path: 'flow.carriers[0].connector', message: 'connector "qbo" is in category accounting, not carrier' },
        { path: 'flow.carriers[1].connector', message: 'unknown connector "nobody"' },
        { path: 'flow.carriers[1].channels[0]', message: 'unknown channel "amazon"' },
        { path: 'flow.accounting[0].locations[0]', message: 'unknown location "wh-north"' },
        { path: 'flow.accounting[1].connector', message: 'connector "easypost" is in category carrier, not accounting' },
        { path: 'flow.accounting[1].channels', message: 'channel "web" is already served by "qbo"; one accounting per channel' },
      ]),
    );
  });

  it('is optional: without it nothing is tracked or booked', () => {
    const result = parseConfig(config('  {}').replace('flow:\n  {}\n', ''), {});
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(flowRouteFor(result.config.flow, 'accounting', 'web', null)).toBeUndefined();
  });
});
