import { redact, redactValues } from '../core/config/redact.js';
import { maskTree } from './ops/dead-letter-view.js';

/** A request body fit for the audit log: secrets (by key and by known value) redacted, personal data masked. */
export function redactPayload(value: unknown): unknown {
  return maskTree(redactValues(redact(value)));
}
