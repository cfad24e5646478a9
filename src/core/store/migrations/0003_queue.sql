-- Queue runtime: the durable inbox, the dead-letter store and the push watermark.

-- Every accepted delivery, written before the 2xx. UNIQUE (connector_id, dedup_key) drops duplicates.
CREATE TABLE inbox (
  id bigserial PRIMARY KEY,
  connector_id text NOT NULL,
  dedup_key text NOT NULL,
  topic text NOT NULL,
  body text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- received: waiting or being worked on; processed: applied (or nothing to apply); dead: in the dead-letter store
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'dead')),
  processed_at timestamptz,
  events integer,
  UNIQUE (connector_id, dedup_key)
);
CREATE INDEX inbox_pending_idx ON inbox (id) WHERE status = 'received';

-- Dead letters: everything needed to understand and replay a failed step.
CREATE TABLE dead_letter (
  id bigserial PRIMARY KEY,
  -- the failed job (queue + job id + attempt count) so a repeated report is stored once
  source_key text NOT NULL UNIQUE,
  queue text NOT NULL,
  step text NOT NULL CHECK (step IN ('verify', 'normalize', 'map', 'apply', 'push', 'reconcile')),
  connector_id text,
  event_type text,
  error_class text NOT NULL,
  error_code text NOT NULL,
  message text NOT NULL,
  error jsonb NOT NULL DEFAULT '{}'::jsonb,
  attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
  inbox_id bigint REFERENCES inbox (id),
  payload jsonb,
  event jsonb,
  -- business keys for search: order ids and numbers, SKUs
  order_keys text[] NOT NULL DEFAULT '{}',
  skus text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  first_failed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text,
  resolution jsonb,
  replay_of bigint REFERENCES dead_letter (id)
);
CREATE INDEX dead_letter_open_idx ON dead_letter (created_at) WHERE status = 'open';
CREATE INDEX dead_letter_connector_idx ON dead_letter (connector_id, created_at);
CREATE INDEX dead_letter_order_keys_idx ON dead_letter USING gin (order_keys);
CREATE INDEX dead_letter_skus_idx ON dead_letter USING gin (skus);

-- The newest availability version each connector has accepted per (channel, sku): an older push
-- retried late never overwrites a newer one.
CREATE TABLE availability_pushed (
  connector_id text NOT NULL,
  channel text NOT NULL,
  sku text NOT NULL,
  version bigint NOT NULL,
  available integer NOT NULL,
  pushed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_id, channel, sku)
);

-- Poll cursors per connector and kind (orders backfill).
CREATE TABLE connector_cursor (
  connector_id text NOT NULL,
  kind text NOT NULL,
  cursor text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_id, kind)
);
