import { findConnector } from '../../connectors/registry.js';
import type { HubConfig } from './load.js';
import type { EnvReference } from './env.js';
import { connectorSchema } from './connector-schema.js';
import { markedNodes, type MarkedNode, type Path } from '../model/marks.js';
import { HubConfigBaseSchema } from './schema.js';
import { registerSecretValues } from './redact.js';

/** Where each `${ENV}` reference of a parsed config went; kept beside the config, never inside it. */
const references = new WeakMap<object, EnvReference[]>();

/** The `${ENV}` references a config was resolved with (none for a config built in code). */
export function envReferences(config: HubConfig): readonly EnvReference[] {
  return references.get(config) ?? [];
}

/** Nodes of `config` the schemas mark `secret` (true) or explicitly not (false), with their paths. */
export function secretNodes(config: HubConfig): MarkedNode[] {
  const { connectors, ...rest } = config;
  const out = markedNodes(HubConfigBaseSchema.omit({ connectors: true }), rest, 'secret');
  connectors.forEach((instance, i) => {
    const def = findConnector(instance.type);
    if (!def) return;
    for (const node of markedNodes(connectorSchema(def), instance, 'secret')) out.push({ ...node, path: ['connectors', i, ...node.path] });
  });
  return out;
}

const startsWith = (path: readonly PropertyKey[], prefix: Path) => prefix.every((k, i) => path[i] === k);

/** Every string inside a value (a credentials object holds several). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * Remembers the references of a parsed config and registers its secret values for redaction:
 * everything under a field marked secret, and every value taken from the environment unless
 * its field is marked `secret: false` (a bind address, a data directory).
 */
export function recordProvenance(config: HubConfig, refs: EnvReference[]): void {
  references.set(config, refs);
  const nodes = secretNodes(config);
  const plain = nodes.filter((n) => !n.marked).map((n) => n.path);
  registerSecretValues(nodes.filter((n) => n.marked).flatMap((n) => strings(n.value)));
  registerSecretValues(refs.filter((r) => !r.fromDefault && !plain.some((p) => startsWith(r.path, p))).map((r) => r.value));
}
