/** What an event handler reports back to applyEventTx. */
export interface HandlerResult {
  /** `duplicate` when the entity (shipment, return, refund, invoice) was already recorded under another key. */
  status?: 'duplicate';
  message?: string;
}
