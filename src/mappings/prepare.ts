import type { MappingSettings } from './schema.js';
import { prepareMappings } from './engine.js';

/** Settings that went through MappingSettingsSchema (it always sets `events` and `valueMaps`). */
function hasMappings(settings: Record<string, unknown>): boolean {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  return isObject(settings['events']) && isObject(settings['valueMaps']);
}

/**
 * Builds the mapping tables of every connector that has mappings, at config load: CSV SKU maps
 * are read relative to `baseDir` (the config file's directory), confined to it or `allowedDirs`, and a bad file becomes a config
 * issue with its path, so a running hub never meets it mid-delivery.
 */
export function prepareConnectorMappings(
  connectors: readonly { settings: Record<string, unknown> }[],
  baseDir: string,
  report: (index: number, path: string[], message: string) => void,
  allowedDirs?: readonly string[],
): void {
  connectors.forEach((connector, i) => {
    if (!hasMappings(connector.settings)) return;
    try {
      prepareMappings(connector.settings as unknown as MappingSettings, baseDir, allowedDirs);
    } catch (err) {
      report(i, ['settings', 'skuMap', 'csv'], (err as Error).message);
    }
  });
}
