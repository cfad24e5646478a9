import type { Request } from 'express';
import { Counter, type Registry } from 'prom-client';
import { audit } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Queryable } from '../core/store/index.js';

/** Where an anonymous caller was refused: a bounded label. */
export type RefusalSurface = 'api' | 'bull-board' | 'metrics';
export type RefusalReason = 'no_token' | 'invalid_token' | 'not_loopback';

const METRIC = 'hub_anonymous_refusals_total';
/** Longest target an audit row keeps: a probe's 15 KB URL is not worth a row of its size. */
export const MAX_AUDIT_TARGET = 200;

export interface RefusalLogOptions {
  /** Audit rows for anonymous refusals per minute; the rest are counted and summarised on the next row. */
  auditPerMinute?: number;
  now?: () => number;
}

/**
 * Requests refused before anyone was identified (no token, or one that matches nothing). Each is
 * counted in `hub_anonymous_refusals_total`; the audit log, which exists for authenticated actors,
 * gets at most `auditPerMinute` rows of them, each saying how many were left out before it.
 */
export class RefusalLog {
  readonly counter: Counter<'surface' | 'reason'>;
  private windowStart = 0;
  private written = 0;
  private suppressed = 0;
  private readonly perMinute: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
    registry: Registry,
    options: RefusalLogOptions = {},
  ) {
    this.perMinute = options.auditPerMinute ?? 10;
    this.now = options.now ?? Date.now;
    this.counter =
      (registry.getSingleMetric(METRIC) as Counter<'surface' | 'reason'> | undefined) ??
      new Counter({
        name: METRIC,
        help: 'Requests refused before the caller was identified (no or unknown token), by surface and reason',
        labelNames: ['surface', 'reason'],
        registers: [registry],
      });
  }

  /** Counts the refusal and, within the budget, audits it with the method and a bounded path. */
  refuse(surface: RefusalSurface, reason: RefusalReason, req: Request): void {
    this.counter.inc({ surface, reason });
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written >= this.perMinute) {
      this.suppressed += 1;
      return;
    }
    this.written += 1;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    const path = (req.originalUrl ?? req.url).split('?')[0] ?? '';
    const target = path.length > MAX_AUDIT_TARGET ? `${path.slice(0, MAX_AUDIT_TARGET)}…` : path;
    audit(this.db, {
      actor: 'api:anonymous',
      action: `${surface}.refused`,
      target,
      outcome: 'refused',
      details: { method: req.method, reason, ...(suppressed ? { suppressedBefore: suppressed } : {}) },
    }).catch((err: Error) => this.logger.error({ err: err.message }, 'audit write failed'));
  }
}
