import { z } from 'zod';

/**
 * Data classes marked in zod schemas, so redaction follows the schema rather than key names:
 * `secret` (credentials, tokens, webhook URLs: never shown), `personal` (names, addresses,
 * emails: masked for viewers). `secret: false` says a field is not a secret even when its value
 * comes from the environment (a bind address, a data directory).
 */
export type DataMark = 'secret' | 'personal';

/** Marks a schema as holding a secret: redacted whole in /api/config, reload diffs, audits and logs. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true });
}

/** Marks a schema as holding personal data: masked for viewers, unmasked for operators on request (audited). */
export function personal<T extends z.ZodType>(schema: T): T {
  return schema.meta({ personal: true });
}

/** Marks a schema as a plain setting whose value may show even when it comes from the environment. */
export function notSecret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: false });
}

/** The mark on one schema node: true, false (explicitly not), or undefined (not said). */
export function markOf(schema: z.ZodType, mark: DataMark): boolean | undefined {
  const meta: Record<string, unknown> | undefined = z.globalRegistry.get(schema);
  const value = meta?.[mark];
  return typeof value === 'boolean' ? value : undefined;
}

export type Path = (string | number)[];

/** A leaf (or subtree) of a value whose schema node says something about `mark`. */
export interface MarkedNode {
  path: Path;
  value: unknown;
  marked: boolean;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  left?: z.ZodType;
  right?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Walks `value` along `schema` and reports every node whose schema carries an explicit `mark`
 * (true or false); the walk does not descend below a marked node. Unions pick the first option
 * the value satisfies. Keys the schema does not know are not reported.
 */
export function markedNodes(schema: z.ZodType, value: unknown, mark: DataMark): MarkedNode[] {
  const out: MarkedNode[] = [];
  const walk = (s: z.ZodType, v: unknown, path: Path, depth: number): void => {
    if (depth > 64 || v === undefined) return;
    const m = markOf(s, mark);
    if (m !== undefined) {
      out.push({ path, value: v, marked: m });
      return;
    }
    const def = defOf(s);
    switch (def.type) {
      case 'object':
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
        for (const [k, child] of Object.entries(v)) {
          const sub = Object.hasOwn(def.shape ?? {}, k) ? def.shape![k] : def.catchall;
          if (sub) walk(sub, child, [...path, k], depth + 1);
        }
        return;
      case 'record':
        if (v === null || typeof v !== 'object') return;
        for (const [k, child] of Object.entries(v)) walk(def.valueType!, child, [...path, k], depth + 1);
        return;
      case 'array':
        if (Array.isArray(v)) v.forEach((child, i) => walk(def.element!, child, [...path, i], depth + 1));
        return;
      case 'tuple':
        if (Array.isArray(v))
          v.forEach((child, i) => {
            const sub = def.items?.[i] ?? def.rest;
            if (sub) walk(sub, child, [...path, i], depth + 1);
          });
        return;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return walk(def.innerType!, v, path, depth + 1);
      case 'pipe':
        walk(def.in!, v, path, depth + 1);
        return;
      case 'lazy':
        return walk(def.getter!(), v, path, depth + 1);
      case 'intersection':
        walk(def.left!, v, path, depth + 1);
        walk(def.right!, v, path, depth + 1);
        return;
      case 'union': {
        const options = def.options ?? [];
        const tag = def.discriminator && v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[def.discriminator] : undefined;
        const tagged = tag === undefined ? undefined : options.find((o) => defOf(o).shape?.[def.discriminator!]?.safeParse(tag).success);
        const chosen = tagged ?? options.find((o) => o.safeParse(v).success);
        // A value no option accepts (often why it was dead-lettered): every option's marks apply.
        for (const o of chosen ? [chosen] : options) walk(o, v, path, depth + 1);
        return;
      }
      default:
        return;
    }
  };
  walk(schema, value, [], 0);
  return out;
}

/** A deep copy of `value` with the node at each path replaced by `replacement(old)`. */
export function replaceAt(value: unknown, paths: readonly Path[], replacement: (old: unknown) => unknown): unknown {
  let copy = structuredClone(value);
  for (const path of paths) {
    if (path.length === 0) {
      copy = replacement(copy);
      continue;
    }
    let node = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    node[last] = replacement(node[last]);
  }
  return copy;
}
