import type { Queryable } from '../core/store/index.js';

/** What a connector did lately, read from the tables the queues own. */
export interface Activity {
  lastInboundAt: Date | null;
  inbound: number;
  lastPushAt: Date | null;
  pushed: number;
  failures: number;
  open: number;
  authFailing: number;
}

/**
 * Activity per connector from the database, so every API process sees what every worker did:
 * deliveries processed (inbox), items pushed (availability_pushed) and dead letters.
 */
export async function connectorActivity(db: Queryable, windowMinutes: number): Promise<Map<string, Activity>> {
  const { rows } = await db.query<{
    id: string;
    last_inbound: Date | null;
    inbound: number;
    last_push: Date | null;
    pushed: number;
    failures: number;
    open: number;
    auth: number;
  }>(
    `WITH w AS (SELECT now() - ($1::float8 * interval '1 minute') AS since),
     inbound AS (SELECT connector_id AS id, max(processed_at) AS last_inbound,
                   count(*) FILTER (WHERE processed_at >= (SELECT since FROM w)) AS inbound
                 FROM inbox WHERE status = 'processed' GROUP BY connector_id),
     pushed AS (SELECT connector_id AS id, max(pushed_at) AS last_push,
                  count(*) FILTER (WHERE pushed_at >= (SELECT since FROM w)) AS pushed
                FROM availability_pushed GROUP BY connector_id),
     dead AS (SELECT connector_id AS id, count(*) FILTER (WHERE created_at >= (SELECT since FROM w)) AS failures,
                count(*) FILTER (WHERE status = 'open') AS open,
                count(*) FILTER (WHERE status = 'open' AND error_code = 'auth_failed') AS auth
              FROM dead_letter WHERE connector_id IS NOT NULL GROUP BY connector_id)
     SELECT COALESCE(i.id, p.id, d.id) AS id, i.last_inbound, COALESCE(i.inbound, 0) AS inbound, p.last_push,
       COALESCE(p.pushed, 0) AS pushed, COALESCE(d.failures, 0) AS failures, COALESCE(d.open, 0) AS open, COALESCE(d.auth, 0) AS auth
     FROM inbound i FULL JOIN pushed p ON p.id = i.id FULL JOIN dead d ON d.id = COALESCE(i.id, p.id)`,
    [windowMinutes],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { lastInboundAt: r.last_inbound, inbound: r.inbound, lastPushAt: r.last_push, pushed: r.pushed, failures: r.failures, open: r.open, authFailing: r.auth },
    ]),
  );
}
