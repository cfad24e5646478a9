import { SECRET_KEYS } from '../core/config/redact.js';

/**
 * Keys holding personal data in payloads the hub stores (canonical orders and shipments, and the
 * storefront and marketplace shapes they come from): names, addresses, emails, phone numbers.
 * Their whole value is masked, subtrees included.
 */
export const PERSONAL_KEYS = new Set([
  'customer',
  'shipTo',
  'billTo',
  'shipping_address',
  'billing_address',
  'shippingAddress',
  'billingAddress',
  'address',
  'address1',
  'address2',
  'name',
  'first_name',
  'last_name',
  'firstName',
  'lastName',
  'email',
  'contact_email',
  'phone',
  'company',
]);

const SECRETS = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

/**
 * A copy of a payload fit for the audit log: secrets and personal data replaced by "[redacted]".
 * A JSON text is parsed first (and redacted); text that is not JSON is summarised by its size only.
 */
export function redactPayload(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return walk(JSON.parse(value));
    } catch {
      return `[text, ${Buffer.byteLength(value)} bytes]`;
    }
  }
  return walk(value);
}

function walk(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(walk);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const hidden = v !== undefined && v !== null && (SECRETS.has(k.toLowerCase()) || PERSONAL_KEYS.has(k));
    // defineProperty: a "__proto__" key stays a plain key of the copy.
    Object.defineProperty(out, k, { value: hidden ? '[redacted]' : walk(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
