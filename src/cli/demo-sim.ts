import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The parts of the simulators (test/sim/<type>) that `hub demo` drives. Declared here so the
 * shipped build does not compile the simulators; the demo loads them from a source checkout.
 */
export interface DemoSimulator {
  url: string;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  store: {
    locations: { id: string }[];
    addProduct(input: { title: string; variants: { sku: string; available?: number }[] }): unknown;
    placeOrder(input: { lines: { sku: string; quantity: number }[] }): { id: string; lines: { id: string; sku: string | null; quantity: number }[] };
    cancelOrder(id: string): unknown;
    order(id: string): { fulfillments: unknown[]; cancelledAt: number | string | null } | undefined;
    available(sku: string, locationId?: string): number;
  };
  webhooks: { subscribe(url: string): void; unsubscribeAll(): void; idle(): Promise<void> };
  counters: { requests: number; throttled: number; itemsSet: number; fulfillmentsCreated: number };
  faults: { next(count: number, fault: { type: 'status'; status: number }): void };
  close(): Promise<void>;
}

/** The Shopify simulator module's exports the demo uses. */
export interface DemoSimulatorModule {
  startShopifySimulator(options: { locations?: string[] }): Promise<DemoSimulator>;
  simConnectorYaml(
    sim: DemoSimulator,
    options: { id?: string; channel?: string; locations: [string, string][]; settings?: string[]; extra?: string[] },
  ): string;
}

export interface DemoEbay {
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  store: {
    addListing(input: { sku: string; quantity: number; price?: string }): unknown;
    placeOrder(input: { lines: { sku: string; quantity: number }[] }): { orderId: string };
    orders: { orderId: string; fulfillments: unknown[] }[];
  };
  close(): Promise<void>;
}

export interface DemoShipStation {
  url: string;
  apiKey: string;
  apiSecret: string;
  orders: Map<string, { orderKey: string; orderStatus: string }>;
  shipments: { orderKey: string; trackingNumber: string }[];
  subscribe(targetUrl: string): void;
  shipOrder(orderKey: string): Promise<{ trackingNumber: string }>;
  close(): Promise<void>;
}

export interface DemoEasyPost {
  url: string;
  apiKey: string;
  trackers: { tracking_code: string; status: string }[];
  addWebhook(url: string, secret: string): void;
  advance(trackingCode: string, status: string): Promise<string>;
  close(): Promise<void>;
}

export interface DemoQuickBooks {
  url: string;
  realmId: string;
  clientId: string;
  clientSecret: string;
  entities: Map<string, Map<string, Record<string, unknown>>>;
  close(): Promise<void>;
}

/** Every simulator the demo runs, loaded from the source checkout. */
export interface DemoSimulators {
  shopify: DemoSimulatorModule;
  startEbaySimulator(): Promise<DemoEbay>;
  ebaySimConnectorYaml(sim: DemoEbay, options: { id?: string; channel?: string; location?: string; extra?: string[] }): string;
  startShipStationSimulator(options: { warehouseId?: number; limitPerMinute?: number }): Promise<DemoShipStation>;
  startEasyPostSimulator(): Promise<DemoEasyPost>;
  startQboSimulator(): Promise<DemoQuickBooks>;
}

const path = (p: string) => fileURLToPath(new URL(`../../test/sim/${p}`, import.meta.url));
const MODULES = {
  shopify: path('shopify/index.ts'),
  ebay: path('ebay/index.ts'),
  shipstation: path('shipstation/server.ts'),
  easypost: path('easypost/server.ts'),
  quickbooks: path('quickbooks/server.ts'),
};

/** The simulators, or undefined outside a source checkout (they live under test/sim). */
export async function loadDemoSimulators(): Promise<DemoSimulators | undefined> {
  if (!Object.values(MODULES).every((m) => existsSync(m))) return undefined;
  const [shopify, ebay, shipstation, easypost, quickbooks] = await Promise.all(
    Object.values(MODULES).map((m) => import(m) as Promise<Record<string, unknown>>),
  );
  return {
    shopify: shopify as unknown as DemoSimulatorModule,
    startEbaySimulator: ebay!['startEbaySimulator'] as DemoSimulators['startEbaySimulator'],
    ebaySimConnectorYaml: ebay!['ebaySimConnectorYaml'] as DemoSimulators['ebaySimConnectorYaml'],
    startShipStationSimulator: shipstation!['startShipStationSimulator'] as DemoSimulators['startShipStationSimulator'],
    startEasyPostSimulator: easypost!['startEasyPostSimulator'] as DemoSimulators['startEasyPostSimulator'],
    startQboSimulator: quickbooks!['startQboSimulator'] as DemoSimulators['startQboSimulator'],
  };
}
