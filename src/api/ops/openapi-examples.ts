type Json = Record<string, unknown>;

/**
 * A value that fits a JSON schema, for the example of an operation: the first enum value, the
 * lower bound of a range, one item per array, every property. Routes whose schema carries rules
 * this cannot see (a pattern, a refinement) give their own `example`.
 */
export function exampleOf(schema: Json, components: Record<string, Json> = {}): unknown {
  const ref = schema['$ref'];
  if (typeof ref === 'string') return exampleOf(components[ref.split('/').at(-1)!] ?? {}, components);
  if ('example' in schema) return schema['example'];
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  if ('const' in schema) return schema['const'];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key] as Json[] | undefined;
    if (branches?.length) {
      if (key === 'allOf') return Object.assign({}, ...branches.map((b) => exampleOf(b, components) as object));
      return exampleOf(branches.find((b) => b['type'] !== 'null' && b['nullable'] !== true) ?? branches[0]!, components);
    }
  }
  switch (schema['type']) {
    case 'object': {
      const props = (schema['properties'] ?? {}) as Record<string, Json>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, exampleOf(v, components)]));
    }
    case 'array':
      return [exampleOf((schema['items'] ?? {}) as Json, components)];
    case 'integer':
      return Math.max(1, Math.ceil(Number(schema['minimum'] ?? 1)));
    case 'number':
      return Number(schema['minimum'] ?? 0) > 0.5 ? Number(schema['minimum']) : 0.5;
    case 'boolean':
      return true;
    case 'string': {
      const format = schema['format'];
      if (format === 'date-time') return '2026-01-01T12:00:00.000Z';
      if (format === 'uri') return 'https://hub.example.com/';
      const min = Number(schema['minLength'] ?? 0);
      return 'example'.padEnd(Math.max(min, 7), 'x');
    }
    default:
      return {};
  }
}
