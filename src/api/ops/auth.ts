import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { z } from 'zod';
import { ROLES, type AuthTokenSchema, type Role } from '../../core/config/schema.js';

/** Who is calling: the name and role of the configured token presented. */
export interface Principal {
  name: string;
  role: Role;
}

/** The cookie the dashboard login sets so bull-board (which cannot send headers) is reachable. */
export const SESSION_COOKIE = 'hub_token';

/** `sha256:<hex>` of a token: the form config's `tokenHash` takes. */
export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** True when `role` includes everything `required` may do (viewer < operator < admin). */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/**
 * The configured API tokens, kept only as SHA-256 digests: plain tokens from config are hashed
 * here and never kept, logged or returned.
 */
export class TokenTable {
  private readonly entries: { name: string; role: Role; digest: Buffer }[];

  constructor(tokens: readonly z.infer<typeof AuthTokenSchema>[]) {
    this.entries = tokens.map((t) => ({
      name: t.name,
      role: t.role,
      digest: Buffer.from((t.tokenHash ?? hashToken(t.token!)).slice('sha256:'.length), 'hex'),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal a presented token stands for. Every entry is compared in constant time. */
  verify(presented: string | undefined): Principal | undefined {
    if (!presented) return undefined;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: Principal | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(digest, e.digest) && !found) found = { name: e.name, role: e.role };
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The token of the session cookie, if the request carries one. */
export function cookieToken(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** `api:<token name>`, the actor recorded in the audit log for API calls. */
export function actorOf(principal: Principal | undefined): string {
  return principal ? `api:${principal.name}` : 'api:anonymous';
}
