import type { DemoEasyPost, DemoEbay, DemoQuickBooks, DemoShipStation, DemoSimulator, DemoSimulators } from './demo-sim.js';

/** The ShipStation warehouse that the demo's 3PL runs for hub location wh-east. */
export const DEMO_WAREHOUSE_ID = 16079;

export interface DemoConfigInput {
  dataDir: string;
  prefix: string;
  secret: string;
  skus: readonly string[];
  sims: DemoSimulators;
  shop: DemoSimulator;
  ebay: DemoEbay;
  ss: DemoShipStation;
  ep: DemoEasyPost;
  qbo: DemoQuickBooks;
}

/**
 * The demo's hub.yaml: a Shopify store and an eBay account (polled) sell from two warehouses;
 * wh-east is run by a ShipStation 3PL, wh-west by the merchant's own warehouse system (canonical
 * events); EasyPost tracks every shipment and QuickBooks books both channels.
 */
export function demoConfigYaml(c: DemoConfigInput): string {
  const retry = 'retry: { attempts: 4, backoffMs: 200, maxBackoffMs: 2000 }';
  const items = c.skus.map((sku, i) => `"${sku}": "${100 + i}"`).join(', ');
  return `# written by hub demo
storage: { dataDir: "${c.dataDir}" }
queues: { prefix: "${c.prefix}", coalesceMs: 500 }
locations:
  - { id: wh-east, name: East warehouse (ShipStation 3PL), kind: warehouse }
  - { id: wh-west, name: West warehouse (own), kind: warehouse }
channels:
  - { id: web, name: Simulated Shopify store, connector: shopify-demo, locations: [wh-east, wh-west], safetyStock: 1 }
  - { id: ebay, name: Simulated eBay account, connector: ebay-demo, locations: [wh-east, wh-west], safetyStock: 1 }
connectors:
${c.sims.shopify.simConnectorYaml(c.shop, {
  id: 'shopify-demo',
  locations: [[c.shop.store.locations[0]!.id, 'wh-east']],
  settings: ['ingestFulfillments: false'],
  extra: [retry, 'rateLimit: { max: 10, durationMs: 1000 }', 'reconcile: { stock: { policy: heal } }'],
})}
${c.sims.ebaySimConnectorYaml(c.ebay, { id: 'ebay-demo', channel: 'ebay', extra: ['schedules: { pollOrders: { every: 1000 } }', retry] })}
  - id: ss-demo
    type: shipstation
    settings: { baseUrl: "${c.ss.url}", locations: { "${DEMO_WAREHOUSE_ID}": wh-east } }
    credentials: { apiKey: "${c.ss.apiKey}", apiSecret: "${c.ss.apiSecret}", webhookToken: "demo-ss-token-${c.secret}" }
    # ShipStation allows 40 calls a minute; the simulator allows more so the demo does not wait on it.
    rateLimit: { max: 600, durationMs: 60000 }
    ${retry}
  - id: easypost-demo
    type: easypost
    settings: { baseUrl: "${c.ep.url}" }
    credentials: { apiKey: "${c.ep.apiKey}", webhookSecret: "demo-ep-${c.secret}" }
    ${retry}
  - id: qbo-demo
    type: quickbooks
    settings:
      realmId: "${c.qbo.realmId}"
      baseUrl: ${c.qbo.url}
      tokenUrl: ${c.qbo.url}/oauth2/v1/tokens/bearer
      document: auto
      defaultCustomerId: "1"
      refundItemId: "99"
      itemMap: { entries: { ${items} } }
    credentials: { clientId: ${c.qbo.clientId}, clientSecret: ${c.qbo.clientSecret}, refreshToken: rt-initial }
    ${retry}
  - id: warehouse
    type: canonical
    credentials: { webhookSecret: ${c.secret} }
    retry: { attempts: 3, backoffMs: 200, maxBackoffMs: 1000 }
flow:
  carriers: [{ connector: easypost-demo }]
  accounting: [{ connector: qbo-demo, channels: [web, ebay] }]
auth:
  tokens:
    - { name: demo-admin, role: admin, token: demo-admin-token-${c.secret.slice(0, 8)} }
`;
}
