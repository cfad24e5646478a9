/**
 * The eBay simulator, for the end-to-end test, the demo and benchmarks.
 *
 * ```ts
 * const sim = await startEbaySimulator();
 * sim.store.addListing({ sku: 'TSHIRT-M', quantity: 0 });          // an Inventory API item with an offer
 * sim.store.addListing({ sku: null, quantity: 3 });                // a legacy listing: lines carry no sku key
 * const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }], taxRate: '0.0825' });
 * sim.store.available('TSHIRT-M');                                 // what the hub last pushed, less sales since
 * sim.faults.next(1, { type: 'status', status: 429, retryAfter: '2' });
 * sim.revokeTokens();                                              // every call answers 401 until a refresh
 * ebaySimConnectorYaml(sim, { extra: ['schedules: { pollOrders: { every: 1000 } }'] });
 * ```
 */
export { type EbaySimCounters, type EbaySimFault, type EbaySimulator, startEbaySimulator } from './server.js';
export { EbayStore, type OrderInput, type SimEbayOrder, type SimListing } from './store.js';
export { type EbaySimConnectorOptions, ebaySimConnectorYaml } from './config.js';
