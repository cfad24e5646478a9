import type { Role } from '../../core/config/schema.js';
import { CanonicalEventSchema } from '../../core/model/index.js';
import { markedNodes, replaceAt } from '../../core/model/marks.js';
import type { DeadLetter } from '../../queues/dead-letter-store.js';
import { hasRole } from './auth.js';

/** What masked personal data reads as. An edit-replay still containing it is refused. */
export const PERSONAL_MASK = '[personal]';

/**
 * Keys of the raw shapes the hub receives (storefronts, marketplaces, 3PLs) that hold personal
 * data. The canonical model marks its own fields in the schema; these catch a payload that failed
 * before it became a canonical event (nothing then says which of its values are personal).
 */
const RAW_PERSONAL_KEYS = new Set(
  [
    'customer',
    'shipping_address',
    'billing_address',
    'shippingAddress',
    'billingAddress',
    'shipTo',
    'billTo',
    'buyer',
    'buyerInfo',
    'address',
    'address1',
    'address2',
    'addressLine1',
    'addressLine2',
    'street1',
    'street2',
    'first_name',
    'last_name',
    'firstName',
    'lastName',
    'fullName',
    'buyerName',
    'username',
    'email',
    'contact_email',
    'buyerEmail',
    'phone',
    'phoneNumber',
    'zip',
    'postalCode',
  ].map((k) => k.toLowerCase()),
);

/** Fewer characters would mask ordinary words ("US", "1"). */
const MIN_VALUE = 3;

function stringsIn(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length >= MIN_VALUE) out.add(value);
  } else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
}

function maskText(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(PERSONAL_MASK);
  return out;
}

/** A copy of `node` with raw personal keys masked whole and known personal values masked inside strings. */
export function maskTree(node: unknown, values: readonly string[] = [], rawKeys = true, depth = 0): unknown {
  if (typeof node === 'string') return maskText(node, values);
  if (depth > 64 || node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((v) => maskTree(v, values, rawKeys, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const hidden = rawKeys && v !== null && v !== undefined && v !== '' && RAW_PERSONAL_KEYS.has(k.toLowerCase());
    Object.defineProperty(out, k, {
      value: hidden ? PERSONAL_MASK : maskTree(v, values, rawKeys, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The dead letter with personal data masked: the canonical event's fields its schema marks
 * personal, those same values wherever they recur (raw payload, message, error), and the raw
 * payload's personal keys.
 */
export function maskPersonal(entry: DeadLetter): DeadLetter {
  const nodes = entry.event ? markedNodes(CanonicalEventSchema, entry.event, 'personal').filter((n) => n.marked) : [];
  const found = new Set<string>();
  for (const n of nodes) stringsIn(n.value, found);
  const values = [...found].sort((a, b) => b.length - a.length);
  return {
    ...entry,
    // The event's own fields are masked by their schema marks; its other strings only where a personal value recurs.
    event: entry.event
      ? maskTree(
          replaceAt(
            entry.event,
            nodes.map((n) => n.path),
            () => PERSONAL_MASK,
          ),
          values,
          false,
        )
      : entry.event,
    payload: maskTree(entry.payload, values),
    message: maskText(entry.message, values),
    error: maskTree(entry.error, values) as Record<string, unknown>,
    attempts: entry.attempts.map((a) => ({ ...a, message: maskText(a.message, values) })),
  };
}

// An absolute POSIX path of two or more segments not inside a URL, or a Windows drive path.
const POSIX_PATH = /(?<![\w:/.~-])\/(?:[\w.@+-]+\/)+([\w.@+-]*)/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\(?:[^\\\s'"]+\\)+([^\\\s'"]*)/g;

/** `text` with server file-system paths cut to their last segment: `…/hub.yaml`. */
export function hidePaths(text: string): string {
  return text.replace(POSIX_PATH, (_all, last: string) => `…/${last}`).replace(WINDOWS_PATH, (_all, last: string) => `…\\${last}`);
}

function hidePathsIn(node: unknown, depth = 0): unknown {
  if (typeof node === 'string') return hidePaths(node);
  if (depth > 64 || node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((v) => hidePathsIn(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    Object.defineProperty(out, k, { value: hidePathsIn(v, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * A dead letter as `role` may see it. Personal data is masked unless an operator asked to unmask
 * (the caller audits that); viewers never see server paths in messages and errors.
 */
export function deadLetterView(entry: DeadLetter, role: Role, unmask = false): DeadLetter {
  const shown = unmask && hasRole(role, 'operator') ? entry : maskPersonal(entry);
  if (hasRole(role, 'operator')) return shown;
  return {
    ...shown,
    message: hidePaths(shown.message),
    error: hidePathsIn(shown.error) as Record<string, unknown>,
    attempts: shown.attempts.map((a) => ({ ...a, message: hidePaths(a.message) })),
    resolution: shown.resolution ? (hidePathsIn(shown.resolution) as Record<string, unknown>) : shown.resolution,
  };
}

/** True when an edited payload still holds masked values (it was copied from a masked view). */
export function holdsMask(payload: unknown): boolean {
  return JSON.stringify(payload ?? null).includes(PERSONAL_MASK);
}
