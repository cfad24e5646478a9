import type { FieldRule, MappingSettings } from './schema.js';

/** Names `map:` takes besides the connector's value maps. */
const BUILT_IN_MAPS = ['sku', 'location', 'status'];

/**
 * References a mapping makes that its settings do not hold: a `map:` naming no value map, `map:
 * status` without a statusMap, `packSizeOf` naming no sibling field. Each would fail on every
 * delivery; config validation reports them once, with the key path under `settings`.
 */
export function mappingReferenceIssues(settings: Record<string, unknown>): { path: (string | number)[]; message: string }[] {
  const s = settings as Partial<MappingSettings>;
  if (!s.events || typeof s.events !== 'object') return [];
  const valueMaps = Object.keys(s.valueMaps ?? {});
  const out: { path: (string | number)[]; message: string }[] = [];
  const walk = (rules: Record<string, FieldRule>, path: (string | number)[]) => {
    for (const [name, rule] of Object.entries(rules)) {
      if (typeof rule !== 'object' || rule === null) continue;
      if ('fields' in rule) {
        walk(rule.fields, [...path, name, 'fields']);
        continue;
      }
      const here = [...path, name];
      if (rule.map !== undefined) {
        if (rule.map === 'status' && !s.statusMap) out.push({ path: [...here, 'map'], message: 'map: status needs settings.statusMap, which is not set' });
        else if (!BUILT_IN_MAPS.includes(rule.map) && !valueMaps.includes(rule.map)) {
          out.push({
            path: [...here, 'map'],
            message: `no value map "${rule.map}" in settings.valueMaps (${valueMaps.length ? `defined: ${valueMaps.join(', ')}` : 'none defined'}; built in: ${BUILT_IN_MAPS.join(', ')})`,
          });
        }
      }
      if (rule.packSizeOf !== undefined && !(rule.packSizeOf in rules)) {
        out.push({ path: [...here, 'packSizeOf'], message: `no sibling field "${rule.packSizeOf}" (fields here: ${Object.keys(rules).join(', ')})` });
      }
    }
  };
  for (const [kind, mapping] of Object.entries(s.events)) walk(mapping.data, ['settings', 'events', kind, 'data']);
  return out;
}
