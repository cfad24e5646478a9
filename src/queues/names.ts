/** Queue names of the topology. The BullMQ prefix (default `{hub}`) keeps them in one Redis Cluster slot. */
export const INBOUND_QUEUE = 'hub.inbound';
export const RECONCILE_QUEUE = 'hub.reconcile';
export const DEAD_LETTER_QUEUE = 'hub.dead-letter';
export const OUTBOUND_PREFIX = 'hub.outbound.';

export function outboundQueue(connectorId: string): string {
  return `${OUTBOUND_PREFIX}${connectorId}`;
}

/** The step a failure happened in, as stored on dead letters. */
export const STEPS = ['verify', 'normalize', 'map', 'apply', 'push', 'reconcile'] as const;
export type Step = (typeof STEPS)[number];
