/**
 * The Amazon SP-API simulator, for end-to-end tests, the demo and benchmarks.
 *
 * ```ts
 * const sim = await startAmazonSimulator({ rateLimitHeader: '5' });
 * sim.store.addListing('TSHIRT-M', 0);                                   // a listing to push stock to
 * const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2, price: '19.99' }] });
 * sim.store.available('TSHIRT-M');                                       // the listing's DEFAULT quantity
 * sim.store.listings.get('TSHIRT-M')!.pushes;                            // every quantity the hub wrote
 * sim.store.requestCancellation(order.AmazonOrderId);                    // buyer asks to cancel
 * sim.faults.next(2, { type: 'status', status: 429, retryAfter: '1' });  // or 5xx, latency
 * simAmazonConnectorYaml(sim, { location: 'wh-east', extra: ['schedules: { pollOrders: { every: 1000 } }'] });
 * ```
 */
export { type AmazonSimCounters, type AmazonSimulator, type AmazonSimulatorOptions, type SimFault, startAmazonSimulator } from './server.js';
export { AmazonStore, type SimListing, type SimOrder, type SimOrderItem, type SimOrderLineInput } from './store.js';
export { SIM_RELAY_SECRET, simAmazonConnectorYaml, type AmazonSimConnectorOptions } from './config.js';
