/**
 * The ERP core: inventory ledger, reservations, order lifecycle and availability per channel.
 * It applies canonical events through a `Db`/`Tx` and answers questions; it knows nothing of
 * connectors or queues (the queue runtime drains `availability_outbox`).
 */
export { applyEvent, applyEvents, applyEventsTx, applyEventTx } from './apply.js';
export { createErpContext, sellableLocations, stockGroup, type ErpConfig, type ErpContext, type ReplenishmentRule } from './context.js';
export { availableToSell, applyChannelRules, bundleAvailable, computeAvailableToSell } from './availability.js';
export { getInventory, type ChannelReport, type InventoryView } from './inventory.js';
export { verifyLedger, ledgerStats, describeLedgerIssue, EVENT_TYPES_THAT_MOVE, type LedgerIssue } from './verify.js';
export { listReplenishmentSuggestions, type ReplenishmentSuggestion } from './replenishment.js';
export { ORDER_STATUSES, ORDER_TRANSITIONS, isLegalTransition, assertTransition, deriveStatus } from './order-lifecycle.js';
export { compareVersions, entityKey } from './stale.js';
export { getOrder, type OrderView } from './order-query.js';
export { listOrderRequests, type OrderRequest } from './order-requests.js';
export type { ApplyOptions, ApplyOutcome, ApplyStatus, AvailabilityChange, Movement, OrderChange, ReplenishmentChange } from './types.js';
export { ORDER_HOPS, findOrderHop, listOrderHops, recordOrderHop, type OrderHop, type OrderHopName, type RecordHopInput } from './order-hops.js';
export { loadOrderDocument, type FlowKind, type OrderDocument } from './order-flow.js';
