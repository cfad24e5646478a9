/**
 * The Walmart Marketplace simulator, for end-to-end tests, the demo and benchmarks.
 *
 * ```ts
 * const sim = await startWalmartSimulator();
 * sim.store.addItem('TSHIRT-M', 0);                                         // a listed item
 * const po = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M' }, { sku: 'TSHIRT-M' }] }); // one line per unit
 * sim.store.available('TSHIRT-M');                                          // what the hub last pushed
 * sim.store.cancelOrder(po.purchaseOrderId);
 * sim.faults.next(1, { type: 'status', status: 429 });                      // or retryAfter, 5xx, latency, reset
 * sim.expireTokens();                                                       // next call: 401, the client refreshes
 * walmartConnectorYaml(sim, { location: 'wh-east' });                       // the connector's config for the hub
 * ```
 */
export { startWalmartSimulator, type WalmartSimCounters, type WalmartSimFault, type WalmartSimulator, type WalmartSimulatorOptions } from './server.js';
export { type OrderInput, type SimFeed, type SimLine, type SimOrder, WalmartStore, renderOrder } from './store.js';
export { walmartConnectorYaml, type WalmartSimConnectorOptions, type WalmartSimEndpoint } from './config.js';
