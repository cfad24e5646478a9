import type { ConnectorState } from '../connectors/types.js';
import type { Queryable } from '../core/store/index.js';

/** The durable state of one connector instance, one row per key; `set` commits before it resolves. */
export function connectorState(db: Queryable, connectorId: string): ConnectorState {
  return {
    async get(key) {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM connector_state WHERE connector_id = $1 AND key = $2', [connectorId, key]);
      return rows[0]?.value ?? null;
    },
    async set(key, value) {
      await db.query(
        `INSERT INTO connector_state (connector_id, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (connector_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [connectorId, key, value],
      );
    },
  };
}
