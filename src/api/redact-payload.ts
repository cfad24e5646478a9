import { redact } from '../core/config/redact.js';
import { redactValues } from '../core/config/secret-values.js';
import { maskTree } from './ops/dead-letter-view.js';

/** A request body fit for the audit log: secrets (by key and by known value) redacted, personal data masked. */
export function redactPayload(value: unknown): unknown {
  return maskTree(redactValues(redact(value)));
}
