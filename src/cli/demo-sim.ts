/**
 * The part of the Shopify simulator (test/sim/shopify) that `hub demo` drives. Declared here so
 * the shipped build does not compile the simulator; the demo loads it from a source checkout.
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

/** The simulator module's exports the demo uses. */
export interface DemoSimulatorModule {
  startShopifySimulator(options: { locations?: string[] }): Promise<DemoSimulator>;
  simConnectorYaml(
    sim: DemoSimulator,
    options: { id?: string; channel?: string; locations: [string, string][]; settings?: string[]; extra?: string[] },
  ): string;
}
