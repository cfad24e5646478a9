import { connectorActivity } from '../queues/activity.js';
import type { HubConfig } from '../core/config/load.js';
import type { Queryable } from '../core/store/index.js';
import type { BoundConnector } from '../queues/bind.js';
import type { BudgetStatus, HubBudgets } from '../queues/budgets.js';
import type { HubQueues } from '../queues/runtime.js';
import { outboundQueue } from '../queues/names.js';
import { hasOutboundQueue } from './queue-stats.js';

/** A connector as operators watch it. */
export interface ConnectorStatus {
  id: string;
  type: string;
  category: string;
  enabled: boolean;
  /**
   * `disabled` in config; `paused` when its outbound queue is paused; `unhealthy` while an open
   * dead letter says its credentials were refused; `degraded` when its error rate over the window
   * is above 5 %; else `ok`.
   */
  status: 'ok' | 'degraded' | 'unhealthy' | 'paused' | 'disabled';
  statusReason: string | null;
  paused: boolean | null;
  lastInboundAt: string | null;
  lastPushAt: string | null;
  lastSuccessAt: string | null;
  windowMinutes: number;
  processed: number;
  failures: number;
  errorRate: number | null;
  openDeadLetters: number;
  /** Its type's budgets (per hour, per day) with what is left; empty when disabled. */
  budgets: BudgetStatus[];
  /** Availability changes waiting for budget. */
  heldChanges: number;
}

const DEGRADED_RATE = 0.05;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Status of every configured connector, enabled or not. `pausedStates` are the outbound queues'
 * paused flags when the caller read them already (a connector missing from it shows `paused: null`,
 * unknown); without it they are read from Redis here.
 */
export async function connectorStatuses(
  deps: { config: HubConfig; db: Queryable; queues: HubQueues; connectors: ReadonlyMap<string, BoundConnector>; budgets?: HubBudgets },
  windowMinutes = 60,
  pausedStates?: ReadonlyMap<string, boolean>,
): Promise<ConnectorStatus[]> {
  const activity = await connectorActivity(deps.db, windowMinutes);
  const held = deps.budgets ? await deps.budgets.held(deps.db) : new Map<string, number>();
  return Promise.all(
    deps.config.connectors.map(async (instance) => {
      const active = deps.connectors.get(instance.id);
      const a = activity.get(instance.id);
      const withQueue = active !== undefined && hasOutboundQueue(active);
      const paused = !withQueue ? null : pausedStates ? (pausedStates.get(instance.id) ?? null) : await deps.queues.get(outboundQueue(instance.id)).isPaused();
      const processed = (a?.inbound ?? 0) + (a?.pushed ?? 0);
      const failures = a?.failures ?? 0;
      const errorRate = processed + failures === 0 ? null : failures / (processed + failures);
      const last = [a?.lastInboundAt, a?.lastPushAt].filter((d): d is Date => Boolean(d)).map((d) => new Date(d).getTime());
      let status: ConnectorStatus['status'] = 'ok';
      let statusReason: string | null = null;
      if (!active) [status, statusReason] = ['disabled', instance.enabled ? `connector type "${instance.type}" is not available` : 'disabled in config'];
      else if (paused) [status, statusReason] = ['paused', 'outbound queue paused by an operator'];
      else if (a?.authFailing) [status, statusReason] = ['unhealthy', `${a.authFailing} open dead letter(s) with auth_failed: check its credentials`];
      else if (errorRate !== null && errorRate > DEGRADED_RATE)
        [status, statusReason] = ['degraded', `${failures} failure(s) in the last ${windowMinutes} min`];
      return {
        id: instance.id,
        type: instance.type,
        category: instance.category,
        enabled: instance.enabled,
        status,
        statusReason,
        paused,
        lastInboundAt: iso(a?.lastInboundAt ?? null),
        lastPushAt: iso(a?.lastPushAt ?? null),
        lastSuccessAt: last.length ? new Date(Math.max(...last)).toISOString() : null,
        windowMinutes,
        processed,
        failures,
        errorRate,
        openDeadLetters: a?.open ?? 0,
        budgets: active && deps.budgets ? await deps.budgets.status(active) : [],
        heldChanges: held.get(instance.id) ?? 0,
      };
    }),
  );
}
