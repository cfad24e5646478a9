import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented signature or token with the expected one in constant time, whatever their
 * lengths: both sides are hashed to 32 bytes first, so a mismatch leaks neither content nor length.
 */
export function constantTimeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A deterministic event id in UUID layout (version 8) from its parts: normalizing the same payload
 * twice gives the same ids.
 */
export function deterministicEventId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
