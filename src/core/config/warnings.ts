import { findConnector } from '../../connectors/registry.js';
import type { HubConfig } from './load.js';

/**
 * Problems a valid config still has on `now` (e.g. an API version leaving its support window), from
 * each connector type's optional `warnings(config, now)`. Printed by `hub config validate` and logged
 * at start-up; never a reason to refuse the config.
 */
export function configWarnings(config: HubConfig, now: Date): string[] {
  return config.connectors.flatMap((c) => {
    const def = findConnector(c.type);
    // Each instance was parsed by its type's configSchema when the config loaded.
    return def?.warnings?.(c, now) ?? [];
  });
}
