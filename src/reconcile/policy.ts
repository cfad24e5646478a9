import { channelOf } from '../queues/bind.js';
import type { ConnectorInstance, HubConfig } from '../core/config/load.js';
import { ReconcilePolicySchema, type ReconcilePolicy } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { DriftAction } from './types.js';

/** The instance's `reconcile:` block with defaults filled in. */
export function resolvePolicy(instance: Pick<ConnectorInstance, 'reconcile'>): ReconcilePolicy {
  return ReconcilePolicySchema.parse(instance.reconcile ?? {});
}

/**
 * What the stock policy does with a difference of `delta` units that could be healed:
 * `heal` always, `threshold` up to the threshold (flag or, for a warehouse, ask above), `report` never.
 */
export function decideStock(policy: ReconcilePolicy['stock'], delta: number, above: DriftAction = 'flagged'): DriftAction {
  if (policy.policy === 'report') return 'reported';
  if (policy.policy === 'heal' || Math.abs(delta) <= policy.threshold) return 'healed';
  return above;
}

/**
 * The hub channel a connector sells on: its `settings.channel`, else the one channel routed to it.
 * Throws a ConfigError naming the connector when there is none (nothing to compare with).
 */
export function connectorChannel(config: HubConfig, instance: ConnectorInstance): string {
  const channel = channelOf(instance, config);
  if (channel !== undefined) return channel;
  const routed = config.channels.filter((c) => c.connector === instance.id);
  throw new ConfigError(
    `${instance.id}: stock reconciliation needs one channel: set settings.channel or route exactly one channel to it (found ${routed.length})`,
    [{ path: `connectors.${instance.id}`, message: 'no channel' }],
  );
}

/** Maps a connector's location id to a hub location: `settings.locations`, or an id the hub already knows. */
export function hubLocationOf(config: HubConfig, instance: ConnectorInstance): (external: string) => string | null {
  const map = (instance.settings['locations'] as Record<string, string> | undefined) ?? {};
  const known = new Set(config.locations.map((l) => l.id));
  return (external) => (Object.hasOwn(map, external) ? map[external] : undefined) ?? (known.has(external) ? external : null);
}
