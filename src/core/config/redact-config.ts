import type { HubConfig } from './load.js';
import { replaceAt } from '../model/marks.js';
import { secretNodes } from './provenance.js';
import { redact, REDACTED, redactValues } from './redact.js';

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
