import type { HubConfig } from './load.js';
import { replaceAt } from '../model/marks.js';
import { secretNodes } from './provenance.js';
import { REDACTED, redactValues } from './secret-values.js';
import { SECRET_KEYS } from './secret-keys.js';

export { SECRET_KEYS, LOG_REDACT_PATHS } from './secret-keys.js';

/** A deep copy with every value under a SECRET_KEYS key replaced by "[redacted]". */
export function redact<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, SECRET_KEYS.includes(k) && v !== undefined ? REDACTED : walk(v)]),
      );
    }
    return node;
  };
  return walk(value) as T;
}

/**
 * A config fit to show: every field its schema marks secret replaced whole, every value that
 * came from the environment (or any other known secret) replaced wherever it occurs inside a
 * string (a Slack URL, a header template, a URL with a key in it), and SECRET_KEYS as a backstop.
 */
export function redactConfig(config: HubConfig): Record<string, unknown> {
  const marked = secretNodes(config)
    .filter((n) => n.marked)
    .map((n) => n.path);
  return redact(redactValues(replaceAt(config, marked, () => REDACTED))) as Record<string, unknown>;
}
