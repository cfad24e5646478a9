import type { ConnectorInstance } from '../core/config/load.js';
import { ValidationError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/model/index.js';

/** The channels and locations a connector instance may act on; `null` = its config names none (not confined). */
export interface ConnectorScope {
  channels: ReadonlySet<string> | null;
  locations: ReadonlySet<string> | null;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v !== '' ? [v] : [];

/**
 * What an instance's config allows: `settings.channel` / `settings.channels`, and the hub locations
 * of `settings.locations` (a list, or the values of a location map). A config that names none of
 * one kind leaves that kind open (a canonical sender without lists speaks for the whole hub).
 */
export function connectorScope(instance: Pick<ConnectorInstance, 'settings'>): ConnectorScope {
  const s = instance.settings;
  const channels = [...strings(s['channel']), ...strings(s['channels'])];
  const rawLocations = s['locations'];
  const locations =
    rawLocations !== null && typeof rawLocations === 'object' && !Array.isArray(rawLocations)
      ? Object.values(rawLocations).filter((x): x is string => typeof x === 'string')
      : strings(rawLocations);
  return { channels: channels.length > 0 ? new Set(channels) : null, locations: locations.length > 0 ? new Set(locations) : null };
}

/**
 * Keeps a connector inside its own namespace and config: every event's source is the connector,
 * its idempotency key is prefixed with the connector id (ids hold no ":", so no connector can
 * claim another's keys), and a channel or location outside its scope is a permanent
 * ValidationError naming the field.
 */
export function confineEvents(events: readonly CanonicalEvent[], instance: Pick<ConnectorInstance, 'id' | 'settings'>): CanonicalEvent[] {
  const scope = connectorScope(instance);
  const multi = events.length > 1;
  return events.map((event, i) => {
    const data = event.data as { channel?: unknown; location?: unknown };
    const at = (field: string) => `${multi ? `[${i}].` : ''}data.${field}`;
    for (const [field, allowed] of [
      ['channel', scope.channels],
      ['location', scope.locations],
    ] as const) {
      const value = data[field];
      if (allowed && typeof value === 'string' && !allowed.has(value)) {
        throw new ValidationError(`${instance.id}: ${at(field)} "${value}" is outside what this connector may act on (settings: ${[...allowed].join(', ')})`, {
          connectorId: instance.id,
          field: at(field),
          value,
        });
      }
    }
    const prefix = `${instance.id}:`;
    const idempotencyKey = event.idempotencyKey.startsWith(prefix) ? event.idempotencyKey : prefix + event.idempotencyKey;
    return { ...event, idempotencyKey, source: { ...event.source, connector: instance.id } };
  });
}
