-- Reconciliation: runs, the drift they found, and what was done about it. Written by src/reconcile.

-- One row per run. At most one running run per (connector, kind): the partial unique index is the
-- lock, and a run whose heartbeat stopped is failed as abandoned before a new one may start.
CREATE TABLE reconcile_run (
  id bigserial PRIMARY KEY,
  connector_id text NOT NULL,
  -- stock: channel stock vs availableToSell; warehouse: warehouse on-hand vs ledger onHand; orders
  kind text NOT NULL CHECK (kind IN ('stock', 'warehouse', 'orders')),
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'cli')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  policy jsonb NOT NULL DEFAULT '{}'::jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- SKUs (stock, warehouse) or orders compared
  checked integer NOT NULL DEFAULT 0,
  -- levels compared (stock, warehouse); equals checked for orders
  compared integer NOT NULL DEFAULT 0,
  -- SKUs (or orders) with at least one difference
  drifted integer NOT NULL DEFAULT 0,
  healed integer NOT NULL DEFAULT 0,
  flagged integer NOT NULL DEFAULT 0,
  -- items the channel has that the hub cannot map to a SKU
  unmapped integer NOT NULL DEFAULT 0,
  -- differences explained by a push still on its way
  in_flight integer NOT NULL DEFAULT 0,
  -- share of checked SKUs (or orders) without difference, 0..1; null until completed
  accuracy double precision,
  error text
);
CREATE UNIQUE INDEX reconcile_run_active_idx ON reconcile_run (connector_id, kind) WHERE status = 'running';
CREATE INDEX reconcile_run_connector_idx ON reconcile_run (connector_id, kind, id DESC);

-- Stock and warehouse differences, one row per (run, sku, location). first_seen carries over from
-- the previous completed run of the same connector and kind while the difference persists.
CREATE TABLE reconcile_drift (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES reconcile_run (id),
  connector_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('stock', 'warehouse')),
  sku text NOT NULL,
  -- hub location id, or the connector's own id when it is not mapped
  location text NOT NULL,
  external_location text NOT NULL,
  channel_value integer NOT NULL,
  expected integer NOT NULL,
  delta integer NOT NULL,
  first_seen timestamptz NOT NULL,
  -- healed: expected value pushed (stock) or count applied (warehouse); flagged: left for a human;
  -- reported: policy report; awaiting_approval: a warehouse variance above the threshold, then
  -- approved (applied), rejected, stale (the ledger moved since) or superseded (a newer run)
  action text NOT NULL CHECK (action IN ('healed', 'flagged', 'reported', 'awaiting_approval', 'approved', 'rejected', 'stale', 'superseded')),
  counted_at timestamptz,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  UNIQUE (run_id, sku, location)
);
CREATE INDEX reconcile_drift_awaiting_idx ON reconcile_drift (connector_id, id) WHERE action = 'awaiting_approval';

-- Order differences found by order reconciliation.
CREATE TABLE reconcile_order_issue (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES reconcile_run (id),
  connector_id text NOT NULL,
  channel text NOT NULL,
  external_order_id text NOT NULL,
  order_number text,
  -- missing: not in the ERP; outdated: the channel has a newer version; cancelled_in_channel: open
  -- in the ERP; cancelled_in_hub: open in the channel (a human decides)
  issue text NOT NULL CHECK (issue IN ('missing', 'outdated', 'cancelled_in_channel', 'cancelled_in_hub')),
  channel_version text,
  hub_version text,
  hub_status text,
  -- backfilled: recorded in the inbox for the normal intake; flagged; reported
  action text NOT NULL CHECK (action IN ('backfilled', 'flagged', 'reported')),
  inbox_id bigint,
  UNIQUE (run_id, external_order_id)
);
