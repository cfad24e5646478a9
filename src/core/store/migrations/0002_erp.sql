-- ERP core: products, inventory ledger, orders, availability outbox, replenishment.
-- Written only by src/core/erp; the queue runtime reads and deletes availability_outbox rows.

-- Idempotency: one row per applied event key, inserted in the transaction that applies it.
CREATE TABLE erp_applied_event (
  idempotency_key text PRIMARY KEY,
  event_id text NOT NULL,
  event_type text NOT NULL,
  connector text NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'duplicate', 'stale')),
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- Stale guard: the newest source version applied per entity ("<connector>:<kind>/<id>").
CREATE TABLE erp_entity_version (
  entity text PRIMARY KEY,
  version text NOT NULL,
  event_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product (
  sku text PRIMARY KEY,
  title text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  is_bundle boolean NOT NULL DEFAULT false,
  -- true when the SKU was first seen in a stock event, before any product.upserted
  auto_created boolean NOT NULL DEFAULT false,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_component (
  bundle_sku text NOT NULL REFERENCES product (sku),
  component_sku text NOT NULL REFERENCES product (sku),
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (bundle_sku, component_sku)
);
CREATE INDEX product_component_component_idx ON product_component (component_sku);

-- The ledger: append-only movements, and balances updated in the same transaction.
CREATE TABLE inventory_movement (
  id bigserial PRIMARY KEY,
  sku text NOT NULL,
  location text NOT NULL,
  state text NOT NULL CHECK (state IN ('onHand', 'allocated', 'inTransit', 'quarantined', 'returned')),
  delta integer NOT NULL,
  reason text NOT NULL,
  reference text,
  idempotency_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inventory_movement_balance_idx ON inventory_movement (sku, location, state);
CREATE INDEX inventory_movement_key_idx ON inventory_movement (idempotency_key);

CREATE TABLE inventory_balance (
  sku text NOT NULL,
  location text NOT NULL,
  state text NOT NULL CHECK (state IN ('onHand', 'allocated', 'inTransit', 'quarantined', 'returned')),
  quantity integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, location, state)
);

-- Levels reported by channels: compared by reconciliation, never written to the ledger.
CREATE TABLE inventory_report (
  connector text NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  state text NOT NULL,
  quantity integer NOT NULL,
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (connector, sku, location, state)
);

CREATE TABLE sales_order (
  id bigserial PRIMARY KEY,
  channel text NOT NULL,
  external_order_id text NOT NULL,
  order_number text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'allocated', 'backordered', 'partially_shipped', 'shipped', 'cancelled', 'closed')),
  placed_at timestamptz NOT NULL,
  currency text NOT NULL,
  total numeric NOT NULL,
  invoiced boolean NOT NULL DEFAULT false,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, external_order_id)
);
CREATE INDEX sales_order_waiting_idx ON sales_order (placed_at, id) WHERE status IN ('backordered', 'partially_shipped');

CREATE TABLE order_line (
  order_id bigint NOT NULL REFERENCES sales_order (id),
  external_line_id text NOT NULL,
  position integer NOT NULL,
  sku text,
  unmapped_reason text,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price numeric NOT NULL,
  currency text NOT NULL,
  title text NOT NULL DEFAULT '',
  PRIMARY KEY (order_id, external_line_id)
);

-- What a line needs from stock: the SKU itself, or each component of a bundle.
CREATE TABLE order_item (
  order_id bigint NOT NULL REFERENCES sales_order (id),
  external_line_id text NOT NULL,
  sku text NOT NULL,
  per_unit integer NOT NULL CHECK (per_unit > 0),
  required integer NOT NULL CHECK (required >= 0),
  allocated integer NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  shipped integer NOT NULL DEFAULT 0 CHECK (shipped >= 0),
  PRIMARY KEY (order_id, external_line_id, sku),
  CHECK (allocated + shipped <= required)
);
CREATE INDEX order_item_waiting_idx ON order_item (sku) WHERE required > allocated + shipped;

CREATE TABLE order_allocation (
  order_id bigint NOT NULL REFERENCES sales_order (id),
  external_line_id text NOT NULL,
  sku text NOT NULL,
  location text NOT NULL,
  quantity integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (order_id, external_line_id, sku, location)
);
CREATE INDEX order_allocation_stock_idx ON order_allocation (sku, location) WHERE quantity > 0;

CREATE TABLE shipment (
  channel text NOT NULL,
  external_shipment_id text NOT NULL,
  order_id bigint NOT NULL REFERENCES sales_order (id),
  location text NOT NULL,
  shipped_at timestamptz NOT NULL,
  lines jsonb NOT NULL,
  tracking jsonb,
  tracking_status text,
  PRIMARY KEY (channel, external_shipment_id)
);

CREATE TABLE customer_return (
  channel text NOT NULL,
  external_return_id text NOT NULL,
  external_order_id text,
  location text NOT NULL,
  received_at timestamptz NOT NULL,
  lines jsonb NOT NULL,
  PRIMARY KEY (channel, external_return_id)
);

CREATE TABLE refund (
  channel text NOT NULL,
  external_refund_id text NOT NULL,
  external_order_id text NOT NULL,
  created_at timestamptz NOT NULL,
  amount numeric NOT NULL,
  currency text NOT NULL,
  reason text,
  lines jsonb NOT NULL,
  PRIMARY KEY (channel, external_refund_id)
);

CREATE TABLE invoice (
  connector text NOT NULL,
  external_invoice_id text NOT NULL,
  channel text,
  external_order_id text,
  posted_at timestamptz NOT NULL,
  total numeric NOT NULL,
  currency text NOT NULL,
  lines jsonb NOT NULL,
  PRIMARY KEY (connector, external_invoice_id)
);

-- Last availableToSell emitted per (sku, channel); version grows by one per change.
CREATE TABLE availability_state (
  sku text NOT NULL,
  channel text NOT NULL,
  available integer,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, channel)
);

-- Outbox: the queue runtime reads, pushes and deletes these rows; the ERP core only inserts.
CREATE TABLE availability_outbox (
  id bigserial PRIMARY KEY,
  sku text NOT NULL,
  channel text NOT NULL,
  available integer NOT NULL,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX availability_outbox_sku_channel_idx ON availability_outbox (sku, channel, version);

CREATE TABLE replenishment_suggestion (
  id bigserial PRIMARY KEY,
  sku text NOT NULL,
  location text NOT NULL,
  available integer NOT NULL,
  reorder_point integer NOT NULL,
  reorder_quantity integer NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'cleared')),
  created_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz
);
CREATE UNIQUE INDEX replenishment_suggestion_open_idx ON replenishment_suggestion (sku, location) WHERE status = 'open';
